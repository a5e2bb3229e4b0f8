import { join } from 'node:path';
import { parseArtifact } from '../artifacts/frontMatter';
import { parseTasks } from '../artifacts/tasksFormat';
import { readEvidence } from '../capture/evidenceStore';
import { isDfError } from '../errors';
import { readTextIfExists } from '../fs/atomic';
import { ARTIFACT_TEMPLATES } from '../init/init';
import { changeDir, type Layout } from '../repo/layout';
import { STAGES, type Change, type Stage } from '../schema/change';
import type { Config } from '../schema/config';
import { approvalState, stageApprover, unmetGates } from '../status/lifecycle';
import { fingerprint, type Finding } from './model';

const DERIVABLE = new Set(['spec', 'plan', 'tasks', 'impact']);

/**
 * What one change's own files say about drift and validity: artifacts derived from sources
 * that moved on (artifact stale), approvals whose artifacts changed (approval stale), files
 * that do not parse (invalid) and approvals recorded past an unmet gate (gate violation).
 * `artifacts` is name → sha256 of the files as they are now (ChangeStore.artifacts).
 */
export function changeFindings(layout: Layout, config: Config, change: Change, artifacts: Readonly<Record<string, string>>): Finding[] {
  const out: Finding[] = [];
  const rel = (name: string) => `changes/${change.id}/${name}`;
  for (const name of ARTIFACT_TEMPLATES) {
    const file = `${name}.md`;
    if (!(file in artifacts)) continue;
    const text = readTextIfExists(join(changeDir(layout, change.id), file)) ?? '';
    let parsed: ReturnType<typeof parseArtifact>;
    try {
      parsed = parseArtifact(text, rel(file));
    } catch (e) {
      if (!isDfError(e)) throw e;
      out.push(invalid(change.id, `${file}:front-matter`, e.message, e.fix, rel(file), e.where.line));
      continue;
    }
    if (parsed.meta && parsed.meta.change !== change.id) {
      out.push(invalid(change.id, `${file}:change`, `${rel(file)} says it belongs to ${parsed.meta.change}`, `set dynaforge.change to ${change.id} in its front matter (or move the file to changes/${parsed.meta.change}/)`, rel(file), 3));
    }
    if (name === 'tasks') {
      for (const p of parseTasks(parsed.body).problems) {
        out.push(invalid(change.id, `tasks.md:${p.line + parsed.bodyOffset}`, `${rel(file)}:${p.line + parsed.bodyOffset}: ${p.message}`, `fix the line to the tasks.md format (docs/formats.md), or make it plain text`, rel(file), p.line + parsed.bodyOffset));
      }
    }
    const from = parsed.meta?.derived_from ?? {};
    const moved = Object.entries(from).filter(([src, hash]) => artifacts[src] !== hash).map(([src]) => src);
    if (moved.length) {
      const gone = moved.filter((src) => !(src in artifacts));
      const now = Object.fromEntries(Object.keys(from).map((src) => [src, artifacts[src] ?? null]));
      out.push({
        key: `artifact-stale:${change.id}:${file}`,
        kind: 'artifact-stale',
        severity: 'warning',
        ch_id: change.id,
        message: `${file} was derived from ${moved.join(' and ')}, which ${moved.length > 1 ? 'have' : 'has'} changed since${gone.length ? ` (${gone.join(', ')} deleted)` : ''}`,
        file: rel(file),
        line: 1,
        fix: DERIVABLE.has(name) ? `dynaforge reconcile ${change.id} --apply regenerate, or review ${file} and accept it` : `review ${file}, then accept it`,
        fingerprint: fingerprint(artifacts[file], now),
        actions: DERIVABLE.has(name) ? ['regenerate', 'accept'] : ['accept'],
        target: { type: 'artifact', artifact: name },
      });
    }
  }
  if ('evidence.json' in artifacts) {
    try {
      readEvidence(layout, change.id);
    } catch (e) {
      if (!isDfError(e)) throw e;
      out.push(invalid(change.id, 'evidence.json', e.message, e.fix, rel('evidence.json')));
    }
  }
  out.push(...staleApprovals(change, artifacts), ...gateViolations(config, change, artifacts));
  return out;
}

function invalid(chId: string, subject: string, message: string, fix: string, file: string, line?: number): Finding {
  return { key: `invalid:${chId}:${subject}`, kind: 'invalid', severity: 'error', ch_id: chId, message, file, ...(line ? { line } : {}), fix, fingerprint: fingerprint(message), actions: [], target: { type: 'none' } };
}

/** The latest decision per stage and sub-scope that approved artifacts which have changed since. */
function staleApprovals(change: Change, artifacts: Readonly<Record<string, string>>): Finding[] {
  const latest = new Map(change.approvals.map((a) => [`${a.stage}\u0000${a.sub_scope ?? ''}`, a]));
  const out: Finding[] = [];
  for (const a of latest.values()) {
    const st = approvalState(a, artifacts, change.maturity_level);
    if (st.current || a.decision !== 'approved') continue;
    const label = `${a.stage}${a.sub_scope ? ` [${a.sub_scope}]` : ''}`;
    out.push({
      key: `approval-stale:${change.id}:${a.stage}${a.sub_scope ? `:${a.sub_scope}` : ''}`,
      kind: 'approval-stale',
      severity: 'warning',
      ch_id: change.id,
      message: `the ${label} approval by ${a.by} is stale: ${st.changed.join(', ')} changed since ${a.at}`,
      file: `changes/${change.id}/${st.changed[0] ?? 'change.yaml'}`,
      fix: `review the changes, then dynaforge approve ${change.id} --stage ${a.stage}${a.sub_scope ? ` --scope ${a.sub_scope}` : ''} (or deny it)`,
      fingerprint: fingerprint(a.at, a.by, st.changed.map((f) => artifacts[f] ?? null)),
      actions: ['re-approve'],
      target: { type: 'approval', stage: a.stage, ...(a.sub_scope ? { sub_scope: a.sub_scope } : {}) },
    });
  }
  return out;
}

/**
 * Approvals that could not have passed their gate: a stage approved before the stages its
 * gate requires had been approved (a hand-edited change.yaml), a Package approval without
 * the verdict its gate asks for, a change marked merged while its merge gate is unmet.
 */
function gateViolations(config: Config, change: Change, artifacts: Readonly<Record<string, string>>): Finding[] {
  if (change.status === 'abandoned') return [];
  const out: Finding[] = [];
  const seen = new Set<Stage>();
  const violation = (subject: string, message: string, fix: string): Finding => ({
    key: `gate-violation:${change.id}:${subject}`,
    kind: 'gate-violation',
    severity: 'error',
    ch_id: change.id,
    message,
    file: `changes/${change.id}/change.yaml`,
    fix,
    fingerprint: fingerprint(message),
    actions: [],
    target: { type: 'none' },
  });
  for (const a of change.approvals) {
    if (a.decision !== 'approved' || a.sub_scope) continue;
    const unmet = unmetGates(a.stage, change, (s) => seen.has(s), config).filter((g) => !g.includes('verdict'));
    if (unmet.length) out.push(violation(`${a.stage}@${a.at}`, `${a.stage} was approved by ${a.by} at ${a.at} before its gate was met: ${unmet.join('; ')}`, `deny ${a.stage} (dynaforge deny ${change.id} --stage ${a.stage} --note …) and approve it again once the gate is met`));
    seen.add(a.stage);
  }
  const approved = stageApprover(change, artifacts);
  for (const stage of STAGES) {
    if (!approved(stage)) continue;
    const verdictGaps = unmetGates(stage, change, approved, config).filter((g) => g.includes('verdict'));
    if (verdictGaps.length) out.push(violation(`${stage}:verdict`, `${stage} is approved but ${verdictGaps.join('; ')}`, 'run the Tester to record a verdict (or record a waiver), then approve again'));
  }
  if (change.status === 'merged') {
    const unmet = unmetGates('merge', change, approved, config);
    if (unmet.length) out.push(violation('merge', `${change.id} is marked merged but ${unmet.join('; ')}`, `approve what the gate needs, or set status back to open in changes/${change.id}/change.yaml`));
  }
  return out;
}
