import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { glob } from 'tinyglobby';
import { CONFIG_REL } from '../config/loadConfig';
import { DfError, errnoCode } from '../errors';
import { ioError } from '../fs/atomic';
import type { Config } from '../schema/config';

export type TraceKind = 'fr' | 'ws' | 'tc';
export type TraceSourceConfig = Config['trace']['sources'][number];

/** A place in the repository: a repository-relative path (forward slashes) and a 1-based line. */
export interface Location {
  readonly file: string;
  readonly line: number;
}

/** One id found on one line of a source file. */
export interface IdOccurrence extends Location {
  readonly kind: TraceKind;
  readonly id: string;
  /** For `fr` and `ws`: the rest of the line after the id, as a title (`## FR-1: Login` → `Login`). */
  readonly text: string;
  /** For `ws` and `tc`: the other FR ids on the same line (a test name saying what it verifies). */
  readonly mentions: readonly string[];
}

/** A trace source with its pattern compiled. */
export interface CompiledSource {
  readonly index: number;
  readonly kind: TraceKind;
  readonly globs: readonly string[];
  readonly pattern: RegExp;
}

/** Never scanned, whatever the globs say: dependencies, git internals, ephemeral implementer runs. */
export const IGNORED_DIRS = ['**/node_modules/**', '**/.git/**', 'artifacts/work/**', 'tests/results/**'];

/** An FR id mentioned anywhere in a line; it ends on a word character, so `FR-1.` at a sentence end is `FR-1`. */
export const FR_MENTION = /\bFR-[\w.-]*\w/g;

/** Compiles every `trace.sources[i].pattern`; an invalid one is an error naming the config file and field. */
export function compileSources(sources: readonly TraceSourceConfig[]): CompiledSource[] {
  return sources.map((s, index) => {
    let pattern: RegExp;
    try {
      pattern = new RegExp(s.pattern, 'g');
    } catch (e) {
      const why = e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e);
      throw new DfError(
        'invalid-schema',
        `${CONFIG_REL}: trace.sources[${index}].pattern is not a valid regular expression (${why})`,
        `fix trace.sources[${index}].pattern in ${CONFIG_REL}: JavaScript regex syntax, matched line by line; the id is its first capture group, else the whole match`,
        { file: CONFIG_REL, field: `trace.sources[${index}].pattern` },
        { cause: e },
      );
    }
    return { index, kind: s.kind, globs: [...s.globs], pattern };
  });
}

/**
 * Every id `source` finds in `text` (the content of `file`), line by line. The id is the
 * pattern's first capture group when it took part in the match, else the whole match;
 * trailing `.` and `-` are dropped (`TC-7.` is `TC-7`). Empty matches are skipped.
 */
export function extractIds(text: string, file: string, source: CompiledSource): IdOccurrence[] {
  const out: IdOccurrence[] = [];
  const re = new RegExp(source.pattern.source, source.pattern.flags.includes('g') ? source.pattern.flags : `${source.pattern.flags}g`);
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    re.lastIndex = 0;
    for (let m = re.exec(line); m; m = re.exec(line)) {
      if (m[0] === '') {
        re.lastIndex += 1; // a pattern that can match nothing must still move on
        continue;
      }
      const id = cleanId(m[1] ?? m[0]);
      if (!id) continue;
      const after = line.slice(m.index + m[0].length);
      out.push({
        kind: source.kind,
        id,
        file,
        line: i + 1,
        text: source.kind === 'tc' ? '' : titleFrom(after),
        mentions: source.kind === 'fr' ? [] : frMentions(line, id),
      });
    }
  });
  return out;
}

/** Globs and reads every source's files under `root`; occurrences in source, file, line order. */
export async function scanSources(root: string, sources: readonly TraceSourceConfig[]): Promise<IdOccurrence[]> {
  const compiled = compileSources(sources);
  const texts = new Map<string, Promise<string | undefined>>();
  const out: IdOccurrence[] = [];
  for (const source of compiled) {
    const files = (await glob([...source.globs], { cwd: root, ignore: IGNORED_DIRS, onlyFiles: true, followSymbolicLinks: false, expandDirectories: false })).sort();
    for (let i = 0; i < files.length; i += 64) {
      const batch = files.slice(i, i + 64);
      const read = await Promise.all(
        batch.map((f) => {
          if (!texts.has(f)) texts.set(f, readSourceText(root, f));
          return texts.get(f) as Promise<string | undefined>;
        }),
      );
      batch.forEach((f, j) => {
        const text = read[j];
        if (text !== undefined) out.push(...extractIds(text, f, source));
      });
    }
  }
  return out;
}

/** A source file's text; undefined for binary files (a NUL byte in the first 8 KiB) and files gone since the glob. */
async function readSourceText(root: string, rel: string): Promise<string | undefined> {
  let buf: Buffer;
  try {
    buf = await readFile(join(root, rel));
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'EISDIR') return undefined;
    throw ioError('read', rel, e);
  }
  if (buf.subarray(0, 8192).includes(0)) return undefined;
  return buf.toString('utf8');
}

function cleanId(raw: string): string {
  return raw.trim().replace(/[.-]+$/, '');
}

/** `: Login works ##` → `Login works`: separators before, Markdown closing hashes after. */
function titleFrom(rest: string): string {
  return rest.replace(/^[\s:.)\]–—-]+/, '').replace(/\s+#+\s*$/, '').trim();
}

function frMentions(line: string, self: string): string[] {
  const found = new Set<string>();
  for (const m of line.matchAll(FR_MENTION)) if (m[0] !== self) found.add(m[0]);
  return [...found];
}
