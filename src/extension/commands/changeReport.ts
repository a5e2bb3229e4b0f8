import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CommandId } from '../constants';
import type { ActionResult } from '../engine/actionRunner';
import type { ChangeView } from '../project/snapshot';
import type { Services } from '../services';
import { pickChange } from '../ui/prompts';
import { ChangeArg, parseArg } from './args';
import type { DfCommand } from './command';
import { notify, showMarkdown } from './report';

/** What one of the "run it on a change, read what it wrote" commands does. */
export interface ChangeReportSpec<T> {
  /** The palette title, for a usage error. */
  readonly title: string;
  readonly placeHolder: string;
  /** Which changes to offer (default: the open ones). */
  readonly filter?: (c: ChangeView) => boolean;
  /** The engine action. */
  readonly run: (chId: string) => Thenable<ActionResult<T>>;
  /** The file it wrote that the person reads next, repository-relative. */
  readonly file: (v: T, chId: string) => string;
  /** Open it to be edited (checklist.md's manual items) rather than in the preview. */
  readonly edit?: boolean;
  /** The notification: what came out, whether it is a warning, and what to do next. */
  readonly message: (v: T, chId: string) => string;
  readonly warn?: (v: T) => boolean;
  readonly actions?: (v: T, chId: string) => vscode.Command[];
}

/**
 * Impact, Analyze, Checklist, Validate: the change asked for unless given (a tree node or a
 * CodeLens names it), the engine action run, the file it wrote opened, the outcome said.
 */
export async function reportOnChange<T>(s: Services, arg: unknown, spec: ChangeReportSpec<T>): Promise<ActionResult<T>> {
  const chId = parseArg(ChangeArg, arg, spec.title)?.chId ?? (await pickChange(s.model, spec.placeHolder, spec.filter ?? ((c) => c.change.status === 'open')));
  if (!chId) return undefined;
  const result = await spec.run(chId);
  const root = s.model.snapshot.root;
  if (!result?.ok || !root) return result;
  const uri = vscode.Uri.file(join(root, spec.file(result.value, chId)));
  if (spec.edit) await vscode.window.showTextDocument(uri, { preview: false });
  else await showMarkdown(uri);
  notify(spec.message(result.value, chId), spec.actions?.(result.value, chId), spec.warn?.(result.value));
  return result;
}

/** A command that is one `reportOnChange`: the subclass gives its id and its spec. */
export abstract class ChangeReportCommand<T> implements DfCommand {
  abstract readonly id: CommandId;
  constructor(protected readonly s: Services) {}

  protected abstract spec(): ChangeReportSpec<T>;

  execute(arg?: unknown): Promise<unknown> {
    return reportOnChange(this.s, arg, this.spec());
  }
}
