import { join } from 'node:path';
import { AUDIT_DIR, changeStream } from '../audit/streams';
import type { Severity } from '../concerns/concerns';
import { staleEvidence } from '../drift/scope';
import { readTextIfExists } from '../fs/atomic';
import type { Actor } from '../schema/audit';
import { scopeLines } from '../trace/loadTrace';
import { FR_MENTION } from '../trace/sources';
import type { Workspace } from '../workspace';
import { ACCEPTANCE_HEADING } from './acceptance';
import { CONSTITUTION_REL, loadChangeDoc, loadConstitution, type LoadedDoc } from './changeDocs';
import { evaluateConstitution, parseConstitution, type EvaluatedRule } from './constitution';
import { gatherFacts, type GatheredFacts } from './facts';
import type { AnalysisReport, Finding, FindingSeverity } from './findings';
import { sectionsNamed } from './markdown';
import { makeReport, recordReport, renderReportMarkdown } from './report';

/** `analyze`: the report, plus how each constitution rule fared. */
export interface AnalyzeReport extends AnalysisReport {
  readonly constitution: {
    readonly file: string;
    readonly present: boolean;
    readonly rules: readonly EvaluatedRule[];
  };
}

const CONCERN_SEVERITY: Record<Severity, FindingSeverity> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };

/**
 * Cross-artifact consistency of one change: requirements named in its artifacts but not in
 * its scope (and the reverse), acceptance criteria without a test, evidence gone stale, open
 * concerns, and the constitution's mechanically checkable rules. Reads only.
 */
export async function analyzeChange(ws: Workspace, id: string): Promise<{ report: AnalyzeReport; facts: GatheredFacts }> {
  const facts = await gatherFacts(ws, id, 'analyze');
  const { change } = facts;
  const yamlFile = ws.store.relFile(id);
  const yamlLines = scopeLines(readTextIfExists(join(ws.layout.root, yamlFile)) ?? '', change.scope.frs);
  const docs = [facts.spec, loadChangeDoc(ws, id, 'plan.md'), loadChangeDoc(ws, id, 'tasks.md')].filter((d): d is LoadedDoc => d !== undefined);
  const inputs: Record<string, string> = { ...facts.inputs };
  for (const d of docs) inputs[d.file] = d.hash;
  const findings: Finding[] = [];
  const scope = new Set(change.scope.frs);
  const atYaml = (fr: string) => ({ file: yamlFile, ...(yamlLines[fr] ? { line: yamlLines[fr] } : {}) });

  // Requirements: mentioned but not in scope, in scope but undefined, untested or absent from the spec.
  const inSpec = new Set<string>();
  for (const d of docs) {
    const seen = new Set<string>();
    for (const l of d.doc.lines) {
      if (!l.prose) continue;
      for (const m of l.text.matchAll(FR_MENTION)) {
        const fr = m[0];
        if (d === facts.spec) inSpec.add(fr);
        if (scope.has(fr) || seen.has(fr)) continue;
        seen.add(fr);
        findings.push({ kind: 'fr-unmapped', severity: 'warning', id: fr, file: d.file, line: l.n, message: `${fr} is mentioned here but is not in scope.frs of ${id}`, fix: `add ${fr} under scope.frs in ${yamlFile} if ${id} serves it, else remove or reword the mention` });
      }
    }
  }
  if (!change.scope.frs.length) {
    findings.push({ kind: 'fr-none', severity: 'note', file: yamlFile, message: `${id} names no requirement (scope.frs is empty)`, fix: `list the requirements it serves under scope.frs in ${yamlFile}` });
  }
  for (const fr of change.scope.frs) {
    if (!facts.definedFrs.has(fr)) {
      findings.push({ kind: 'fr-undefined', severity: 'warning', id: fr, ...atYaml(fr), message: `${fr} is in scope.frs but no trace source defines it`, fix: `define it in a requirements source (by default a heading \`## ${fr}: …\` in docs/requirements/*.md; see trace.sources in .dynaforge/config.yaml), or remove it from scope.frs` });
    } else if (!(facts.testsOf.get(fr) ?? []).length) {
      const req = facts.trace.requirements.find((r) => r.id === fr);
      findings.push({ kind: 'fr-untested', severity: 'warning', id: fr, ...(req ? { file: req.at.file, line: req.at.line } : atYaml(fr)), message: `${fr} is in scope but no test case verifies it`, fix: `name it in a test on the same line as a TC id, e.g. it('TC-12 ${fr} …')` });
    }
    if (!inSpec.has(fr)) findings.push({ kind: 'fr-not-in-spec', severity: 'note', id: fr, ...atYaml(fr), message: `${fr} is in scope but ${facts.spec.file} never mentions it`, fix: `describe it in ${facts.spec.file} (e.g. a heading \`### ${fr}: …\` with its acceptance criteria)` });
  }

  // Acceptance criteria: present, and each naming a test the trace knows.
  if (!facts.criteria.length) {
    const heading = sectionsNamed(facts.spec.doc, ACCEPTANCE_HEADING)[0];
    const line = heading ? facts.spec.doc.lines[heading.at]?.n : undefined;
    findings.push({ kind: 'ac-missing', severity: 'warning', file: facts.spec.file, ...(line ? { line } : {}), message: 'the spec has no acceptance criteria', fix: `list them as bullet items under a "## ${ACCEPTANCE_HEADING}" heading in ${facts.spec.file}, each naming the TC id that verifies it` });
  }
  for (const c of facts.criteria) {
    const unknown = c.tcs.filter((tc) => !facts.knownTcs.has(tc));
    const at = { file: facts.spec.file, line: c.line };
    if (!c.tcs.length) findings.push({ kind: 'ac-untested', severity: 'warning', ...at, message: `acceptance criterion names no test: "${clip(c.text)}"`, fix: 'name the TC id of the test that verifies it (e.g. "(TC-12)"), and give that test the id in its name' });
    for (const tc of unknown) findings.push({ kind: 'ac-unknown-tc', severity: 'warning', id: tc, ...at, message: `acceptance criterion names ${tc}, which no test source contains`, fix: `write the test with ${tc} in its name (trace.sources tc globs: test/, tests/ by default), or correct the id` });
  }

  // Evidence taken before the files moved on.
  for (const s of await staleEvidence(ws, change)) {
    const what = s.now === undefined ? 'was deleted' : s.recorded === undefined ? 'was re-created' : 'changed';
    findings.push({ kind: 'evidence-stale', severity: 'warning', id: s.evidence, file: s.path, message: `${s.path} ${what} after ${s.evidence} was taken`, fix: `review the change, then capture fresh evidence: dynaforge capture --working --into ${id} (or dynaforge reconcile)` });
  }

  // Open concerns: high and critical block a PASS.
  for (const c of facts.openConcerns) {
    findings.push({ kind: 'concern-open', severity: CONCERN_SEVERITY[c.severity], id: c.id, file: `${AUDIT_DIR}/${changeStream(id)}.jsonl`, message: `${c.id} (${c.severity}, ${c.status}) is open: ${clip(c.summary)}`, fix: `deal with it, then \`dynaforge concern resolve ${id}/${c.id} --note "…"\`` });
  }

  // Open questions are clarify's to list; analyze only says how many.
  const open = facts.questions.questions.filter((q) => q.status === 'open');
  if (open.length) findings.push({ kind: 'clarify-open', severity: 'note', file: facts.spec.file, message: `${open.length} open question${open.length === 1 ? '' : 's'} or ambiguity marker${open.length === 1 ? '' : 's'} in the spec (${open.map((q) => q.id).join(', ')})`, fix: `see \`dynaforge clarify ${id}\`` });

  // The constitution's checkable rules.
  const constitution = loadConstitution(ws);
  let rules: EvaluatedRule[] = [];
  if (!constitution) {
    findings.push({ kind: 'constitution-missing', severity: 'note', file: CONSTITUTION_REL, message: 'the project has no constitution, so no rule was checked', fix: 'run `dynaforge init` to restore it' });
  } else {
    inputs[constitution.file] = constitution.hash;
    rules = evaluateConstitution(parseConstitution(constitution.doc), facts);
    for (const r of rules) {
      if (r.result === 'fail') findings.push({ kind: 'constitution-rule', severity: 'error', file: CONSTITUTION_REL, line: r.line, message: `${id} breaks the rule "${clip(r.text)}" (${r.check?.source}): ${r.detail}`, fix: fixFor(r, id) });
      if (r.result === 'invalid') findings.push({ kind: 'constitution-invalid-check', severity: 'warning', file: CONSTITUTION_REL, line: r.line, message: `this rule's check does not parse: ${r.detail}`, fix: 'write it as `check: <name> [<file>] [when risk|maturity|origin <op> <value>]` (docs/formats.md), or remove the span to make it a prose rule' });
    }
  }

  const report = makeReport('analyze', id, findings, inputs, ws.clock.nowIso(), { constitution: { file: CONSTITUTION_REL, present: constitution !== undefined, rules } });
  return { report, facts };
}

function fixFor(r: EvaluatedRule, id: string): string {
  switch (r.check?.name) {
    case 'has-file':
      return r.check.arg === 'impact.md' ? `dynaforge impact ${id}` : `create changes/${id}/${r.check.arg}`;
    case 'impact-for-risk':
      return `dynaforge impact ${id}`;
    case 'no-ambiguity':
      return `dynaforge clarify ${id}, then answer each question with --answer`;
    default:
      return `make ${id} satisfy the rule, or change the rule in ${CONSTITUTION_REL}`;
  }
}

function clip(s: string, max = 100): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** The Markdown sections analyze adds: each constitution rule and how it fared. */
export function analyzeSections(report: AnalyzeReport): string[] {
  const c = report.constitution;
  const lines = ['## Constitution', ''];
  if (!c.present) return [[...lines, `No ${c.file}.`].join('\n')];
  const checked = c.rules.filter((r) => r.result !== 'manual');
  const manual = c.rules.filter((r) => r.result === 'manual');
  lines.push(`Checked mechanically (${checked.length}):`, '');
  if (!checked.length) lines.push('None: no rule carries a `check: …` span.');
  for (const r of checked) lines.push(`- ${c.file}:${r.line} **${r.result}** ${r.text ? `${r.text} ` : ''}(\`${r.check?.source ?? 'check: ?'}\`)${r.detail ? `: ${r.detail}` : ''}`);
  lines.push('', `Not mechanically checkable (${manual.length}); hold the change to them by reading:`, '');
  if (!manual.length) lines.push('None.');
  for (const r of manual) lines.push(`- ${c.file}:${r.line} ${r.text}`);
  return [lines.join('\n')];
}

/** Runs analyze and records it: reports written, one `analysis.recorded` event. */
export async function runAnalyze(ws: Workspace, id: string, actor: Actor, correlationId: string): Promise<{ report: AnalyzeReport; files: { json: string; markdown: string } }> {
  const { report, facts } = await analyzeChange(ws, id);
  const md = renderReportMarkdown(report, facts.change.title, analyzeSections(report));
  const files = await recordReport(ws, report, md, { actor, correlationId });
  return { report, files };
}
