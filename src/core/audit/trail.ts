import { isDfError } from '../errors';
import { systemClock } from '../ports/clock';
import { layoutAt } from '../repo/layout';
import type { AuditEvent, AuditEventType, AuditPayload } from '../schema/audit';
import { mdCell, plural } from '../views/markdown';
import { AuditLog, type StreamReport } from './auditLog';
import { changeStream } from './streams';
import { isRepairable } from './verify';

/** One change's audit stream as a person reads it: its events, and whether its chain verifies. */
export interface AuditTrail {
  readonly chId: string;
  readonly events: readonly AuditEvent[];
  /** `audit verify` of this stream: chain, hashes, schema, head. */
  readonly check: StreamReport;
  /** Why the events could not be read (a line that is not JSON); the check says where. */
  readonly unreadable?: string;
}

/** The audit log of the project at `root` for reading only: no git, nothing appended, so Restricted Mode can use it. */
export function readOnlyAuditLog(root: string): AuditLog {
  const layout = layoutAt(root);
  return new AuditLog({ root, auditDir: layout.auditDir, lockDir: layout.lockDir, clock: systemClock, projectStream: 'read-only' });
}

/** The events of `chId`'s stream, verified the way `dynaforge audit verify --stream changes/CH-###` does. */
export function auditTrail(audit: AuditLog, chId: string): AuditTrail {
  const stream = changeStream(chId);
  const check = audit.verifyStream(stream);
  try {
    return { chId, events: audit.read(stream), check };
  } catch (e) {
    if (!isDfError(e)) throw e;
    return { chId, events: [], check, unreadable: e.message };
  }
}

type Summaries = { readonly [T in AuditEventType]?: (p: AuditPayload<T>) => string };

/** One line per event type a person looks for; any other type shows its plain fields. */
const SUMMARY: Summaries = {
  // A double-backtick code span: a title with a backtick in it cannot end it.
  command: (p) => `\`\` ${commandLine(p.name, p.args)} \`\` → ${p.outcome}${p.error ? `: ${p.error}` : ''}`,
  'change.created': (p) => `“${p.title}” (from ${p.origin})`,
  'change.updated': (p) => `${p.fields.join(', ')} changed`,
  'change.activated': (p) => `made the active change${p.branch ? ` on ${p.branch}` : ''}`,
  'change.captured': (p) => `${p.source} diff as ${p.evidence}: ${plural(p.files, 'file')}`,
  'approval.recorded': (p) => `**${p.decision}** ${p.stage}${p.sub_scope ? ` (${p.sub_scope})` : ''}${p.note ? `: ${p.note}` : ''} — covers ${Object.keys(p.artifacts).join(', ') || 'no artifact'}`,
  'artifact.derived': (p) => `${p.artifact} ${p.action} from ${Object.keys(p.derived_from).join(', ') || 'nothing'}`,
  'task.started': (p) => `${p.task} started`,
  'task.completed': (p) => `${p.task} done: ${plural(p.files, 'file')} as ${p.evidence}, verification ${p.verification}`,
  'task.blocked': (p) => `${p.task} not done (${p.reason}): ${p.concern_id}`,
  'task.stopped': (p) => `${p.task} back to todo`,
  'concern.raised': (p) => `${p.concern_id} (${p.severity}): ${p.summary}`,
  'concern.resolved': (p) => `${p.concern_id} resolved${p.note ? `: ${p.note}` : ''}`,
  'implementer.aborted': (p) => `${p.run} aborted: ${plural(p.restored.length, 'file')} restored, ${p.deleted.length} deleted${p.withdrawn.length ? `; evidence withdrawn: ${p.withdrawn.join(', ')}` : ''}`,
  'drift.reconciled': (p) => `${p.kind} ${p.key}: ${p.action}${p.note ? ` (${p.note})` : ''}`,
  'qa.verdict': (p) => `**${p.verdict}**${p.reasons.length ? `: ${p.reasons.join('; ')}` : ''}`,
  'agent.handoff': (p) => `${p.from} → ${p.to} at ${p.stage}`,
};

/** `args` is the command line after `dynaforge` as the CLI records it (the command's name first); quoted where a shell would need it. */
function commandLine(name: string, args: readonly string[]): string {
  const words = args.join(' ').startsWith(name) ? args : [name, ...args];
  return ['dynaforge', ...words.map((a) => (/[\s"'$`\\]/.test(a) || a === '' ? JSON.stringify(a) : a))].join(' ');
}

function summary(e: AuditEvent): string {
  const describe = SUMMARY[e.type] as ((p: unknown) => string) | undefined;
  if (describe) {
    try {
      return describe(e.payload);
    } catch {
      // A payload of an unexpected shape (the check below names the line): its plain fields instead.
    }
  }
  return Object.entries(e.payload)
    .filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v))
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(', ');
}

/** A cell of the trail's table; `<` escaped so that a title or note cannot open HTML in the preview. */
function cell(text: string): string {
  return mdCell(text).replace(/</g, '&lt;');
}

/** The trail as Markdown: whether it verifies (and the fix when not), then one table row per event, oldest first. */
export function renderAuditTrail(trail: AuditTrail, title?: string): string {
  const { check } = trail;
  const lines = [`# Audit trail of ${trail.chId}${title ? ` — ${cell(title)}` : ''}`, ''];
  lines.push(`\`${check.file}\` · ${plural(check.events, 'event')} · ${check.problem ? '**does NOT verify**' : 'the hash chain verifies'}`, '');
  if (check.problem) {
    const fix = isRepairable(check.problem.kind) ? 'crash damage: `dynaforge audit repair` fixes it' : `restore the file from git (\`git checkout -- ${check.file}\`) and find out who changed it`;
    lines.push(`> **${check.file}:${check.problem.line}**: ${cell(check.problem.message)} [${check.problem.kind}] — ${fix}.`, '');
  }
  if (trail.unreadable) lines.push(`> The events cannot be shown: ${cell(trail.unreadable)}.`, '');
  if (!trail.events.length) {
    if (!trail.unreadable) lines.push('Nothing is recorded about this change yet.');
    return `${lines.join('\n')}\n`;
  }
  lines.push('| # | when (UTC) | who | event | what |', '|---:|---|---|---|---|');
  for (const e of trail.events) {
    const when = typeof e.ts === 'string' ? e.ts.replace('T', ' ').replace(/(\.\d+)?Z$/, '') : '';
    const who = e.actor ? `${e.actor.id} (${e.actor.role})` : '';
    lines.push(`| ${e.seq} | ${cell(when)} | ${cell(who)} | \`${cell(e.type)}\` | ${cell(summary(e))} |`);
  }
  return `${lines.join('\n')}\n`;
}
