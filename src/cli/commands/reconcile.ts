import type { Command } from 'commander';
import { computeFindings, type Accepted } from '../../core/drift/compute';
import { DRIFT_KINDS, FIX_ACTIONS, type Finding, type FixAction } from '../../core/drift/model';
import { applyAction, type ActionOutcome } from '../../core/drift/reconcile';
import { DfError } from '../../core/errors';
import type { Workspace } from '../../core/workspace';
import type { CliContext } from '../context';
import type { Runner } from '../program';

interface ReconcileOptions {
  item?: string[];
  kind?: string[];
  apply?: string;
  to?: string;
  note?: string;
  interactive?: boolean;
  accepted?: boolean;
}

const DRIFT = new Set<string>(DRIFT_KINDS);

export function registerReconcile(program: Command, run: Runner): void {
  program
    .command('reconcile')
    .description('list drift (stale artifacts and approvals, scope drift, orphan commits, trace gaps, id collisions) and fix it: regenerate, re-approve, attach, capture or accept')
    .argument('[id]', 'only the drift of this change (default: the whole repository)')
    .option('--item <key>', 'only this item: its key, or its number in the list (repeatable)', collect, [])
    .option('--kind <kind>', `only items of this kind: ${DRIFT_KINDS.join(', ')} (repeatable)`, collect, [])
    .option('--apply <action>', `apply this action to every selected item that offers it: ${FIX_ACTIONS.join(', ')}`)
    .option('--to <id>', 'attach: the change to attach the commits to')
    .option('--note <text>', 'why (required to accept; recorded with every action)')
    .option('-i, --interactive', 'ask, item by item, what to do (answers are read line by line from stdin)')
    .option('--accepted', 'also list the items accepted as intentional')
    .action(run({ name: 'reconcile', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const given = args[0] as string | undefined;
      const opts = args[1] as ReconcileOptions;
      const ws = await ctx.workspace();
      const ch = given !== undefined ? ws.resolveChange(given) : undefined;
      if (ch) ctx.chId = ch;
      for (const k of opts.kind ?? []) if (!DRIFT.has(k)) throw new DfError('usage', `unknown drift kind "${k}"`, `use one of: ${DRIFT_KINDS.join(', ')}`, { field: '--kind' });
      const action = opts.apply === undefined ? undefined : parseAction(opts.apply);
      if (action && opts.interactive) throw new DfError('usage', '--apply and --interactive do not go together', 'use --apply for scripts, or -i to be asked', { field: '--apply' });

      const found = await computeFindings(ws, ch ? { ch } : {});
      const drift = found.items.filter((f) => DRIFT.has(f.kind));
      const selected = select(drift, opts);
      const applied: ActionOutcome[] = [];
      const skipped: { key: string; reason: string }[] = [];

      if (action) {
        const able = selected.filter((f) => f.actions.includes(action));
        if (!able.length) {
          throw new DfError('usage', selected.length ? `none of the ${selected.length} selected item(s) can be fixed with "${action}"` : 'there is no drift to reconcile here', selected.length ? `their actions: ${[...new Set(selected.flatMap((f) => f.actions))].join(', ') || 'none (see the fix of each)'}` : 'nothing to do', { field: '--apply' });
        }
        for (const f of selected) if (!able.includes(f)) skipped.push({ key: f.key, reason: `offers ${f.actions.join(', ') || 'no action'}` });
        for (const f of able) applied.push(await applyAction(ws, f, action, { ...(opts.to ? { to: opts.to } : {}), ...(opts.note ? { note: opts.note } : {}), actor: ws.actor('user'), correlationId: ctx.correlationId }));
      } else if (opts.interactive) {
        for (const [n, f] of selected.entries()) {
          const outcome = await askAndApply(ctx, ws, f, n + 1, selected.length);
          if (outcome === 'quit') break;
          if (outcome) applied.push(outcome);
          else skipped.push({ key: f.key, reason: 'skipped' });
        }
      }

      const accepted = opts.accepted ? found.accepted : [];
      ctx.emit({ items: selected, accepted: accepted.map(acceptedJson), hidden_accepted: found.accepted.length, applied, skipped, git: found.git }, () => render(selected, accepted, found.accepted.length, applied, skipped, Boolean(action || opts.interactive), found.git));
      return 0;
    }));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseAction(text: string): FixAction {
  const a = FIX_ACTIONS.find((x) => x === text.trim().toLowerCase() || x.replace('-', '') === text.trim().toLowerCase());
  if (!a) throw new DfError('usage', `unknown action "${text}"`, `use one of: ${FIX_ACTIONS.join(', ')}`, { field: '--apply' });
  return a;
}

/** `--item` by key or by number in the listing; `--kind` filters. Unknown items are a usage error. */
function select(items: readonly Finding[], opts: ReconcileOptions): Finding[] {
  let out = opts.kind?.length ? items.filter((f) => opts.kind?.includes(f.kind)) : [...items];
  if (opts.item?.length) {
    const picked: Finding[] = [];
    for (const ref of opts.item) {
      const n = /^#?(\d+)$/.exec(ref.trim());
      const hit = n ? items[Number(n[1]) - 1] : items.find((f) => f.key === ref.trim());
      if (!hit) throw new DfError('usage', `no drift item "${ref}"`, items.length ? 'run `dynaforge reconcile` to list the items and their keys' : 'there is no drift here', { field: '--item' });
      if (!picked.includes(hit)) picked.push(hit);
    }
    out = out.filter((f) => picked.includes(f));
  }
  return out;
}

async function askAndApply(ctx: CliContext, ws: Workspace, f: Finding, n: number, total: number): Promise<ActionOutcome | 'quit' | undefined> {
  ctx.io.err(`\n[${n}/${total}] ${describe(f)}`);
  if (!f.actions.length) {
    ctx.io.err('  nothing to apply automatically: see the fix above');
    return undefined;
  }
  const menu = f.actions.map((a, i) => `${i + 1}) ${a}`).join('  ');
  for (;;) {
    const answer = (await ctx.prompter.ask(`  ${menu}  s) skip  q) quit > `))?.trim().toLowerCase();
    if (answer === undefined || answer === 'q') return 'quit';
    if (answer === '' || answer === 's') return undefined;
    const action = f.actions[Number(answer) - 1] ?? f.actions.find((a) => a === answer);
    if (!action) {
      ctx.io.err(`  "${answer}" is not one of the choices`);
      continue;
    }
    let to: string | undefined;
    if (action === 'attach' && !f.ch_id) {
      const suggested = f.target.type === 'commits' ? (f.target.suggested ?? []) : [];
      to = (await ctx.prompter.ask(`  attach to which change?${suggested.length ? ` [${suggested[0]}]` : ''} > `))?.trim() || suggested[0];
      if (!to) return undefined;
    }
    const note = (await ctx.prompter.ask(action === 'accept' ? '  why is this intentional? > ' : '  note (optional) > '))?.trim();
    if (action === 'accept' && !note) {
      ctx.io.err('  an acceptance needs a reason: skipped');
      return undefined;
    }
    const outcome = await applyAction(ws, f, action, { ...(to ? { to } : {}), ...(note ? { note } : {}), actor: ws.actor('user'), correlationId: ctx.correlationId });
    ctx.io.err(`  done: ${action}${outcome.result.length ? ` → ${outcome.result.join(', ')}` : ''}`);
    return outcome;
  }
}

function describe(f: Finding): string {
  const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : '';
  return [`${f.kind}${f.ch_id ? ` ${f.ch_id}` : ''}: ${f.message}`, `    key: ${f.key}${where ? `  at ${where}` : ''}`, `    actions: ${f.actions.join(', ') || '—'}`, `    fix: ${f.fix}`].join('\n');
}

function acceptedJson(a: Accepted) {
  return { key: a.finding.key, kind: a.finding.kind, ch_id: a.finding.ch_id, message: a.finding.message, note: a.note, by: a.by, at: a.at };
}

function render(items: readonly Finding[], accepted: readonly Accepted[], hidden: number, applied: readonly ActionOutcome[], skipped: readonly { key: string; reason: string }[], acted: boolean, git: boolean): string {
  const lines: string[] = [];
  if (acted) {
    lines.push(`Applied ${applied.length} action(s)${skipped.length ? `, skipped ${skipped.length}` : ''}.`);
    for (const a of applied) lines.push(`  ${a.action.padEnd(10)} ${a.key}${a.result.length ? ` → ${a.result.join(', ')}` : ''}`);
    for (const s of skipped) lines.push(`  skipped    ${s.key} (${s.reason})`);
    lines.push('Run `dynaforge reconcile` again to see what is left.');
    return lines.join('\n');
  }
  lines.push(items.length ? `Drift: ${items.length} item${items.length > 1 ? 's' : ''}.` : 'No drift.');
  items.forEach((f, i) => lines.push(`#${i + 1} ${describe(f)}`));
  if (hidden) lines.push(`${hidden} item(s) accepted as intentional are hidden${accepted.length ? ':' : ' (--accepted shows them)'}`);
  for (const a of accepted) lines.push(`  accepted ${a.finding.key} by ${a.by} at ${a.at}: ${a.note}`);
  if (!git) lines.push('(not a git repository: scope drift and orphan commits were not looked for)');
  if (items.length) lines.push('Fix with --apply <action> [--item <key|#n>] [--to CH-###] [--note "…"], or -i to be asked item by item.');
  return lines.join('\n');
}
