/** What a JUnit XML or TAP file says about a run: `passed` is what is neither failed nor skipped. */
export interface TestCounts {
  readonly tests: number;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

/** Counts from totals, with `passed` derived and never negative. */
export function makeCounts(tests: number, failed: number, skipped: number): TestCounts {
  const t = Math.max(0, tests);
  const f = Math.min(t, Math.max(0, failed));
  const s = Math.min(t - f, Math.max(0, skipped));
  return { tests: t, passed: t - f - s, failed: f, skipped: s };
}

export function addCounts(a: TestCounts | undefined, b: TestCounts | undefined): TestCounts | undefined {
  if (!a) return b;
  if (!b) return a;
  return makeCounts(a.tests + b.tests, a.failed + b.failed, a.skipped + b.skipped);
}
