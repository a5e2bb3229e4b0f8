import { statSync } from 'node:fs';
import { z } from 'zod';
import { repoFiles } from './repoFiles';
import { confined, fail, type ImplementerTool } from './tool';

const MAX_FILES = 500;

const Args = z.strictObject({ path: z.string().optional(), glob: z.string().optional() });

/** `list_files`: the files below a folder of the repository, or matching a glob. */
export const listFilesTool: ImplementerTool<z.infer<typeof Args>> = {
  definition: {
    name: 'list_files',
    description: `List the files below a folder of the repository (default: the whole repository), sorted, at most ${MAX_FILES}. Optionally only those matching a glob relative to the repository root, e.g. src/**/*.ts.`,
    parameters: {
      type: 'object',
      properties: {
        path: { type: 'string', description: 'folder relative to the repository root; default "."' },
        glob: { type: 'string', description: 'glob relative to the repository root, e.g. test/**/*.test.ts' },
      },
      additionalProperties: false,
    },
  },
  args: Args,
  async run(args, ctx) {
    const c = await confined(ctx, 'list_files', args.path ?? '.', 'read');
    if (!c.ok) return c.outcome;
    try {
      if (!statSync(c.abs).isDirectory()) return fail(`${c.rel} is a file, not a folder: read it with read_file`, `${c.rel} is a file`);
    } catch {
      return fail(`the folder ${c.rel} does not exist: list "." to see the repository`, `${c.rel} not found`);
    }
    if (args.glob !== undefined && (args.glob.startsWith('/') || args.glob.split('/').includes('..'))) {
      return fail('the glob must be relative to the repository root, without ..', 'bad glob');
    }
    const { files, truncated } = await repoFiles(ctx.root, c.rel, args.glob, MAX_FILES);
    return {
      ok: true,
      result: { path: c.rel, files, ...(truncated ? { truncated: `only the first ${MAX_FILES} files are listed: narrow the path or the glob` } : {}) },
      summary: `listed ${files.length} file(s) in ${c.rel}${args.glob ? ` matching ${args.glob}` : ''}`,
    };
  },
};
