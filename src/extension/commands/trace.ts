import * as vscode from 'vscode';
import { isDfError } from '../../core/errors';
import { parseTraceId } from '../../core/trace/query';
import { traceCommand } from '../chat/handlers/trace';
import { Commands } from '../constants';
import { pickChange } from '../ui/prompts';
import { parseArg, TraceArg } from './args';
import { ChatReportCommand, type ChatReport } from './report';

const SUMMARY = '*';
const OTHER = '…';

/**
 * Dynaforge: Trace… — `dynaforge trace [CH-###|FR-…|WS-…|TC-…]` as a report: the links of one
 * item (requirements, workstreams, tests, changes, evidence), or the trace summary and its gaps.
 */
export class TraceCommand extends ChatReportCommand {
  readonly id = Commands.Trace;

  protected async report(arg: unknown): Promise<ChatReport | undefined> {
    const a = parseArg(TraceArg, arg, 'Trace') ?? {};
    const given = a.id ?? a.chId;
    const id = given !== undefined ? parseTraceId(given) : await this.ask();
    if (id === undefined) return undefined;
    return { command: traceCommand, prompt: id === SUMMARY ? '' : id, name: id === SUMMARY ? 'Trace' : `Trace of ${id}`, args: ['trace', ...(id === SUMMARY ? [] : [id])] };
  }

  /** A change, the summary, or another item typed in. */
  private async ask(): Promise<string | undefined> {
    const picked = await pickChange(this.s.model, 'What to trace', undefined, [
      { id: SUMMARY, label: '$(list-flat) Summary and trace gaps', description: 'every requirement, test case, workstream and change' },
      { id: OTHER, label: '$(edit) A requirement, workstream or test case…', description: 'FR-…, WS-…, TC-…' },
    ]);
    if (picked !== OTHER) return picked;
    const typed = await vscode.window.showInputBox({
      title: 'Dynaforge: Trace',
      prompt: 'The item to trace',
      placeHolder: 'FR-1, WS-auth, TC-7 or CH-012',
      ignoreFocusOut: true,
      validateInput: (v) => traceIdProblem(v),
    });
    return typed === undefined ? undefined : parseTraceId(typed);
  }
}

function traceIdProblem(text: string): string | undefined {
  try {
    parseTraceId(text);
    return undefined;
  } catch (e) {
    if (!isDfError(e)) throw e;
    return e.fix;
  }
}
