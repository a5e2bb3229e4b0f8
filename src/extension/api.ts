import type * as vscode from 'vscode';
import type { DriftState, Snapshot } from './project/snapshot';
import type { TreeNode } from './views/treeNodes';

/**
 * What `activate` returns: a read-only window on the face's state for the integration tests
 * (and for other extensions). Actions go through the `dynaforge.*` commands, never through here.
 */
export interface DynaforgeApi {
  readonly snapshot: () => Snapshot;
  readonly drift: () => DriftState;
  /** How many refreshes have run since activation. */
  readonly refreshCount: () => number;
  /** Resolves when no refresh is pending or running. */
  readonly whenIdle: () => Promise<void>;
  readonly tree: vscode.TreeDataProvider<TreeNode>;
  /** The `@df` request handler (tests drive it with a fake request and stream). */
  readonly chat: vscode.ChatRequestHandler;
  /** A language-model tool by name (tests call invoke and prepareInvocation directly). */
  readonly tool: (name: string) => vscode.LanguageModelTool<unknown> | undefined;
  readonly statusBar: () => { readonly text: string; readonly visible: boolean; readonly command?: string };
}
