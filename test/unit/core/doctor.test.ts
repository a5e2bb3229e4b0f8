import { strict as assert } from 'node:assert';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runDoctor, type DoctorReport } from '../../../src/core/doctor/doctor';
import { initProject } from '../../../src/core/init/init';
import { fixedClock } from '../../../src/core/ports/clock';
import { layoutAt } from '../../../src/core/repo/layout';
import { tempDir } from './tempRepo';

function finding(r: DoctorReport, check: string) {
  const f = r.findings.find((x) => x.check === check);
  assert.ok(f, `no ${check} finding in ${JSON.stringify(r.findings)}`);
  return f;
}

describe('doctor', function () {
  this.timeout(20_000);
  let dir: string;
  let cleanup: () => void;
  let server: Server | undefined;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    initProject(layoutAt(dir), fixedClock('2026-11-21T09:00:00Z'));
  });
  afterEach(async () => {
    cleanup();
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
    server = undefined;
  });

  const configure = (yaml: string) => writeFileSync(join(dir, '.dynaforge/config.yaml'), yaml);
  const env = (extra: NodeJS.ProcessEnv = {}) => ({ PATH: process.env.PATH, ...extra });

  /** A loopback model server answering GET /v1/models with `status`. */
  async function modelServer(status: number): Promise<string> {
    server = createServer((req, res) => {
      res.writeHead(req.url === '/v1/models' ? status : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: [{ id: 'tiny' }], auth: req.headers.authorization ?? null }));
    });
    await new Promise<void>((done) => server?.listen(0, '127.0.0.1', done));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  }

  it('outside a project it fails the layout check and says to run init', async () => {
    const other = tempDir();
    try {
      const r = await runDoctor({ cwd: other.dir, env: env() });
      assert.equal(r.ok, false);
      assert.match(finding(r, 'layout').remedy ?? '', /dynaforge init/);
    } finally {
      other.cleanup();
    }
  });

  it('a fresh project has no failing finding, and every warning carries a remedy', async () => {
    const r = await runDoctor({ cwd: dir, env: env() });
    assert.equal(r.ok, true, JSON.stringify(r.findings));
    assert.equal(finding(r, 'model').status, 'ok');
    for (const f of r.findings.filter((x) => x.status !== 'ok')) assert.ok(f.remedy, f.check);
    assert.equal(finding(r, 'git-repo').status, 'warn', 'not a git repository');
  });

  it('an openai-compatible model that answers is reachable; 401 asks for a key; a dead port fails', async () => {
    const url = await modelServer(200);
    configure(`model:\n  provider: openai-compatible\n  url: ${url}\n`);
    assert.equal(finding(await runDoctor({ cwd: dir, env: env() }), 'model').status, 'ok');

    await new Promise<void>((done) => server?.close(() => done()));
    const denied = await modelServer(401);
    configure(`model:\n  provider: openai-compatible\n  url: ${denied}\n`);
    const d = finding(await runDoctor({ cwd: dir, env: env() }), 'model');
    assert.equal(d.status, 'fail');
    assert.match(d.remedy ?? '', /DYNAFORGE_MODEL_KEY/);

    const deadPort = denied.replace(/:\d+\//, ':1/');
    configure(`model:\n  provider: openai-compatible\n  url: ${deadPort}\n`);
    const r = await runDoctor({ cwd: dir, env: env(), modelTimeoutMs: 2000 });
    assert.equal(r.ok, false);
    assert.match(finding(r, 'model').message, /unreachable/);
  });

  it('a scripted model needs its cassette', async () => {
    configure('model:\n  provider: scripted\n  cassette: cassettes/demo.jsonl\n');
    assert.equal(finding(await runDoctor({ cwd: dir, env: env() }), 'model').status, 'fail');
    mkdirSync(join(dir, 'cassettes'));
    writeFileSync(join(dir, 'cassettes/demo.jsonl'), '');
    assert.equal(finding(await runDoctor({ cwd: dir, env: env() }), 'model').status, 'ok');
  });

  it('configured agents are looked up on PATH', async () => {
    configure('agents: [claude, codex]\n');
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'claude'), '#!/bin/sh\n');
    chmodSync(join(bin, 'claude'), 0o755);
    const r = await runDoctor({ cwd: dir, env: { PATH: bin } });
    assert.equal(finding(r, 'agent:claude').status, 'ok');
    const codex = finding(r, 'agent:codex');
    assert.equal(codex.status, 'warn');
    assert.match(codex.remedy ?? '', /install codex/);
  });

  it('a broken audit log fails the audit check, naming the line', async () => {
    mkdirSync(join(dir, 'audit/project'), { recursive: true });
    writeFileSync(join(dir, 'audit/project/main.x.jsonl'), 'garbage\n');
    const a = finding(await runDoctor({ cwd: dir, env: env() }), 'audit');
    assert.equal(a.status, 'fail');
    assert.match(a.message, /audit\/project\/main\.x\.jsonl line 1/);
  });
});
