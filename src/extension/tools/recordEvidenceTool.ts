import type * as vscode from 'vscode';
import { z } from 'zod';
import { Tools } from '../constants';
import { captureAction } from '../engine/captureAction';
import type { Services } from '../services';
import { ChangeInput, confirm, failure, parseInput, result, TOOL_VIA, ToolError, unwrap } from './tool';

const Input = z.strictObject({
  change: ChangeInput.optional(),
  source: z.enum(['working', 'staged', 'range']).default('working'),
  range: z.string().trim().min(1).optional(),
});
type EvidenceInput = z.input<typeof Input>;

/**
 * `dynaforge_record_evidence`: `dynaforge capture --working|--staged|--from A..B --into CH-###`
 * — a diff (hashes of the files and of the diff, the commits) appended to the change's
 * evidence.json.
 */
export class RecordEvidenceTool implements vscode.LanguageModelTool<EvidenceInput> {
  static readonly id = Tools.RecordEvidence;
  constructor(private readonly s: Services) {}

  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<EvidenceInput>): vscode.PreparedToolInvocation {
    const i = options.input ?? ({} as EvidenceInput);
    const what = i.source === 'staged' ? 'the staged changes' : i.source === 'range' ? `the commits ${String(i.range ?? '')}` : 'the working-tree changes';
    const change = typeof i.change === 'string' ? i.change : 'the active change';
    return confirm('Record evidence?', `Records ${what} as evidence of ${change} in its \`evidence.json\` (file and diff hashes, commits).`, `Recording ${what} as evidence`);
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<EvidenceInput>): Promise<vscode.LanguageModelToolResult> {
    try {
      const i = parseInput(RecordEvidenceTool.id, Input, options.input);
      if (i.source === 'range' && !i.range) throw new ToolError(`${RecordEvidenceTool.id}: source "range" needs "range", e.g. "main..HEAD". Call it again with it.`);
      await this.s.model.whenIdle();
      const chId = i.change ?? this.s.model.snapshot.active?.id;
      if (!chId) throw new ToolError(`No change is active and none was named: call ${RecordEvidenceTool.id} with "change" (${Tools.Status} lists them).`);
      const r = unwrap(RecordEvidenceTool.id, await captureAction(this.s, { source: i.source === 'range' ? { kind: 'range', range: i.range as string } : { kind: i.source }, into: chId }, TOOL_VIA));
      const e = r.evidence;
      return result(`Recorded ${r.evidenceRef} for ${r.change.id}: ${e.files.length} file(s), ${e.commits.length} commit(s), diff sha256 ${e.diff_sha256.slice(0, 16)}….${r.warnings.length ? ` Warnings: ${r.warnings.join('; ')}.` : ''}`, {
        change: r.change.id,
        evidence: r.evidenceRef,
        files: e.files.map((f) => ({ path: f.path, status: f.status })),
        commits: e.commits.map((c) => c.sha.slice(0, 12)),
      });
    } catch (e) {
      throw failure(RecordEvidenceTool.id, e);
    }
  }
}
