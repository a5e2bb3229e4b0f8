import { join } from 'node:path';
import { sha256 } from '../canonical';
import { readTextIfExists, writeFileAtomicSync } from '../fs/atomic';
import { changeDir } from '../repo/layout';
import type { Actor } from '../schema/audit';
import type { Workspace } from '../workspace';
import { mergeChecklist, type ChecklistEntry, type FreshItem, type ItemMode } from './checklistFormat';
import { runCheck, type ChangeFacts } from './checks';
import { gatherFacts } from './facts';
import type { AnalysisReport, Finding } from './findings';
import { makeReport, recordReport, renderReportMarkdown } from './report';

/** One item of the requirements-hygiene checklist: auto ones name the check that decides them. */
export interface ChecklistItemDef {
  readonly id: string;
  readonly mode: ItemMode;
  readonly text: string;
  readonly check?: string;
  /** What to do while it is unticked (`{id}` is the change id). */
  readonly fix: string;
}

/** The checklist, in the order it is written. Ids are stable: they key the ticks kept across runs. */
export const CHECKLIST_ITEMS: readonly ChecklistItemDef[] = [
  { id: 'scope-frs', mode: 'auto', check: 'has-fr', text: 'The change names the requirements it serves (scope.frs)', fix: 'list them under scope.frs in changes/{id}/change.yaml' },
  { id: 'frs-defined', mode: 'auto', check: 'frs-defined', text: 'Every requirement in scope is defined in a requirements source', fix: 'define each as a heading `## FR-…: …` under docs/requirements/ (see trace.sources)' },
  { id: 'frs-tested', mode: 'auto', check: 'frs-tested', text: 'Every requirement in scope has a test', fix: 'name each requirement in a test on the same line as a TC id, e.g. it(\'TC-12 FR-3 …\')' },
  { id: 'acceptance', mode: 'auto', check: 'has-acceptance', text: 'The spec has acceptance criteria', fix: 'list them under a "## Acceptance criteria" heading in changes/{id}/spec.md' },
  { id: 'criteria-tested', mode: 'auto', check: 'criteria-tested', text: 'Every acceptance criterion names a known test (TC id)', fix: 'name the TC id of the verifying test in each criterion (see `dynaforge analyze {id}`)' },
  { id: 'no-ambiguity', mode: 'auto', check: 'no-ambiguity', text: 'No ambiguity markers or open questions are left in the spec', fix: 'dynaforge clarify {id}, then answer each with --answer' },
  { id: 'risk-impact', mode: 'auto', check: 'impact-for-risk', text: 'Risk tier set, and impact.md written for a high or critical tier', fix: 'dynaforge impact {id} (or lower risk_tier in change.yaml if the tier is wrong)' },
  { id: 'no-blocking-concerns', mode: 'auto', check: 'no-blocking-concerns', text: 'No open concern of severity high or critical', fix: 'resolve them: dynaforge concern list {id}' },
  { id: 'nfr-stated', mode: 'manual', text: 'Non-functional requirements (performance, security, accessibility, limits) are stated with measures', fix: 'state them in the spec, then tick the item in changes/{id}/checklist.md' },
  { id: 'criteria-measurable', mode: 'manual', text: 'Every acceptance criterion is observable and measurable', fix: 'make each criterion testable, then tick the item in changes/{id}/checklist.md' },
  { id: 'edge-cases', mode: 'manual', text: 'Error cases, edge cases and limits are specified', fix: 'specify them, then tick the item in changes/{id}/checklist.md' },
  { id: 'out-of-scope', mode: 'manual', text: 'What is out of scope is stated', fix: 'say it in the brief or spec, then tick the item in changes/{id}/checklist.md' },
  { id: 'reviewed', mode: 'manual', text: 'The spec was read by the people who asked for the change', fix: 'review it with them, then tick the item in changes/{id}/checklist.md' },
];

export interface ChecklistReport extends AnalysisReport {
  readonly checklist: {
    readonly file: string;
    readonly done: number;
    readonly total: number;
    readonly items: readonly ChecklistEntry[];
  };
}

/** Evaluates the auto items against the facts. */
export function evaluateItems(facts: ChangeFacts): FreshItem[] {
  return CHECKLIST_ITEMS.map((d) => {
    if (d.mode === 'manual' || !d.check) return { id: d.id, mode: d.mode, text: d.text };
    const r = runCheck(d.check, facts);
    return { id: d.id, mode: d.mode, text: d.text, checked: r.ok, detail: r.detail };
  });
}

/**
 * Generates or refreshes changes/CH-###/checklist.md (auto items re-evaluated, the person's
 * ticks kept), writes the report and records one event. Unticked items are warnings: the
 * checklist passes when every item is ticked.
 */
export async function runChecklist(ws: Workspace, id: string, actor: Actor, correlationId: string): Promise<{ report: ChecklistReport; files: { json: string; markdown: string }; written: boolean }> {
  const facts = await gatherFacts(ws, id, 'checklist');
  const file = ws.store.relFile(id, 'checklist.md');
  const path = join(changeDir(ws.layout, id), 'checklist.md');
  const before = readTextIfExists(path);
  const merged = mergeChecklist(before, `# ${id} checklist: ${facts.change.title}`, evaluateItems(facts));
  const written = merged.text !== before;
  if (written) writeFileAtomicSync(path, merged.text, file);

  const defs = new Map(CHECKLIST_ITEMS.map((d) => [d.id, d]));
  const findings: Finding[] = merged.items
    .filter((e) => !e.checked)
    .map((e): Finding => {
      const def = e.id ? defs.get(e.id) : undefined;
      const fix = (def?.fix ?? `do it, then tick it ([x]) in ${file}`).replaceAll('{id}', id);
      if (e.mode === 'auto') return { kind: 'checklist-auto', severity: 'warning', id: e.id, file, line: e.line, message: `not yet: ${e.text}${e.detail ? ` (${e.detail})` : ''}`, fix };
      return { kind: 'checklist-manual', severity: 'warning', ...(e.id ? { id: e.id } : {}), file, line: e.line, message: `not ticked: ${e.text}`, fix };
    });
  const inputs: Record<string, string> = { ...facts.inputs, ...(before !== undefined ? { [file]: sha256(before) } : {}) };
  const report = makeReport('checklist', id, findings, inputs, ws.clock.nowIso(), { checklist: { file, done: merged.done, total: merged.total, items: merged.items } });
  const md = renderReportMarkdown(report, facts.change.title, [checklistSection(report)]);
  const files = await recordReport(ws, report, md, { actor, correlationId, wrote: { [file]: sha256(merged.text) }, checklist: { done: merged.done, total: merged.total } });
  return { report, files, written };
}

function checklistSection(report: ChecklistReport): string {
  const c = report.checklist;
  const lines = ['## Checklist', '', `Completion: ${c.done} of ${c.total} (${c.file})`, ''];
  for (const e of c.items) lines.push(`- [${e.checked ? 'x' : ' '}] ${e.id ? `\`${e.id}\` ` : ''}(${e.mode}) ${e.text}${e.detail ? ` — ${e.detail}` : ''}`);
  return lines.join('\n');
}
