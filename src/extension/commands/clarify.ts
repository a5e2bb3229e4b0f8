import { join } from 'node:path';
import * as vscode from 'vscode';
import { parseQuestionId } from '../../core/analyze/questions';
import { Commands } from '../constants';
import { analysisAction } from '../engine/analysisActions';
import type { Services } from '../services';
import { askNote, pickChange } from '../ui/prompts';
import { ClarifyArg, parseArg } from './args';
import type { DfCommand } from './command';
import { notify, showMarkdown } from './report';

/**
 * Dynaforge: Clarify Open Questions… — `dynaforge clarify CH-### [--answer Q-n "…"]`: the spec's
 * open questions (ambiguity markers, lines ending in "?", the Open questions section) to pick
 * from, then the answer, which goes into spec.md's Clarifications section — so approvals that
 * covered spec.md go stale, as any edit does. Without an answer the report opens.
 */
export class ClarifyCommand implements DfCommand {
  readonly id = Commands.Clarify;
  constructor(private readonly s: Services) {}

  async execute(arg?: unknown): Promise<unknown> {
    const a = parseArg(ClarifyArg, arg, 'Clarify') ?? {};
    const chId = a.chId ?? (await pickChange(this.s.model, 'The change whose spec to clarify', (c) => c.change.status === 'open' && c.artifacts.includes('spec.md')));
    if (!chId) return undefined;
    let question = a.question === undefined ? undefined : parseQuestionId(a.question);
    if (!question) {
      const listed = await analysisAction(this.s, 'clarify', chId);
      if (!listed?.ok) return listed;
      const open = listed.value.report.questions.filter((q) => q.status === 'open');
      const picked = open.length ? await vscode.window.showQuickPick(open.map((q) => ({ label: q.id, description: q.text, detail: `spec.md:${q.line}`, id: q.id })), { title: `Dynaforge: Clarify ${chId}`, placeHolder: 'The question to answer (Esc: read the report)', matchOnDescription: true }) : undefined;
      if (!picked) {
        await this.showReport(listed.value.files.markdown);
        if (!open.length) void vscode.window.showInformationMessage(`Dynaforge: the spec of ${chId} has no open question.`);
        return listed;
      }
      question = picked.id;
    }
    const text = a.answer ?? (await askNote(`The answer to ${question} of ${chId} (recorded under Clarifications in spec.md)`, true));
    if (text === undefined) return undefined;
    const result = await analysisAction(this.s, 'clarify', chId, { question, text });
    const done = result?.ok ? result.value.report.answered : undefined;
    const root = this.s.model.snapshot.root;
    if (done && root) {
      const spec = await vscode.window.showTextDocument(vscode.Uri.file(join(root, done.file)), { preview: false });
      const at = new vscode.Position(Math.max(0, done.entry_line - 1), 0);
      spec.selection = new vscode.Selection(at, at);
      spec.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      const stale = done.stale_approvals.map((x) => `${x.stage} by ${x.by}`);
      notify(`Dynaforge: recorded the answer to ${done.question} in ${done.file}:${done.entry_line}.${stale.length ? ` spec.md changed, so these approvals are stale (review, then re-approve): ${stale.join('; ')}.` : ''}`, [], stale.length > 0);
    }
    return result;
  }

  private async showReport(rel: string): Promise<void> {
    const root = this.s.model.snapshot.root;
    if (root) await showMarkdown(vscode.Uri.file(join(root, rel)));
  }
}
