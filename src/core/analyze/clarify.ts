import { join } from 'node:path';
import { DfError } from '../errors';
import { writeFileAtomicSync } from '../fs/atomic';
import { changeDir } from '../repo/layout';
import type { Actor } from '../schema/audit';
import type { Change } from '../schema/change';
import { approvalState } from '../status/lifecycle';
import type { Workspace } from '../workspace';
import { requireSpec, type LoadedDoc } from './changeDocs';
import { fileHash } from './facts';
import type { AnalysisReport, Finding } from './findings';
import { normalizeAnswer, recordAnswer, scanQuestions, type Question, type QuestionScan } from './questions';
import { makeReport, recordReport, renderReportMarkdown } from './report';

/** What `clarify --answer` did. */
export interface AnsweredQuestion {
  readonly question: string;
  /** The question's text, as it was asked. */
  readonly text: string;
  readonly file: string;
  /** The line of the question (now tagged) and of its entry under Clarifications. */
  readonly line: number;
  readonly entry_line: number;
  /** Approvals that covered spec.md as it was, and are stale now that it changed. */
  readonly stale_approvals: readonly { readonly stage: string; readonly sub_scope?: string; readonly by: string }[];
}

export interface ClarifyReport extends AnalysisReport {
  readonly questions: readonly Question[];
  readonly answered?: AnsweredQuestion;
}

export interface AnswerInput {
  /** `Q-2` (already normalised by parseQuestionId). */
  readonly question: string;
  readonly text: string;
}

/**
 * Lists the spec's ambiguity markers and open questions; with `answer`, first records the
 * answer in the spec (questions.ts recordAnswer) — which makes approvals covering spec.md
 * stale, as any edit of an approved artifact does. Writes the report, records one event.
 */
export async function runClarify(ws: Workspace, id: string, actor: Actor, correlationId: string, answer?: AnswerInput): Promise<{ report: ClarifyReport; files: { json: string; markdown: string } }> {
  const change = ws.store.read(id);
  let spec = requireSpec(ws, id, 'clarify');
  const inputs: Record<string, string> = { [ws.store.relFile(id)]: fileHash(join(changeDir(ws.layout, id), 'change.yaml')), [spec.file]: spec.hash };
  let answered: AnsweredQuestion | undefined;
  if (answer) {
    const text = normalizeAnswer(answer.text);
    const q = pickOpen(spec, scanQuestions(spec.doc), answer.question, id);
    const stale = approvalsCoveringSpec(change, ws.store.artifacts(id));
    const next = recordAnswer(spec.text, spec.doc, q, { date: ws.clock.nowIso().slice(0, 10), author: actor.id, text });
    writeFileAtomicSync(join(changeDir(ws.layout, id), 'spec.md'), next.text, spec.file);
    spec = requireSpec(ws, id, 'clarify');
    answered = { question: q.id, text: q.text, file: spec.file, line: q.line, entry_line: next.entryLine, stale_approvals: stale };
  }
  const scan = scanQuestions(spec.doc);
  const findings: Finding[] = [];
  for (const q of scan.questions) if (q.status === 'open') findings.push(openFinding(q, spec.file, id));
  for (const d of scan.dangling) {
    findings.push({ kind: 'clarification-missing', severity: 'warning', id: d.id, file: spec.file, line: d.line, message: `this line is marked (clarified: ${d.id}) but the Clarifications section has no ${d.id} entry`, fix: `add the answer under ## Clarifications as "- **${d.id}** …", or remove the tag to reopen the question` });
  }
  const report = makeReport('clarify', id, findings, inputs, ws.clock.nowIso(), { questions: scan.questions, ...(answered ? { answered } : {}) });
  const md = renderReportMarkdown(report, change.title, [questionsSection(report)]);
  const files = await recordReport(ws, report, md, {
    actor,
    correlationId,
    ...(answered ? { wrote: { [spec.file]: spec.hash }, answered: { question: answered.question, file: answered.file, line: answered.entry_line } } : {}),
  });
  return { report, files };
}

function pickOpen(spec: LoadedDoc, scan: QuestionScan, qid: string, id: string): Question {
  const q = scan.questions.find((x) => x.id === qid);
  const open = scan.questions.filter((x) => x.status === 'open').map((x) => x.id);
  const listing = open.length ? `open questions: ${open.join(', ')}` : 'it has no open question';
  if (q?.status === 'open') return q;
  const entry = scan.answers.get(qid);
  if (q || entry !== undefined) {
    const line = entry ?? q?.line;
    throw new DfError('conflict', `${qid} is already answered in ${spec.file}${line ? `:${line}` : ''}`, `edit that answer by hand if it must change (${listing}); run \`dynaforge clarify ${id}\` to list them`, { file: spec.file, ...(line ? { line } : {}) });
  }
  throw new DfError('not-found', `${spec.file} has no question ${qid} (${listing})`, `run \`dynaforge clarify ${id}\` to list the questions and their ids, then answer one of them`, { file: spec.file, field: '--answer' });
}

/** The current approvals (latest per stage and sub-scope) whose recorded hashes include spec.md. */
function approvalsCoveringSpec(change: Change, artifacts: Readonly<Record<string, string>>): AnsweredQuestion['stale_approvals'] {
  const latest = new Map(change.approvals.map((a) => [`${a.stage}\u0000${a.sub_scope ?? ''}`, a]));
  return [...latest.values()]
    .filter((a) => a.decision === 'approved' && 'spec.md' in a.artifacts && approvalState(a, artifacts).current)
    .map((a) => ({ stage: a.stage, ...(a.sub_scope ? { sub_scope: a.sub_scope } : {}), by: a.by }));
}

const KIND_ORDER = [
  ['needs-clarification', 'needs-clarification'],
  ['placeholder', 'placeholder'],
  ['vague', 'vague-term'],
] as const;

function openFinding(q: Question, file: string, id: string): Finding {
  const kind = KIND_ORDER.find(([r]) => q.reasons.includes(r))?.[1] ?? 'open-question';
  const why = q.markers.length ? q.markers.map((m) => (m.kind === 'vague' ? `vague "${m.term}"` : m.term)).join(', ') : q.reasons.includes('open-questions-item') ? 'listed under Open questions' : 'a question';
  const text = q.text.length > 120 ? `${q.text.slice(0, 119)}…` : q.text;
  return { kind, severity: 'warning', id: q.id, file, line: q.line, message: `${q.id} (${why}): ${text}`, fix: `answer it: dynaforge clarify ${id} --answer ${q.id} "…" (or reword the line so it is settled)` };
}

function questionsSection(report: ClarifyReport): string {
  const lines = ['## Questions', ''];
  const open = report.questions.filter((q) => q.status === 'open');
  const done = report.questions.filter((q) => q.status === 'answered');
  lines.push(`Open: ${open.length} · answered: ${done.length}`, '');
  if (!report.questions.length) lines.push('None: no ambiguity marker and no open question in the spec.');
  for (const q of report.questions) lines.push(`- **${q.id}** ${q.status} (line ${q.line}${q.answer_line ? `, answer on line ${q.answer_line}` : ''}): ${q.text}`);
  if (report.answered) {
    const a = report.answered;
    lines.push('', `Answered this run: ${a.question} (${a.file}:${a.entry_line}).`);
    if (a.stale_approvals.length) lines.push(`spec.md changed, so these approvals are stale (intended; re-approve after review): ${a.stale_approvals.map((x) => `${x.stage}${x.sub_scope ? ` [${x.sub_scope}]` : ''} by ${x.by}`).join('; ')}.`);
  }
  return lines.join('\n');
}
