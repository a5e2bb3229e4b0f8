import { makeCounts, type TestCounts } from './counts';

/**
 * Counts from TAP (versions 12–14): every leaf test point counts once. A test point is a
 * parent — a summary of the indented subtests just before it, as `node --test` writes — when
 * the test point before it was indented deeper; parents are not counted. `# SKIP` counts as
 * skipped, and so does `# TODO` (a known-broken test is not a failure, but it did not pass);
 * `Bail out!` counts as one failure. YAML diagnostic blocks are skipped. Undefined when the
 * text has neither a plan nor a test point.
 */
export function parseTap(text: string): TestCounts | undefined {
  let tests = 0;
  let failed = 0;
  let skipped = 0;
  let sawTap = false;
  let prevIndent = -1;
  let yamlIndent: number | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const indent = raw.length - raw.trimStart().length;
    const line = raw.trim();
    if (yamlIndent !== undefined) {
      if (indent === yamlIndent && line === '...') yamlIndent = undefined;
      continue;
    }
    if (line === '---') {
      yamlIndent = indent;
      continue;
    }
    if (/^1\.\.\d+/.test(line) || /^TAP version \d+/i.test(line)) {
      sawTap = true;
      continue;
    }
    if (/^Bail out!/i.test(line)) {
      sawTap = true;
      tests++;
      failed++;
      continue;
    }
    const m = /^(not )?ok\b[^#]*(?:#\s*(skip|todo)\S*)?/i.exec(line);
    if (!m) continue;
    sawTap = true;
    const isParent = prevIndent > indent;
    prevIndent = indent;
    if (isParent) continue;
    tests++;
    const directive = m[2]?.toLowerCase();
    if (directive === 'skip' || directive === 'todo') skipped++;
    else if (m[1]) failed++;
  }
  return sawTap ? makeCounts(tests, failed, skipped) : undefined;
}
