import type { z } from 'zod';
import type { JsonObject, ToolDefinition } from '../../model/modelPort';
import type { Config } from '../../schema/config';
import { confine, type ConfineOptions, type Confined } from '../confine';
import type { WriteOutcome } from '../fileTracker';
import type { Verification } from '../runState';

/** What a tool may do, given by the loop: every effect goes through here (and is recorded there). */
export interface ToolContext {
  readonly root: string;
  readonly confine: ConfineOptions;
  /** config.yaml `tests[]`: the only commands run_verification runs. */
  readonly tests: Config['tests'];
  /** Writes a confined path through the run's file tracker (pre-image, events). */
  write(rel: string, data: Buffer): Promise<WriteOutcome>;
  /** Runs declared test commands by name. */
  verify(names: readonly string[]): Promise<Verification[]>;
  /** Records a refused path (and raises a concern when it was outside the scope). */
  refused(tool: string, refusal: Extract<Confined, { ok: false }>): Promise<void>;
}

/** A failure of the tool's own target (not of the engine): reported to the model as its error. */
export class ToolFailure extends Error {
  override readonly name = 'ToolFailure';
}

/** A tool's answer: JSON for the model, one line for the narrative. */
export type ToolOutcome = { readonly ok: true; readonly result: JsonObject; readonly summary: string } | { readonly ok: false; readonly error: string; readonly summary: string };

/**
 * One tool the model may call. `definition` is what the model sees (name, description, JSON
 * Schema of the arguments, written by hand so the request hash stays stable); `args` validates
 * what it sends back.
 */
export interface ImplementerTool<A = unknown> {
  readonly definition: ToolDefinition;
  readonly args: z.ZodType<A>;
  run(args: A, ctx: ToolContext): Promise<ToolOutcome>;
}

export function fail(error: string, summary: string): ToolOutcome {
  return { ok: false, error, summary };
}

/** Text files only: a NUL byte in the first 8 KB marks a binary file. */
export function isBinary(data: Buffer): boolean {
  return data.subarray(0, 8192).includes(0);
}

/** Confines `path` for reading or writing; a refusal is recorded and turned into the model's error. */
export async function confined(ctx: ToolContext, tool: string, path: string, mode: 'read' | 'write'): Promise<{ ok: true; rel: string; abs: string } | { ok: false; outcome: ToolOutcome }> {
  const c = confine(ctx.confine, path, mode);
  if (c.ok) return c;
  await ctx.refused(tool, c);
  return { ok: false, outcome: fail(c.message, `refused ${c.rel}: ${c.reason}`) };
}
