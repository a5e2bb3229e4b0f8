import * as vscode from 'vscode';
import { z } from 'zod';
import { isDfError } from '../../core/errors';
import { parseChangeId } from '../../core/store/changeIds';
import type { ToolName } from '../constants';
import type { ActionResult, Via } from '../engine/actionRunner';
import type { Services } from '../services';

/**
 * One language-model tool of Dynaforge (one per file): a static id (its `name` in
 * package.json), a prepareInvocation message — with a confirmation when it changes the
 * project — and errors an LLM can act on: what is wrong and what to do next, in words.
 */
export interface DfToolClass {
  readonly id: ToolName;
  new (s: Services): vscode.LanguageModelTool<unknown>;
}

/** How tools run engine actions: they report outcomes in their result, and are recorded as tool calls. */
export const TOOL_VIA: Via = { quiet: true, role: 'vscode lm tool' };

/** A change id as a model may write it (`CH-012`, `ch12`, `12`), validated at the boundary. */
export const ChangeInput = z
  .string()
  .trim()
  .regex(/^(ch-?)?\d{1,9}$/i, 'a change id like CH-012')
  .transform((v) => parseChangeId(v));

/** A failure the model should read: the message says what went wrong and what to do instead. */
export class ToolError extends Error {
  override readonly name = 'ToolError';
}

/** The tool's input, checked against its schema; a wrong shape is a ToolError naming each field and the fix. */
export function parseInput<S extends z.ZodType>(tool: ToolName, schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
  throw new ToolError(`${tool} was called with input it does not accept (${issues}). Call it again with input matching its schema.`);
}

/** A result for the model: a summary line a person could read, then the details as JSON. */
export function result(summary: string, details?: unknown): vscode.LanguageModelToolResult {
  const text = details === undefined ? summary : `${summary}\n\n${JSON.stringify(details, null, 2)}`;
  return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);
}

/** The value of an action, or a ToolError with its message and fix (Restricted Mode and cancellations included). */
export function unwrap<T>(tool: ToolName, r: ActionResult<T>): T {
  if (!r) throw new ToolError(`${tool}: the user cancelled; nothing was done. Do not retry unless the user asks.`);
  if (!r.ok) {
    const untrusted = r.error.code === 'untrusted';
    throw new ToolError(`${tool} failed: ${r.error.message}.${r.error.fix ? ` What to do: ${r.error.fix}.` : ''}${untrusted ? ' Tell the user; do not retry and do not make the change another way.' : ''}`);
  }
  return r.value;
}

/** Any other failure (an engine error while reading) as a ToolError with its fix. */
export function failure(tool: ToolName, e: unknown): ToolError {
  if (e instanceof ToolError) return e;
  if (isDfError(e)) {
    const where = e.location();
    return new ToolError(`${tool} failed: ${e.message}${where && !e.message.includes(where) ? ` (${where})` : ''}. What to do: ${e.fix}.`);
  }
  return new ToolError(`${tool} failed unexpectedly: ${e instanceof Error ? e.message : String(e)}. This is a bug in Dynaforge: tell the user (Dynaforge: Show Log has details).`);
}

/** The confirmation every state-changing tool asks for (none in Restricted Mode, where it refuses anyway). */
export function confirm(title: string, message: string, invocationMessage: string): vscode.PreparedToolInvocation {
  if (!vscode.workspace.isTrusted) return { invocationMessage: `${invocationMessage} (Restricted Mode: Dynaforge will refuse)` };
  return { invocationMessage, confirmationMessages: { title, message: new vscode.MarkdownString(message) } };
}
