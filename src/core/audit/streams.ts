import { join } from 'node:path';
import { sha256 } from '../canonical';

/**
 * The audit log is a set of independent hash chains ("streams"), one file each, so that
 * two branches working on different changes append to different files and git merges them
 * without conflict (docs/formats.md, "Audit layout"):
 *
 *   audit/changes/CH-012.jsonl           everything about one change
 *   audit/project/<branch>.<actor>.jsonl project-wide events, one file per branch and person
 *
 * Beside each stream a `.head` file records the last seq and hash, so that deleting the
 * last line of a stream is detected too (a chain alone cannot see a truncated tail).
 */
export const AUDIT_DIR = 'audit';

export function changeStream(chId: string): string {
  return `changes/${chId}`;
}

export function projectStream(branch: string, actorId: string): string {
  return `project/${slug(branch) || 'local'}.${slug(actorId) || 'anonymous'}`;
}

export function streamFile(auditDir: string, stream: string): string {
  return join(auditDir, `${stream}.jsonl`);
}

export function headFile(auditDir: string, stream: string): string {
  return join(auditDir, `${stream}.head`);
}

/** The `prev` of a stream's first event: binds the chain to its stream, so events cannot move between files unnoticed. */
export function genesisHash(stream: string): string {
  return sha256(`dynaforge-audit-v1\n${stream}`);
}

/** Lowercase ASCII, digits, `-` and `_` only; other runs become one `-`. */
export function slug(text: string): string {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
}
