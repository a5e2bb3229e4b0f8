/**
 * Authors the cassette `make demo` replays: `tsx scripts/demo/author.ts <folder> <cassette>`.
 *
 * The scripted model (answers.ts) is served as a local OpenAI-compatible endpoint on
 * 127.0.0.1 (a free port, for this process only), and the demo story (story.sh) runs against
 * it in a fresh sample repository under <folder>, with the CLI in record mode: every
 * `dynaforge run` goes through the real provider adapter wrapped in RecordingModel ('all'),
 * which appends each exchange to the cassette. The cassette is thus recorded by the very
 * commands the demo then replays, in a repository set up the same way, so each request hash
 * is the one the replay will send. Nothing here calls a real model.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative, resolve } from 'node:path';
import { ANSWERS, answerKey, type AnswerKey } from './answers';

const CASSETTE = 'cassettes/demo.jsonl';
const served = new Map<AnswerKey, number>();

interface WireRequest {
  readonly messages: { role: string; content?: string | null }[];
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Rough token counts (4 characters a token), so the cassette shows usage like a real one. */
const tokens = (text: string): number => Math.ceil(text.length / 4);

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) return reply(res, 404, { error: { message: `no route ${req.method ?? ''} ${req.url ?? ''}` } });
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as WireRequest;
  const found = answerKey(body.messages);
  // A 400 is not retried: the CLI stops at once with this message.
  if ('error' in found) return reply(res, 400, { error: { message: `demo scripted model: ${found.error}` } });
  served.set(found.key, (served.get(found.key) ?? 0) + 1);
  const a = ANSWERS[found.key];
  const prompt = body.messages.map((m) => m.content ?? '').join('');
  const completion = a.text + JSON.stringify(a.calls);
  reply(res, 200, {
    id: `demo-${found.key.replace(/\W+/g, '-')}`,
    object: 'chat.completion',
    created: 0,
    model: 'demo-scripted',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: a.text === '' ? null : a.text,
          ...(a.calls.length ? { tool_calls: a.calls.map((c, i) => ({ id: `call_${i + 1}`, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.arguments) } })) } : {}),
        },
        finish_reason: a.calls.length ? 'tool_calls' : 'stop',
      },
    ],
    usage: { prompt_tokens: tokens(prompt), completion_tokens: tokens(completion), total_tokens: tokens(prompt) + tokens(completion) },
  });
}

function runStory(folder: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn('bash', [join(__dirname, 'story.sh'), folder, 'quiet'], { env, stdio: 'inherit' });
    child.on('error', fail);
    child.on('close', (code) => done(code ?? 1));
  });
}

async function main(): Promise<number> {
  const [folderArg, outArg] = process.argv.slice(2);
  if (!folderArg || !outArg) {
    console.error('usage: tsx scripts/demo/author.ts <folder for the recording repository> <cassette to write>');
    return 2;
  }
  const folder = resolve(folderArg);
  const out = resolve(outArg);
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => reply(res, 500, { error: { message: String(e) } }));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  try {
    // No API key goes along, not even to this local endpoint; and no proxy is asked to reach it.
    const { DYNAFORGE_MODEL_API_KEY: _k1, DYNAFORGE_MODEL_KEY: _k2, OPENAI_API_KEY: _k3, ...env } = process.env;
    const code = await runStory(folder, {
      ...env,
      NO_PROXY: '127.0.0.1',
      no_proxy: '127.0.0.1',
      DYNAFORGE_MODEL_PROVIDER: 'openai-compatible',
      DYNAFORGE_MODEL_URL: `http://127.0.0.1:${port}/v1`,
      DYNAFORGE_MODEL: 'demo-scripted',
      DYNAFORGE_MODEL_RECORD: 'all',
      DYNAFORGE_MODEL_CASSETTE: CASSETTE,
    });
    const recorded = join(folder, CASSETTE);
    if (code !== 0 || !existsSync(recorded)) {
      console.error(`authoring the cassette failed: the story exited ${code} (its log: ${relative(process.cwd(), `${folder}.log`)})`);
      return 1;
    }
    const unused = (Object.keys(ANSWERS) as AnswerKey[]).filter((k) => !served.has(k));
    if (unused.length) {
      console.error(`authoring the cassette failed: the story never asked for ${unused.join(', ')} (scripts/demo/answers.ts and story.sh disagree)`);
      return 1;
    }
    copyFileSync(recorded, out);
    const text = readFileSync(out);
    const lines = text.toString('utf8').split('\n').filter(Boolean).length;
    const requests = [...served.values()].reduce((a, b) => a + b, 0);
    console.log(`  ${requests} requests answered by the scripted model, ${lines} exchanges recorded`);
    console.log(`  → ${relative(process.cwd(), out)} (sha256 ${createHash('sha256').update(text).digest('hex').slice(0, 16)}…)`);
    return 0;
  } finally {
    server.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
