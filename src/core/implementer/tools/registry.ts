import { canonicalJson } from '../../canonical';
import type { ToolCall, ToolDefinition } from '../../model/modelPort';
import { describeIssue } from '../../schema/issues';
import { applyPatchTool } from './applyPatch';
import { listFilesTool } from './listFiles';
import { readFileTool } from './readFile';
import { runVerificationTool } from './runVerification';
import { searchTool } from './search';
import { ToolFailure, type ImplementerTool, type ToolContext, type ToolOutcome } from './tool';
import { writeFileTool } from './writeFile';

/** Every tool the Implementer offers, in the order the model sees them. */
const TOOLS: readonly ImplementerTool<never>[] = [readFileTool, listFilesTool, searchTool, writeFileTool, applyPatchTool, runVerificationTool] as unknown as ImplementerTool<never>[];

export const TOOL_DEFINITIONS: readonly ToolDefinition[] = TOOLS.map((t) => t.definition);

export interface ToolAnswer {
  readonly outcome: ToolOutcome;
  /** The `tool` message content: canonical JSON, so the next request (and its hash) is stable. */
  readonly content: string;
}

/**
 * Runs one tool call. Unknown tools, bad arguments, refusals and failures all come back as
 * `{"ok": false, "error": …}` for the model to act on; only cancellation and the engine's
 * own failures (the audit log, the disk) propagate.
 */
export async function runTool(call: ToolCall, ctx: ToolContext): Promise<ToolAnswer> {
  const tool = TOOLS.find((t) => t.definition.name === call.name) as ImplementerTool<unknown> | undefined;
  let outcome: ToolOutcome;
  if (!tool) {
    outcome = { ok: false, error: `there is no tool "${call.name}"; the tools are: ${TOOLS.map((t) => t.definition.name).join(', ')}`, summary: `unknown tool ${call.name}` };
  } else {
    const args = tool.args.safeParse(call.arguments);
    if (!args.success) {
      outcome = { ok: false, error: `bad arguments for ${call.name}: ${args.error.issues.slice(0, 3).map(describeIssue).join('; ')}`, summary: `${call.name}: bad arguments` };
    } else {
      try {
        outcome = await tool.run(args.data, ctx);
      } catch (e) {
        // A file the model can do something about (a folder where it wanted a file, an unwritable path) is its error to see.
        if (!(e instanceof ToolFailure)) throw e;
        outcome = { ok: false, error: e.message, summary: `${call.name} failed: ${e.message}` };
      }
    }
  }
  const content = canonicalJson(outcome.ok ? { ok: true, ...outcome.result } : { ok: false, error: outcome.error });
  return { outcome, content };
}
