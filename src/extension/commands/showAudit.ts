import { auditTrail, readOnlyAuditLog, renderAuditTrail } from '../../core/audit/trail';
import { DfError } from '../../core/errors';
import { Commands } from '../constants';
import type { Services } from '../services';
import { pickChange } from '../ui/prompts';
import { ChangeArg, parseArg } from './args';
import type { DfCommand } from './command';
import { showMarkdown, type ReportDocuments } from './report';

/**
 * Dynaforge: Show Audit Trail… — the audit stream of a change (default: the active one) as a
 * read-only report, rendered by the engine: one row per event and whether the hash chain
 * verifies (`dynaforge audit verify --stream changes/CH-###`). It only reads files, so it
 * works in Restricted Mode and records nothing.
 */
export class ShowAuditCommand implements DfCommand {
  readonly id = Commands.ShowAudit;
  constructor(
    private readonly s: Services,
    private readonly reports: ReportDocuments,
  ) {}

  async execute(arg?: unknown): Promise<unknown> {
    const { root, active } = this.s.model.snapshot;
    if (!root) throw new DfError('not-initialized', 'this folder has no Dynaforge project, so there is no audit trail to show', 'initialize one first: Dynaforge: Initialize Project');
    const chId = parseArg(ChangeArg, arg, 'Show Audit Trail')?.chId ?? active?.id ?? (await pickChange(this.s.model, 'The change whose audit trail to read'));
    if (!chId) return undefined;
    const trail = auditTrail(readOnlyAuditLog(root), chId);
    const markdown = renderAuditTrail(trail, this.s.model.change(chId)?.change.title);
    const uri = this.reports.set(`Audit trail of ${chId}`, markdown);
    await showMarkdown(uri);
    return { ok: true, value: { uri: uri.toString(), markdown, events: trail.events.length, verifies: !trail.check.problem } };
  }
}
