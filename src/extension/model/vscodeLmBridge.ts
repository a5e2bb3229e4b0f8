import * as vscode from 'vscode';
import type { VscodeLmBridge, VscodeLmMessage, VscodeLmRequest, VscodeLmResponsePart } from '../../core/model/vscodeLm';

/**
 * The engine's `vscode-lm` model port reaches VS Code through this: a `LanguageModelChat`
 * (the chat request's model, or one chosen with `vscode.lm.selectChatModels`). Mechanical on
 * purpose — shapes in, parts out; the engine maps roles, tools and results (vscodeLm.ts).
 */
export class LanguageModelBridge implements VscodeLmBridge {
  readonly modelName: string;

  constructor(
    private readonly model: vscode.LanguageModelChat,
    /** Why Dynaforge asks: VS Code may show it when it asks the person for consent. */
    private readonly justification = 'Dynaforge agents (PM, Designer, Implementer) work on your change with this model.',
  ) {
    this.modelName = `${model.vendor} ${model.name}`;
  }

  async sendRequest(request: VscodeLmRequest, signal: AbortSignal): Promise<AsyncIterable<VscodeLmResponsePart>> {
    const cts = new vscode.CancellationTokenSource();
    const cancel = () => cts.cancel();
    signal.addEventListener('abort', cancel, { once: true });
    try {
      const response = await this.model.sendRequest(
        request.messages.map(toMessage),
        {
          justification: this.justification,
          tools: request.tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema })),
          toolMode: request.toolMode === 'required' ? vscode.LanguageModelChatToolMode.Required : vscode.LanguageModelChatToolMode.Auto,
          modelOptions: { ...request.modelOptions },
        },
        cts.token,
      );
      return parts(response, () => {
        signal.removeEventListener('abort', cancel);
        cts.dispose();
      });
    } catch (e) {
      signal.removeEventListener('abort', cancel);
      cts.dispose();
      throw e;
    }
  }
}

/** The response's parts in the engine's shape; anything else a provider sends (data, thinking) is skipped. */
async function* parts(response: vscode.LanguageModelChatResponse, done: () => void): AsyncGenerator<VscodeLmResponsePart> {
  try {
    for await (const part of response.stream) {
      if (part instanceof vscode.LanguageModelTextPart) yield { kind: 'text', value: part.value };
      else if (part instanceof vscode.LanguageModelToolCallPart) yield { kind: 'tool-call', callId: part.callId, name: part.name, input: part.input };
    }
  } finally {
    done();
  }
}

function toMessage(m: VscodeLmMessage): vscode.LanguageModelChatMessage {
  if (m.role === 'assistant') {
    const out: (vscode.LanguageModelTextPart | vscode.LanguageModelToolCallPart)[] = [];
    for (const p of m.parts) {
      if (p.kind === 'text') out.push(new vscode.LanguageModelTextPart(p.value));
      else if (p.kind === 'tool-call') out.push(new vscode.LanguageModelToolCallPart(p.callId, p.name, p.input));
    }
    return vscode.LanguageModelChatMessage.Assistant(out);
  }
  const out: (vscode.LanguageModelTextPart | vscode.LanguageModelToolResultPart)[] = [];
  for (const p of m.parts) {
    if (p.kind === 'text') out.push(new vscode.LanguageModelTextPart(p.value));
    else if (p.kind === 'tool-result') out.push(new vscode.LanguageModelToolResultPart(p.callId, [new vscode.LanguageModelTextPart(p.content)]));
  }
  return vscode.LanguageModelChatMessage.User(out);
}
