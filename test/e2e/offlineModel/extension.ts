// Test only — never shipped: an offline language model for the editor tests. It registers a
// provider (`contributes.languageModelChatProviders` + vscode.lm.registerLanguageModelChatProvider)
// whose model plays scripted answers, so the real chat view works without Copilot or a network
// and `@df /implement` can be driven through it.
//
// The script is a queue in $DYNAFORGE_E2E_MODEL_DIR/script.json, `{ "answers": [ … ] }`: each
// request takes the first answer (text, or tool calls). With the queue empty the model says so
// in its answer. Every request is logged to requests.jsonl in the same folder.
//
// "Dynaforge Test: Ask the Chat with the Offline Model…" (palette) asks for a query and sends it
// to the real chat view with this model selected (`workbench.action.chat.open` with a
// modelSelector): the model picker offers a signed-out editor only Copilot's sign-in, so the
// browser journey selects the model this way and types the query like a person.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

export const VENDOR = 'dynaforge-test';
export const MODEL_ID = 'scripted';

interface ScriptedAnswer {
  readonly text?: string;
  readonly toolCalls?: readonly { readonly name: string; readonly input: Record<string, unknown> }[];
}

function dir(): string | undefined {
  const d = process.env.DYNAFORGE_E2E_MODEL_DIR;
  if (d) mkdirSync(d, { recursive: true });
  return d;
}

/** Takes the next scripted answer off the queue, if there is one. */
function nextAnswer(): ScriptedAnswer | undefined {
  const d = dir();
  if (!d || !existsSync(join(d, 'script.json'))) return undefined;
  const script = JSON.parse(readFileSync(join(d, 'script.json'), 'utf8')) as { answers?: ScriptedAnswer[] };
  const answer = script.answers?.shift();
  writeFileSync(join(d, 'script.json'), JSON.stringify({ answers: script.answers ?? [] }, null, 2));
  return answer;
}

function textOf(message: vscode.LanguageModelChatRequestMessage): string {
  return message.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
}

let calls = 0;

const provider: vscode.LanguageModelChatProvider = {
  provideLanguageModelChatInformation: () => [
    { id: MODEL_ID, name: 'Dynaforge Offline (test)', family: 'offline', version: '1', maxInputTokens: 200_000, maxOutputTokens: 16_000, capabilities: { toolCalling: true } },
  ],
  async provideLanguageModelChatResponse(_model, messages, options, progress) {
    calls += 1;
    const last = [...messages].reverse().find((m) => textOf(m).trim()) ?? messages[messages.length - 1];
    const asked = last ? textOf(last) : '';
    const answer = nextAnswer();
    const d = dir();
    if (d) appendFileSync(join(d, 'requests.jsonl'), `${JSON.stringify({ n: calls, messages: messages.length, tools: (options.tools ?? []).map((t) => t.name), asked: asked.slice(0, 300), answer: answer ?? null })}\n`);
    if (!answer) {
      progress.report(new vscode.LanguageModelTextPart(`offline model: no scripted answer for "${asked.slice(0, 80)}"`));
      return;
    }
    if (answer.text) {
      // In a few pieces, as a real model streams.
      const words = answer.text.split(/(?<= )/);
      const size = Math.max(1, Math.ceil(words.length / 3));
      for (let i = 0; i < words.length; i += size) progress.report(new vscode.LanguageModelTextPart(words.slice(i, i + size).join('')));
    }
    (answer.toolCalls ?? []).forEach((c, i) => progress.report(new vscode.LanguageModelToolCallPart(`call_${calls}_${i + 1}`, c.name, c.input)));
  },
  provideTokenCount: async (_model, text) => Math.ceil((typeof text === 'string' ? text : textOf(text)).length / 4),
};

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.lm.registerLanguageModelChatProvider(VENDOR, provider),
    vscode.commands.registerCommand('dynaforgeTest.askChat', async () => {
      const query = await vscode.window.showInputBox({ title: 'Ask the chat (offline model)', prompt: 'The chat request, e.g. @df /status', ignoreFocusOut: true });
      if (query) await vscode.commands.executeCommand('workbench.action.chat.open', { query, modelSelector: { vendor: VENDOR, id: MODEL_ID } });
    }),
  );
}

export function deactivate(): void {
  // the registration is disposed with the extension
}
