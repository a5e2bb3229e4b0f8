import * as vscode from 'vscode';
import { recordCommandEvent } from '../../core/audit/commandEvent';
import { isDfError } from '../../core/errors';
import { findRoot } from '../../core/repo/layout';
import { Workspace } from '../../core/workspace';
import type { ProjectModel } from '../project/projectModel';
import { describeError, showError } from '../ui/errors';

/** What an action returns to its caller (palette, tree, CodeLens, tests, the chat participant, language-model tools). */
export type ActionResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string; readonly fix?: string } }
  /** The person cancelled a prompt: nothing happened. */
  | undefined;

export interface ActionSpec {
  /** Recorded as the `command` event's name: the CLI command that does the same (`approve`, `new`, …). */
  readonly name: string;
  /** The equivalent CLI arguments, recorded with the event (so the audit log reads the same from every face). */
  readonly args: readonly string[];
  /** Progress text in the status bar while the action runs. */
  readonly title: string;
  /**
   * The caller shows the outcome itself (the chat stream, a language-model tool's result): no
   * notification for an error or for Restricted Mode. Errors still go to the log.
   */
  readonly quiet?: boolean;
  /** The actor role of the `command` event: `vscode user` (palette, tree, CodeLens), `vscode chat`, `vscode lm tool`. */
  readonly role?: string;
}

/** How a caller runs an action: `quiet` and `role` of ActionSpec. */
export type Via = Pick<ActionSpec, 'quiet' | 'role'>;

/** The engine, opened lazily for one action (like the CLI's context): fresh config, branch and identity. */
export class ActionContext {
  private ws: Workspace | undefined;
  private correlation: string | undefined;
  /** The change the action turned out to be about: its command event goes to that change's stream. */
  chId: string | undefined;

  constructor(readonly folder: string) {}

  async workspace(): Promise<Workspace> {
    this.ws ??= await Workspace.open({ cwd: this.folder, env: process.env });
    return this.ws;
  }

  get opened(): Workspace | undefined {
    return this.ws;
  }

  /** One per action; ties together every event it writes. Needs the workspace open. */
  async correlationId(): Promise<string> {
    this.correlation ??= (await this.workspace()).ids.next('cor');
    return this.correlation;
  }
}

/**
 * Every write the face makes goes through here: refused in Restricted Mode, the engine opened
 * fresh, errors shown with their fix, one `command` audit event recorded (as the CLI does),
 * and the views refreshed before the caller gets the result.
 */
export class ActionRunner {
  constructor(
    private readonly model: ProjectModel,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async run<T>(spec: ActionSpec, body: (ctx: ActionContext) => Promise<T>): Promise<ActionResult<T>> {
    if (!vscode.workspace.isTrusted) return this.refuseUntrusted(spec);
    const folder = this.model.snapshot.root ?? this.model.folder();
    if (!folder) {
      const error = { code: 'no-folder', message: 'Dynaforge works in a folder, and none is open', fix: 'open your repository folder (File > Open Folder…)' };
      if (!spec.quiet) void vscode.window.showWarningMessage(`Dynaforge: ${error.message}: ${error.fix}`);
      return { ok: false, error };
    }
    const ctx = new ActionContext(folder);
    this.log.info(`${spec.name} ${spec.args.join(' ')}`.trim());
    let result: ActionResult<T>;
    let error: unknown;
    try {
      const value = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Dynaforge: ${spec.title}` }, () => body(ctx));
      result = { ok: true, value };
    } catch (e) {
      error = e;
      if (spec.quiet) this.log.error(`${spec.name}: ${describeError(e)}`);
      else showError(e, this.log, spec.name);
      result = { ok: false, error: isDfError(e) ? { code: e.code, message: e.message, fix: e.fix } : { code: 'internal', message: e instanceof Error ? e.message : String(e) } };
    }
    await this.record(ctx, spec, error);
    await this.model.refresh(`after ${spec.name}`);
    return result;
  }

  /**
   * Restricted Mode's answer, as `run` gives it: for a command that must read the project before
   * its action starts (the Implementer's model is chosen from config.yaml first).
   */
  refuseUntrusted<T>(spec: ActionSpec): ActionResult<T> {
    const error = { code: 'untrusted', message: `Restricted Mode: Dynaforge runs nothing in an untrusted folder, so "${spec.title}" was not done`, fix: 'trust this folder (Manage Workspace Trust) to approve, reconcile and create changes' };
    this.log.warn(error.message);
    if (spec.quiet) return { ok: false, error };
    void vscode.window.showWarningMessage(`Dynaforge: ${error.message}.`, 'Manage Workspace Trust').then((pick) => (pick ? vscode.commands.executeCommand('workbench.trust.manage') : undefined));
    return { ok: false, error };
  }

  /** The `command` event: who did what from the editor, and how it ended. */
  private async record(ctx: ActionContext, spec: ActionSpec, error: unknown): Promise<void> {
    try {
      if (!ctx.opened && !findRoot(ctx.folder)) return; // no project: nothing to record into
      const ws = await ctx.workspace();
      const exitCode = error === undefined ? 0 : isDfError(error) ? error.exitCode : 70;
      await recordCommandEvent(ws, { name: spec.name, args: spec.args, cwd: '.', exitCode, ...(error !== undefined ? { error } : {}), ...(ctx.chId ? { chId: ctx.chId } : {}), actor: { ...ws.actor('user'), role: spec.role ?? 'vscode user' }, correlationId: await ctx.correlationId() });
    } catch (e) {
      this.log.warn(`the action could not be recorded in the audit log: ${describeError(e)}`);
    }
  }
}
