/**
 * Runs `task` at most once per burst of requests: a request (re)starts a quiet-period timer,
 * a burst that never goes quiet still runs every `maxWaitMs`, and a request arriving while the
 * task runs makes it run once more afterwards — never twice at the same time.
 */
export class RefreshScheduler {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private firstRequestAt: number | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;

  constructor(
    private readonly task: () => Promise<void>,
    private delayMs: () => number,
    private readonly maxWaitFactor = 4,
  ) {}

  /** Asks for a run after the quiet period. */
  request(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    const now = Date.now();
    this.firstRequestAt ??= now;
    const delay = this.delayMs();
    const latest = this.firstRequestAt + delay * this.maxWaitFactor;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.start(), Math.max(0, Math.min(delay, latest - now)));
  }

  /** Runs now (after a run in progress), e.g. right after an action of ours. */
  async runNow(): Promise<void> {
    if (this.stopped) return;
    this.cancelTimer();
    if (this.running) {
      this.again = true;
      await this.whenIdle();
      return;
    }
    await this.start();
  }

  /** Resolves when no run is pending or in progress. */
  whenIdle(): Promise<void> {
    if (!this.timer && !this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  dispose(): void {
    this.stopped = true;
    this.cancelTimer();
    this.again = false;
    if (!this.running) this.settle();
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.firstRequestAt = undefined;
  }

  private async start(): Promise<void> {
    this.cancelTimer();
    const run = (async () => {
      do {
        this.again = false;
        try {
          await this.task();
        } catch {
          // the task reports its own errors; the scheduler must keep going
        }
      } while (this.again && !this.stopped);
    })();
    this.running = run;
    try {
      await run;
    } finally {
      this.running = undefined;
      if (!this.timer) this.settle();
    }
  }

  private settle(): void {
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
