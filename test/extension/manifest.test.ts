import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CHAT_COMMANDS, ChatIds, Commands, ContextKeys, Tools, Views } from '../../src/extension/constants';
import { SettingKeys } from '../../src/extension/settings';
import { extension } from './helpers';

interface Manifest {
  activationEvents: string[];
  contributes: {
    commands: { command: string; title: string; category: string }[];
    views: Record<string, { id: string }[]>;
    viewsWelcome: { view: string; when: string }[];
    configuration: { properties: Record<string, unknown> };
    chatParticipants: { id: string; name: string; commands: { name: string; description: string }[] }[];
    languageModelTools: { name: string; modelDescription: string; userDescription: string; inputSchema: { type: string }; toolReferenceName?: string }[];
  };
  capabilities: { untrustedWorkspaces: { supported: string | boolean } };
  enabledApiProposals?: unknown;
}

describe('the manifest matches the code', () => {
  const pkg = () => extension().packageJSON as Manifest;

  it('contributes every command id of constants.ts, each under the category "Dynaforge"', () => {
    const contributed = new Map(pkg().contributes.commands.map((c) => [c.command, c]));
    for (const id of Object.values(Commands)) {
      assert.ok(contributed.has(id), `expected package.json to contribute ${id}`);
      assert.equal(contributed.get(id)?.category, 'Dynaforge', `expected ${id} to be in the category Dynaforge`);
    }
    assert.equal(contributed.size, Object.values(Commands).length, 'expected no command in package.json that the code does not register');
  });

  it('registers every contributed command once activated', async () => {
    await extension().activate();
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const id of Object.values(Commands)) assert.ok(registered.has(id), `expected ${id} to be registered`);
  });

  it('activates lazily, supports Restricted Mode in a limited way and uses no proposed API', () => {
    const m = pkg();
    assert.deepEqual(m.activationEvents, ['workspaceContains:.dynaforge/config.yaml'], 'expected activation only for folders with a project (views and commands activate implicitly)');
    assert.equal(m.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.equal(m.enabledApiProposals, undefined, 'expected no proposed APIs');
  });

  it('declares the Changes view, its welcome content and the settings the code reads', () => {
    const m = pkg();
    assert.ok(m.contributes.views[Views.Container]?.some((v) => v.id === Views.Changes), `expected the view ${Views.Changes} in the container ${Views.Container}`);
    assert.ok(m.contributes.viewsWelcome.some((w) => w.view === Views.Changes && w.when.includes(`${ContextKeys.State} == uninitialized`)), 'expected a welcome view for a folder without .dynaforge/');
    for (const key of Object.values(SettingKeys)) assert.ok(key in m.contributes.configuration.properties, `expected the setting ${key} to be declared`);
  });

  it('contributes the @df participant (name matching ^[\\w-]+$) with every slash command the code handles', () => {
    const [p, ...more] = pkg().contributes.chatParticipants;
    assert.equal(more.length, 0);
    assert.equal(p?.id, ChatIds.Participant);
    assert.equal(p?.name, ChatIds.Name);
    assert.match(p?.name ?? '', /^[\w-]+$/);
    assert.deepEqual(p?.commands.map((c) => c.name), [...CHAT_COMMANDS]);
    for (const c of p?.commands ?? []) assert.ok(c.description.length > 10, `expected /${c.name} to be described`);
  });

  it('contributes exactly the language-model tools the code registers, with valid names and an input schema', () => {
    const tools = pkg().contributes.languageModelTools;
    assert.deepEqual(tools.map((t) => t.name).sort(), Object.values(Tools).sort());
    for (const t of tools) {
      assert.match(t.name, /^(?!copilot_|vscode_)[\w-]+$/);
      assert.equal(t.inputSchema.type, 'object', `expected ${t.name} to have an object input schema`);
      assert.ok(t.modelDescription.length > 80 && t.userDescription.length > 10, `expected ${t.name} to be described for the model and the user`);
    }
  });
});
