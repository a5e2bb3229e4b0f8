import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { MAX_WRITE_BYTES } from './writeFile';
import { confined, fail, isBinary, type ImplementerTool } from './tool';

const Args = z.strictObject({
  path: z.string(),
  edits: z.array(z.strictObject({ search: z.string().min(1), replace: z.string() })).min(1),
});

/** How often `needle` occurs in `text` (non-overlapping), up to 2: all the caller needs to know. */
function occurrences(text: string, needle: string): number {
  const first = text.indexOf(needle);
  if (first < 0) return 0;
  return text.indexOf(needle, first + needle.length) < 0 ? 1 : 2;
}

/**
 * `apply_patch`: search/replace edits to an existing file (chosen over unified diffs: a model
 * copies lines more reliably than it counts them). Each `search` must occur exactly once in
 * the file as the earlier edits left it; the edits apply all together or not at all.
 */
export const applyPatchTool: ImplementerTool<z.infer<typeof Args>> = {
  definition: {
    name: 'apply_patch',
    description:
      'Edit an existing file with search/replace edits, applied in order. Each "search" must be an exact copy of text that occurs exactly once in the file (include surrounding lines to make it unique); it is replaced by "replace". Either every edit applies or none does. Only paths inside the change\'s scope may be edited.',
    parameters: {
      type: 'object',
      properties: {
        path: { type: 'string', description: 'file path relative to the repository root' },
        edits: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            properties: { search: { type: 'string' }, replace: { type: 'string' } },
            required: ['search', 'replace'],
            additionalProperties: false,
          },
        },
      },
      required: ['path', 'edits'],
      additionalProperties: false,
    },
  },
  args: Args,
  async run(args, ctx) {
    const c = await confined(ctx, 'apply_patch', args.path, 'write');
    if (!c.ok) return c.outcome;
    let data: Buffer;
    try {
      data = readFileSync(c.abs);
    } catch {
      return fail(`${c.rel} does not exist: create it with write_file`, `${c.rel} not found`);
    }
    if (isBinary(data)) return fail(`${c.rel} is a binary file: apply_patch edits text only`, `${c.rel} is binary`);
    let text = data.toString('utf8');
    for (const [i, e] of args.edits.entries()) {
      const n = occurrences(text, e.search);
      if (n === 0) return fail(`edit ${i + 1}: its search text is not in ${c.rel}${i > 0 ? ' (after the earlier edits)' : ''}; read the file again and copy the exact text, whitespace included. Nothing was changed`, `patch of ${c.rel} refused: edit ${i + 1} not found`);
      if (n > 1) return fail(`edit ${i + 1}: its search text occurs more than once in ${c.rel}; include more surrounding lines so it is unique. Nothing was changed`, `patch of ${c.rel} refused: edit ${i + 1} ambiguous`);
      const at = text.indexOf(e.search);
      text = text.slice(0, at) + e.replace + text.slice(at + e.search.length);
    }
    const out = Buffer.from(text, 'utf8');
    if (out.length > MAX_WRITE_BYTES) return fail(`the patched file would be ${out.length} bytes; at most ${MAX_WRITE_BYTES}`, `patch of ${c.rel} refused: too large`);
    const w = await ctx.write(c.rel, out);
    return { ok: true, result: { path: c.rel, action: w.action, edits: args.edits.length, sha256: w.after }, summary: `patched ${c.rel} (${args.edits.length} edit(s))` };
  },
};
