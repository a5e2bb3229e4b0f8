import type { Change } from '../schema/change';
import type { DiffEvidence } from '../schema/evidence';
import type { ClaimedCommit } from './trailers';

const MAX_TITLE = 200;

/** The title a capture proposes: the subject of a single commit, else "Capture of N commits: first subject". */
export function draftTitle(commits: readonly ClaimedCommit[], evidence: Pick<DiffEvidence, 'source' | 'files'>): string {
  const first = commits.find((c) => c.subject.trim())?.subject.trim();
  let title: string;
  if (commits.length === 1 && first) title = first;
  else if (commits.length > 1) title = `Capture of ${commits.length} commits${first ? `: ${first}` : ''}`;
  else {
    const what = evidence.source.kind === 'staged' ? 'staged changes' : evidence.source.kind === 'working' ? 'working-tree changes' : 'commits';
    title = `Capture of ${what}: ${evidence.files.length} file${evidence.files.length === 1 ? '' : 's'}`;
  }
  // Control characters never make it into a title (normalizeTitle would refuse them).
  title = title.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  const chars = [...title];
  return chars.length > MAX_TITLE ? `${chars.slice(0, MAX_TITLE - 1).join('')}…` : title;
}

/** One line describing where a capture came from, e.g. "commits main..feature (3)". */
export function describeSource(e: Pick<DiffEvidence, 'source' | 'commits'>): string {
  const s = e.source;
  if (s.kind === 'range') return `${e.commits.length} commit${e.commits.length === 1 ? '' : 's'} in ${s.spec} (${s.base.slice(0, 12)}..${s.to.slice(0, 12)})`;
  return `${s.kind === 'staged' ? 'the staged changes' : 'the working-tree changes'} against ${s.base.slice(0, 12)}`;
}

/**
 * The part of brief.md a capture drafts: where the code came from, the commits with their
 * subjects, and what git saw happen to the files (renames with their old path, deletions,
 * binary files). Goes under the template's "## Problem" heading, or at the end without one.
 */
export function captureBriefSection(e: DiffEvidence): string {
  const lines = [`Captured from code: ${describeSource(e)} (evidence \`evidence.json#${e.id}\`, diff sha256 \`${e.diff_sha256.slice(0, 16)}…\`).`];
  if (e.commits.length) {
    lines.push('', 'Commits:');
    for (const c of e.commits) lines.push(`- ${c.sha.slice(0, 12)} ${c.subject || '(no subject)'}${c.claimed_by.length ? ` (claimed by ${c.claimed_by.join(', ')})` : ''}`);
  }
  const notes = e.files.flatMap((f) => {
    if (f.status === 'renamed' || f.status === 'copied') return [`- \`${f.path}\` ${f.status} from \`${f.old_path ?? '?'}\``];
    if (f.status === 'deleted') return [`- \`${f.path}\` deleted`];
    if (f.binary) return [`- \`${f.path}\` binary (${f.status})`];
    return [];
  });
  if (notes.length) lines.push('', 'Files git reports specially:', ...notes);
  return lines.join('\n');
}

/** Puts `section` in place of the body of `## Problem` (keeping every other part of the user's template). */
export function insertCaptureSection(brief: string, section: string): string {
  const m = /^## Problem[^\n]*\n/m.exec(brief);
  if (!m) return `${brief.replace(/\n*$/, '\n')}\n## Captured from code\n${section}\n`;
  const start = m.index + m[0].length;
  const rest = brief.slice(start);
  const next = /^## /m.exec(rest);
  const end = next ? start + next.index : brief.length;
  return `${brief.slice(0, start)}${section}\n\n${brief.slice(end)}`;
}

/** Ids from `extra` not yet in `list`, appended in order. */
export function union(list: readonly string[], extra: readonly string[]): string[] {
  const out = [...list];
  for (const x of extra) if (!out.includes(x)) out.push(x);
  return out;
}

/** The scope fields a capture adds to a change. */
export function mergeScope(change: Change, add: { paths: readonly string[]; frs: readonly string[]; ws: readonly string[]; tcs: readonly string[] }): Change['scope'] {
  return {
    paths: union(change.scope.paths, add.paths),
    frs: union(change.scope.frs, add.frs),
    ws: union(change.scope.ws, add.ws),
    tcs: union(change.scope.tcs, add.tcs),
  };
}
