import { runSuites } from '../../test/extension/mochaRunner';

/** The editor benchmark: runs inside code-server's extension host, opened on .bench/corpus (`make bench-editor`). */
export function run(): Promise<void> {
  return runSuites(__dirname, ['editorBench.test.js']);
}
