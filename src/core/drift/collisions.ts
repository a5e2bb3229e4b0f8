import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { streamFile, changeStream } from '../audit/streams';
import type { DfError } from '../errors';
import { readTextIfExists } from '../fs/atomic';
import type { Layout } from '../repo/layout';
import { CHANGE_ID_RE } from '../schema/ids';
import { fingerprint, type Finding } from './model';

const CREATED = '"type":"change.created"';
const MARKER = /^<{7}(?: |$)/m;

/**
 * Two changes with one id (DESIGN.md §5), as a merge of two branches leaves them: a change
 * stream holding two `change.created` events (two histories under one id), a change.yaml
 * with conflict markers whose sides were created at different times, or a folder whose
 * change.yaml names another existing change.
 */
export function idCollisions(layout: Layout, ids: readonly string[], problems: readonly DfError[]): Finding[] {
  const out: Finding[] = [];
  const known = new Set(ids);
  for (const id of ids) {
    const streamRel = `audit/${changeStream(id)}.jsonl`;
    const stream = readTextIfExists(streamFile(layout.auditDir, changeStream(id)));
    const creations = stream ? countOf(stream, CREATED) : 0;
    const yamlRel = `changes/${id}/change.yaml`;
    const yaml = readTextIfExists(join(layout.changesDir, id, 'change.yaml'));
    const sides = yaml && MARKER.test(yaml) ? createdPerSide(yaml) : [];
    if (creations > 1 || new Set(sides).size > 1) {
      const why = creations > 1 ? `${streamRel} records ${creations} creations of ${id}` : `${yamlRel} holds two versions created at ${sides.join(' and ')}`;
      out.push(collision(id, `${id} names two different changes (${why}): two branches each made a ${id} and were merged`, creations > 1 ? streamRel : yamlRel));
    }
  }
  for (const p of problems) {
    const m = /field id is (CH-\d+) but the folder is (CH-\d+)/.exec(p.message);
    if (m && known.has(m[1] as string)) {
      out.push(collision(m[1] as string, `changes/${m[2]}/change.yaml says it is ${m[1]}, and changes/${m[1]}/ exists too`, `changes/${m[2]}/change.yaml`));
    }
  }
  return out;
}

function collision(id: string, message: string, file: string): Finding {
  return {
    key: `id-collision:${id}`,
    kind: 'id-collision',
    severity: 'error',
    ch_id: id,
    message,
    file,
    fix: `keep one change under ${id}; recreate the other with \`dynaforge new\` (or \`dynaforge capture --from <its commits>\`) and move its artifacts there, then restore audit/${changeStream(id)}.jsonl to the kept change's history (git checkout <its branch> -- audit/${changeStream(id)}.jsonl)`,
    fingerprint: fingerprint(message),
    actions: [],
    target: { type: 'none' },
  };
}

function countOf(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}

/** The `created:` value of each side of the conflict blocks of a change.yaml. */
function createdPerSide(yaml: string): string[] {
  const sides: string[] = [];
  let side: string[] | undefined;
  for (const line of yaml.split(/\r?\n/)) {
    if (/^<{7}/.test(line) || /^={7}$/.test(line)) side = [];
    else if (/^>{7}/.test(line)) side = undefined;
    const m = side && /^created:\s*['"]?([^'"\s]+)/.exec(line);
    if (m) sides.push(m[1] as string);
  }
  return sides;
}

/** Change folders present on disk (including ones whose change.yaml does not load). */
export function changeFolders(layout: Layout): string[] {
  try {
    return readdirSync(layout.changesDir).filter((d) => CHANGE_ID_RE.test(d)).sort();
  } catch {
    return [];
  }
}
