import type { CommandId } from '../constants';

/** One command of the face (one per file): its id and what it does. */
export interface DfCommand {
  readonly id: CommandId;
  /**
   * Arguments come from the palette (none), tree nodes, CodeLens, quick fixes, tests — or any
   * other extension: each command validates them (commands/args.ts) before use.
   */
  execute(...args: unknown[]): unknown;
}
