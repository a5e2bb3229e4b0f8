import { runSuites } from './mochaRunner';

/** Extension-host tests in a trusted folder, in this order (they build on each other's project). */
export function run(): Promise<void> {
  return runSuites(__dirname, ['manifest.test.js', 'welcome.test.js', 'changes.test.js', 'codeLens.test.js', 'diagnostics.test.js', 'outside.test.js', 'chat.test.js', 'implement.test.js', 'tools.test.js', 'prompts.test.js', 'walkthrough.test.js', 'modelSettings.test.js', 'palette.test.js', 'broken.test.js']);
}
