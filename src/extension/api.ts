import type * as vscode from 'vscode';
import type { DriftState, Snapshot } from './project/snapshot';
import type { TreeNode } from './views/treeNodes';

/**
 * What `activate` returns: a read-only window on the face's state for the integration tests
 * (and for other extensions). Actions go through the `dynaforge.*` commands, never through here.
 */
/** How long the face took to come up, in ms (the log says it too; the editor benchmark reads it). */
export interface Timings {
  /** Loading (evaluating) the extension bundle, before `activate` was called. */
  readonly loadMs?: number;
  /** The `activate` call: the container and every view, command and provider built. */
  readonly activateMs: number;
  /** From `activate` until the first snapshot was in the views, and until the first drift was. */
  readonly firstSnapshotMs?: number;
  readonly firstDriftMs?: number;
  /** The latest refresh: reading the project, and computing drift. */
  readonly lastRefresh: { readonly snapshotMs: number; readonly driftMs: number };
}

export interface DynaforgeApi {
  readonly timings: () => Timings;
  readonly snapshot: () => Snapshot;
  readonly drift: () => DriftState;
  /** How many refreshes have run since activation. */
  readonly refreshCount: () => number;
  /** Resolves when no refresh is pending or running. */
  readonly whenIdle: () => Promise<void>;
  readonly tree: vscode.TreeDataProvider<TreeNode>;
  /** The Explorer's file decorations (scope of the active change, drift). */
  readonly decorations: vscode.FileDecorationProvider;
  /** The `@df` request handler (tests drive it with a fake request and stream). */
  readonly chat: vscode.ChatRequestHandler;
  /** A language-model tool by name (tests call invoke and prepareInvocation directly). */
  readonly tool: (name: string) => vscode.LanguageModelTool<unknown> | undefined;
  readonly statusBar: () => { readonly text: string; readonly visible: boolean; readonly command?: string };
}
