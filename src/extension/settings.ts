import * as vscode from 'vscode';
import { z } from 'zod';
import { Disposable } from './lifecycle';

/** Settings keys (package.json `contributes.configuration` declares the same). */
export const SettingKeys = {
  ModelSource: 'dynaforge.model.source',
  RefreshAuto: 'dynaforge.refresh.auto',
  RefreshDebounceMs: 'dynaforge.refresh.debounceMs',
} as const;

export const MODEL_SOURCES = ['config', 'vscode-lm', 'none'] as const;

/** What the face reads from the user's settings, validated: a hand-edited settings.json can hold anything. */
const SettingsSchema = z.object({
  modelSource: z.enum(MODEL_SOURCES).catch('config'),
  refreshAuto: z.boolean().catch(true),
  refreshDebounceMs: z.number().int().min(0).max(10_000).catch(250),
});
export type DfSettings = z.infer<typeof SettingsSchema>;

export class Settings extends Disposable {
  private current: DfSettings;
  private readonly changed = this._register(new vscode.EventEmitter<DfSettings>());
  readonly onDidChange = this.changed.event;

  constructor() {
    super();
    this.current = Settings.read();
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('dynaforge')) return;
        this.current = Settings.read();
        this.changed.fire(this.current);
      }),
    );
  }

  get value(): DfSettings {
    return this.current;
  }

  private static read(): DfSettings {
    const c = vscode.workspace.getConfiguration();
    return SettingsSchema.parse({
      modelSource: c.get(SettingKeys.ModelSource),
      refreshAuto: c.get(SettingKeys.RefreshAuto),
      refreshDebounceMs: c.get(SettingKeys.RefreshDebounceMs),
    });
  }
}
