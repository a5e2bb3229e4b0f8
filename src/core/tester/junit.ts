import { makeCounts, type TestCounts } from './counts';

/**
 * Counts from a JUnit XML report, tolerant of what real reporters write: when the file has
 * `<testcase>` elements, each is one test (failed when it holds `<failure>` or `<error>`,
 * skipped when it holds `<skipped>`); otherwise the `tests`/`failures`/`errors`/`skipped`
 * attributes of the `<testsuite>` elements (or of `<testsuites>`) are summed. Comments and
 * CDATA (captured output may quote XML) are ignored. Undefined when the text is no JUnit report.
 *
 * A regex scanner rather than an XML parser: no XML library is a dependency, and reports from
 * crashed runs are often truncated — counting what is there beats refusing the file.
 */
export function parseJUnit(xml: string): TestCounts | undefined {
  const text = xml.replace(/<!--[\s\S]*?(?:-->|$)/g, '').replace(/<!\[CDATA\[[\s\S]*?(?:\]\]>|$)/g, '');
  const cases = countTestcases(text);
  if (cases) return cases;
  const suites = sumSuites(text, 'testsuite') ?? sumSuites(text, 'testsuites');
  return suites;
}

/** `<testcase …/>` or `<testcase …>…</testcase>`; a truncated last case still counts. */
function countTestcases(text: string): TestCounts | undefined {
  const re = /<testcase\b[^>]*?(\/?)>/g;
  let tests = 0;
  let failed = 0;
  let skipped = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    tests++;
    if (m[1] === '/') continue;
    const rest = text.slice(re.lastIndex);
    const close = rest.search(/<\/testcase\s*>|<testcase\b|<\/testsuite\s*>/);
    const body = close < 0 ? rest : rest.slice(0, close);
    if (/<(?:failure|error)\b/.test(body)) failed++;
    else if (/<skipped\b/.test(body)) skipped++;
  }
  return tests > 0 ? makeCounts(tests, failed, skipped) : undefined;
}

function sumSuites(text: string, tag: 'testsuite' | 'testsuites'): TestCounts | undefined {
  const re = new RegExp(`<${tag}\\b([^>]*)>`, 'g');
  let found = false;
  let tests = 0;
  let failed = 0;
  let skipped = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    found = true;
    const attrs = attributes(m[1] ?? '');
    tests += num(attrs.tests);
    failed += num(attrs.failures) + num(attrs.errors);
    skipped += num(attrs.skipped) + num(attrs.disabled);
  }
  return found ? makeCounts(tests, failed, skipped) : undefined;
}

function attributes(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of s.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    if (m[1]) out[m[1]] = m[2] ?? m[3] ?? '';
  }
  return out;
}

function num(v: string | undefined): number {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}
