import { chmodSync, rmSync } from 'node:fs';
import { relative } from 'node:path';
import { DfError } from '../errors';
import { readTextIfExists, writeFileAtomicSync } from '../fs/atomic';
import { GitHistory } from '../repo/gitHistory';

export const HOOK_NAME = 'prepare-commit-msg';
/** The line that marks a hook as ours: only such a file is ever overwritten or removed. */
export const HOOK_MARKER = '# dynaforge-hook: prepare-commit-msg';

export interface HookResult {
  /** Where the hook is, relative to the project root when inside it. */
  readonly path: string;
  readonly action: 'installed' | 'updated' | 'unchanged' | 'removed' | 'absent';
}

/**
 * The active change, decided exactly as `resolveActive` does (DF_CHANGE; `use` set on this
 * branch; a ch/CH-… branch; `use` set on another branch), then the trailer appended with
 * `git interpret-trailers`. It reads the state files instead of running `dynaforge use`, so
 * that a commit does not append a `command` event to the audit log (which would leave the
 * working tree dirty after every commit). Any failure: no trailer, and the commit goes on.
 */
const HOOK_JS = String.raw`
const fs = require('fs'), path = require('path'), cp = require('child_process');
const [msgFile, source] = process.argv.slice(2);
if (!msgFile || source === 'merge' || source === 'squash') process.exit(0);
const git = (...a) => cp.execFileSync('git', a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
const norm = (v) => { const m = /^(?:CH-)?(\d{1,9})$/i.exec(String(v || '').trim()); return m ? 'CH-' + String(Number(m[1])).padStart(3, '0') : undefined; };
const root = path.resolve(process.cwd(), PROJECT_PREFIX);
let branch; try { branch = git('symbolic-ref', '--quiet', '--short', 'HEAD') || undefined; } catch {}
const bm = branch && /^ch\/(?:ch-)?(\d{1,9})(?:[-_/].*)?$/i.exec(branch);
const fromBranch = bm ? norm(bm[1]) : undefined;
let used; try { const a = JSON.parse(fs.readFileSync(path.join(root, '.dynaforge', 'state', 'active.json'), 'utf8')); if (norm(a.id)) used = { id: norm(a.id), branch: a.branch }; } catch {}
const env = (process.env.DF_CHANGE || '').trim();
const id = env ? norm(env) : used && (used.branch === branch || !fromBranch) ? used.id : fromBranch;
if (!id || !fs.existsSync(path.join(root, 'changes', id, 'change.yaml'))) process.exit(0);
if (/^change\s*:/im.test(git('interpret-trailers', '--parse', msgFile))) process.exit(0);
git('interpret-trailers', '--in-place', '--trailer', 'Change: ' + id, msgFile);
`;

/** The hook script: chains `prepare-commit-msg.local` first (its failure still stops the commit), then ours, which never does. */
export function hookScript(nodePath: string, projectPrefix: string): string {
  const js = HOOK_JS.replace('PROJECT_PREFIX', JSON.stringify(projectPrefix || '.'));
  return [
    '#!/bin/sh',
    `${HOOK_MARKER} v1`,
    '# Installed by `dynaforge hooks install`; remove with `dynaforge hooks uninstall`.',
    '# Adds a "Change: CH-###" trailer for the active change; never fails a commit.',
    '# Your own hook, if any, goes in prepare-commit-msg.local beside this file: it runs first.',
    'local_hook="$(dirname "$0")/prepare-commit-msg.local"',
    'if [ -x "$local_hook" ]; then "$local_hook" "$@" || exit $?; fi',
    `${shQuote(nodePath)} - "$@" >/dev/null 2>&1 <<'DYNAFORGE_JS' || true${js}DYNAFORGE_JS`,
    'exit 0',
    '',
  ].join('\n');
}

/** Installs (or refreshes) our hook; refuses to overwrite a hook that is not ours. */
export async function installHook(root: string, nodePath = process.execPath): Promise<HookResult> {
  const { file, prefix } = await hookLocation(root);
  const script = hookScript(nodePath, prefix);
  const current = readTextIfExists(file);
  const shown = display(root, file);
  if (current !== undefined && !current.includes(HOOK_MARKER)) {
    throw new DfError('conflict', `${shown} already exists and is not dynaforge's hook; it was left as it is`, `to keep it and add dynaforge's: \`mv ${shown} ${shown}.local\`, then \`dynaforge hooks install\` again (our hook runs prepare-commit-msg.local first)`, { file: shown });
  }
  if (current === script) return { path: shown, action: 'unchanged' };
  writeFileAtomicSync(file, script, shown);
  chmodSync(file, 0o755);
  return { path: shown, action: current === undefined ? 'installed' : 'updated' };
}

/** Removes our hook; a hook that is not ours is refused, a missing one is fine. */
export async function uninstallHook(root: string): Promise<HookResult> {
  const { file } = await hookLocation(root);
  const shown = display(root, file);
  const current = readTextIfExists(file);
  if (current === undefined) return { path: shown, action: 'absent' };
  if (!current.includes(HOOK_MARKER)) {
    throw new DfError('conflict', `${shown} is not dynaforge's hook; it was left as it is`, `remove it yourself if you no longer want it`, { file: shown });
  }
  rmSync(file, { force: true });
  return { path: shown, action: 'removed' };
}

/** The hooks folder git uses (`--git-path hooks` honours core.hooksPath) and the project's folder below the top of the working tree. */
async function hookLocation(root: string): Promise<{ file: string; prefix: string }> {
  const h = new GitHistory(root);
  const top = await h.tryRaw(['rev-parse', '--show-toplevel']);
  if (!top?.trim()) throw new DfError('git', `${root} is not inside a git working tree: there is no commit to hook into`, 'run `git init` first');
  const prefix = (await h.raw(['rev-parse', '--show-prefix'])).trim().replace(/\/$/, '');
  return { file: `${await h.gitPath('hooks')}/${HOOK_NAME}`, prefix };
}

function display(root: string, file: string): string {
  const rel = relative(root, file).replace(/\\/g, '/');
  return rel && !rel.startsWith('..') ? rel : file;
}

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
