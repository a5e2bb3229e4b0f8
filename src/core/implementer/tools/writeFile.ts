import { z } from 'zod';
import { confined, type ImplementerTool } from './tool';

/** A bigger file is not something to write in one call. */
export const MAX_WRITE_BYTES = 1 << 20;

const Args = z.strictObject({ path: z.string(), content: z.string() });

/** `write_file`: creates a file or replaces its whole content, inside the change's scope. */
export const writeFileTool: ImplementerTool<z.infer<typeof Args>> = {
  definition: {
    name: 'write_file',
    description:
      "Create a file, or replace a file's whole content. Only paths inside the change's scope may be written; .git/, audit/, .dynaforge/, artifacts/work/ and changes/*/change.yaml never. For a small change to an existing file prefer apply_patch.",
    parameters: {
      type: 'object',
      properties: {
        path: { type: 'string', description: 'file path relative to the repository root' },
        content: { type: 'string', description: 'the complete new content of the file' },
      },
      required: ['path', 'content'],
      additionalProperties: false,
    },
  },
  args: Args,
  async run(args, ctx) {
    const c = await confined(ctx, 'write_file', args.path, 'write');
    if (!c.ok) return c.outcome;
    const data = Buffer.from(args.content, 'utf8');
    if (data.length > MAX_WRITE_BYTES) return { ok: false, error: `the content is ${data.length} bytes; at most ${MAX_WRITE_BYTES} are written in one call`, summary: `refused ${c.rel}: too large` };
    const w = await ctx.write(c.rel, data);
    return { ok: true, result: { path: c.rel, action: w.action, bytes: data.length, sha256: w.after }, summary: `${w.action} ${c.rel}` };
  },
};
