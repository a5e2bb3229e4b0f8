import type * as vscode from 'vscode';
import type { DynaforgeApi } from './api';
import { Container } from './container';

/**
 * The VS Code face of Dynaforge. Activation is lazy (a folder with .dynaforge/, the view, or
 * a command); everything is built by the container and disposed with the extension.
 */
export function activate(context: vscode.ExtensionContext): DynaforgeApi {
  const container = new Container(context);
  context.subscriptions.push(container);
  return container.api;
}

export function deactivate(): void {
  // Everything is owned by the container, which VS Code disposes through context.subscriptions.
}
