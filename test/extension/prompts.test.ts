import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHAT_COMMANDS, Commands } from '../../src/extension/constants';
import { cli, ok, root } from './helpers';

const DIR = '.github/prompts';
const file = (name: string) => join(root(), DIR, `df.${name}.prompt.md`);

describe('Copilot prompt files (/df.new, /df.implement, …)', () => {
  it('"Write Copilot Prompt Files" writes one prompt file per @df command, each with a description', async () => {
    const v = await ok<{ written: string[] }>(Commands.WritePromptFiles);
    assert.deepEqual([...v.written].sort(), CHAT_COMMANDS.map((n) => `${DIR}/df.${n}.prompt.md`).sort());
    assert.deepEqual(readdirSync(join(root(), DIR)).sort(), CHAT_COMMANDS.map((n) => `df.${n}.prompt.md`).sort());
    for (const n of CHAT_COMMANDS) assert.match(readFileSync(file(n), 'utf8'), /^---\ndescription: '[^']+'\n(argument-hint: '[^']*'\n)?agent: agent\n---\n/, `expected front matter in df.${n}.prompt.md`);
    assert.match(readFileSync(file('implement'), 'utf8'), /dynaforge_start_task[\s\S]*dynaforge_complete_task/);
  });

  it('writing them again changes nothing, and keeps a prompt file the user edited', async () => {
    const again = await ok<{ written: string[]; unchanged: string[] }>(Commands.WritePromptFiles);
    assert.deepEqual(again.written, []);
    assert.equal(again.unchanged.length, CHAT_COMMANDS.length);
    const edited = `${readFileSync(file('status'), 'utf8')}\nAlso show the open pull requests.\n`;
    writeFileSync(file('status'), edited);
    const third = await ok<{ kept: string[] }>(Commands.WritePromptFiles);
    assert.deepEqual(third.kept, [`${DIR}/df.status.prompt.md`]);
    assert.equal(readFileSync(file('status'), 'utf8'), edited);
  });

  it('`dynaforge init --agents copilot` does the same from a terminal; an agent without command files is refused', async () => {
    const out = await cli(['init', '--agents', 'copilot']);
    assert.match(out, /kept your edits: \.github\/prompts\/df\.status\.prompt\.md/);
    assert.match(out, /Copilot Chat: \/df\.new, \/df\.status, \/df\.implement/);
    await assert.rejects(() => cli(['init', '--agents', 'cursor']), /init cannot write command files for the agent "cursor"/);
  });
});
