import picomatch from 'picomatch';
import { isDynaforgeRecord } from '../repo/layout';

/** Where the Tester writes results: under `tests/`, but never a test a change gained. */
const RESULTS_DIR = /^tests\/results\//;
const GLOB_CHARS = /[*?[\]{}!]/;

/** One affected area of a change and the changed tests that cover it. */
export interface AreaCoverage {
  readonly area: string;
  /** What a test's path must name to cover the area (see `areaKey`). */
  readonly key: string;
  readonly tests: readonly string[];
}

export interface TestsChanged {
  /** Changed (or added) test files, sorted. */
  readonly tests: readonly string[];
  readonly areas: readonly AreaCoverage[];
}

/**
 * The name a test must carry to cover `area`: a file's name up to its first dot (its folder's
 * name for `index.*`), a folder's or glob's last literal segment.
 */
export function areaKey(area: string): string {
  const segments = area.replace(/\\/g, '/').split('/').filter((s) => s && s !== '.');
  const literal = segments.filter((s) => !GLOB_CHARS.test(s));
  const last = segments[segments.length - 1] ?? '';
  if (GLOB_CHARS.test(last) || segments.length !== literal.length) return (literal[literal.length - 1] ?? '').toLowerCase();
  const stem = last.split('.')[0] ?? last;
  if (stem === 'index' && literal.length > 1) return (literal[literal.length - 2] as string).toLowerCase();
  return (stem || last).toLowerCase();
}

/** A test path's names: its folders, and its file name up to the first dot without test affixes. */
function testNames(test: string): Set<string> {
  const segments = test.toLowerCase().split('/');
  const file = segments.pop() ?? '';
  const stem = (file.split('.')[0] ?? file).replace(/^test[_-]|[_-](?:test|spec)$/g, '');
  return new Set([...segments, stem]);
}

function inside(area: string, test: string): boolean {
  if (GLOB_CHARS.test(area)) return picomatch(area, { dot: true })(test);
  const dir = area.replace(/\/+$/, '');
  return test === dir || test.startsWith(`${dir}/`);
}

/**
 * Which affected areas gained or changed a test. `changed` are repository-relative paths of
 * files the change touched (evidence files, and files changed since the merge base); tests
 * among them are those matching `testGlobs` (Dynaforge's own records and `tests/results/`
 * excluded). `areas` are the change's scope paths (or, without any, its non-test changed
 * files) minus those matching `untestedGlobs`. A test covers an area when it lies inside
 * the area, or when one of its names equals the area's key (`src/auth/login.ts` is covered
 * by `test/auth/login.test.ts` and by `test/login/rate.test.ts`).
 */
export function testsForAreas(areas: readonly string[], changed: readonly string[], testGlobs: readonly string[], untestedGlobs: readonly string[]): TestsChanged {
  const isTest = picomatch([...testGlobs], { dot: true });
  const untested = untestedGlobs.length ? picomatch([...untestedGlobs], { dot: true }) : () => false;
  const tests = [...new Set(changed.filter((p) => isTest(p) && !RESULTS_DIR.test(p) && !isDynaforgeRecord(p)))].sort();
  const named = tests.map((t) => ({ t, names: testNames(t) }));
  const wanted = [...new Set(areas.map((a) => a.replace(/\\/g, '/')))].filter((a) => !isTest(a) && !untested(a) && !isDynaforgeRecord(a) && !RESULTS_DIR.test(a)).sort();
  return {
    tests,
    areas: wanted.map((area) => {
      const key = areaKey(area);
      return { area, key, tests: named.filter(({ t, names }) => inside(area, t) || (key !== '' && names.has(key))).map(({ t }) => t) };
    }),
  };
}
