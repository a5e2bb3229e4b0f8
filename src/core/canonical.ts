import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';

// Keys sorted, no `undefined`, no cycles tolerated: the same value always gives the same bytes.
const stable = configure({ deterministic: true, circularValue: Error, bigint: false });

/** Compact canonical JSON: sorted keys, no whitespace. What hashes are computed over. */
export function canonicalJson(value: unknown): string {
  const s = stable(value);
  if (s === undefined) throw new TypeError('value cannot be serialised to JSON');
  return s;
}

/** Pretty canonical JSON (2-space indent, trailing newline) for files people read and diff. */
export function prettyJson(value: unknown): string {
  const s = stable(value, null, 2);
  if (s === undefined) throw new TypeError('value cannot be serialised to JSON');
  return `${s}\n`;
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
