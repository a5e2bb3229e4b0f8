import { processOutput } from './output';
import { runCli } from './program';
import { streamPrompter } from './prompt';

// The `dynaforge` binary: everything it does is in the engine; this file only wires process I/O.
const prompter = streamPrompter(process.stdin, (q) => process.stderr.write(q));
void runCli(process.argv.slice(2), { cwd: process.cwd(), env: process.env, io: processOutput, prompter }).then((code) => {
  prompter.close();
  process.exitCode = code;
});
