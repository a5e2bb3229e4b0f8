import { createRequire } from 'node:module';
import { join } from 'node:path';
import type MochaType from 'mocha';

/**
 * Runs mocha inside the real extension host (the `extensionTestsPath` contract: export
 * `run()`, reject on failure). Mocha comes from the e2e tools folder the harness installed
 * (DYNAFORGE_E2E_TOOLS, inherited from code-server's environment). Its spec reporter writes
 * to the console, which the harness reads back from the browser ("N passing", "N failing").
 */
export function runSuites(dir: string, files: readonly string[]): Promise<void> {
  const tools = process.env.DYNAFORGE_E2E_TOOLS;
  if (!tools) return Promise.reject(new Error('DYNAFORGE_E2E_TOOLS is not set: run the editor tests with `bash test/e2e/e2e.sh`'));
  const Mocha = createRequire(__filename)(join(tools, 'mocha')) as typeof MochaType;
  const mocha = new Mocha({ ui: 'bdd', color: false, reporter: 'spec', timeout: 30_000, slow: 5_000 });
  for (const f of files) mocha.addFile(join(dir, f));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}
