import * as vscode from 'vscode';
import { z } from 'zod';
import { Disposable } from './lifecycle';

/** Settings keys (package.json `contributes.configuration` declares the same). */
export const SettingKeys = {
  ModelSource: 'dynaforge.model.source',
  ModelVendor: 'dynaforge.model.vendor',
  ModelFamily: 'dynaforge.model.family',
  ModelUrl: 'dynaforge.model.url',
  ModelName: 'dynaforge.model.name',
  RefreshAuto: 'dynaforge.refresh.auto',
  RefreshDebounceMs: 'dynaforge.refresh.debounceMs',
} as const;

export const MODEL_SOURCES = ['config', 'vscode-lm', 'openai-compatible', 'none'] as const;

/** A text setting, trimmed; anything but a string is unset. Not checked further here: the engine names what is wrong where it is used. */
const text = z.string().trim().catch('');

/** What the face reads from the user's settings, validated: a hand-edited settings.json can hold anything. */
const SettingsSchema = z.object({
  modelSource: z.enum(MODEL_SOURCES).catch('config'),
  modelVendor: text,
  modelFamily: text,
  modelUrl: text,
  modelName: text,
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
      modelVendor: c.get(SettingKeys.ModelVendor),
      modelFamily: c.get(SettingKeys.ModelFamily),
      modelUrl: c.get(SettingKeys.ModelUrl),
      modelName: c.get(SettingKeys.ModelName),
      refreshAuto: c.get(SettingKeys.RefreshAuto),
      refreshDebounceMs: c.get(SettingKeys.RefreshDebounceMs),
    });
  }
}
