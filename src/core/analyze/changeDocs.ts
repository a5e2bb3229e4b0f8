import { join } from 'node:path';
import { parseArtifact } from '../artifacts/frontMatter';
import { sha256 } from '../canonical';
import { DfError } from '../errors';
import { readTextIfExists } from '../fs/atomic';
import { changeDir } from '../repo/layout';
import type { Workspace } from '../workspace';
import { bodyFirstLine, parseDoc, type MdDoc } from './markdown';

/** A Markdown artifact of a change as the analysis commands read it. */
export interface LoadedDoc {
  /** Repository-relative path. */
  readonly file: string;
  /** The whole file, front matter included. */
  readonly text: string;
  readonly hash: string;
  /** The body, with file line numbers. */
  readonly doc: MdDoc;
}

/**
 * Reads `changes/CH-###/<name>`, or undefined when it does not exist. Front matter that does
 * not parse is an error naming the file and line (parseArtifact), before anything is written.
 */
export function loadChangeDoc(ws: Workspace, id: string, name: string): LoadedDoc | undefined {
  const file = ws.store.relFile(id, name);
  const text = readTextIfExists(join(changeDir(ws.layout, id), name));
  if (text === undefined) return undefined;
  const { body } = parseArtifact(text, file);
  return { file, text, hash: sha256(text), doc: parseDoc(body, bodyFirstLine(text, body)) };
}

/** The change's spec.md; its absence is an error saying how to create it. */
export function requireSpec(ws: Workspace, id: string, command: string): LoadedDoc {
  const spec = loadChangeDoc(ws, id, 'spec.md');
  if (spec) return spec;
  const file = ws.store.relFile(id, 'spec.md');
  throw new DfError('not-found', `${command} needs a spec, and ${id} has none (no ${file})`, `create it with \`dynaforge spec ${id}\`, write the requirements and acceptance criteria, then run \`dynaforge ${command} ${id}\` again`, { file });
}

/** The constitution, when the project has one (`.dynaforge/memory/constitution.md`). */
export function loadConstitution(ws: Workspace): LoadedDoc | undefined {
  const text = readTextIfExists(ws.layout.constitutionFile);
  if (text === undefined) return undefined;
  return { file: CONSTITUTION_REL, text, hash: sha256(text), doc: parseDoc(text) };
}

export const CONSTITUTION_REL = '.dynaforge/memory/constitution.md';
