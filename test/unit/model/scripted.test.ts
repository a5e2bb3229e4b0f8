import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseCassette, type CassetteFile } from '../../../src/core/model/cassette';
import { collectStream, type ChatEvent, type ChatRequest, type ChatResult, type ModelPort } from '../../../src/core/model/modelPort';
import { OpenAiCompatibleModel } from '../../../src/core/model/openaiCompatible';
import { RecordingModel } from '../../../src/core/model/recordingModel';
import { requestHash } from '../../../src/core/model/requestHash';
import { replayEvents, replayStream, ScriptedModel } from '../../../src/core/model/scriptedModel';
import { chunk, DONE, startFakeServer } from './fakeOpenAiServer';
import { rejection, events } from './modelAsserts';

const REPO_ROOT = resolve(__dirname, '../../..');
const WORKER = join(__dirname, 'fixtures', 'recordWorker.ts');

const ASK: ChatRequest = { label: 'designer: spec', messages: [{ role: 'system', content: 'You write specs.' }, { role: 'user', content: 'Spec for CH-012.' }], seed: 1 };
const ANSWER: ChatResult = {
  text: '## Spec\n\nThe  widget  shows a count.\n',
  toolCalls: [{ id: 'call_1', name: 'write_file', arguments: { path: 'spec.md', lines: [1, 2] } }],
  finishReason: 'tool_calls',
  usage: { promptTokens: 20, completionTokens: 9, totalTokens: 29 },
};

/** A cassette line as the format describes it (written by hand, not by the code under test). */
function line(request: ChatRequest, response: Record<string, unknown>): string {
  return `${JSON.stringify({ hash: requestHash(request), request: { messages: request.messages.length }, response })}\n`;
}
const ANSWER_WIRE = {
  text: ANSWER.text,
  tool_calls: [{ id: 'call_1', name: 'write_file', arguments: { path: 'spec.md', lines: [1, 2] } }],
  finish_reason: 'tool_calls',
  usage: { prompt_tokens: 20, completion_tokens: 9, total_tokens: 29 },
};

/** A stand-in for a real model that counts its calls and answers `answer(request)`. */
function fakeModel(answer: (r: ChatRequest) => ChatResult = () => ANSWER): ModelPort & { calls: number } {
  const m = {
    provider: 'openai-compatible' as const,
    description: 'fake',
    calls: 0,
    chat: async (r: ChatRequest) => {
      m.calls += 1;
      return answer(r);
    },
    stream: (r: ChatRequest) => {
      m.calls += 1;
      return replayStream(answer(r), undefined, 'fake');
    },
  };
  return m;
}

describe('model: scripted cassettes and record mode', function () {
  this.timeout(60_000);
  let dir: string;
  let cassette: CassetteFile;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'df-model-'));
    cassette = { file: join(dir, 'cassettes', 'demo.jsonl'), display: 'cassettes/demo.jsonl' };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (text: string) => {
    mkdirSync(dirname(cassette.file), { recursive: true });
    writeFileSync(cassette.file, text);
  };

  describe('replay', () => {
    it('answers a recorded request with the recorded response', async () => {
      write(line({ messages: [{ role: 'user', content: 'other' }] }, { text: 'no', finish_reason: 'stop' }) + line(ASK, ANSWER_WIRE));
      const m = new ScriptedModel(cassette);
      assert.equal(m.provider, 'scripted');
      assert.deepEqual(await m.chat(ASK), ANSWER);
      assert.deepEqual(await m.chat({ messages: [{ role: 'user', content: 'other' }] }), { text: 'no', toolCalls: [], finishReason: 'stop' });
      // The label is for people: a differently labelled identical request still hits.
      assert.deepEqual(await m.chat({ ...ASK, label: 'again' }), ANSWER);
    });

    it('streams the recorded text in word-sized chunks, then the tool calls, the same way every time', async () => {
      write(line(ASK, ANSWER_WIRE));
      const first = await events(new ScriptedModel(cassette).stream(ASK));
      assert.deepEqual(first, [
        { kind: 'text', text: '## ' },
        { kind: 'text', text: 'Spec\n\n' },
        { kind: 'text', text: 'The  ' },
        { kind: 'text', text: 'widget  ' },
        { kind: 'text', text: 'shows ' },
        { kind: 'text', text: 'a ' },
        { kind: 'text', text: 'count.\n' },
        { kind: 'tool-call-delta', index: 0, id: 'call_1', name: 'write_file', argumentsDelta: '{"path":"spec.md","lines":[1,2]}' },
        { kind: 'done', result: ANSWER },
      ]);
      assert.deepEqual(await events(new ScriptedModel(cassette).stream(ASK)), first);
      for (const text of ['', '   ', ' lead', 'a\tb\r\nc  ', 'ünï cödé 🙂 x']) {
        const chunks = replayEvents({ text, toolCalls: [], finishReason: 'stop' }).flatMap((e) => (e.kind === 'text' ? [e.text] : []));
        assert.equal(chunks.join(''), text, JSON.stringify(text));
      }
    });

    it('a request with no entry is an error naming the hash, the cassette and how to record it', async () => {
      write(line(ASK, ANSWER_WIRE));
      const miss: ChatRequest = { ...ASK, label: 'designer: plan', messages: [...ASK.messages, { role: 'user', content: 'And the plan?' }] };
      const e = await rejection(new ScriptedModel(cassette).chat(miss));
      assert.equal(e.reason, 'cassette-miss');
      assert.equal(e.code, 'not-found');
      assert.equal(e.message, `no recorded response for request ${requestHash(miss)} in cassettes/demo.jsonl (designer: plan; 3 messages, last user: "And the plan?")`);
      assert.match(e.fix, /DYNAFORGE_MODEL_RECORD=missing/);
      assert.deepEqual(e.where, { file: 'cassettes/demo.jsonl' });
      // Streaming misses the same way, before yielding anything.
      assert.equal((await rejection(collectStream(new ScriptedModel(cassette).stream(miss)))).reason, 'cassette-miss');
    });

    it('sees entries appended after it first read the cassette', async () => {
      write(line(ASK, ANSWER_WIRE));
      const m = new ScriptedModel(cassette);
      await m.chat(ASK);
      const later: ChatRequest = { messages: [{ role: 'user', content: 'later' }] };
      appendFileSync(cassette.file, line(later, { text: 'late', finish_reason: 'stop' }));
      assert.equal((await m.chat(later)).text, 'late');
    });

    it('a missing cassette file is an error naming it', async () => {
      const e = await rejection(new ScriptedModel(cassette).chat(ASK));
      assert.equal(e.reason, 'cassette-invalid');
      assert.match(e.message, /the cassette cassettes\/demo\.jsonl does not exist/);
    });

    it('a malformed line is an error naming the file and the line', async () => {
      const good = line(ASK, ANSWER_WIRE);
      const cases: [string, number, RegExp][] = [
        [`${good}\n{"hash": "abc", "request": {}, "resp`, 3, /invalid JSON/],
        [`${good}${JSON.stringify({ hash: 'abc', request: {}, response: { text: '', finish_reason: 'stop' } })}\n`, 2, /hash: must be 64 lowercase hex digits/],
        [`${JSON.stringify({ hash: requestHash(ASK), request: {}, response: { text: 'x', finish_reason: 'done' } })}\n`, 1, /response\.finish_reason: /],
        [`${JSON.stringify({ hash: requestHash(ASK), request: {}, response: { text: 'x', finish_reason: 'stop', extra: 1 } })}\n`, 1, /response: /],
        [`${JSON.stringify({ hash: requestHash(ASK), request: {}, response: { text: 'x', finish_reason: 'stop', tool_calls: [{ id: 'c', name: 'f', arguments: '{}' }] } })}\n`, 1, /response\.tool_calls\.0\.arguments: /],
        ['[1, 2]\n', 1, /\(the line\): /],
      ];
      for (const [text, lineNo, why] of cases) {
        write(text);
        const e = await rejection(new ScriptedModel(cassette).chat(ASK));
        assert.equal(e.reason, 'cassette-invalid', text);
        assert.equal(e.code, 'invalid-schema');
        assert.deepEqual(e.where, { file: 'cassettes/demo.jsonl', line: lineNo });
        assert.ok(e.message.startsWith(`cassettes/demo.jsonl:${lineNo}: not a cassette entry: `), e.message);
        assert.match(e.message, why);
        assert.match(e.fix, new RegExp(`fix or delete line ${lineNo}`));
      }
    });

    it('skips blank lines, accepts CRLF and a last line without a newline, and the later of two entries for a hash wins', () => {
      const text = `\n${line(ASK, { text: 'old', finish_reason: 'stop' }).replace('\n', '\r\n')}\n${line(ASK, { text: 'new', finish_reason: 'stop' }).trimEnd()}`;
      const entries = parseCassette(text, cassette);
      assert.deepEqual(entries.map((e) => e.response.text), ['old', 'new']);
      write(text);
      return new ScriptedModel(cassette).chat(ASK).then((r) => assert.equal(r.text, 'new'));
    });

    it('an aborted call is cancelled', async () => {
      write(line(ASK, ANSWER_WIRE));
      assert.equal((await rejection(new ScriptedModel(cassette).chat(ASK, { signal: AbortSignal.abort() }))).reason, 'cancelled');
      const ac = new AbortController();
      const seen: ChatEvent[] = [];
      const e = await rejection(
        collectStream(new ScriptedModel(cassette).stream(ASK, { signal: ac.signal }), (ev) => {
          seen.push(ev);
          if (seen.length === 2) ac.abort();
        }),
      );
      assert.equal(e.reason, 'cancelled');
      assert.equal(seen.length, 2);
    });
  });

  describe('record mode', () => {
    it('missing: calls the model once, appends one canonical line, and the cassette then replays it identically', async () => {
      const inner = fakeModel();
      const rec = new RecordingModel(inner, cassette, 'missing');
      const recorded = await rec.chat(ASK);
      assert.deepEqual(recorded, ANSWER);
      assert.equal(inner.calls, 1);
      const text = readFileSync(cassette.file, 'utf8');
      assert.equal(
        text,
        `{"hash":"${requestHash(ASK)}","request":{"label":"designer: spec","last":"Spec for CH-012.","last_role":"user","messages":2},"response":{"finish_reason":"tool_calls","text":"## Spec\\n\\nThe  widget  shows a count.\\n","tool_calls":[{"arguments":{"lines":[1,2],"path":"spec.md"},"id":"call_1","name":"write_file"}],"usage":{"completion_tokens":9,"prompt_tokens":20,"total_tokens":29}}}\n`,
      );
      // Asked again: answered from the cassette, no second call, nothing appended.
      assert.deepEqual(await rec.chat(ASK), recorded);
      assert.equal(inner.calls, 1);
      assert.equal(readFileSync(cassette.file, 'utf8'), text);
      // Replay sees exactly what the recording run saw, whole and streamed.
      const replay = new ScriptedModel(cassette);
      assert.deepEqual(await replay.chat(ASK), recorded);
      assert.deepEqual(await events(replay.stream(ASK)), await events(rec.stream(ASK)));
      assert.equal(inner.calls, 1);
    });

    it('all: calls the model every time and appends; the newest answer is what replays', async () => {
      let n = 0;
      const inner = fakeModel(() => ({ text: `take ${++n}`, toolCalls: [], finishReason: 'stop' }));
      const rec = new RecordingModel(inner, cassette, 'all');
      assert.equal((await rec.chat(ASK)).text, 'take 1');
      assert.equal((await rec.chat(ASK)).text, 'take 2');
      assert.equal(inner.calls, 2);
      assert.equal(readFileSync(cassette.file, 'utf8').split('\n').filter(Boolean).length, 2);
      assert.equal((await new ScriptedModel(cassette).chat(ASK)).text, 'take 2');
    });

    it('a streamed answer is recorded when it is complete, and an abandoned one not at all', async () => {
      const inner = fakeModel();
      const rec = new RecordingModel(inner, cassette, 'missing');
      for await (const e of rec.stream(ASK)) {
        assert.equal(e.kind, 'text');
        break;
      }
      assert.equal(existsSync(cassette.file), false, 'nothing recorded for an abandoned stream');
      const streamed = await events(rec.stream(ASK));
      assert.deepEqual(streamed[streamed.length - 1], { kind: 'done', result: ANSWER });
      assert.deepEqual(await new ScriptedModel(cassette).chat(ASK), ANSWER);
    });

    it('records a real HTTP model (streamed tool calls included) so that a replay gives the same events', async () => {
      const server = await startFakeServer();
      try {
        server.reply({
          kind: 'sse',
          pieces: [
            chunk({ content: 'Writing ' }),
            chunk({ content: 'the file.' }),
            chunk({ tool_calls: [{ index: 0, id: 'call_w', function: { name: 'write_file', arguments: '{"path":' } }] }),
            chunk({ tool_calls: [{ index: 0, function: { arguments: '"a.md"}' } }] }),
            chunk({}, 'tool_calls'),
            DONE,
          ],
        });
        const rec = new RecordingModel(new OpenAiCompatibleModel({ url: server.url, model: 'tiny' }), cassette, 'missing');
        const live = await collectStream(rec.stream(ASK));
        assert.deepEqual(live, { text: 'Writing the file.', toolCalls: [{ id: 'call_w', name: 'write_file', arguments: { path: 'a.md' } }], finishReason: 'tool_calls' });
        // The server is not asked again: replay comes from the cassette alone.
        assert.deepEqual(await collectStream(new ScriptedModel(cassette).stream(ASK)), live);
        assert.deepEqual(await new ScriptedModel(cassette).chat(ASK), live);
        assert.equal(server.requests.length, 1);
      } finally {
        await server.close();
      }
    });

    it('missing: when another recorder got there first, its entry is kept and returned, not duplicated', async () => {
      const first = new RecordingModel(fakeModel(() => ({ text: 'first', toolCalls: [], finishReason: 'stop' })), cassette, 'missing');
      // A second recorder that checked the cassette before the first one wrote.
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => (release = r));
      const slow = fakeModel(() => ({ text: 'second', toolCalls: [], finishReason: 'stop' }));
      const slowChat = slow.chat;
      slow.chat = async (r) => {
        await gate;
        return slowChat(r);
      };
      const second = new RecordingModel(slow, cassette, 'missing');
      const pending = second.chat(ASK);
      await new Promise((r) => setTimeout(r, 20));
      assert.equal((await first.chat(ASK)).text, 'first');
      release();
      assert.equal((await pending).text, 'first');
      assert.equal(slow.calls, 1);
      assert.equal(readFileSync(cassette.file, 'utf8').split('\n').filter(Boolean).length, 1);
    });

    it('refuses to append after a torn line (it would never replay), and adds the missing newline after a whole one', async () => {
      write(line(ASK, ANSWER_WIRE) + '{"hash": "');
      const e = await rejection(new RecordingModel(fakeModel(), cassette, 'all').chat(ASK));
      assert.equal(e.reason, 'cassette-invalid');
      assert.deepEqual(e.where, { file: 'cassettes/demo.jsonl', line: 2 });

      write(line(ASK, { text: 'hand-written', finish_reason: 'stop' }).trimEnd());
      const other: ChatRequest = { messages: [{ role: 'user', content: 'other' }] };
      await new RecordingModel(fakeModel(), cassette, 'all').chat(other);
      const replay = new ScriptedModel(cassette);
      assert.equal((await replay.chat(ASK)).text, 'hand-written');
      assert.deepEqual(await replay.chat(other), ANSWER);
    });

    it('concurrent recorders in one process never lose or tear a line', async () => {
      const rec = (i: number) => new RecordingModel(fakeModel((r) => ({ text: `re: ${r.messages[0]?.content ?? ''}`, toolCalls: [], finishReason: 'stop' })), cassette, i % 2 ? 'all' : 'missing');
      const asks = Array.from({ length: 24 }, (_, i): ChatRequest => ({ messages: [{ role: 'user', content: `q${i}` }] }));
      await Promise.all(asks.map((a, i) => (i % 3 ? rec(i).chat(a) : collectStream(rec(i).stream(a)))));
      const entries = parseCassette(readFileSync(cassette.file, 'utf8'), cassette);
      assert.equal(entries.length, 24);
      const replay = new ScriptedModel(cassette);
      for (const a of asks) assert.equal((await replay.chat(a)).text, `re: ${a.messages[0]?.content ?? ''}`);
    });

    it('4 processes recording 25 answers each to one cassette leave 100 whole, replayable lines', async () => {
      const PROCS = 4;
      const EACH = 25;
      const children = Array.from({ length: PROCS }, (_, p) => spawn(process.execPath, ['--require', 'tsx/cjs', WORKER, cassette.file, String(p), String(EACH)], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] }));
      const exits = children.map(
        (c) =>
          new Promise<{ code: number | null; stderr: string }>((done) => {
            let stderr = '';
            c.stderr.on('data', (d: Buffer) => (stderr += String(d)));
            c.on('exit', (code) => done({ code, stderr }));
          }),
      );
      await Promise.all(children.map((c) => new Promise<void>((ready) => c.stdout.once('data', () => ready()))));
      for (const c of children) c.stdin.write('go\n');
      const results = await Promise.all(exits);
      results.forEach((r, p) => assert.deepEqual(r, { code: 0, stderr: '' }, `worker ${p}`));

      const text = readFileSync(cassette.file, 'utf8');
      assert.ok(text.endsWith('\n'));
      const entries = parseCassette(text, cassette);
      assert.equal(entries.length, PROCS * EACH);
      // The processes really ran at the same time: the writer changes along the file.
      const writers = entries.map((e) => e.request.label);
      const switches = writers.filter((w, i) => i > 0 && w !== writers[i - 1]).length;
      assert.ok(switches > PROCS, `only ${switches} changes of writer: the appends did not overlap`);
      const replay = new ScriptedModel(cassette);
      for (let p = 0; p < PROCS; p++) {
        for (let i = 0; i < EACH; i++) {
          const content = `p${p} #${i}`;
          assert.equal((await replay.chat({ messages: [{ role: 'user', content }] })).text, `answer to ${content}`);
        }
      }
      assert.equal(existsSync(`${cassette.file}.lock`), false, 'the lock was released');
    });
  });
});
