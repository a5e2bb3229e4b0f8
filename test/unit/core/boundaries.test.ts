import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const root = join(__dirname, '..', '..', '..');

/** Lints `code` as if it were the file at `path`; returns the restricted-import messages. */
async function violations(path: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('architecture boundaries (DESIGN.md §8) are enforced by lint', function () {
  this.timeout(60_000);

  it('the engine may not import vscode', async () => {
    const v = await violations('src/core/x.ts', "import * as vscode from 'vscode';\nexport const a = vscode;\n");
    assert.equal(v.length, 1);
    assert.match(v[0] as string, /src\/core is the engine/);
  });

  it('the engine may not import a face', async () => {
    for (const face of ['cli/program', 'mcp/server', 'extension/activate']) {
      const v = await violations('src/core/store/x.ts', `import { a } from '../../${face}';\nexport const b = a;\n`);
      assert.equal(v.length, 1, face);
    }
  });

  it('faces may not import each other, and only the extension imports vscode', async () => {
    assert.equal((await violations('src/cli/x.ts', "import { a } from '../extension/y';\nexport const b = a;\n")).length, 1);
    assert.equal((await violations('src/cli/x.ts', "import * as vscode from 'vscode';\nexport const b = vscode;\n")).length, 1);
    assert.equal((await violations('src/extension/x.ts', "import * as vscode from 'vscode';\nexport const b = vscode;\n")).length, 0);
  });

  it('faces may import the engine', async () => {
    assert.deepEqual(await violations('src/cli/x.ts', "import { DfError } from '../core/errors';\nexport const b = DfError;\n"), []);
  });
});
