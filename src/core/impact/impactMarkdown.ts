import type { Change } from '../schema/change';
import { renderTemplate } from '../store/changeStore';
import type { ImpactReport } from './impact';

/** The sections `impact` fills, by their heading in the impact template. */
export const IMPACT_SECTIONS = ['Affected files', 'Requirements and tests touched', 'Suggested risk tier', 'Conflicts with other open changes'] as const;

/**
 * impact.md: the project's impact template with `{{…}}` filled and the body of each known
 * `## ` section replaced by what was computed. Other sections of a user-edited template stay
 * as they are; a known section missing from it is appended. Same report, same bytes.
 */
export function renderImpact(template: string, change: Change, r: ImpactReport): string {
  const bodies: Record<(typeof IMPACT_SECTIONS)[number], string> = {
    'Affected files': affected(r),
    'Requirements and tests touched': traced(r),
    'Suggested risk tier': risk(r),
    'Conflicts with other open changes': conflicts(r),
  };
  let text = renderTemplate(template, change).replace(/\r\n/g, '\n');
  for (const name of IMPACT_SECTIONS) text = fillSection(text, name, bodies[name]);
  return `${text.replace(/\n*$/, '')}\n`;
}

function fillSection(text: string, heading: string, body: string): string {
  const re = new RegExp(`^## ${heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[ \\t]*\\n`, 'mi');
  const m = re.exec(text);
  if (!m) return `${text.replace(/\n*$/, '')}\n\n## ${heading}\n\n${body}\n`;
  const start = m.index + m[0].length;
  const next = /^## /m.exec(text.slice(start));
  const end = next ? start + next.index : text.length;
  return `${text.slice(0, start)}\n${body}\n${next ? '\n' : ''}${text.slice(end)}`;
}

function affected(r: ImpactReport): string {
  const lines: string[] = [];
  if (r.files.length === 0 && r.unmatched.length === 0) lines.push('(no scope paths yet: add some with `dynaforge capture` or to scope.paths in change.yaml)');
  for (const f of r.files) lines.push(`- \`${f}\``);
  for (const u of r.unmatched) lines.push(`- \`${u}\` (in scope, but no tracked file matches: deleted, or not created yet)`);
  lines.push('', 'Files that historically change with them (commits shared with the scope, at least 2):', '');
  if (r.co_changes.length === 0) lines.push('(none found in the git history)');
  for (const c of r.co_changes) lines.push(`- \`${c.path}\` (${c.commits} commits)`);
  return lines.join('\n');
}

function traced(r: ImpactReport): string {
  const row = (label: string, ids: readonly string[]) => `- ${label}: ${ids.length ? ids.join(', ') : '(none)'}`;
  return [row('Requirements', r.frs), row('Workstreams', r.ws), row('Test cases', r.tcs), row('Test files in scope', r.tests.map((t) => `\`${t}\``))].join('\n');
}

function risk(r: ImpactReport): string {
  const verdict = r.risk.suggested === r.risk.recorded ? `**${r.risk.suggested}** (as recorded)` : `**${r.risk.suggested}** (recorded: ${r.risk.recorded}; change it in change.yaml if you agree)`;
  return [`Suggested: ${verdict}`, '', ...r.risk.reasons.map((x) => `- ${x}`)].join('\n');
}

function conflicts(r: ImpactReport): string {
  const lines: string[] = [];
  if (r.conflicts.length === 0) lines.push('None: no other open change touches these files or requirements.');
  for (const c of r.conflicts) {
    const what = [c.files.length ? `files ${c.files.map((f) => `\`${f}\``).join(', ')}` : '', c.frs.length ? `requirements ${c.frs.join(', ')}` : ''].filter(Boolean).join('; ');
    lines.push(`- ${c.id} (${c.title}): ${what}`);
  }
  if (r.problems.length) lines.push('', 'Not checked (their change.yaml does not load):', ...r.problems.map((p) => `- ${p}`));
  return lines.join('\n');
}
