import * as vscode from 'vscode';
import type { Services } from '../services';
import { CompleteTaskTool } from './completeTaskTool';
import { ListTasksTool } from './listTasksTool';
import { NewChangeTool } from './newChangeTool';
import { RecordEvidenceTool } from './recordEvidenceTool';
import { StartTaskTool } from './startTaskTool';
import { StatusTool } from './statusTool';
import type { DfToolClass } from './tool';
import { TraceTool } from './traceTool';

/** Every language-model tool of Dynaforge, in the order package.json declares them. */
export const TOOL_CLASSES: readonly DfToolClass[] = [StatusTool, NewChangeTool, ListTasksTool, StartTaskTool, CompleteTaskTool, RecordEvidenceTool, TraceTool];

/** Registers every tool (vscode.lm.registerTool); the returned disposables belong to the caller. */
export function registerTools(s: Services): { readonly tools: ReadonlyMap<string, vscode.LanguageModelTool<unknown>>; readonly disposables: vscode.Disposable[] } {
  const tools = new Map<string, vscode.LanguageModelTool<unknown>>();
  const disposables = TOOL_CLASSES.map((T) => {
    const tool = new T(s);
    tools.set(T.id, tool);
    return vscode.lm.registerTool(T.id, tool);
  });
  return { tools, disposables };
}
