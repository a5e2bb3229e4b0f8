import { existsSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { writeFileAtomicSync } from '../../core/fs/atomic';
import type { RunWriter } from '../../core/implementer/runWriter';

/**
 * The Implementer's writes as editor edits (a WorkspaceEdit, then saved): the change shows in
 * the editor and Undo takes it back. The run hashes what is on disk, so the bytes must come out
 * exactly as given; whatever the editor would change on the way (line endings, an encoding,
 * format-on-save, binary content) falls back to writing the file itself.
 */
export class EditorWriter implements RunWriter {
  constructor(private readonly log: vscode.LogOutputChannel) {}

  async write(abs: string, rel: string, data: Buffer): Promise<void> {
    const text = asText(data);
    if (text !== undefined) {
      try {
        if (await this.viaEditor(vscode.Uri.file(abs), data, text, abs)) return;
      } catch (e) {
        this.log.warn(`${rel}: the editor edit failed (${e instanceof Error ? e.message : String(e)}); writing the file directly`);
      }
    }
    writeFileAtomicSync(abs, data, rel);
  }

  private async viaEditor(uri: vscode.Uri, data: Buffer, text: string, abs: string): Promise<boolean> {
    const edit = new vscode.WorkspaceEdit();
    if (!existsSync(abs)) {
      edit.createFile(uri, { contents: data, overwrite: false }, { label: 'Dynaforge Implementer', needsConfirmation: false });
      return (await vscode.workspace.applyEdit(edit)) && same(abs, data);
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    const eol = doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    const lines = text.split(/\r?\n/).length - 1;
    // The document keeps its own line endings: only text already using them round-trips.
    if (lines > 0 && text.split(eol).length - 1 !== lines) return false;
    edit.replace(uri, doc.validateRange(new vscode.Range(0, 0, doc.lineCount + 1, 0)), text, { label: 'Dynaforge Implementer', needsConfirmation: false });
    if (!(await vscode.workspace.applyEdit(edit))) return false;
    return (await doc.save()) && same(abs, data);
  }
}

/** UTF-8 text without a BOM or NUL that decodes and encodes back to the same bytes; else undefined. */
function asText(data: Buffer): string | undefined {
  if (data.includes(0) || (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf)) return undefined;
  const text = data.toString('utf8');
  return Buffer.from(text, 'utf8').equals(data) ? text : undefined;
}

function same(abs: string, data: Buffer): boolean {
  try {
    return readFileSync(abs).equals(data);
  } catch {
    return false;
  }
}
