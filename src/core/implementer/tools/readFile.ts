import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { confined, fail, isBinary, type ImplementerTool } from './tool';

/** More than this is cut: the model asks for a line range instead. */
const MAX_CHARS = 60_000;

const Args = z.strictObject({
  path: z.string(),
  start_line: z.number().int().positive().optional(),
  end_line: z.number().int().positive().optional(),
});

/** `read_file`: a text file of the repository (anything but git data), whole or a line range. */
export const readFileTool: ImplementerTool<z.infer<typeof Args>> = {
  definition: {
    name: 'read_file',
    description: 'Read a text file of the repository. Paths are relative to the repository root. Give start_line/end_line (1-based, inclusive) to read part of a long file.',
    parameters: {
      type: 'object',
      properties: {
        path: { type: 'string', description: 'file path relative to the repository root, e.g. src/index.ts' },
        start_line: { type: 'integer', minimum: 1 },
        end_line: { type: 'integer', minimum: 1 },
      },
      required: ['path'],
      additionalProperties: false,
    },
  },
  args: Args,
  async run(args, ctx) {
    const c = await confined(ctx, 'read_file', args.path, 'read');
    if (!c.ok) return c.outcome;
    let data: Buffer;
    try {
      if (statSync(c.abs).isDirectory()) return fail(`${c.rel} is a folder: use list_files to see what is in it`, `${c.rel} is a folder`);
      data = readFileSync(c.abs);
    } catch {
      return fail(`${c.rel} does not exist: use list_files or search to find the right path`, `${c.rel} not found`);
    }
    if (isBinary(data)) return fail(`${c.rel} is a binary file, which read_file does not show`, `${c.rel} is binary`);
    const lines = data.toString('utf8').split('\n');
    const start = args.start_line ?? 1;
    const end = Math.min(args.end_line ?? lines.length, lines.length);
    if (start > lines.length) return fail(`${c.rel} has ${lines.length} lines; start_line ${start} is past its end`, `${c.rel}: line ${start} past the end`);
    let content = lines.slice(start - 1, end).join('\n');
    const truncated = content.length > MAX_CHARS;
    if (truncated) content = content.slice(0, MAX_CHARS);
    return {
      ok: true,
      result: {
        path: c.rel,
        total_lines: lines.length,
        start_line: start,
        end_line: end,
        content,
        ...(truncated ? { truncated: `only the first ${MAX_CHARS} characters are shown: read the rest with start_line/end_line` } : {}),
      },
      summary: `read ${c.rel}${args.start_line || args.end_line ? ` lines ${start}-${end}` : ''}`,
    };
  },
};
