import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { api, dynaforgeDiagnostics, uriOf, waitFor } from './helpers';

describe('a project that does not load', () => {
  it('a broken config.yaml puts the view in the "broken" state with a diagnostic at the line; fixing it recovers', async () => {
    const a = await api();
    const config = uriOf('.dynaforge/config.yaml');
    const good = readFileSync(config.fsPath, 'utf8');
    try {
      writeFileSync(config.fsPath, `${good}\nids: [unclosed\n`);
      await waitFor('the "broken" state', () => a.snapshot().state === 'broken', 2_000);
      const d = await waitFor('an error diagnostic on .dynaforge/config.yaml', () => dynaforgeDiagnostics(config)[0]);
      assert.match(d.message, /config\.yaml/);
      assert.ok(d.range.start.line > 0, `expected the diagnostic at the broken line, got line ${d.range.start.line + 1}`);
      assert.equal(a.statusBar().visible, false);
    } finally {
      writeFileSync(config.fsPath, good);
    }
    await waitFor('the project to load again', () => a.snapshot().state === 'ready', 2_000);
    await waitFor('the config diagnostic to go', () => dynaforgeDiagnostics(config).length === 0);
  });
});
