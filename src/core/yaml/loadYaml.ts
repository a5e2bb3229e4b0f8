import { isMap, isNode, isScalar, LineCounter, parseDocument, stringify, type Document } from 'yaml';
import type { z } from 'zod';
import { DfError } from '../errors';
import { fieldPath } from '../schema/issues';

/**
 * Parses YAML text and validates it against a zod schema. Syntax errors name the line and
 * column; schema errors name the field path, what was expected, and the line it sits on.
 */
export function parseYamlAs<S extends z.ZodType>(schema: S, text: string, file: string, fix: string): z.infer<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const pos = lineCounter.linePos(err.pos[0]);
    throw new DfError('invalid-yaml', `${file}:${pos.line}:${pos.col}: malformed YAML: ${err.message.split('\n')[0]}`, fix, { file, line: pos.line, column: pos.col });
  }
  const data: unknown = doc.toJS() ?? {};
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0] as z.core.$ZodIssue;
  // An unknown key is the key's own problem: point at it, not at the map that holds it.
  const path = issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...issue.path, issue.keys[0]] : issue.path;
  const where = issue.code === 'unrecognized_keys' ? locateKey(doc, lineCounter, path) : locate(doc, lineCounter, path);
  const field = fieldPath(path);
  const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problem${result.error.issues.length > 2 ? 's' : ''})` : '';
  throw new DfError(
    'invalid-schema',
    `${file}${where ? `:${where.line}:${where.col}` : ''}: field ${field}: ${issue.message}${more}`,
    fix,
    { file, field, ...(where ? { line: where.line, column: where.col } : {}) },
  );
}

/** Line and column of the node at `path`, or of its nearest existing parent. */
function locate(doc: Document, lc: LineCounter, path: readonly PropertyKey[]): { line: number; col: number } | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) return lc.linePos(node.range[0]);
  }
  return undefined;
}

/** Line and column of the key (not the value) at `path`. */
function locateKey(doc: Document, lc: LineCounter, path: readonly PropertyKey[]): { line: number; col: number } | undefined {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1) as unknown[], true) : doc.contents;
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === path[path.length - 1]);
    if (pair && isNode(pair.key) && pair.key.range) return lc.linePos(pair.key.range[0]);
  }
  return locate(doc, lc, path);
}

/** YAML as dynaforge writes it: keys in the order given (schema order), no line folding, LF. */
export function toYaml(value: unknown, header?: string): string {
  const body = stringify(value, { lineWidth: 0, indent: 2, aliasDuplicateObjects: false });
  return header ? `${header}\n${body}` : body;
}
