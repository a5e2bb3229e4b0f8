import * as vscode from 'vscode';
import type { ActionResult } from '../../src/extension/engine/actionRunner';

/** What a person answers to one prompt: the quick-pick item it names (see `fits`), or the text typed into an input box. */
export type Answer = { readonly pick: string | RegExp } | { readonly input: string };

/** One prompt the command showed. */
export interface Asked {
  readonly kind: 'pick' | 'input';
  readonly title?: string;
  readonly placeHolder?: string;
  readonly prompt?: string;
  /** A quick pick's item labels. */
  readonly items?: readonly string[];
}

const labelOf = (item: string | vscode.QuickPickItem) => (typeof item === 'string' ? item : item.label);
const textOf = (item: string | vscode.QuickPickItem) => (typeof item === 'string' ? item : `${item.label} ${item.description ?? ''}`);
/** A string names an item by its label (codicon prefix aside); a RegExp may match its label or description. */
const fits = (item: string | vscode.QuickPickItem, want: string | RegExp) => (typeof want === 'string' ? labelOf(item) === want || labelOf(item).endsWith(` ${want}`) : want.test(textOf(item)));

/**
 * Runs a command the way a person in the palette would: each quick pick and input box it shows
 * gets the next answer, in order (an input is checked by the box's own validateInput first).
 * Tests run in the extension host with the extension's own `vscode` API object, so replacing
 * `window.showQuickPick` / `window.showInputBox` while the command runs is what it sees. A prompt
 * with no answer left, or of the other kind, fails the command with a message saying which.
 */
export async function inPalette<T>(command: string, answers: readonly Answer[], ...args: unknown[]): Promise<{ result: ActionResult<T>; asked: Asked[] }> {
  const queue = [...answers];
  const asked: Asked[] = [];
  const window = vscode.window as { -readonly [K in keyof typeof vscode.window]: (typeof vscode.window)[K] };
  const { showQuickPick, showInputBox } = window;
  const next = (kind: 'pick' | 'input', what: string): Answer => {
    const a = queue.shift();
    if (!a || !(kind in a)) throw new Error(`expected no ${kind === 'pick' ? 'quick pick' : 'input box'} "${what}" here (${a ? 'the next answer is for the other kind' : 'no answer left'})`);
    return a;
  };
  window.showQuickPick = (async (items: readonly (string | vscode.QuickPickItem)[] | Thenable<readonly (string | vscode.QuickPickItem)[]>, options?: vscode.QuickPickOptions) => {
    const list = await items;
    const labels = list.map(labelOf);
    asked.push({ kind: 'pick', ...(options?.title ? { title: options.title } : {}), ...(options?.placeHolder ? { placeHolder: options.placeHolder } : {}), items: labels });
    const want = (next('pick', options?.placeHolder ?? '') as { pick: string | RegExp }).pick;
    const item = list.find((i) => fits(i, want));
    if (!item) throw new Error(`expected an item "${String(want)}" in the quick pick "${options?.placeHolder ?? ''}", got: ${labels.join(' | ')}`);
    return item;
  }) as unknown as typeof window.showQuickPick;
  window.showInputBox = (async (options?: vscode.InputBoxOptions) => {
    asked.push({ kind: 'input', ...(options?.title ? { title: options.title } : {}), ...(options?.prompt ? { prompt: options.prompt } : {}), ...(options?.placeHolder ? { placeHolder: options.placeHolder } : {}) });
    const text = (next('input', options?.prompt ?? '') as { input: string }).input;
    const problem = await options?.validateInput?.(text);
    if (problem) throw new Error(`the input box "${options?.prompt ?? ''}" refused "${text}": ${typeof problem === 'string' ? problem : problem.message}`);
    return text;
  }) as typeof window.showInputBox;
  try {
    const result = (await vscode.commands.executeCommand(command, ...args)) as ActionResult<T>;
    if (queue.length) throw new Error(`expected ${command} to ask ${queue.length} more question(s); it asked: ${asked.map((x) => x.placeHolder ?? x.prompt).join(' / ')}`);
    return { result, asked };
  } finally {
    window.showQuickPick = showQuickPick;
    window.showInputBox = showInputBox;
  }
}

/** The value of a command run through the palette, insisting it succeeded. */
export async function okInPalette<T = Record<string, unknown>>(command: string, answers: readonly Answer[], ...args: unknown[]): Promise<{ value: T; asked: Asked[] }> {
  const { result, asked } = await inPalette<T>(command, answers, ...args);
  if (!result) throw new Error(`expected ${command} to succeed, but it was cancelled after: ${asked.map((x) => x.placeHolder ?? x.prompt).join(' / ')}`);
  if (!result.ok) throw new Error(`expected ${command} to succeed, but it failed: ${result.error.code}: ${result.error.message}`);
  return { value: result.value, asked };
}

/** The open tabs' labels (a Markdown preview's is "Preview <file>"). */
export function tabLabels(): string[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label));
}
