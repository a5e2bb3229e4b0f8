import { DfError } from '../errors';
import { EMPTY_TREE, type GitHistory } from '../repo/gitHistory';

/** What a capture looks at: a commit range, the index, or the working tree (both against HEAD). */
export type CaptureSource =
  | {
      readonly kind: 'range';
      /** The range as the user gave it, e.g. `main..feature`. */
      readonly spec: string;
      /** Full shas: `base` is the merge base of the two ends (= `from` when it is an ancestor). */
      readonly from: string;
      readonly to: string;
      readonly base: string;
    }
  | { readonly kind: 'staged' | 'working'; readonly base: string };

export interface ResolvedSource {
  readonly source: CaptureSource;
  /** Things the user should know that do not stop the capture (detached HEAD, …). */
  readonly warnings: string[];
}

// Whitespace, control characters and DEL: never in a revision a person means to type.
const BAD_CHARS = /[\s\u0000-\u001f\u007f]/u;

/**
 * Refuses a revision that could be taken as an option or is not a plain revision: a
 * leading `-` (`--upload-pack=…`, `-x`), whitespace or control characters. Runs before the
 * text goes anywhere near git; `--end-of-options` is a second line of defence, not the first.
 */
export function validateRev(rev: string, field = '--from'): void {
  const fail = (why: string) => new DfError('usage', `"${printable(rev)}" is not a git revision: ${why}`, 'give a commit, branch or tag, or a range like main..HEAD', { field });
  if (!rev) throw fail('it is empty');
  if (rev.startsWith('-')) throw fail('it starts with "-" and would be read as an option; options are not accepted here');
  if (BAD_CHARS.test(rev)) throw fail('it contains whitespace or control characters');
  if (rev.length > 256) throw fail('it is longer than 256 characters');
}

/** `A..B` (either end may be empty, meaning HEAD), or one revision `A` meaning `A..HEAD`. */
export function splitRange(spec: string): { from: string; to: string } {
  if (spec.startsWith('-')) validateRev(spec);
  if (spec.includes('...')) {
    throw new DfError('usage', `"${printable(spec)}" is a symmetric range (A...B), which capture does not take`, 'give A..B: the commits reachable from B and not from A', { field: '--from' });
  }
  const parts = spec.split('..');
  if (parts.length > 2) throw new DfError('usage', `"${printable(spec)}" is not a range: it has more than one ".."`, 'give a range like main..HEAD', { field: '--from' });
  const from = parts[0] || 'HEAD';
  const to = parts.length === 2 ? parts[1] || 'HEAD' : 'HEAD';
  validateRev(from);
  validateRev(to);
  return { from, to };
}

/** Resolves a user's range to commits, explaining unknown revisions, shallow clones and empty ranges. */
export async function resolveRange(h: GitHistory, spec: string): Promise<ResolvedSource> {
  const ends = splitRange(spec);
  const [from, to] = [await resolveCommit(h, ends.from), await resolveCommit(h, ends.to)];
  const commits = (await h.raw(['rev-list', `${from}..${to}`])).split('\n').map((l) => l.trim()).filter(Boolean);
  await assertWithinShallow(h, spec, commits);
  if (commits.length === 0) {
    throw new DfError('usage', `the range ${printable(spec)} holds no commits (${ends.to} adds nothing to ${ends.from})`, `check the order (A..B lists what B has and A has not), e.g. ${ends.to}..${ends.from}`, { field: '--from' });
  }
  const base = (await h.tryRaw(['merge-base', from, to]))?.trim();
  if (!base) {
    throw new DfError('git', `${ends.from} and ${ends.to} share no history, so "${printable(spec)}" has no common base to diff from`, 'give two revisions of the same history');
  }
  const warnings: string[] = [];
  if (ends.to === 'HEAD' && !(await h.branch())) warnings.push(detachedWarning(to));
  return { source: { kind: 'range', spec, from, to, base }, warnings };
}

/** The index (`staged`) or the working tree (`working`) against HEAD (the empty tree before the first commit). */
export async function resolveLocal(h: GitHistory, kind: 'staged' | 'working'): Promise<ResolvedSource> {
  const head = await h.commitOf('HEAD');
  const warnings: string[] = [];
  if (head && !(await h.branch())) warnings.push(detachedWarning(head));
  if (kind === 'working') {
    const untracked = await h.untrackedFiles();
    if (untracked.length) warnings.push(`${untracked.length} untracked file(s) are not captured (e.g. ${untracked[0]}): \`git add\` them (or \`git add -N\`) and capture again to include them`);
  }
  return { source: { kind, base: head ?? EMPTY_TREE }, warnings };
}

/** A validated revision as a full commit sha, or an error saying what is missing and what to do. */
export async function resolveCommit(h: GitHistory, rev: string): Promise<string> {
  validateRev(rev);
  const sha = await h.commitOf(rev);
  if (sha) return sha;
  if (!(await h.commitOf('HEAD'))) {
    throw new DfError('git', `cannot resolve ${printable(rev)}: this repository has no commits yet`, 'commit first, or capture what is staged with `dynaforge capture --staged`', { field: '--from' });
  }
  if (await h.isShallow()) {
    throw new DfError('git', `cannot resolve ${printable(rev)}: this is a shallow clone and the commit is not in its history`, 'fetch the missing history with `git fetch --unshallow` (or `git fetch --deepen=<n>`), then retry', { field: '--from' });
  }
  throw new DfError('git', `unknown revision ${printable(rev)}: it names no commit in this repository`, 'check it with `git log --oneline`; give a commit, branch or tag (fetch it first if it lives on a remote)', { field: '--from' });
}

/** In a shallow clone, a range that walks into the boundary would silently miss the commits cut off. */
async function assertWithinShallow(h: GitHistory, spec: string, commits: readonly string[]): Promise<void> {
  if (!(await h.isShallow())) return;
  const boundary = await h.shallowBoundary();
  const hit = commits.find((c) => boundary.has(c));
  if (hit) {
    throw new DfError('git', `the range ${printable(spec)} reaches past the history of this shallow clone: commit ${hit.slice(0, 12)} has its parents cut off, so the commits before it are missing`, 'fetch the missing history with `git fetch --unshallow` (or `git fetch --deepen=<n>`), then capture again', { field: '--from' });
  }
}

function detachedWarning(sha: string): string {
  return `HEAD is detached at ${sha.slice(0, 12)}: the captured commits are on no branch and can be lost when you switch away; keep them with \`git switch -c <branch>\``;
}

/** A revision as it can safely be shown: control characters escaped. */
function printable(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}
