import { runSuites } from './mochaRunner';

/** Extension-host tests in a folder that is not trusted (Restricted Mode). */
export function run(): Promise<void> {
  return runSuites(__dirname, ['restrictedChat.test.js', 'paletteRestricted.test.js', 'restricted.test.js']);
}
