import { runDoctor } from '../../../core/doctor/doctor';
import { esc, escEngine } from '../chatOut';
import type { ChatCommand } from '../chatCommand';

const MARK = { ok: '✓', warn: '⚠', fail: '✗' } as const;

/** `@df /doctor`: Node, git, the repository layout, config, audit log, templates, agent CLIs and the model. */
export const doctorCommand: ChatCommand = {
  name: 'doctor',
  access: 'runs',
  needsProject: false,
  async run(c) {
    const cwd = c.s.model.snapshot.root ?? c.s.model.folder();
    if (!cwd) {
      c.out.para('Open a folder (your repository) first: the doctor checks a project.');
      return {};
    }
    c.out.progress('Checking Node, git, the project and the model…');
    const r = await runDoctor({ cwd, env: process.env });
    c.out.para(r.findings.map((f) => `- ${MARK[f.status]} **${esc(f.check)}**: ${escEngine(f.message)}${f.remedy ? `\n  → ${escEngine(f.remedy)}` : ''}`).join('\n'));
    c.out.para(r.ok ? 'No blocking problems.' : '**Blocking problems found** (✗ above).');
    return {};
  },
};
