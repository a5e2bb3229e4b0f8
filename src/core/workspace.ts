import { userInfo } from 'node:os';
import { AuditLog } from './audit/auditLog';
import { projectStream } from './audit/streams';
import { loadConfig } from './config/loadConfig';
import { DfError } from './errors';
import { fixedClock, systemClock, type Clock } from './ports/clock';
import { randomIds, seededIds, type IdSource } from './ports/ids';
import { formatIdentity, openGit, type Git, type GitIdentity } from './repo/git';
import { layoutAt, requireRoot, type Layout } from './repo/layout';
import type { Actor } from './schema/audit';
import type { Config } from './schema/config';
import { resolveActive, type ActiveChange } from './store/activeChange';
import { parseChangeId } from './store/changeIds';
import { ChangeStore } from './store/changeStore';

/** What a face hands the engine: where it runs and which ports to use. */
export interface WorkspaceOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly clock?: Clock;
  readonly ids?: IdSource;
}

/**
 * `DYNAFORGE_NOW` freezes the clock (tests, `make demo`); otherwise the system clock.
 * An invalid value is an error, not a silent fallback.
 */
export function clockFromEnv(env: NodeJS.ProcessEnv): Clock {
  const now = env.DYNAFORGE_NOW?.trim();
  if (!now) return systemClock;
  try {
    return fixedClock(now);
  } catch {
    throw new DfError('usage', `DYNAFORGE_NOW="${now}" is not an ISO-8601 time`, 'set it like DYNAFORGE_NOW=2026-11-21T09:00:00Z, or unset it', { field: 'DYNAFORGE_NOW' });
  }
}

/** Whether this run must be replayable: `DYNAFORGE_SEED`, or a frozen clock. */
export function isReplayable(env: NodeJS.ProcessEnv): boolean {
  return env.DYNAFORGE_SEED !== undefined || Boolean(env.DYNAFORGE_NOW?.trim());
}

/** Seeded ids when the run must be replayable; random otherwise. */
export function idsFromEnv(env: NodeJS.ProcessEnv, salt: string): IdSource {
  if (!isReplayable(env)) return randomIds;
  return seededIds(`${env.DYNAFORGE_SEED ?? 'dynaforge'}\u0000${salt}`);
}

/** The human at the keyboard: their git identity, else their OS user name (marked as such). */
export function humanActor(identity: GitIdentity | undefined, role: string): Actor {
  return { kind: 'human', id: identity ? formatIdentity(identity) : `${osUser()} (no git identity)`, role };
}

function osUser(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown'; // no passwd entry (some containers)
  }
}

/** The engine's composition root for one project: what every face works through. */
export class Workspace {
  private constructor(
    readonly layout: Layout,
    readonly config: Config,
    readonly git: Git,
    readonly branch: string | undefined,
    readonly identity: GitIdentity | undefined,
    readonly clock: Clock,
    readonly ids: IdSource,
    readonly audit: AuditLog,
    readonly store: ChangeStore,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static async open(opts: WorkspaceOptions): Promise<Workspace> {
    const root = requireRoot(opts.cwd);
    const layout = layoutAt(root);
    const config = loadConfig(layout);
    const git = await openGit(root);
    const [branch, identity] = await Promise.all([git.branch(), git.identity()]);
    const clock = opts.clock ?? clockFromEnv(opts.env);
    const ids = opts.ids ?? idsFromEnv(opts.env, root);
    const actorId = humanActor(identity, 'user').id;
    const audit = new AuditLog({
      root,
      auditDir: layout.auditDir,
      lockDir: layout.lockDir,
      clock,
      projectStream: projectStream(branch ?? (git.available ? 'detached' : 'local'), identity?.email ?? actorId),
    });
    return new Workspace(layout, config, git, branch, identity, clock, ids, audit, new ChangeStore(layout, clock, git, config), opts.env);
  }

  actor(role = 'user'): Actor {
    return humanActor(this.identity, role);
  }

  activeChange(): ActiveChange | undefined {
    return resolveActive(this.layout, this.env, this.branch);
  }

  /** The change a command is about: the one given, else the active one, else a usage error. */
  resolveChange(given: string | undefined): string {
    if (given !== undefined) return parseChangeId(given);
    const active = this.activeChange();
    if (active) return active.id;
    throw new DfError('usage', 'which change? none was given and none is active', 'name one (e.g. CH-012), or set one with `dynaforge use CH-012`', { field: 'change id' });
  }
}
