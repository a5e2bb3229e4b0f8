import { closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { glob } from 'tinyglobby';
import { canonicalJson, sha256 } from '../canonical';
import { DfError, errnoCode } from '../errors';
import { writeFileAtomicSync } from '../fs/atomic';
import { withLock } from '../fs/lock';
import type { Clock } from '../ports/clock';
import { AUDIT_EVENT_VERSION, AuditEventSchema, type AuditEvent, type AuditEventInput } from '../schema/audit';
import { describeIssue } from '../schema/issues';
import { changeStream, genesisHash, headFile, streamFile } from './streams';
import { checkStream, eventHash, isRepairable, type AuditProblem, type StreamHead } from './verify';

export interface AuditLogOptions {
  /** Repository root; file names in messages are relative to it. */
  readonly root: string;
  /** Absolute path of the audit folder (normally `<root>/audit`). */
  readonly auditDir: string;
  /** Folder for lock files (gitignored, normally `.dynaforge/state/locks`). */
  readonly lockDir: string;
  readonly clock: Clock;
  /** Stream for events without a change id (see streams.ts). */
  readonly projectStream: string;
}

export interface StreamReport {
  readonly stream: string;
  readonly file: string;
  readonly events: number;
  readonly problem?: AuditProblem;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly events: number;
  readonly streams: readonly StreamReport[];
}

export interface RepairAction {
  readonly stream: string;
  readonly file: string;
  readonly action: 'moved-torn-tail' | 'fixed-head';
  readonly moved_to?: string;
  readonly torn_bytes?: number;
  readonly torn_sha256?: string;
}

/**
 * The append-only, hash-chained audit log (DESIGN.md §2.4). Appends to one stream are
 * serialised by a cross-process lock and land in a single write, so events from concurrent
 * processes never interleave or get lost.
 */
export class AuditLog {
  constructor(private readonly opts: AuditLogOptions) {}

  streamOf(chId: string | undefined): string {
    return chId ? changeStream(chId) : this.opts.projectStream;
  }

  /** Appends one event (to its change's stream, or the project stream) and returns it as written. */
  async append(input: AuditEventInput): Promise<AuditEvent> {
    const [event] = await this.appendMany([input]);
    return event as AuditEvent;
  }

  /** Appends events in order; those of one stream go in one locked write. */
  async appendMany(inputs: readonly AuditEventInput[]): Promise<AuditEvent[]> {
    // Check every event before writing any: the streams are written one after the other, so an
    // invalid event found only at its own stream's turn would leave the earlier streams written.
    const ts = this.opts.clock.nowIso();
    for (const input of inputs) buildEvent(input, 1, ts, genesisHash(this.streamOf(input.ch_id)));
    const byStream = new Map<string, AuditEventInput[]>();
    for (const input of inputs) {
      const s = this.streamOf(input.ch_id);
      byStream.set(s, [...(byStream.get(s) ?? []), input]);
    }
    const written = new Map<AuditEventInput, AuditEvent>();
    for (const [stream, group] of byStream) {
      const events = await this.appendToStream(stream, group);
      group.forEach((input, i) => written.set(input, events[i] as AuditEvent));
    }
    return inputs.map((i) => written.get(i) as AuditEvent);
  }

  /** Throws `audit-readonly` when the audit folder (or this stream's file) is marked read-only. */
  assertWritable(chId?: string): void {
    const stream = this.streamOf(chId);
    const candidates = [this.opts.auditDir, dirname(streamFile(this.opts.auditDir, stream)), streamFile(this.opts.auditDir, stream)];
    for (const p of candidates) {
      let mode: number;
      try {
        mode = statSync(p).mode;
      } catch (e) {
        if (errnoCode(e) === 'ENOENT') continue;
        throw this.readonlyError(p, e);
      }
      // The owner-write bit is honoured even for root: a folder made read-only on purpose stays so.
      if ((mode & 0o200) === 0) throw this.readonlyError(p);
    }
  }

  private async appendToStream(stream: string, inputs: readonly AuditEventInput[]): Promise<AuditEvent[]> {
    const file = streamFile(this.opts.auditDir, stream);
    const lockPath = join(this.opts.lockDir, 'audit', stream);
    return withLock(lockPath, () => {
      this.assertWritable(inputs[0]?.ch_id);
      const tip = this.readTip(stream, file);
      let prev = tip.hash;
      let seq = tip.seq;
      const ts = this.opts.clock.nowIso();
      const events: AuditEvent[] = inputs.map((input) => {
        seq += 1;
        const event = buildEvent(input, seq, ts, prev);
        prev = event.hash;
        return event;
      });
      const text = events.map((e) => `${canonicalJson(e)}\n`).join('');
      // A new stream gets its head (at the genesis) before any line: a crash mid-batch then
      // leaves a head behind the file (repairable), never a stream without a head.
      if (tip.seq === 0) this.writeHead(stream, { seq: 0, hash: tip.hash });
      this.writeAppend(file, text);
      const last = events[events.length - 1] as AuditEvent;
      this.writeHead(stream, last);
      return events;
    }, this.rel(file));
  }

  private writeHead(stream: string, tip: StreamHead): void {
    const file = headFile(this.opts.auditDir, stream);
    writeFileAtomicSync(file, `${canonicalJson({ hash: tip.hash, seq: tip.seq })}\n`, this.rel(file));
  }

  private writeAppend(file: string, text: string): void {
    let fd: number | undefined;
    try {
      mkdirSync(dirname(file), { recursive: true });
      fd = openSync(file, 'a');
      const buf = Buffer.from(text, 'utf8');
      // One write call: O_APPEND makes it land after every earlier append, whole.
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      fsyncSync(fd);
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw this.readonlyError(file, e);
      throw new DfError('io', `cannot append to ${this.rel(file)}: ${code ?? String(e)}`, 'check disk space and permissions, then retry', { file: this.rel(file) }, { cause: e });
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /** seq and hash of the stream's last event, refusing to build on a damaged tail. */
  private readTip(stream: string, file: string): StreamHead {
    if (!existsSync(file)) {
      const head = this.readHead(stream);
      // A genesis head (seq 0) with no file is an empty stream: the first append died between the two writes.
      if (head === null || (head !== undefined && head.seq > 0)) {
        throw new DfError('audit-corrupt', `${this.rel(file)} is missing but its .head file exists: the stream was deleted`, `restore it from git (\`git checkout -- ${this.rel(file)}\`), then run \`dynaforge audit verify\``, { file: this.rel(file) });
      }
      return { seq: 0, hash: genesisHash(stream) };
    }
    const tail = readTail(file);
    if (tail.torn) {
      throw new DfError('audit-torn', `${this.rel(file)} ends in a torn line (a write was cut off, e.g. by a crash)`, 'run `dynaforge audit repair` to move the torn bytes aside (they are kept) and continue', { file: this.rel(file) });
    }
    if (tail.lastLine === undefined) return { seq: 0, hash: genesisHash(stream) };
    let last: { seq?: unknown; hash?: unknown };
    try {
      last = JSON.parse(tail.lastLine) as { seq?: unknown; hash?: unknown };
    } catch {
      throw this.corrupt(file);
    }
    if (typeof last.seq !== 'number' || typeof last.hash !== 'string') throw this.corrupt(file);
    // Never build on an edited last event: its content must still match its hash.
    if (canonicalJson(last) !== tail.lastLine || eventHash(last as unknown as AuditEvent) !== last.hash) throw this.corrupt(file);
    const head = this.readHead(stream);
    if (head === null) throw this.corrupt(file);
    if (head === undefined || !(head.seq === last.seq && head.hash === last.hash)) {
      // A head behind the file is crash damage only if the lines after it chain correctly:
      // check the whole stream (rare path) before overwriting the head with the new tip.
      const problem = this.verifyStream(stream).problem;
      if (problem?.kind !== 'head-lags') throw this.corrupt(file);
    }
    return { seq: last.seq, hash: last.hash };
  }

  private readHead(stream: string): StreamHead | null | undefined {
    const p = headFile(this.opts.auditDir, stream);
    let text: string;
    try {
      text = readFileSync(p, 'utf8');
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return undefined;
      return null;
    }
    try {
      const h = JSON.parse(text) as { seq?: unknown; hash?: unknown };
      return typeof h.seq === 'number' && typeof h.hash === 'string' ? { seq: h.seq, hash: h.hash } : null;
    } catch {
      return null;
    }
  }

  /** All stream ids present on disk, sorted. */
  async streams(): Promise<string[]> {
    const files = await glob(['changes/*.jsonl', 'project/*.jsonl', 'changes/*.head', 'project/*.head'], { cwd: this.opts.auditDir, onlyFiles: true });
    return [...new Set(files.map((f) => f.replace(/\.(jsonl|head)$/, '')))].sort();
  }

  /**
   * The events of one stream, in order, for folding state (concerns). It checks only that
   * each line is JSON (`audit-corrupt` naming the line otherwise); `verify` is the full check.
   */
  read(stream: string): AuditEvent[] {
    const file = streamFile(this.opts.auditDir, stream);
    if (!existsSync(file)) return [];
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    lines.pop();
    return lines.map((line, i) => {
      try {
        return JSON.parse(line) as AuditEvent;
      } catch {
        throw new DfError('audit-corrupt', `${this.rel(file)} line ${i + 1} is not valid JSON`, 'run `dynaforge audit verify` to see the damage; restore the file from git', { file: this.rel(file), line: i + 1 });
      }
    });
  }

  /** Verifies every stream (or the given ones): chains, hashes, schema, heads. */
  async verify(streams?: readonly string[]): Promise<VerifyReport> {
    const ids = streams ?? (await this.streams());
    const reports = ids.map((stream) => this.verifyStream(stream));
    return { ok: reports.every((r) => !r.problem), events: reports.reduce((n, r) => n + r.events, 0), streams: reports };
  }

  verifyStream(stream: string): StreamReport {
    const file = streamFile(this.opts.auditDir, stream);
    const rel = this.rel(file);
    if (!existsSync(file)) {
      const head = this.readHead(stream);
      return head && head.seq > 0 ? { stream, file: rel, events: 0, problem: { line: 1, kind: 'truncated', message: `the stream file is missing but its head records ${head.seq} events` } } : { stream, file: rel, events: 0 };
    }
    const check = checkStream(stream, readFileSync(file), this.readHead(stream));
    return { stream, file: rel, events: check.events, ...(check.problem ? { problem: check.problem } : {}) };
  }

  /**
   * Repairs crash damage only: a torn last line is moved aside into `audit/quarantine/`
   * (kept, never dropped) and a head left behind by a crash is brought forward. Each repair
   * is itself an `audit.repaired` event. Any other damage is refused: it needs a human.
   */
  async repair(actor: AuditEventInput['actor'], correlationId: string, streams?: readonly string[]): Promise<RepairAction[]> {
    const actions: RepairAction[] = [];
    for (const stream of streams ?? (await this.streams())) {
      const file = streamFile(this.opts.auditDir, stream);
      const report = this.verifyStream(stream);
      if (!report.problem) continue;
      if (!isRepairable(report.problem.kind)) {
        throw new DfError('audit-corrupt', `${report.file} line ${report.problem.line}: ${report.problem.message}`, `this is not crash damage, so repair will not touch it: restore the file from git (\`git checkout -- ${report.file}\`) or investigate who changed it`, { file: report.file, line: report.problem.line });
      }
      const chId = stream.startsWith('changes/') ? stream.slice('changes/'.length) : undefined;
      const kind = report.problem.kind;
      const action = await withLock(join(this.opts.lockDir, 'audit', stream), (): RepairAction => {
        if (kind !== 'torn-tail') return { stream, file: report.file, action: 'fixed-head' };
        // Bytes, not text: a tail cut mid-character is not valid UTF-8 and must be kept exactly as it is.
        const bytes = readFileSync(file);
        const cut = bytes.lastIndexOf(0x0a) + 1;
        const torn = bytes.subarray(cut);
        const tornSha = sha256(torn);
        const q = join(this.opts.auditDir, 'quarantine', `${stream.replace('/', '__')}.line-${report.problem?.line}.${tornSha.slice(0, 12)}.torn`);
        writeFileAtomicSync(q, torn, this.rel(q));
        // Truncate by swapping in the intact prefix atomically: the torn bytes now live in quarantine.
        writeFileAtomicSync(file, bytes.subarray(0, cut), this.rel(file));
        return { stream, file: report.file, action: 'moved-torn-tail', moved_to: this.rel(q), torn_bytes: torn.length, torn_sha256: tornSha };
      }, report.file);
      actions.push(action);
      await this.appendToStream(stream, [{
        type: 'audit.repaired',
        ...(chId ? { ch_id: chId } : {}),
        actor,
        correlation_id: correlationId,
        payload: {
          stream,
          ...(kind === 'torn-tail' ? { torn_line: report.problem.line } : {}),
          ...(action.torn_bytes !== undefined ? { torn_bytes: action.torn_bytes } : {}),
          ...(action.moved_to ? { moved_to: action.moved_to } : {}),
          ...(action.torn_sha256 ? { torn_sha256: action.torn_sha256 } : {}),
          head_fixed: kind === 'head-lags',
        },
      }]);
    }
    return actions;
  }

  private rel(p: string): string {
    return relative(this.opts.root, p) || p;
  }

  private corrupt(file: string): DfError {
    return new DfError('audit-corrupt', `${this.rel(file)} does not end in a valid event, or its .head disagrees with it`, 'run `dynaforge audit verify` to find the damaged line; restore the file from git if it was altered', { file: this.rel(file) });
  }

  private readonlyError(p: string, cause?: unknown): DfError {
    const rel = this.rel(p);
    return new DfError('audit-readonly', `the audit log is read-only: ${rel} is not writable`, `make it writable (\`chmod -R u+w ${relative(this.opts.root, this.opts.auditDir) || 'audit'}\`) and retry; nothing was changed`, { file: rel }, { cause });
  }
}

/** Reads backwards from the end until the last complete line is found. */
function readTail(file: string): { torn: boolean; lastLine?: string } {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return { torn: false };
    let chunk = 64 * 1024;
    for (;;) {
      const len = Math.min(size, chunk);
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, size - len);
      const text = buf.toString('utf8');
      if (!text.endsWith('\n')) return { torn: true };
      const body = text.slice(0, -1);
      const nl = body.lastIndexOf('\n');
      if (nl >= 0 || len === size) return { torn: false, lastLine: body.slice(nl + 1) };
      chunk *= 4;
    }
  } finally {
    closeSync(fd);
  }
}

/** The event `input` becomes at `seq` after `prev`; throws (a programming error, not user input) if it is invalid. */
function buildEvent(input: AuditEventInput, seq: number, ts: string, prev: string): AuditEvent {
  const unsigned = {
    v: AUDIT_EVENT_VERSION,
    seq,
    ts,
    type: input.type,
    ...(input.ch_id !== undefined ? { ch_id: input.ch_id } : {}),
    actor: input.actor,
    ...(input.run_id !== undefined ? { run_id: input.run_id } : {}),
    correlation_id: input.correlation_id,
    payload: input.payload as Record<string, unknown>,
    prev,
  };
  const event = { ...unsigned, hash: eventHash(unsigned) } as AuditEvent;
  const check = AuditEventSchema.safeParse(event);
  if (!check.success) {
    // Fail loudly before anything is written.
    throw new Error(`refusing to write an invalid ${input.type} event: ${check.error.issues.map(describeIssue).join('; ')}`);
  }
  return event;
}
