import { performance } from 'node:perf_hooks';
import type * as vscode from 'vscode';
import type { DynaforgeApi } from './api';
import { Container } from './container';

/**
 * The VS Code face of Dynaforge. Activation is lazy (a folder with .dynaforge/, the view, or
 * a command); everything is built by the container and disposed with the extension.
 */
export function activate(context: vscode.ExtensionContext): DynaforgeApi {
  // The bundle's banner notes when it began to load (scripts/build.mjs); unbundled, there is no such mark.
  const startedAt = performance.now();
  const loadStart = (globalThis as { __dynaforgeLoadStart?: unknown }).__dynaforgeLoadStart;
  const container = new Container(context, startedAt, typeof loadStart === 'number' ? startedAt - loadStart : undefined);
  context.subscriptions.push(container);
  return container.api;
}

export function deactivate(): void {
  // Everything is owned by the container, which VS Code disposes through context.subscriptions.
}
