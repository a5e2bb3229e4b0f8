import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import which from 'which';
import { AuditLog } from '../audit/auditLog';
import { loadConfig } from '../config/loadConfig';
import { isDfError } from '../errors';
import { ARTIFACT_TEMPLATES } from '../init/init';
import { redact, resolveApiKey } from '../model/secrets';
import { systemClock } from '../ports/clock';
import { openGit } from '../repo/git';
import { findRoot, layoutAt } from '../repo/layout';
import type { Config } from '../schema/config';

export type FindingStatus = 'ok' | 'warn' | 'fail';

export interface Finding {
  readonly check: string;
  readonly status: FindingStatus;
  readonly message: string;
  /** What to do about it; present for every warn and fail. */
  readonly remedy?: string;
}

export interface DoctorReport {
  readonly root?: string;
  readonly findings: readonly Finding[];
  readonly ok: boolean;
}

const MIN_NODE: readonly [number, number] = [20, 19];
/** The command each agent integration expects on PATH. */
const AGENT_BINARIES: Record<Config['agents'][number], string> = { copilot: 'code', claude: 'claude', cursor: 'cursor-agent', codex: 'codex', gemini: 'gemini' };

export interface DoctorOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** How long to wait for a configured model server. */
  readonly modelTimeoutMs?: number;
}

/** Checks the machine and the project; every finding that is not ok says what to do. */
export async function runDoctor(opts: DoctorOptions): Promise<DoctorReport> {
  const f: Finding[] = [];
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  f.push(major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1])
    ? { check: 'node', status: 'ok', message: `Node ${process.versions.node}` }
    : { check: 'node', status: 'fail', message: `Node ${process.versions.node} is too old`, remedy: `install Node ${MIN_NODE.join('.')} or newer` });

  let gitVersion: string | undefined;
  try {
    gitVersion = execFileSync('git', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    f.push({ check: 'git', status: 'ok', message: gitVersion });
  } catch {
    f.push({ check: 'git', status: 'warn', message: 'git is not on PATH', remedy: 'install git: id collision checks across branches, approvals (identity), capture and drift need it' });
  }

  const root = findRoot(opts.cwd);
  if (!root) {
    f.push({ check: 'layout', status: 'fail', message: `no .dynaforge/config.yaml in ${opts.cwd} or above`, remedy: 'run `dynaforge init` at the root of your repository' });
    return { findings: f, ok: false };
  }
  const layout = layoutAt(root);
  const git = gitVersion ? await openGit(root) : undefined;
  if (git?.available) {
    const id = await git.identity();
    f.push(id ? { check: 'git-repo', status: 'ok', message: `git repository; identity ${id.name} <${id.email}>` } : { check: 'git-identity', status: 'warn', message: 'git has no user.name / user.email here', remedy: 'run `git config user.name "Your Name"` and `git config user.email you@example.com`: approvals record who decided' });
  } else {
    f.push({ check: 'git-repo', status: 'warn', message: `${root} is not a git repository`, remedy: 'Dynaforge works without git, but id checks across branches, approvals (identity), capture and drift need it: run `git init`' });
  }

  const missing = [layout.changesDir, layout.auditDir].filter((d) => !existsSync(d)).map((d) => d.slice(root.length + 1));
  f.push(missing.length ? { check: 'layout', status: 'fail', message: `missing: ${missing.join(', ')}`, remedy: 'run `dynaforge init` (it never overwrites your edits)' } : { check: 'layout', status: 'ok', message: `project at ${root}` });

  let config: Config | undefined;
  try {
    config = loadConfig(layout);
    f.push({ check: 'config', status: 'ok', message: '.dynaforge/config.yaml is valid' });
  } catch (e) {
    if (!isDfError(e)) throw e;
    f.push({ check: 'config', status: 'fail', message: e.message, remedy: e.fix });
  }

  const audit = new AuditLog({ root, auditDir: layout.auditDir, lockDir: layout.lockDir, clock: systemClock, projectStream: 'project/doctor' });
  try {
    audit.assertWritable();
    const report = await audit.verify();
    const bad = report.streams.find((s) => s.problem);
    f.push(bad?.problem ? { check: 'audit', status: 'fail', message: `${bad.file} line ${bad.problem.line}: ${bad.problem.message}`, remedy: 'run `dynaforge audit verify` for details; `dynaforge audit repair` fixes crash damage' } : { check: 'audit', status: 'ok', message: `audit log writable; ${report.events} events verify` });
  } catch (e) {
    if (!isDfError(e)) throw e;
    f.push({ check: 'audit', status: 'fail', message: e.message, remedy: e.fix });
  }

  const absent = ARTIFACT_TEMPLATES.filter((t) => !existsSync(join(layout.templatesDir, `${t}.md`)));
  f.push(absent.length ? { check: 'templates', status: 'warn', message: `missing templates: ${absent.join(', ')} (the shipped ones are used)`, remedy: 'run `dynaforge init` to restore them' } : { check: 'templates', status: 'ok', message: 'all artifact templates present' });

  if (config) {
    for (const agent of config.agents) {
      const bin = AGENT_BINARIES[agent];
      const path = await which(bin, { nothrow: true, path: opts.env.PATH });
      f.push(path ? { check: `agent:${agent}`, status: 'ok', message: `${bin} at ${path}` } : { check: `agent:${agent}`, status: 'warn', message: `${agent} is configured but \`${bin}\` is not on PATH`, remedy: `install ${agent}'s CLI, or remove it from agents in .dynaforge/config.yaml` });
    }
    f.push(await checkModel(config, root, opts));
  }
  return { root, findings: f, ok: f.every((x) => x.status !== 'fail') };
}

async function checkModel(config: Config, root: string, opts: DoctorOptions): Promise<Finding> {
  const m = config.model;
  switch (m.provider) {
    case 'none':
      return { check: 'model', status: 'ok', message: 'no model configured: agents use deterministic templates' };
    case 'vscode-lm':
      return { check: 'model', status: 'ok', message: 'vscode-lm: the model is chosen inside VS Code' };
    case 'scripted':
      return m.cassette && existsSync(join(root, m.cassette))
        ? { check: 'model', status: 'ok', message: `scripted model: ${m.cassette}` }
        : { check: 'model', status: 'fail', message: `scripted model cassette ${m.cassette ?? '(not set)'} not found`, remedy: 'set model.cassette in .dynaforge/config.yaml to a recorded cassette file' };
    case 'openai-compatible': {
      const url = opts.env.DYNAFORGE_MODEL_URL ?? m.url;
      if (!url) return { check: 'model', status: 'fail', message: 'openai-compatible model without a URL', remedy: 'set model.url in .dynaforge/config.yaml (or DYNAFORGE_MODEL_URL)' };
      const key = resolveApiKey(opts.env);
      try {
        // The same key, from the same variables, as the model client (src/core/model/secrets.ts).
        const headers: Record<string, string> = key ? { authorization: `Bearer ${key.value}` } : {};
        const res = await fetch(`${url.replace(/\/+$/, '')}/models`, { headers, signal: AbortSignal.timeout(opts.modelTimeoutMs ?? 3000) });
        return res.ok ? { check: 'model', status: 'ok', message: `model server at ${url} answers` } : { check: 'model', status: 'fail', message: `model server at ${url} answered HTTP ${res.status}`, remedy: res.status === 401 || res.status === 403 ? (key ? `check the key in ${key.from}` : 'set DYNAFORGE_MODEL_API_KEY (or OPENAI_API_KEY; the older DYNAFORGE_MODEL_KEY is still read) to a valid key') : 'check the server and model.url' };
      } catch (e) {
        return { check: 'model', status: 'fail', message: redact(`model server at ${url} is unreachable (${(e as Error).name === 'TimeoutError' ? 'timed out' : (e as Error).message})`, [key?.value]), remedy: 'start the server (e.g. Ollama, LM Studio) or fix model.url' };
      }
    }
  }
}
