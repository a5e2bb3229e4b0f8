import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { selectLmModel } from '../../src/extension/model/selectLmModel';
import { SettingKeys } from '../../src/extension/settings';
import { completion, startFakeServer, type FakeServer } from '../unit/model/fakeOpenAiServer';
import { askDf, offlineModel, OFFLINE_VENDOR, scriptLeft, scriptModel, unusableModel } from './chatHelpers';
import { api, settle, waitFor } from './helpers';

const OFFLINE_FAMILY = 'offline';

/** Sets a setting (user settings) and waits until the configuration reads it back. */
async function set(key: string, value: string): Promise<void> {
  await vscode.workspace.getConfiguration().update(key, value || undefined, vscode.ConfigurationTarget.Global);
  await waitFor(`${key} to be "${value}"`, () => (vscode.workspace.getConfiguration().get<string>(key) ?? '') === value);
}

/** What the PM answers when it frames a request (JSON, as roles.ts asks for). */
function framing(title: string): string {
  return JSON.stringify({ title, problem: 'Nobody knows how many people visit.', outcome: 'A daily visitor count.', scope_paths: ['src'], requirements: [], risk_tier: 'low' });
}

function created(text: string): string {
  const m = /Created \*\*(CH-\d{3,})\*\* “([^”]*)”/.exec(text);
  assert.ok(m, `expected "Created **CH-…** “…”" in the answer, got:\n${text}`);
  return m[2] as string;
}

describe('model settings: where the agents get their model', () => {
  let server: FakeServer;

  before(async () => {
    server = await startFakeServer();
    await settle(await api());
  });

  after(async () => {
    for (const key of [SettingKeys.ModelUrl, SettingKeys.ModelName, SettingKeys.ModelVendor, SettingKeys.ModelFamily]) await set(key, '');
    await set(SettingKeys.ModelSource, 'config');
    await server.close();
  });

  it('openai-compatible: the engine calls the server at dynaforge.model.url with dynaforge.model.name, and the PM frames the change with its answer', async () => {
    await set(SettingKeys.ModelSource, 'openai-compatible');
    await set(SettingKeys.ModelUrl, server.url);
    await set(SettingKeys.ModelName, 'tiny-test');
    server.reply({ kind: 'json', body: completion(framing('Count visitors per day')) });
    const r = await askDf('new', 'Count the visitors', unusableModel());
    assert.equal(created(r.stream.text), 'Count visitors per day', 'expected the title the fake server answered');
    assert.equal(server.requests.length, 1, 'expected one request to the server');
    assert.equal(server.requests[0]?.path, '/v1/chat/completions');
    assert.equal(server.requests[0]?.body.model, 'tiny-test');
    assert.ok(r.stream.progressText.some((p) => p.includes(`openai-compatible tiny-test at ${server.url}`)), `expected the progress to name the model, got ${JSON.stringify(r.stream.progressText)}`);
  });

  it('a malformed dynaforge.model.url is an error naming the setting and the fix, and nothing is called or created', async () => {
    const before = (await api()).snapshot().changes.length;
    await set(SettingKeys.ModelUrl, '127.0.0.1 port 11434');
    const r = await askDf('new', 'Count the visitors again', unusableModel());
    assert.match(r.stream.text, /dynaforge\.model\.url is not a URL/);
    assert.match(r.stream.text, /set it to the API base, e.g\. http:\/\/127\.0\.0\.1:11434\/v1/);
    assert.equal(server.requests.length, 1, 'expected no request to the server');
    assert.equal((await api()).snapshot().changes.length, before, 'expected no change created');
  });

  it('vscode-lm with vendor/family set: the pinned model wins over the chat request model', async () => {
    await set(SettingKeys.ModelSource, 'vscode-lm');
    await set(SettingKeys.ModelVendor, OFFLINE_VENDOR);
    await set(SettingKeys.ModelFamily, OFFLINE_FAMILY);
    scriptModel([{ text: framing('Count visitors with the pinned model') }]);
    // The request's model must not be called: the pin selects the offline model instead.
    const r = await askDf('new', 'Count the visitors with VS Code', unusableModel());
    assert.equal(created(r.stream.text), 'Count visitors with the pinned model');
    assert.equal(scriptLeft(), 0, 'expected the offline model to have answered');
  });

  it('without a chat request (palette, tree) the pin selects the model; without a pin there is none to pick', async () => {
    const m = await selectLmModel({ modelVendor: OFFLINE_VENDOR, modelFamily: OFFLINE_FAMILY }, undefined);
    assert.equal(m?.id, (await offlineModel()).id);
    const chat = await offlineModel();
    assert.equal(await selectLmModel({ modelVendor: '', modelFamily: '' }, chat), chat, "expected the chat's model when nothing is pinned");
    assert.equal(await selectLmModel({ modelVendor: '', modelFamily: '' }, undefined), undefined, 'expected the caller to choose when nothing is pinned and there is no chat');
  });

  it('a family no VS Code model has is an error naming dynaforge.model.family and the models there are', async () => {
    await set(SettingKeys.ModelVendor, '');
    await set(SettingKeys.ModelFamily, 'no-such-family');
    scriptModel([]);
    const r = await askDf('new', 'Count the visitors once more', await offlineModel());
    assert.match(r.stream.text, /no VS Code language model matches family "no-such-family" \(dynaforge\.model\.family\)/);
    assert.ok(r.stream.text.includes(`${OFFLINE_VENDOR}/${OFFLINE_FAMILY}`), `expected the fix to list the models there are, got:\n${r.stream.text}`);
    assert.match(r.stream.text, /clear dynaforge\.model\.family to use the chat's model/);
  });
});
