import { randomUUID } from 'node:crypto';
import { sha256 } from '../canonical';

/** The id port: correlation ids and run ids come from here, never from Math.random. */
export interface IdSource {
  /** A fresh opaque id, e.g. for a correlation id. */
  next(prefix: string): string;
}

export const randomIds: IdSource = {
  next: (prefix) => `${prefix}-${randomUUID()}`,
};

/**
 * Deterministic ids: a hash chain over `seed`. The same seed and the same sequence of calls
 * give the same ids, which is what makes audit output byte-identical between replays.
 */
export function seededIds(seed: string): IdSource {
  let counter = 0;
  return {
    next(prefix) {
      counter += 1;
      return `${prefix}-${sha256(`${seed}\u0000${counter}`).slice(0, 16)}`;
    },
  };
}
