import { relative } from 'node:path';
import { prettyJson } from '../core/canonical';
import type { IdSource } from '../core/ports/ids';
import { findRoot, layoutAt } from '../core/repo/layout';
import { nextInvocation } from '../core/store/invocations';
import { idsFromEnv, isReplayable, Workspace } from '../core/workspace';
import type { Output } from './output';
import { noPrompter, type Prompter } from './prompt';

/** What every command receives: the environment, output, and a lazily opened workspace. */
export class CliContext {
  private ws: Workspace | undefined;
  /** The change the command turned out to be about: its command event goes to that change's stream. */
  chId: string | undefined;
  private idSource: IdSource | undefined;
  private correlation: string | undefined;
  private pendingJson: string | undefined;

  constructor(
    readonly argv: readonly string[],
    readonly cwd: string,
    readonly env: NodeJS.ProcessEnv,
    readonly io: Output,
    readonly json: boolean,
    readonly prompter: Prompter = noPrompter,
  ) {}

  /**
   * Replayable runs seed their ids with the arguments and this working copy's invocation
   * count: distinct for two identical commands, identical when a sequence is replayed.
   */
  private async ensureIds(): Promise<IdSource> {
    if (!this.idSource) {
      const root = isReplayable(this.env) ? findRoot(this.cwd) : undefined;
      const n = root ? await nextInvocation(layoutAt(root)) : 0;
      this.idSource ??= idsFromEnv(this.env, `${JSON.stringify(this.argv)}\u0000${n}`);
    }
    return this.idSource;
  }

  async workspace(): Promise<Workspace> {
    const ids = await this.ensureIds();
    this.ws ??= await Workspace.open({ cwd: this.cwd, env: this.env, ids });
    return this.ws;
  }

  /** The workspace if one was opened (or can be), for recording the command event. */
  openedWorkspace(): Workspace | undefined {
    return this.ws;
  }

  forgetWorkspace(): void {
    this.ws = undefined;
  }

  /** One per invocation; ties together every event the command writes. */
  get correlationId(): string {
    // Commands always open the workspace first; without one there is nothing to correlate in a replay.
    this.idSource ??= idsFromEnv(this.env, JSON.stringify(this.argv));
    this.correlation ??= this.idSource.next('cor');
    return this.correlation;
  }

  /** Prints `data` as JSON with --json (held back until the command is recorded), else the human text. */
  emit(data: unknown, human: string | (() => string)): void {
    if (this.json) this.pendingJson = prettyJson({ ok: true, ...(data as object) });
    else this.io.out(typeof human === 'function' ? human() : human);
  }

  /**
   * Prints the --json document `emit` held back; `false` drops it instead, when the command
   * failed after all. Either way stdout gets exactly one JSON document.
   */
  flushJson(print = true): void {
    if (print && this.pendingJson !== undefined) this.io.out(this.pendingJson);
    this.pendingJson = undefined;
  }

  /** `cwd` relative to the project root, for command events (never an absolute path). */
  relCwd(root: string): string {
    return relative(root, this.cwd).replace(/\\/g, '/') || '.';
  }
}
