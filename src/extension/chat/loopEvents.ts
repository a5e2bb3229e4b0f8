import type { LoopEvent, LoopSteps } from '../../core/agents/orchestrator';
import { escEngine, type ChatOut } from './chatOut';
import { stageButtons } from './handlers/status';

/**
 * The agent loop's events in the chat, as they happen: handoffs as progress, artifacts as
 * links, and where it stops, what a person decides (with the buttons to do it).
 */
export function renderLoopEvent(out: ChatOut, trusted: boolean): (e: LoopEvent) => void {
  return (e) => {
    switch (e.kind) {
      case 'handoff':
        out.progress(`${e.from === 'human' ? 'You hand' : `The ${roleName(e.from)} hands`} ${e.ch_id} to the ${roleName(e.to)} (${e.stage})…`);
        break;
      case 'artifact':
        out.md(`- ${roleName(e.by)}: ${e.action} `);
        out.file(e.file);
        out.md('\n');
        break;
      case 'step':
        out.progress(`${roleName(e.role)}: ${e.message}`);
        break;
      case 'waiting':
        out.para(`\n⏸ **${e.ch_id}** waits at **${e.stage}**: ${escEngine(e.why)}.`);
        if (trusted) stageButtons(out, e.ch_id, e.stage);
        break;
      case 'blocked':
        out.para(`\n✗ **${e.ch_id}** is blocked at **${e.stage}**: ${escEngine(e.message)}\n\n**What to do:** ${escEngine(e.fix)}`);
        break;
      case 'done':
        out.para(`\n✓ **${e.ch_id}** is ${e.lifecycle}.`);
        break;
    }
  };
}

/** `pm` → PM, `designer` → Designer, … */
function roleName(role: string): string {
  return role === 'pm' ? 'PM' : `${role.charAt(0).toUpperCase()}${role.slice(1)}`;
}

/**
 * Steps for a loop the chat runs only up to the design (`/new`, `/plan`): it never reaches the
 * Implementer or the Tester there, and if it did it would say which command does that work.
 */
export const DESIGN_ONLY: LoopSteps = {
  implement: async (_ws, ch) => ({ done: false, message: `plan and tasks are approved: the Implementer's turn — \`@df /implement ${ch}\`` }),
  validate: async (_ws, ch) => ({ verdict: 'FAIL', reasons: [`validation runs with \`dynaforge validate ${ch}\``] }),
};
