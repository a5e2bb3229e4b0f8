import type { RunStatus } from '../schema/run';
import type { BlockReason, RunTask } from './runState';

/**
 * The loop's progress, as it happens: the CLI prints it as a narrative, the VS Code face can
 * stream it. Typed events, no text to parse; the audit log gets its own (durable) events.
 */
export type ImplementerEvent =
  | { readonly kind: 'run-started'; readonly run_id: string; readonly n: number; readonly folder: string; readonly resumed: boolean; readonly model: string; readonly seed: number; readonly max_steps: number }
  | { readonly kind: 'step-started'; readonly step: number; readonly phase: 'plan' | 'task'; readonly task?: string }
  /** The model's text as it streams in. */
  | { readonly kind: 'model-text'; readonly step: number; readonly text: string }
  | { readonly kind: 'plan-ready'; readonly tasks: readonly RunTask[]; readonly tasks_hash: string; readonly notes: readonly string[] }
  | { readonly kind: 'plan-invalid'; readonly error: string; readonly retry: boolean }
  | { readonly kind: 'tool'; readonly step: number; readonly task: string; readonly name: string; readonly ok: boolean; readonly summary: string }
  | { readonly kind: 'refused'; readonly step: number; readonly task: string; readonly path: string; readonly reason: string; readonly message: string }
  | { readonly kind: 'file-changed'; readonly task: string; readonly path: string; readonly action: 'created' | 'modified' }
  | { readonly kind: 'verification'; readonly task: string; readonly name: string; readonly passed: boolean; readonly exit: number | null; readonly timed_out: boolean }
  /** `resolved`: on done, the concerns (`CH-###/C-n`) that said its tasks.md task was not done, resolved now. */
  | { readonly kind: 'task'; readonly task: string; readonly state: 'running' | 'done' | 'blocked'; readonly files?: readonly string[]; readonly reason?: BlockReason; readonly concern?: string; readonly resolved?: readonly string[] }
  | { readonly kind: 'concern'; readonly id: string; readonly summary: string }
  | { readonly kind: 'step-finished'; readonly step: number; readonly phase: 'plan' | 'task'; readonly task?: string; readonly outcome: string }
  | { readonly kind: 'run-finished'; readonly status: RunStatus; readonly why?: string };

export type ProgressListener = (event: ImplementerEvent) => void;

/**
 * The same progress as an async iterable, for a face that prefers a loop to a callback:
 * `start` receives the listener to pass to the engine; `events` ends when it settles (and
 * `result` carries its value or error).
 */
export function progressOf<T>(start: (onEvent: ProgressListener) => Promise<T>): { events: AsyncIterable<ImplementerEvent>; result: Promise<T> } {
  const queue: ImplementerEvent[] = [];
  let done = false;
  let wake: (() => void) | undefined;
  const poke = () => {
    wake?.();
    wake = undefined;
  };
  const result = start((e) => {
    queue.push(e);
    poke();
  });
  void result.then(
    () => ((done = true), poke()),
    () => ((done = true), poke()),
  );
  async function* events(): AsyncGenerator<ImplementerEvent> {
    for (;;) {
      const next = queue.shift();
      if (next) yield next;
      else if (done) return;
      else await new Promise<void>((r) => (wake = r));
    }
  }
  return { events: events(), result };
}
