import type { Command } from 'commander';
import type { DerivableArtifact, DeriveResult } from '../../core/artifacts/derive';
import { deriveAndRecord } from '../../core/artifacts/deriveRecorded';
import type { CliContext } from '../context';
import type { Runner } from '../program';

const ABOUT: Record<DerivableArtifact, string> = {
  spec: 'create spec.md from the template (derived from brief.md), or record that it reflects the current brief',
  plan: 'create plan.md (derived from spec.md), or record that it reflects the current spec',
  tasks: 'derive tasks.md from spec.md and plan.md, or update it keeping ids, states and your own tasks',
};

function describe(r: DeriveResult): string {
  const lines = [`${r.action === 'created' ? 'Created' : r.action === 'refreshed' ? 'Updated' : 'Unchanged:'} ${r.file}`];
  if (r.changed_sources.length && r.artifact !== 'tasks') lines.push(`  ${r.changed_sources.join(', ')} changed since it was derived: your text was kept — review it against them`);
  if (r.tasks) lines.push(`  tasks: ${r.tasks.kept} kept, ${r.tasks.added} added, ${r.tasks.dropped} dropped (dropped tasks stay in the file)`);
  for (const p of r.problems) lines.push(`  ${r.file}:${p.line}: ${p.message} (line kept as it is)`);
  return lines.join('\n');
}

/** `spec`, `plan` and `tasks` are one command shape over the engine's deriveArtifact. */
function registerArtifact(program: Command, run: Runner, artifact: DerivableArtifact): void {
  program
    .command(artifact)
    .description(ABOUT[artifact])
    .argument('[id]', 'change id (default: the active change)')
    .action(run({ name: artifact, workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const ws = await ctx.workspace();
      const chId = ws.resolveChange(args[0] as string | undefined);
      ctx.chId = chId;
      const r = await deriveAndRecord(ws, chId, artifact, ws.actor('user'), ctx.correlationId);
      ctx.emit(r, () => describe(r));
      return r.problems.length ? 1 : 0;
    }));
}

export function registerSpec(program: Command, run: Runner): void {
  registerArtifact(program, run, 'spec');
}
export function registerPlan(program: Command, run: Runner): void {
  registerArtifact(program, run, 'plan');
}
export function registerTasks(program: Command, run: Runner): void {
  registerArtifact(program, run, 'tasks');
}
