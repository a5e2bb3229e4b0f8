import * as vscode from 'vscode';
import { Commands } from '../constants';
import { captureAction, type CaptureInput } from '../engine/captureAction';
import type { Services } from '../services';
import { pickChange } from '../ui/prompts';
import { CaptureArg, parseArg } from './args';
import type { DfCommand } from './command';

type Source = CaptureInput['source'];

const SOURCES = [
  { label: '$(edit) Working tree', description: 'tracked files changed against HEAD', source: 'working' },
  { label: '$(diff-added) Staged changes', description: 'what is in the index', source: 'staged' },
  { label: '$(git-commit) Commits…', description: 'a git range such as main..HEAD', source: 'range' },
] as const;

const NEW = 'new';

/**
 * Dynaforge: Capture a Diff… — `dynaforge capture --working|--staged|--from A..B [--into CH-###]`:
 * work done without a change becomes one (origin code: scope, evidence and brief from the diff),
 * or evidence of an existing change (from the tree's context menu: that change).
 */
export class CaptureCommand implements DfCommand {
  readonly id = Commands.Capture;
  constructor(private readonly s: Services) {}

  async execute(arg?: unknown): Promise<unknown> {
    const a = parseArg(CaptureArg, arg, 'Capture a Diff') ?? {};
    const source = a.source === undefined ? await pickSource() : typeof a.source === 'string' ? { kind: a.source } : { kind: 'range' as const, range: a.source.range };
    if (!source) return undefined;
    const into = a.chId ?? (a.source === undefined ? await this.pickTarget() : NEW);
    if (!into) return undefined;
    let title = a.title;
    if (into === NEW && title === undefined) {
      title = await vscode.window.showInputBox({ title: 'Dynaforge: Capture', prompt: 'Title of the new change', placeHolder: 'optional: press Enter to take it from the commits', ignoreFocusOut: true });
      if (title === undefined) return undefined;
    }
    const result = await captureAction(this.s, { source, ...(into !== NEW ? { into } : {}), ...(title?.trim() ? { title: title.trim() } : {}), ...(a.use ? { use: true } : {}) });
    if (!result?.ok) return result;
    const r = result.value;
    const e = r.evidence;
    void vscode.window.showInformationMessage(`Dynaforge: ${r.created ? 'captured into the new change' : 'recorded evidence for'} ${r.change.id} “${r.change.title}”: ${e.commits.length} commit(s), ${e.files.length} file(s) as ${r.evidenceRef}.${r.warnings.length ? ` ${r.warnings.join(' ')}` : ''}`);
    const root = this.s.model.snapshot.root;
    if (r.created && root && a.open !== false) await vscode.window.showTextDocument(vscode.Uri.joinPath(vscode.Uri.file(root), 'changes', r.change.id, 'brief.md'), { preview: false });
    return result;
  }

  /** A new change, or evidence of an open one. */
  private pickTarget(): Promise<string | undefined> {
    return pickChange(this.s.model, 'Capture into a new change, or as evidence of an existing one', (c) => c.change.status === 'open', [{ id: NEW, label: '$(add) A new change', description: 'origin code: scope, evidence and brief from the diff' }]);
  }
}

async function pickSource(): Promise<Source | undefined> {
  const kind = (await vscode.window.showQuickPick(SOURCES, { title: 'Dynaforge: Capture', placeHolder: 'What to capture' }))?.source;
  if (kind !== 'range') return kind ? { kind } : undefined;
  const range = await vscode.window.showInputBox({
    title: 'Dynaforge: Capture',
    prompt: 'The commits to capture, as a git range (A..B) or one commit',
    placeHolder: 'e.g. main..HEAD',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : 'a range like main..HEAD, or a commit'),
  });
  return range === undefined ? undefined : { kind: 'range', range: range.trim() };
}
