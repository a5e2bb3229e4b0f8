import { relative, sep } from 'node:path';
import type * as vscode from 'vscode';

/** `changes/CH-012/spec.md` → CH-012 and spec.md; anything else → undefined. */
export interface ChangeFile {
  readonly chId: string;
  readonly name: string;
  /** Repository-relative path with forward slashes. */
  readonly rel: string;
}

const CHANGE_FILE = /^changes\/(CH-\d{3,})\/([^/]+)$/;

export function changeFileOf(uri: vscode.Uri, root: string | undefined): ChangeFile | undefined {
  if (!root || uri.scheme !== 'file') return undefined;
  const rel = relative(root, uri.fsPath).split(sep).join('/');
  const m = CHANGE_FILE.exec(rel);
  return m ? { chId: m[1] as string, name: m[2] as string, rel } : undefined;
}
