import type * as vscode from 'vscode';

/**
 * The owner of subscriptions: whatever a class `_register`s is disposed with it, in reverse
 * order, exactly once. Every listener, watcher and provider of the face has such an owner.
 */
export abstract class Disposable implements vscode.Disposable {
  private readonly owned: vscode.Disposable[] = [];
  private disposed = false;

  protected _register<T extends vscode.Disposable>(d: T): T {
    if (this.disposed) d.dispose();
    else this.owned.push(d);
    return d;
  }

  protected get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.owned.splice(0).reverse()) {
      try {
        d.dispose();
      } catch {
        // one failing dispose must not keep the others alive
      }
    }
  }
}

/** A disposable from a function, for timers and the like. */
export function toDisposable(fn: () => void): vscode.Disposable {
  let done = false;
  return { dispose: () => (done ? undefined : ((done = true), fn())) };
}

/** An AbortSignal that follows a CancellationToken: a chat request's stop button, a progress notification's Cancel. */
export function abortOn(token: { readonly isCancellationRequested: boolean; onCancellationRequested(listener: () => void): { dispose(): void } }): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  else token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}
