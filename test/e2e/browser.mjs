// Shared by the editor-test drivers: Debian's Chromium through playwright-core (from the e2e
// tools folder, never downloaded by Playwright), and a small check recorder that names what
// each failed step expected.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tools = process.env.DYNAFORGE_E2E_TOOLS;
if (!tools) throw new Error('DYNAFORGE_E2E_TOOLS is not set: run the editor tests with `bash test/e2e/e2e.sh`');
const { chromium } = createRequire(import.meta.url)(join(tools, 'playwright-core'));

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** A fresh browser profile; `close()` removes it. */
export async function launch() {
  // Under the harness's run folder when there is one, so even a killed driver leaves nothing behind.
  const profile = mkdtempSync(join(process.env.DYNAFORGE_E2E_RUN ?? tmpdir(), 'chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, viewport: { width: 1400, height: 900 }, args: ARGS });
  const page = context.pages()[0] ?? (await context.newPage());
  // Stopped by the harness (a signal): Playwright closes the browser on the same signal; then leave.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.once(signal, () => setTimeout(() => process.exit(128 + 15), 200));
  return {
    context,
    page,
    close: async () => {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Records named checks; a failed check says what it expected. Prints mocha-style totals at the end. */
export class Checks {
  constructor(name) {
    this.name = name;
    this.results = [];
  }

  pass(title, extra = '') {
    this.results.push({ title, ok: true });
    console.log(`    ✔ ${title}${extra ? ` ${extra}` : ''}`);
  }

  fail(title, expected, error) {
    this.results.push({ title, ok: false, expected, error: error ? String(error.message ?? error).split('\n')[0] : undefined });
    console.log(`    ✘ ${title}\n      expected: ${expected}${error ? `\n      error: ${String(error.message ?? error).split('\n')[0]}` : ''}`);
  }

  get failed() {
    return this.results.filter((r) => !r.ok).length;
  }

  get passed() {
    return this.results.length - this.failed;
  }

  /** Mocha's closing lines, so the CI summary counts these checks with the rest. */
  report(countsFile) {
    console.log(`\n  ${this.passed} passing (${this.name})`);
    if (this.failed) console.log(`  ${this.failed} failing (${this.name})`);
    if (countsFile) writeFileSync(countsFile, JSON.stringify({ passed: this.passed, failed: this.failed, results: this.results }, null, 2));
  }
}
