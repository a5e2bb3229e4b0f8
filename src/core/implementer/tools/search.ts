import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { repoFiles } from './repoFiles';
import { confined, fail, isBinary, type ImplementerTool } from './tool';

const MAX_MATCHES = 100;
const MAX_FILES = 5000;
const MAX_FILE_BYTES = 1 << 20;
const MAX_LINE = 300;

const Args = z.strictObject({
  query: z.string().min(1),
  path: z.string().optional(),
  glob: z.string().optional(),
  ignore_case: z.boolean().optional(),
});

/** `search`: plain-text search (not a regular expression) through the repository's text files. */
export const searchTool: ImplementerTool<z.infer<typeof Args>> = {
  definition: {
    name: 'search',
    description: `Search the repository's text files for a plain text (not a regular expression). Returns path, line number and line of each match, at most ${MAX_MATCHES}.`,
    parameters: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'the text to find' },
        path: { type: 'string', description: 'folder to search in, relative to the repository root; default "."' },
        glob: { type: 'string', description: 'only files matching this glob (relative to the repository root)' },
        ignore_case: { type: 'boolean' },
      },
      required: ['query'],
      additionalProperties: false,
    },
  },
  args: Args,
  async run(args, ctx) {
    const c = await confined(ctx, 'search', args.path ?? '.', 'read');
    if (!c.ok) return c.outcome;
    if (args.glob !== undefined && (args.glob.startsWith('/') || args.glob.split('/').includes('..'))) {
      return fail('the glob must be relative to the repository root, without ..', 'bad glob');
    }
    const { files } = await repoFiles(ctx.root, c.rel, args.glob, MAX_FILES);
    const needle = args.ignore_case ? args.query.toLowerCase() : args.query;
    const matches: { path: string; line: number; text: string }[] = [];
    let more = false;
    for (const f of files) {
      const abs = join(ctx.root, f);
      let data: Buffer;
      try {
        // A symlink is not searched through: it may lead out of the repository (read_file judges it by where it leads).
        const st = lstatSync(abs);
        if (st.isSymbolicLink() || st.size > MAX_FILE_BYTES) continue;
        data = readFileSync(abs);
      } catch {
        continue;
      }
      if (isBinary(data)) continue;
      const lines = data.toString('utf8').split('\n');
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i] as string;
        if (!(args.ignore_case ? line.toLowerCase() : line).includes(needle)) continue;
        if (matches.length === MAX_MATCHES) {
          more = true;
          break;
        }
        matches.push({ path: f, line: i + 1, text: line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line });
      }
      if (more) break;
    }
    return {
      ok: true,
      result: { query: args.query, matches, ...(more ? { truncated: `only the first ${MAX_MATCHES} matches are shown: narrow the path, the glob or the query` } : {}) },
      summary: `searched "${args.query}": ${matches.length}${more ? '+' : ''} match(es)`,
    };
  },
};
