/**
 * The Implementer runs going on in this window, by change: what an "Abort" button (or a
 * cancelled chat request) stops. Cancelling aborts the run's signal and waits until the run
 * has recorded itself as aborted, so its files can then be restored.
 */
export class LiveRuns {
  private readonly runs = new Map<string, { readonly controller: AbortController; readonly done: Promise<unknown> }>();

  /** Runs `fn` as the live run of `chId`; one at a time per change (the engine's run lock says the same). */
  async track<T>(chId: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const done = fn(controller.signal);
    this.runs.set(chId, { controller, done });
    try {
      return await done;
    } finally {
      if (this.runs.get(chId)?.done === done) this.runs.delete(chId);
    }
  }

  isRunning(chId: string): boolean {
    return this.runs.has(chId);
  }

  /** Stops the live run of `chId`, if any; resolves once it has ended. True when there was one. */
  async cancel(chId: string): Promise<boolean> {
    const run = this.runs.get(chId);
    if (!run) return false;
    run.controller.abort();
    await run.done.catch(() => undefined);
    return true;
  }

  cancelAll(): void {
    for (const r of this.runs.values()) r.controller.abort();
  }
}
