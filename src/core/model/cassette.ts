import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { canonicalJson } from '../canonical';
import { errnoCode } from '../errors';
import { ioError, readTextIfExists } from '../fs/atomic';
import { withLock } from '../fs/lock';
import { ModelError } from './modelError';
import type { ChatResult, JsonObject } from './modelPort';
import type { RequestSummary } from './requestHash';

/**
 * Cassettes: JSONL, one recorded exchange per line (docs/formats.md, "Model providers"):
 *   {"hash": sha256 of the request, "request": summary for people, "response": {...}}
 * Lines are canonical JSON, appended whole under a lock; when a hash appears twice the later
 * line wins, so re-recording never rewrites the file.
 */
const JsonObjectSchema = z.record(z.string(), z.json());

const EntrySchema = z.strictObject({
  hash: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits (a sha256)'),
  request: z.record(z.string(), z.json()),
  response: z.strictObject({
    text: z.string(),
    tool_calls: z.array(z.strictObject({ id: z.string().min(1), name: z.string().min(1), arguments: JsonObjectSchema })).default([]),
    finish_reason: z.enum(['stop', 'length', 'tool_calls', 'content_filter', 'other']),
    usage: z
      .strictObject({ prompt_tokens: z.number().int().nonnegative(), completion_tokens: z.number().int().nonnegative(), total_tokens: z.number().int().nonnegative() })
      .optional(),
  }),
});

export interface CassetteEntry {
  readonly hash: string;
  readonly request: RequestSummary;
  readonly response: ChatResult;
}

/** Where a cassette lives: `file` to open, `display` (project-relative when possible) to show. */
export interface CassetteFile {
  readonly file: string;
  readonly display: string;
}

function toLine(entry: CassetteEntry): string {
  const r = entry.response;
  return `${canonicalJson({
    hash: entry.hash,
    request: entry.request,
    response: {
      text: r.text,
      tool_calls: r.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })),
      finish_reason: r.finishReason,
      ...(r.usage ? { usage: { prompt_tokens: r.usage.promptTokens, completion_tokens: r.usage.completionTokens, total_tokens: r.usage.totalTokens } } : {}),
    },
  })}\n`;
}

function fromWire(w: z.infer<typeof EntrySchema>): CassetteEntry {
  const r = w.response;
  return {
    hash: w.hash,
    request: w.request as unknown as RequestSummary,
    response: {
      text: r.text,
      toolCalls: r.tool_calls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments as JsonObject })),
      finishReason: r.finish_reason,
      ...(r.usage ? { usage: { promptTokens: r.usage.prompt_tokens, completionTokens: r.usage.completion_tokens, totalTokens: r.usage.total_tokens } } : {}),
    },
  };
}

function invalidLine(c: CassetteFile, line: number, why: string): ModelError {
  return new ModelError(
    'cassette-invalid',
    'invalid-schema',
    `${c.display}:${line}: not a cassette entry: ${why}`,
    `fix or delete line ${line} (each line is one JSON object {hash, request, response}; see docs/formats.md, "Model providers"), or record the cassette again`,
    { file: c.display, line },
  );
}

/** Every entry of the cassette text, validated; blank lines are skipped. */
export function parseCassette(text: string, c: CassetteFile): CassetteEntry[] {
  const entries: CassetteEntry[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      throw invalidLine(c, i + 1, `invalid JSON (${(e as Error).message})`);
    }
    const parsed = EntrySchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalidLine(c, i + 1, issue ? `${issue.path.join('.') || '(the line)'}: ${issue.message}` : 'does not match the entry schema');
    }
    entries.push(fromWire(parsed.data));
  });
  return entries;
}

/** The cassette's entries by hash (the last line for a hash wins); undefined when the file does not exist. */
export function readCassette(c: CassetteFile): Map<string, CassetteEntry> | undefined {
  const text = readTextIfExists(c.file);
  if (text === undefined) return undefined;
  return new Map(parseCassette(text, c).map((e) => [e.hash, e]));
}

/**
 * Appends `entry` as one line, under a cross-process lock on the cassette, in one O_APPEND
 * write: concurrent recorders never interleave or tear lines. With `onlyIfMissing`, an entry
 * for the hash recorded meanwhile by someone else is returned instead (and nothing written),
 * so every process sees the answer a later replay will give. The returned entry is read back
 * from the line written: exactly what replay returns.
 */
export async function appendToCassette(c: CassetteFile, entry: CassetteEntry, onlyIfMissing: boolean): Promise<CassetteEntry> {
  return withLock(c.file, () => {
    const text = readTextIfExists(c.file) ?? '';
    // Refuses to grow a cassette with a bad line: the recording would never replay.
    const existing = parseCassette(text, c);
    if (onlyIfMissing) {
      const found = existing.filter((e) => e.hash === entry.hash).pop();
      if (found) return found;
    }
    const line = toLine(entry);
    appendOnce(c, (text && !text.endsWith('\n') ? '\n' : '') + line);
    return fromWire(EntrySchema.parse(JSON.parse(line)));
  }, c.display);
}

function appendOnce(c: CassetteFile, text: string): void {
  let fd: number | undefined;
  try {
    mkdirSync(dirname(c.file), { recursive: true });
    fd = openSync(c.file, 'a');
    const buf = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } catch (e) {
    throw errnoCode(e) ? ioError('write', c.display, e) : e;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
