import type { z } from 'zod';

/** `scope.paths[2]` from a zod issue path. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(root)';
}

/** One line per zod issue: `field: what is wrong (expected …)`. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  return `${fieldPath(issue.path)}: ${issue.message}`;
}
