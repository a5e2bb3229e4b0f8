import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake OpenAI-compatible server on 127.0.0.1 (random port). Each request to
 * `/v1/chat/completions` takes the next scripted reply; what every request carried is kept
 * for assertions. A request with no reply left gets HTTP 599, which no test expects.
 */
export type Reply =
  | { readonly kind: 'json'; readonly status?: number; readonly body: unknown; readonly headers?: Record<string, string> }
  | { readonly kind: 'raw'; readonly status?: number; readonly text: string; readonly contentType?: string; readonly headers?: Record<string, string> }
  /** Writes each piece separately (with a pause), as an event stream; `hangAfter` then never ends it. */
  | { readonly kind: 'sse'; readonly pieces: readonly string[]; readonly hangAfter?: boolean }
  /** Accepts the request and never answers. */
  | { readonly kind: 'hang' }
  /** Closes the socket without an answer (a dropped connection). */
  | { readonly kind: 'drop' }
  /** Anything else, e.g. an answer built from what the request carried. */
  | { readonly kind: 'custom'; readonly respond: (seen: SeenRequest, res: ServerResponse) => void };

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly accept: string | undefined;
  readonly body: Record<string, unknown>;
}

export interface FakeServer {
  /** The API base to configure, `http://127.0.0.1:<port>/v1`. */
  readonly url: string;
  readonly requests: SeenRequest[];
  /** Queues replies for the next requests, in order. */
  reply(...replies: Reply[]): void;
  /** Resolves when the client has closed the connection of request `n` (0-based). */
  closed(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeServer(): Promise<FakeServer> {
  const queue: Reply[] = [];
  const requests: SeenRequest[] = [];
  const closedWaiters = new Map<number, Promise<void>>();
  const server: Server = createServer((req, res) => void handle(req, res));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { unparsable: text };
    }
    const n = requests.length;
    const seen: SeenRequest = { method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, accept: req.headers.accept, body };
    requests.push(seen);
    closedWaiters.set(n, new Promise((done) => res.on('close', () => done())));
    if (req.url !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.url}` } }));
      return;
    }
    const reply = queue.shift();
    if (!reply) {
      res.writeHead(599, { 'content-type': 'text/plain' }).end('no scripted reply');
      return;
    }
    switch (reply.kind) {
      case 'json':
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers }).end(JSON.stringify(reply.body));
        return;
      case 'raw':
        res.writeHead(reply.status ?? 200, { 'content-type': reply.contentType ?? 'application/json', ...reply.headers }).end(reply.text);
        return;
      case 'sse':
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        for (const piece of reply.pieces) {
          res.write(piece);
          await new Promise((r) => setTimeout(r, 5));
        }
        if (!reply.hangAfter) res.end();
        return;
      case 'hang':
        return;
      case 'drop':
        req.socket.destroy();
        return;
      case 'custom':
        reply.respond(seen, res);
        return;
    }
  }

  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    reply: (...replies) => void queue.push(...replies),
    closed: (n) => closedWaiters.get(n) ?? Promise.reject(new Error(`no request ${n}`)),
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** A whole chat completion body. */
export function completion(text: string | null, opts: { toolCalls?: { id?: string; name: string; arguments: unknown }[]; finish?: string | null; usage?: boolean } = {}): Record<string, unknown> {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    model: 'tiny',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text,
          ...(opts.toolCalls ? { tool_calls: opts.toolCalls.map((c) => ({ ...(c.id ? { id: c.id } : {}), type: 'function', function: { name: c.name, arguments: c.arguments } })) } : {}),
        },
        finish_reason: opts.finish === undefined ? (opts.toolCalls ? 'tool_calls' : 'stop') : opts.finish,
      },
    ],
    ...(opts.usage === false ? {} : { usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 } }),
  };
}

/** One `data:` event holding a chunk with `delta`. */
export function chunk(delta: Record<string, unknown>, finish: string | null = null): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
}

export const DONE = 'data: [DONE]\n\n';
