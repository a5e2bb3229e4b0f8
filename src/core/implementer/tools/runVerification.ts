import { z } from 'zod';
import { fail, type ImplementerTool } from './tool';

const Args = z.strictObject({ names: z.array(z.string()).optional() });

/**
 * `run_verification`: runs test commands declared in config.yaml `tests[]`, by name. The model
 * names commands; it never supplies a command line.
 */
export const runVerificationTool: ImplementerTool<z.infer<typeof Args>> = {
  definition: {
    name: 'run_verification',
    description:
      "Run the project's declared test commands (config.yaml tests[]) by name, default all of them, and get each one's exit code and the tail of its output. Only declared commands run: you cannot give a command line.",
    parameters: {
      type: 'object',
      properties: { names: { type: 'array', items: { type: 'string' }, description: 'names of declared test commands; default: all' } },
      additionalProperties: false,
    },
  },
  args: Args,
  async run(args, ctx) {
    const declared = ctx.tests.map((t) => t.name);
    if (!declared.length) return fail('this project declares no test commands (config.yaml tests[] is empty), so there is nothing to run; say so in your final answer', 'no declared tests');
    const names = args.names?.length ? [...new Set(args.names)] : declared;
    const unknown = names.filter((n) => !declared.includes(n));
    if (unknown.length) return fail(`not declared in config.yaml tests[]: ${unknown.join(', ')}; the declared test commands are: ${declared.join(', ')}`, `unknown test ${unknown.join(', ')}`);
    const results = await ctx.verify(names);
    return {
      ok: true,
      result: { results: results.map((r) => ({ name: r.name, passed: r.passed, exit: r.exit, timed_out: r.timed_out, ...(r.counts ? { counts: r.counts } : {}), output_tail: r.output_tail })) },
      summary: `ran ${results.map((r) => `${r.name} (${r.passed ? 'passed' : 'failed'})`).join(', ')}`,
    };
  },
};
