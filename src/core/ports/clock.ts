/** The clock port: everything that stamps a time asks this, never `Date` directly. */
export interface Clock {
  /** ISO-8601 UTC with milliseconds, e.g. `2026-11-21T09:00:00.000Z`. */
  nowIso(): string;
  nowMs(): number;
}

export const systemClock: Clock = {
  nowIso: () => new Date().toISOString(),
  nowMs: () => Date.now(),
};

/** A clock frozen at `iso` (tests, `make demo`, `DYNAFORGE_NOW`). */
export function fixedClock(iso: string): Clock {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO-8601 time: ${iso}`);
  const text = new Date(ms).toISOString();
  return { nowIso: () => text, nowMs: () => ms };
}
