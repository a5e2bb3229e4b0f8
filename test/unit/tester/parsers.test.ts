import { strict as assert } from 'node:assert';
import { parseJUnit } from '../../../src/core/tester/junit';
import { parseTap } from '../../../src/core/tester/tap';

describe('tester: JUnit XML', () => {
  it('counts test cases: failures and errors fail, skipped is skipped', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="all" tests="99">
  <testsuite name="a" tests="3">
    <testcase classname="a" name="one" time="0.1"/>
    <testcase classname="a" name="two"><failure message="expected 1">stack</failure></testcase>
    <testcase classname="a" name="three"><error type="TypeError"/></testcase>
  </testsuite>
  <testsuite name="b">
    <testsuite name="nested"><testcase name="four"><skipped message="later"/></testcase><testcase name='five'></testcase></testsuite>
  </testsuite>
</testsuites>`;
    assert.deepEqual(parseJUnit(xml), { tests: 5, passed: 2, failed: 2, skipped: 1 });
  });

  it('ignores testcase-like text in CDATA and comments', () => {
    const xml = `<testsuite><!-- <testcase name="ghost"/> --><testcase name="a"><system-out><![CDATA[ <testcase name="fake"><failure/></testcase> ]]></system-out></testcase></testsuite>`;
    assert.deepEqual(parseJUnit(xml), { tests: 1, passed: 1, failed: 0, skipped: 0 });
  });

  it('falls back to the suite attributes when there are no test cases', () => {
    assert.deepEqual(parseJUnit(`<testsuites><testsuite tests="10" failures="2" errors="1" skipped="3"/><testsuite tests='4' disabled='1'/></testsuites>`), { tests: 14, passed: 7, failed: 3, skipped: 4 });
    assert.deepEqual(parseJUnit(`<testsuites tests="6" failures="1"></testsuites>`), { tests: 6, passed: 5, failed: 1, skipped: 0 });
  });

  it('counts what a truncated report has', () => {
    const xml = `<testsuite><testcase name="a"/><testcase name="b"><failure message="boom">trace…`;
    assert.deepEqual(parseJUnit(xml), { tests: 2, passed: 1, failed: 1, skipped: 0 });
  });

  it('is undefined for text that is no JUnit report, and tolerates nonsense attributes', () => {
    assert.equal(parseJUnit(''), undefined);
    assert.equal(parseJUnit('not xml at all'), undefined);
    assert.equal(parseJUnit('{"tests": 3}'), undefined);
    assert.equal(parseJUnit('<html><body>502 Bad Gateway</body></html>'), undefined);
    assert.deepEqual(parseJUnit('<testsuite tests="NaN" failures="-3" skipped="x"/>'), { tests: 0, passed: 0, failed: 0, skipped: 0 });
    assert.deepEqual(parseJUnit('<testsuite tests="2" failures="5"/>'), { tests: 2, passed: 0, failed: 2, skipped: 0 }, 'counts never exceed the total');
  });
});

describe('tester: TAP', () => {
  it('counts ok, not ok, SKIP and TODO test points', () => {
    const tap = ['TAP version 13', '1..5', 'ok 1 - first', 'not ok 2 - second', '  ---', '  message: "ok 3 inside yaml is not a test point"', '  ...', 'ok 3 - third # SKIP no network', 'not ok 4 - fourth # TODO not yet', 'ok 5'].join('\n');
    assert.deepEqual(parseTap(tap), { tests: 5, passed: 2, failed: 1, skipped: 2 });
  });

  it('counts the leaves of nested subtests, not their parents (node --test)', () => {
    const tap = [
      'TAP version 13',
      '# Subtest: suite',
      '    # Subtest: inner one',
      '    ok 1 - inner one',
      '    # Subtest: inner two',
      '    not ok 2 - inner two',
      '    1..2',
      'not ok 1 - suite',
      '# Subtest: alone',
      'ok 2 - alone',
      '1..2',
      '# tests 3',
    ].join('\r\n');
    assert.deepEqual(parseTap(tap), { tests: 3, passed: 2, failed: 1, skipped: 0 });
  });

  it('counts a bail out as a failure', () => {
    assert.deepEqual(parseTap('1..3\nok 1\nBail out! database down\n'), { tests: 2, passed: 1, failed: 1, skipped: 0 });
  });

  it('is undefined for text that is no TAP', () => {
    assert.equal(parseTap(''), undefined);
    assert.equal(parseTap('<testsuite/>'), undefined);
    assert.equal(parseTap('all good\nokay then\n'), undefined);
    assert.deepEqual(parseTap('1..0 # SKIP nothing to do'), { tests: 0, passed: 0, failed: 0, skipped: 0 });
  });
});
