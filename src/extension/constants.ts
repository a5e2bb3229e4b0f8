/**
 * Every id the VS Code face shares with package.json, in one place: commands, views, context
 * keys. package.json must use the same strings (test/extension/manifest.test.ts checks it).
 */

/** Command ids. The palette shows them under the category "Dynaforge". */
export const Commands = {
  Init: 'dynaforge.init',
  NewChange: 'dynaforge.newChange',
  UseChange: 'dynaforge.useChange',
  Approve: 'dynaforge.approve',
  Deny: 'dynaforge.deny',
  Reconcile: 'dynaforge.reconcile',
  Derive: 'dynaforge.derive',
  OpenChange: 'dynaforge.openChange',
  SetTaskState: 'dynaforge.setTaskState',
  Refresh: 'dynaforge.refresh',
  ShowLog: 'dynaforge.showLog',
} as const;
export type CommandId = (typeof Commands)[keyof typeof Commands];

export const Views = {
  Container: 'dynaforge',
  Changes: 'dynaforge.changes',
} as const;

/** Context keys read by `when` clauses in package.json. */
export const ContextKeys = {
  /** `noFolder` | `uninitialized` | `ready` | `broken` (the project does not load). */
  State: 'dynaforge.state',
  /** Whether the project has at least one change (selects the welcome text). */
  HasChanges: 'dynaforge.hasChanges',
} as const;

/** The project states a window can be in, as the welcome views see them. */
export type ProjectState = 'noFolder' | 'uninitialized' | 'ready' | 'broken';

/** Source shown on our diagnostics and the name of the log channel. */
export const DISPLAY_NAME = 'Dynaforge';
