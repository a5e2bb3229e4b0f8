import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDfError } from '../../../src/core/errors';
import { runCommand, type CommandSpec } from '../../../src/core/tester/runner';
import { tempDir } from '../core/tempRepo';

const node = JSON.stringify(process.execPath);
const spec = (command: string, more: Partial<CommandSpec> = {}): CommandSpec => ({ name: 't', command, cwd: '.', timeout_s: 30, ...more });
/** A node one-liner as a shell command (double quotes inside the script must be avoided). */
const js = (script: string) => `${node} -e '${script}'`;

/** Whether `pid` is a live (not zombie) process; Linux /proc. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

async function refusal(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'ran',
    (e: unknown) => (isDfError(e) ? `${e.code}: ${e.message}` : String(e)),
  );
}

describe('tester: runCommand', function () {
  this.timeout(30_000);
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('df-runner-')));
  afterEach(() => cleanup());

  it('reports the exit code and the interleaved stdout+stderr tail', async () => {
    const ok = await runCommand(dir, spec('echo one; echo two >&2'));
    assert.equal(ok.exit, 0);
    assert.equal(ok.timed_out, false);
    assert.equal(ok.signal, undefined);
    assert.equal(ok.output_tail, 'one\ntwo\n');
    const bad = await runCommand(dir, spec(js('process.exit(3)')));
    assert.equal(bad.exit, 3);
    assert.equal(bad.counts, undefined);
    const missing = await runCommand(dir, spec('definitely-not-a-command-xyz'));
    assert.equal(missing.exit, 127, 'the shell says command not found');
  });

  it('runs in cwd, with the given environment', async () => {
    mkdirSync(join(dir, 'pkg'));
    const r = await runCommand(dir, spec('pwd; echo "$ONLY_HERE"', { cwd: 'pkg' }), { env: { PATH: process.env.PATH, ONLY_HERE: 'yes' } });
    assert.equal(r.exit, 0);
    assert.match(r.output_tail, /\/pkg\nyes\n$/);
    assert.equal(r.cwd, 'pkg');
  });

  it('measures the duration with the injected clock', async () => {
    const ticks = [1000, 1500];
    const r = await runCommand(dir, spec('true'), { now: () => ticks.shift() ?? 9999 });
    assert.equal(r.duration_ms, 500);
  });

  it('kills the whole process group at the timeout', async function () {
    if (process.platform !== 'linux') this.skip();
    const started = Date.now();
    const r = await runCommand(dir, spec(`sleep 30 & echo $! > bg.pid; echo started; sleep 30`, { timeout_s: 0.5 }));
    assert.ok(Date.now() - started < 10_000, 'returned long before the commands would have ended');
    assert.equal(r.timed_out, true);
    assert.equal(r.exit, null);
    assert.equal(r.signal, 'SIGTERM');
    assert.match(r.output_tail, /started\n[\s\S]*timed out after 0\.5s/);
    const bg = Number(readFileSync(join(dir, 'bg.pid'), 'utf8'));
    await new Promise((res) => setTimeout(res, 200));
    assert.equal(alive(bg), false, 'the background child of the shell is gone too');
  });

  it('escalates to SIGKILL when the command ignores SIGTERM', async function () {
    if (process.platform === 'win32') this.skip();
    writeFileSync(join(dir, 'stubborn.js'), 'process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000);');
    const r = await runCommand(dir, spec(`exec ${node} stubborn.js`, { timeout_s: 0.5 }));
    assert.equal(r.timed_out, true);
    assert.equal(r.signal, 'SIGKILL');
  });

  it('stops when the abort signal fires', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const r = await runCommand(dir, spec('sleep 30'), { signal: ac.signal });
    assert.equal(r.timed_out, false);
    assert.equal(r.exit, null);
    assert.ok(r.signal);
  });

  it('keeps only the last ~4 KB of a large output', async () => {
    const r = await runCommand(dir, spec(js('for (let i = 0; i < 200000; i++) console.log("line " + i)')));
    assert.equal(r.exit, 0);
    assert.ok(r.output_tail.length <= 4096, `tail is ${r.output_tail.length} chars`);
    assert.ok(r.output_tail.length > 3000);
    assert.match(r.output_tail, /line 199999\n$/);
  });

  it('redacts secret environment values and token patterns from the tail', async () => {
    const env = { PATH: process.env.PATH, DEPLOY_TOKEN: 'tok-1234567890', db_password: 'hunter2hunter2', MY_API_KEY: 'abcdefghijkl', HOME_DIR: 'not-secret-value' };
    const r = await runCommand(dir, spec('echo "$DEPLOY_TOKEN $db_password $MY_API_KEY $HOME_DIR"; echo "Authorization: Bearer eyJhbGciOi.payload.sig"; echo "key sk-proj-ABCDEFGH12345678"'), { env });
    assert.equal(r.exit, 0);
    for (const secret of ['tok-1234567890', 'hunter2hunter2', 'abcdefghijkl', 'eyJhbGciOi', 'sk-proj-ABCDEFGH12345678']) assert.ok(!r.output_tail.includes(secret), `${secret} leaked: ${r.output_tail}`);
    assert.match(r.output_tail, /\*\*\* \*\*\* \*\*\* not-secret-value/);
    assert.match(r.output_tail, /Bearer \*\*\*/);
  });

  it('never shows part of a secret cut at the start of the kept window', async () => {
    // A secret with spaces in it, so that dropping the partial first word is not enough.
    const secret = 'S3CR3T and more '.repeat(20);
    for (let shift = 0; shift < 16; shift++) {
      // Copies of the secret between fillers of varying length, so the window starts inside one somewhere.
      const r = await runCommand(dir, spec(js(`for (let i = 0; i < 3000; i++) process.stdout.write(process.env.X_SECRET + "/" + "x".repeat((i + ${shift}) % 13))`)), { env: { PATH: process.env.PATH, X_SECRET: secret } });
      assert.equal(r.exit, 0);
      assert.ok(!/S3CR3T|and more/.test(r.output_tail), `a fragment of the secret shows (shift ${shift}): ${r.output_tail.slice(0, 80)}`);
      assert.match(r.output_tail, /\*\*\*\/x*\*\*\*/);
    }
  });

  it('refuses a cwd outside the repository before running anything', async () => {
    const marker = 'touch ran.txt';
    assert.match(await refusal(runCommand(dir, spec(marker, { cwd: '../' }))), /^usage: .*leaves the repository/);
    assert.match(await refusal(runCommand(dir, spec(marker, { cwd: 'a/../../b' }))), /^usage: .*leaves the repository/);
    assert.match(await refusal(runCommand(dir, spec(marker, { cwd: '/tmp' }))), /^usage: .*absolute/);
    const { dir: outside, cleanup: rmOutside } = tempDir('df-outside-');
    try {
      symlinkSync(outside, join(dir, 'link'));
      assert.match(await refusal(runCommand(dir, spec(marker, { cwd: 'link' }))), /^usage: .*link to a folder outside/);
      assert.equal(existsSync(join(outside, 'ran.txt')), false);
    } finally {
      rmOutside();
    }
    assert.match(await refusal(runCommand(dir, spec(marker, { junit: '../../report.xml' }))), /^usage: .*junit.*leaves the repository/);
    assert.match(await refusal(runCommand(dir, spec(marker, { tap: '/tmp/report.tap' }))), /^usage: .*tap is absolute/);
    assert.match(await refusal(runCommand(dir, spec(marker, { cwd: 'nope' }))), /^not-found: .*not a folder/);
    assert.equal(existsSync(join(dir, 'ran.txt')), false, 'nothing ran');
  });

  it('reads JUnit and TAP counts from the files the command wrote, relative to cwd', async () => {
    mkdirSync(join(dir, 'pkg'));
    const xml = '<testsuite tests="3"><testcase name="a"/><testcase name="b"><failure message="x"/></testcase><testcase name="c"><skipped/></testcase></testsuite>';
    writeFileSync(join(dir, 'pkg', 'make.js'), `require("fs").writeFileSync("out/junit.xml", ${JSON.stringify(xml)}); require("fs").writeFileSync("out/r.tap", "1..2\\nok 1 a\\nok 2 b # SKIP later\\n")`);
    const r = await runCommand(dir, spec(`mkdir -p out && ${node} make.js`, { cwd: 'pkg', junit: 'out/junit.xml', tap: 'out/r.tap' }));
    assert.equal(r.exit, 0);
    assert.deepEqual(r.counts, { tests: 5, passed: 2, failed: 1, skipped: 2 });
  });

  it('has no counts, and says why, for a missing, stale or malformed result file', async () => {
    const missing = await runCommand(dir, spec('true', { junit: 'none.xml' }));
    assert.equal(missing.counts, undefined);
    assert.match(missing.output_tail, /JUnit file none\.xml not found/);

    writeFileSync(join(dir, 'old.xml'), '<testsuite><testcase name="a"/></testsuite>');
    const past = new Date(Date.now() - 3_600_000);
    utimesSync(join(dir, 'old.xml'), past, past);
    const stale = await runCommand(dir, spec('true', { junit: 'old.xml' }));
    assert.equal(stale.counts, undefined);
    assert.match(stale.output_tail, /old\.xml was not written by this run/);

    const bad = await runCommand(dir, spec('echo "this is not xml" > bad.xml; echo "nor tap" > bad.tap', { junit: 'bad.xml', tap: 'bad.tap' }));
    assert.equal(bad.exit, 0);
    assert.equal(bad.counts, undefined);
    assert.match(bad.output_tail, /bad\.xml could not be read as JUnit/);
    assert.match(bad.output_tail, /bad\.tap could not be read as TAP/);
  });
});
