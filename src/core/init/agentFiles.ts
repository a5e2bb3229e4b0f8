import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DfError } from '../errors';
import { packageRoot, packageTemplate } from './packageFiles';

/** The agents `init --agents` writes command files for (a subset of config.yaml `agents[]`). */
export const PROMPT_AGENTS = ['copilot'] as const;
export type PromptAgent = (typeof PROMPT_AGENTS)[number];

/** Where Copilot Chat finds a workspace's prompt files: `df.new.prompt.md` gives `/df.new`. */
export const COPILOT_PROMPTS_DIR = '.github/prompts';

/** `--agents copilot` and `--agents copilot,claude` both work; an agent without command files is a usage error. */
export function parseAgents(values: readonly string[]): PromptAgent[] {
  const names = values.flatMap((v) => v.split(',')).map((v) => v.trim().toLowerCase()).filter(Boolean);
  const out: PromptAgent[] = [];
  for (const n of names) {
    if (!(PROMPT_AGENTS as readonly string[]).includes(n)) {
      throw new DfError('usage', `init cannot write command files for the agent "${n}"`, `supported: ${PROMPT_AGENTS.join(', ')} (e.g. dynaforge init --agents copilot)`, { field: '--agents' });
    }
    if (!out.includes(n as PromptAgent)) out.push(n as PromptAgent);
  }
  return out;
}

/** The command files of `agents`, by repository-relative path (the templates under templates/prompts/). */
export function agentFiles(agents: readonly PromptAgent[]): Record<string, string> {
  const files: Record<string, string> = {};
  if (!agents.includes('copilot')) return files;
  const names = readdirSync(join(packageRoot(), 'templates', 'prompts')).filter((f) => /^df\.[\w-]+\.prompt\.md$/.test(f)).sort();
  for (const name of names) files[`${COPILOT_PROMPTS_DIR}/${name}`] = packageTemplate(`prompts/${name}`);
  return files;
}
