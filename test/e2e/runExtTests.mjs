// Runs the extension-host tests (mocha) inside code-server's real extension host: the web
// workbench is opened with a `payload` naming extensionDevelopmentPath and extensionTestsPath
// (honoured because the server runs with enable-smoke-test-driver); the host's console comes
// back through window.codeAutomationLog and its exit code through window.codeAutomationExit.
//
// Usage: node runExtTests.mjs <baseUrl> <folder> <extensionDevelopmentPath> <extensionTestsPath> <countsFile> <logFile>
import { appendFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { format } from 'node:util';
import { launch } from './browser.mjs';

const [base, folder, devPath, testsPath, countsFile, logFile] = process.argv.slice(2);
const authority = new URL(base).host;
const remote = (p) => `vscode-remote://${authority}${resolve(p)}`;
const payload = JSON.stringify([
  ['extensionDevelopmentPath', remote(devPath)],
  ['extensionTestsPath', remote(testsPath)],
  ['skipWelcome', 'true'],
]);
const url = `${base}/?folder=${encodeURIComponent(resolve(folder))}&payload=${encodeURIComponent(payload)}`;
const timeoutMs = Number(process.env.EXT_TEST_TIMEOUT_MS ?? 240_000);
// The offline workbench complains about the marketplace, telemetry and the like: not ours to show.
// So do the workbench's own connection messages. All of it still goes to the log file.
const NOISE = /getaddrinfo|ENOTFOUND|ECONNREFUSED|Failed to fetch|marketplace|gallery|queryGalleryExtensions|ERR_NAME_NOT_RESOLVED|net::ERR|^\[(AgentHost|ChatModelSelection|AccountPolicyGate|Service Worker|reconnection-grace-time)\b|^(Resolving|Resolved) connection token|^Creating a socket|^Updating additional builtin extensions cache/i;

const counts = { passed: 0, failed: 0 };
writeFileSync(logFile, '');
const browser = await launch();
const t0 = Date.now();
let code;
try {
  code = await new Promise((done) => {
    void browser.page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = format(...(Array.isArray(args) ? args : [args]));
      appendFileSync(logFile, `${line}\n`);
      if (NOISE.test(line) && !process.env.E2E_VERBOSE) return;
      const p = /^\s*(\d+) passing/.exec(line);
      if (p) counts.passed = Number(p[1]);
      const f = /^\s*(\d+) failing/.exec(line);
      if (f) counts.failed = Number(f[1]);
      console.log(line);
    });
    void browser.page.exposeFunction('codeAutomationExit', (c) => done(c));
    setTimeout(() => done('timeout'), timeoutMs);
    browser.page.goto(url).catch((e) => {
      console.log(`[ext-host] could not open the workbench: ${e.message}`);
      done('no workbench');
    });
  });
} finally {
  await browser.close();
}
console.log(`[ext-host] the extension host exited with ${code} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
if (code !== 0 && counts.failed === 0) {
  counts.failed = 1; // a crash or a timeout before mocha reported: still a failure
  console.log(`  1 failing (the extension-host run ended with ${code} before mocha reported a failure)`);
}
writeFileSync(countsFile, JSON.stringify(counts));
process.exit(code === 0 ? 0 : 1);
