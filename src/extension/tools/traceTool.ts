import type * as vscode from 'vscode';
import { z } from 'zod';
import { loadTrace } from '../../core/trace/loadTrace';
import { parseTraceId, traceItem } from '../../core/trace/query';
import { Workspace } from '../../core/workspace';
import { Tools } from '../constants';
import type { Services } from '../services';
import { failure, parseInput, result, ToolError } from './tool';

const Input = z.strictObject({ id: z.string().trim().min(1).optional() });
type TraceInput = z.input<typeof Input>;

/** `dynaforge_trace`: `dynaforge trace [id]` — the links of a change, FR, WS or TC; with no id, the summary and the trace gaps. */
export class TraceTool implements vscode.LanguageModelTool<TraceInput> {
  static readonly id = Tools.Trace;
  constructor(private readonly s: Services) {}

  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<TraceInput>): vscode.PreparedToolInvocation {
    const id = typeof options.input?.id === 'string' ? options.input.id : undefined;
    return { invocationMessage: id ? `Tracing ${id}` : 'Reading the trace gaps' };
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<TraceInput>): Promise<vscode.LanguageModelToolResult> {
    try {
      const i = parseInput(TraceTool.id, Input, options.input);
      const snap = this.s.model.snapshot;
      if (!snap.trusted) throw new ToolError(`${TraceTool.id}: Restricted Mode — tracing reads git history, and Dynaforge runs nothing in an untrusted folder. Tell the user; the folder must be trusted first.`);
      if (!snap.root) throw new ToolError('This folder has no Dynaforge project (.dynaforge/).');
      const { model, problems } = await loadTrace(await Workspace.open({ cwd: snap.root, env: process.env }));
      const warnings = problems.map((p) => `${p.message} (${p.fix})`);
      if (i.id === undefined) {
        const reqs = model.requirements;
        return result(`Trace: ${reqs.length} requirement(s), ${reqs.filter((r) => r.status === 'gap').length} without a test; ${model.tests.length} test case(s); ${model.gaps.length} gap(s).`, { gaps: model.gaps, ...(warnings.length ? { warnings } : {}) });
      }
      const view = traceItem(model, parseTraceId(i.id));
      return result(`Trace of ${view.item.id} (${view.kind}): ${view.gaps.length} gap(s).`, { ...view, ...(warnings.length ? { warnings } : {}) });
    } catch (e) {
      throw failure(TraceTool.id, e);
    }
  }
}
