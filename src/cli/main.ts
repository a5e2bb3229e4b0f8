import { processOutput } from './output';
import { runCli } from './program';

// The `dynaforge` binary: everything it does is in the engine; this file only wires process I/O.
void runCli(process.argv.slice(2), { cwd: process.cwd(), env: process.env, io: processOutput }).then((code) => {
  process.exitCode = code;
});
