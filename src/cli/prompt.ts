import { createInterface, type Interface } from 'node:readline';

/** Questions to the person at the keyboard (interactive `reconcile`); answers come line by line. */
export interface Prompter {
  /** Whether a person is there (a terminal): commands may then ask without being told to. */
  readonly tty: boolean;
  /** Writes the question and resolves with the next line, or undefined at end of input. */
  ask(question: string): Promise<string | undefined>;
  close(): void;
}

/**
 * A prompter over a stream (stdin). Lines are read lazily — nothing touches the stream
 * until the first question — so commands that never ask never hold the process open.
 * Works the same with a pipe, which is how scripts and tests answer.
 */
export function streamPrompter(input: NodeJS.ReadableStream & { isTTY?: boolean }, write: (text: string) => void): Prompter {
  let rl: Interface | undefined;
  let closed = false;
  const lines: string[] = [];
  const waiting: ((line: string | undefined) => void)[] = [];
  const open = () => {
    if (rl || closed) return;
    rl = createInterface({ input, terminal: false, crlfDelay: Infinity });
    rl.on('line', (line) => {
      const w = waiting.shift();
      if (w) w(line);
      else lines.push(line);
    });
    rl.on('close', () => {
      closed = true;
      for (const w of waiting.splice(0)) w(undefined);
    });
  };
  return {
    tty: Boolean(input.isTTY),
    ask(question) {
      open();
      write(question);
      if (lines.length) return Promise.resolve(lines.shift());
      if (closed) return Promise.resolve(undefined);
      return new Promise((resolve) => waiting.push(resolve));
    },
    close() {
      closed = true;
      rl?.close();
    },
  };
}

/** For runs with nobody to ask (the default in tests and embedding): every question gets end of input. */
export const noPrompter: Prompter = { tty: false, ask: () => Promise.resolve(undefined), close: () => undefined };
