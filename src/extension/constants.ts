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
  StartTask: 'dynaforge.startTask',
  CompleteTask: 'dynaforge.completeTask',
  AbortRun: 'dynaforge.abortRun',
  WritePromptFiles: 'dynaforge.writePromptFiles',
  ShowAudit: 'dynaforge.showAudit',
  OpenWalkthrough: 'dynaforge.openWalkthrough',
  Capture: 'dynaforge.capture',
  Impact: 'dynaforge.impact',
  Implement: 'dynaforge.implement',
  ResumeRun: 'dynaforge.resumeRun',
  Trace: 'dynaforge.trace',
  Status: 'dynaforge.status',
  Clarify: 'dynaforge.clarify',
  Analyze: 'dynaforge.analyze',
  Checklist: 'dynaforge.checklist',
  Doctor: 'dynaforge.doctor',
  Check: 'dynaforge.check',
  Validate: 'dynaforge.validate',
  Waive: 'dynaforge.waive',
  ActiveChangeActions: 'dynaforge.activeChangeActions',
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

/**
 * The URI scheme of the read-only Markdown reports the palette opens (status, trace, check,
 * doctor, an Implementer run): documents held in memory, never written to the repository.
 */
export const REPORT_SCHEME = 'dynaforge-report';

/** Source shown on our diagnostics and the name of the log channel. */
export const DISPLAY_NAME = 'Dynaforge';

/** The `@df` chat participant (package.json `contributes.chatParticipants`). Its name must match `^[\w-]+$`. */
export const ChatIds = {
  Participant: 'dynaforge.df',
  Name: 'df',
} as const;

/** The participant's slash commands, in the order the chat shows them (DESIGN.md §7). */
export const CHAT_COMMANDS = ['new', 'capture', 'impact', 'plan', 'tasks', 'implement', 'approve', 'deny', 'reconcile', 'trace', 'status', 'clarify', 'analyze', 'checklist', 'doctor', 'check'] as const;
export type ChatCommandName = (typeof CHAT_COMMANDS)[number];

/**
 * Language-model tool names (package.json `contributes.languageModelTools`): they match
 * `^(?!copilot_|vscode_)[\w-]+$`. Copilot's agent mode calls them to work inside the governance.
 */
export const Tools = {
  Status: 'dynaforge_status',
  NewChange: 'dynaforge_new_change',
  ListTasks: 'dynaforge_list_tasks',
  StartTask: 'dynaforge_start_task',
  CompleteTask: 'dynaforge_complete_task',
  RecordEvidence: 'dynaforge_record_evidence',
  Trace: 'dynaforge_trace',
} as const;
export type ToolName = (typeof Tools)[keyof typeof Tools];
