import type * as vscode from 'vscode';
import { z } from 'zod';
import { Tools } from '../constants';
import type { ChangeView } from '../project/snapshot';
import type { Services } from '../services';
import { approvalSummary } from '../views/changeSummary';
import { ChangeInput, failure, parseInput, result, ToolError } from './tool';

const Input = z.strictObject({ change: ChangeInput.optional() });
type StatusInput = z.input<typeof Input>;

/**
 * `dynaforge_status`: where a change stands (default: the active one) — lifecycle, stage,
 * approvals and whether each is still current, blockers, open concerns, drift, tasks; with no
 * change active, every change in one line. Read-only (also in Restricted Mode).
 */
export class StatusTool implements vscode.LanguageModelTool<StatusInput> {
  static readonly id = Tools.Status;
  constructor(private readonly s: Services) {}

  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<StatusInput>): vscode.PreparedToolInvocation {
    const change = typeof options.input?.change === 'string' ? options.input.change : undefined;
    return { invocationMessage: `Reading the Dynaforge status of ${change ?? 'the active change'}` };
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<StatusInput>): Promise<vscode.LanguageModelToolResult> {
    try {
      const input = parseInput(StatusTool.id, Input, options.input);
      await this.s.model.refresh('tool dynaforge_status');
      const snap = this.s.model.snapshot;
      if (snap.state !== 'ready') throw new ToolError(snap.state === 'uninitialized' ? 'This folder has no Dynaforge project (.dynaforge/). Ask the user to run "Dynaforge: Initialize Project" (or `dynaforge init`).' : `The Dynaforge project does not load: ${snap.error?.message ?? snap.state}. ${snap.error?.fix ?? ''}`);
      const id = input.change ?? snap.active?.id;
      if (!id) {
        const rows = snap.changes.map((v) => ({ id: v.change.id, title: v.change.title, lifecycle: v.status?.lifecycle, stage: v.status?.stage }));
        return result(`${rows.length} change(s); none is active. Name one with "change", or create one with ${Tools.NewChange}.`, { changes: rows });
      }
      const view = this.s.model.change(id);
      if (!view) throw new ToolError(`There is no change ${id}. Call ${StatusTool.id} without "change" to list the changes.`);
      return result(summaryOf(view), this.details(view));
    } catch (e) {
      throw failure(StatusTool.id, e);
    }
  }

  private details(v: ChangeView): unknown {
    const st = v.status;
    const live = v.tasks.filter((t) => t.state !== 'dropped');
    return {
      id: v.change.id,
      title: v.change.title,
      active: this.s.model.snapshot.active?.id === v.change.id,
      status: v.change.status,
      risk_tier: v.change.risk_tier,
      scope: v.change.scope,
      lifecycle: st?.lifecycle,
      stage: st?.stage,
      approvals: st?.approvals.map((a) => ({ stage: a.approval.stage, sub_scope: a.approval.sub_scope, decision: a.approval.decision, by: a.approval.by, at: a.approval.at, current: a.current, changed: a.changed })),
      blockers: st?.blockers,
      open_concerns: st?.openConcerns.map((c) => ({ id: c.id, severity: c.severity, status: c.status, summary: c.summary })),
      drift: this.s.model.driftOf(v.change.id).map((f) => ({ kind: f.kind, message: f.message, file: f.file, fix: f.fix })),
      artifacts: v.artifacts.map((a) => `changes/${v.change.id}/${a}`),
      tasks: { done: live.filter((t) => t.state === 'done').length, total: live.length, doing: live.filter((t) => t.state === 'doing').map((t) => t.id) },
      ...(st ? {} : { error: v.error?.message }),
    };
  }
}

function summaryOf(v: ChangeView): string {
  const st = v.status;
  if (!st) return `${v.change.id} "${v.change.title}": status unavailable (${v.error?.message ?? 'unknown'}).`;
  return `${v.change.id} "${v.change.title}": ${st.lifecycle}, stage ${st.stage}, ${approvalSummary(st).text}.${st.blockers.length ? ` Blockers: ${st.blockers.join('; ')}.` : ''} Approving a stage is the user's decision (they approve in the editor or with \`dynaforge approve\`).`;
}
