import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { DynaforgeApi } from '../../src/extension/api';
import type { ActionResult } from '../../src/extension/engine/actionRunner';
import type { TreeNode } from '../../src/extension/views/treeNodes';

export const EXTENSION_ID = 'dynaforge.dynaforge';

export function extension(): vscode.Extension<DynaforgeApi> {
  const ext = vscode.extensions.getExtension<DynaforgeApi>(EXTENSION_ID);
  if (!ext) throw new Error(`expected the extension ${EXTENSION_ID} to be installed`);
  return ext;
}

/** The extension's API, activated, with no refresh pending. */
export async function api(): Promise<DynaforgeApi> {
  const a = await extension().activate();
  await a.whenIdle();
  return a;
}

/** Waits until no refresh has run for `quietMs` (late file events of earlier steps included). */
export async function settle(a: DynaforgeApi, quietMs = 600): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await a.whenIdle();
    const n = a.refreshCount();
    await sleep(quietMs);
    if (a.refreshCount() === n) return;
  }
  throw new Error(`expected the project to stop refreshing, but it kept refreshing for ${20 * quietMs} ms`);
}

export function root(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (!f) throw new Error('expected the tests to run in a folder');
  return f.uri.fsPath;
}

export function uriOf(rel: string): vscode.Uri {
  return vscode.Uri.file(join(root(), rel));
}

/** Polls until `probe` returns a truthy value; the error names what was expected. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`expected ${what} within ${timeoutMs} ms${last ? ` (last error: ${String(last)})` : ''}`);
    await sleep(25);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Runs a dynaforge command and insists it succeeded; returns its value. */
export async function ok<T = Record<string, unknown>>(command: string, arg?: unknown): Promise<T> {
  const r = (await vscode.commands.executeCommand(command, ...(arg === undefined ? [] : [arg]))) as ActionResult<T>;
  if (!r) throw new Error(`expected ${command} to succeed, but it was cancelled (it asked for input the test did not give)`);
  if (!r.ok) throw new Error(`expected ${command} to succeed, but it failed: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** Runs a dynaforge command and insists it failed; returns the error. */
export async function fails(command: string, arg?: unknown): Promise<{ code: string; message: string }> {
  const r = (await vscode.commands.executeCommand(command, ...(arg === undefined ? [] : [arg]))) as ActionResult<unknown>;
  if (!r || r.ok) throw new Error(`expected ${command} to fail, but it ${r ? 'succeeded' : 'was cancelled'}`);
  return r.error;
}

export interface Row {
  readonly path: string;
  readonly label: string;
  readonly description: string;
  readonly node: TreeNode;
  readonly item: vscode.TreeItem;
}

/** Every node of the Changes tree, depth first, with its label path (`Draft/CH-001 …/Artifacts/brief.md`). */
export async function treeRows(a: DynaforgeApi): Promise<Row[]> {
  const out: Row[] = [];
  const walk = async (node: TreeNode | undefined, prefix: string) => {
    for (const child of (await a.tree.getChildren(node)) ?? []) {
      const item = await a.tree.getTreeItem(child);
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      const path = prefix ? `${prefix}/${label}` : label;
      out.push({ path, label, description: typeof item.description === 'string' ? item.description : '', node: child, item });
      await walk(child, path);
    }
  };
  await walk(undefined, '');
  return out;
}

export async function changeRow(a: DynaforgeApi, id: string): Promise<Row | undefined> {
  return (await treeRows(a)).find((r) => r.node.kind === 'change' && r.node.chId === id);
}

/** The `dynaforge` CLI of this checkout, run like a person in a terminal would. */
export function cli(args: readonly string[]): Promise<string> {
  const bin = join(extension().extensionPath, 'dist', 'cli.js');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [bin, ...args], { cwd: root(), env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }, (err, stdout, stderr) => (err ? reject(new Error(`dynaforge ${args.join(' ')} failed: ${stderr || err.message}`)) : resolve(stdout)));
  });
}

export function git(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', [...args], { cwd: root() }, (err, stdout, stderr) => (err ? reject(new Error(`git ${args.join(' ')} failed: ${stderr || err.message}`)) : resolve(stdout)));
  });
}

/** Every audit event of the project (all streams), oldest stream first. */
export function auditEvents(): { type: string; ch_id?: string; payload: Record<string, unknown> }[] {
  const out: { type: string; ch_id?: string; payload: Record<string, unknown> }[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.jsonl')) for (const line of readFileSync(join(dir, e.name), 'utf8').split('\n').filter(Boolean)) out.push(JSON.parse(line));
    }
  };
  walk(join(root(), 'audit'));
  return out;
}

/** The CodeLens of a document (opened first: the editor only asks providers about open documents). */
export async function lensesOf(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  await vscode.workspace.openTextDocument(uri);
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
}

export function dynaforgeDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Dynaforge');
}
