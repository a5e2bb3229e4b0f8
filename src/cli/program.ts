import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { recordCommandEvent } from '../core/audit/commandEvent';
import { DfError, isDfError } from '../core/errors';
import { findRoot } from '../core/repo/layout';
import { registerAnalyze, registerChecklist, registerClarify } from './commands/analyze';
import { registerApprove, registerDeny } from './commands/approve';
import { registerAudit } from './commands/audit';
import { registerCapture } from './commands/capture';
import { registerCheck } from './commands/check';
import { registerConcern } from './commands/concern';
import { registerPlan, registerSpec, registerTasks } from './commands/derive';
import { registerDoctor } from './commands/doctor';
import { registerHooks } from './commands/hooks';
import { registerImpact } from './commands/impact';
import { registerImplement } from './commands/implement';
import { registerInit } from './commands/init';
import { registerList } from './commands/list';
import { registerNew } from './commands/new';
import { registerPromote } from './commands/promote';
import { registerReconcile } from './commands/reconcile';
import { registerRetention } from './commands/retention';
import { registerRun } from './commands/run';
import { registerShow } from './commands/show';
import { registerStatus } from './commands/status';
import { registerTask } from './commands/task';
import { registerTrace } from './commands/trace';
import { registerUse } from './commands/use';
import { registerValidate, registerWaive } from './commands/validate';
import { registerViews } from './commands/views';
import { CliContext } from './context';
import { errorJson, formatError, type Output } from './output';
import { noPrompter, type Prompter } from './prompt';

export const VERSION = '0.1.0';

export interface CommandSpec {
  /** Name recorded in the command event, e.g. `concern raise`. */
  readonly name: string;
  /** Opens the workspace (and checks the audit log is writable) before the handler runs. */
  readonly workspace: boolean;
  /** Still runs, and still succeeds, when the audit log is read-only (read-only audits, diagnosis). */
  readonly readOnlyAuditOk?: boolean;
}

/** A command body: returns its exit code (0 when it returns nothing). */
export type Handler = (ctx: CliContext, ...args: unknown[]) => Promise<number | void>;

/** Wraps a handler: context, errors rendered with their fix, and one `command` audit event per run. */
export type Runner = (spec: CommandSpec, handler: Handler) => (...args: unknown[]) => Promise<void>;

export interface RunOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly io: Output;
  /** Who answers questions (interactive reconcile); nobody by default. */
  readonly prompter?: Prompter;
}

export async function runCli(argv: readonly string[], opts: RunOptions): Promise<number> {
  let exitCode = 0;
  const program = new Command('dynaforge')
    .description('Governed, change-centric AI-assisted delivery: changes, approvals, drift and a tamper-evident audit log.')
    .version(VERSION)
    .option('--json', 'machine-readable output')
    .option('-C, --cwd <dir>', 'run as if started in <dir>')
    .exitOverride()
    .configureOutput({ writeOut: (s) => opts.io.out(s), writeErr: (s) => opts.io.err(s), outputError: (s, write) => write(`dynaforge: ${s.replace(/^error: /, 'error: ')}`) })
    .showSuggestionAfterError(true);

  const run: Runner = (spec, handler) => async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const globals = command.optsWithGlobals<{ json?: boolean; cwd?: string }>();
    const cwd = globals.cwd ? resolve(opts.cwd, globals.cwd) : opts.cwd;
    const ctx = new CliContext(argv, cwd, opts.env, opts.io, Boolean(globals.json), opts.prompter ?? noPrompter);
    if (!isFolder(cwd)) {
      // Like `git -C`: never fall back to a parent project, never create the folder (init would).
      exitCode = 2;
      report(ctx, new DfError('usage', `cannot run in ${globals.cwd}: it is not a folder`, 'give -C an existing folder, relative to the current one or absolute', { field: '-C' }));
      return;
    }
    let error: unknown;
    try {
      if (spec.workspace) {
        const ws = await ctx.workspace();
        if (!spec.readOnlyAuditOk) ws.audit.assertWritable();
      }
      exitCode = (await handler(ctx, ...args)) ?? 0;
    } catch (e) {
      error = e;
      exitCode = isDfError(e) ? e.exitCode : 70;
      ctx.flushJson(false);
      report(ctx, e);
    }
    const recorded = await recordCommand(ctx, spec, exitCode, error);
    if (!recorded.ok && !spec.readOnlyAuditOk && exitCode === 0) {
      exitCode = 1;
      ctx.flushJson(false); // the result is replaced by the error: a second JSON document would make stdout unparseable
      report(ctx, recorded.error);
    } else if (!recorded.ok && !error) {
      opts.io.err(`dynaforge: warning: this command could not be recorded in the audit log (${isDfError(recorded.error) ? recorded.error.message : String(recorded.error)})`);
    }
    ctx.flushJson();
  };

  for (const register of [registerInit, registerNew, registerList, registerShow, registerStatus, registerUse, registerDoctor, registerConcern, registerAudit, registerSpec, registerPlan, registerTasks, registerApprove, registerDeny, registerTrace, registerCapture, registerImpact, registerHooks, registerViews, registerReconcile, registerCheck, registerAnalyze, registerChecklist, registerClarify, registerRetention, registerTask, registerValidate, registerWaive, registerImplement, registerRun, registerPromote]) register(program, run);

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return 0;
      // `dynaforge` (or `dynaforge concern`) with no command: the usage on stderr, and exit 1 like git.
      if (e.code === 'commander.help') return 1;
      // The parser refused the command line: the command never ran, but the attempt is still recorded.
      const ctx = new CliContext(argv, opts.cwd, opts.env, opts.io, argv.includes('--json'));
      const usage = new DfError('usage', e.message.replace(/^error: /, ''), 'see `dynaforge --help`');
      await recordCommand(ctx, { name: attemptedCommand(program, argv), workspace: false }, 2, usage);
      return 2;
    }
    opts.io.err(formatError(e));
    return 70;
  }
  return exitCode;
}

/** The (sub)command names at the start of a refused command line, e.g. `concern raise`, or `(none)`. */
function attemptedCommand(program: Command, argv: readonly string[]): string {
  const names: string[] = [];
  let cmd: Command | undefined = program;
  for (const word of argv.filter((a) => !a.startsWith('-'))) {
    const sub: Command | undefined = cmd?.commands.find((c) => c.name() === word);
    if (!sub) break;
    names.push(word);
    cmd = sub;
  }
  return names.join(' ') || '(unknown command)';
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function report(ctx: CliContext, e: unknown): void {
  if (ctx.json) ctx.io.out(JSON.stringify(errorJson(e), null, 2));
  else ctx.io.err(formatError(e));
}

/** Appends the `command` event: who ran what, with which arguments, and how it ended. */
async function recordCommand(ctx: CliContext, spec: CommandSpec, exitCode: number, error: unknown): Promise<{ ok: true } | { ok: false; error: unknown }> {
  let ws = ctx.openedWorkspace();
  try {
    if (!ws) {
      if (!findRoot(ctx.cwd)) return { ok: true }; // nothing to record into
      ws = await ctx.workspace();
    }
  } catch {
    return { ok: true }; // the project itself does not load (the command said why)
  }
  try {
    await recordCommandEvent(ws, { name: spec.name, args: ctx.argv, cwd: ctx.relCwd(ws.layout.root), exitCode, ...(error ? { error } : {}), ...(ctx.chId ? { chId: ctx.chId } : {}), actor: ws.actor('user'), correlationId: ctx.correlationId });
    return { ok: true };
  } catch (e) {
    return { ok: false, error: e };
  }
}
