import type { Concern } from '../concerns/concerns';
import type { Change } from '../schema/change';
import type { Criterion } from './acceptance';
import type { QuestionScan } from './questions';

/**
 * What the mechanical checks look at: one change, its spec, the trace and its concerns.
 * Gathered once per run (facts.ts); the checks themselves are pure.
 */
export interface ChangeFacts {
  readonly change: Change;
  /** Names of the files in the change's folder (`spec.md`, `impact.md`, …). */
  readonly files: ReadonlySet<string>;
  readonly criteria: readonly Criterion[];
  readonly questions: QuestionScan;
  /** Requirements some trace source defines. */
  readonly definedFrs: ReadonlySet<string>;
  /** Test cases some trace source names. */
  readonly knownTcs: ReadonlySet<string>;
  /** The TCs verifying each defined requirement. */
  readonly testsOf: ReadonlyMap<string, readonly string[]>;
  /** Concerns not resolved. */
  readonly openConcerns: readonly Concern[];
}

export interface CheckResult {
  readonly ok: boolean;
  /** Why, in a few words: what was found or what is missing. */
  readonly detail: string;
}

/** Files a `has-file` check may name. */
export const CHANGE_FILES = ['brief.md', 'spec.md', 'plan.md', 'tasks.md', 'impact.md', 'evidence.json', 'checklist.md'] as const;

interface CheckDef {
  readonly about: string;
  /** `has-file` takes a file name; the others take nothing. */
  readonly arg?: 'file';
  readonly run: (f: ChangeFacts, arg: string | undefined) => CheckResult;
}

const list = (ids: readonly string[], max = 5) => (ids.length > max ? `${ids.slice(0, max).join(', ')}, …` : ids.join(', '));

/** The checks a constitution rule (`check: …`) or a checklist item can name. */
export const CHECKS: Readonly<Record<string, CheckDef>> = {
  'has-fr': {
    about: 'the change names at least one requirement in scope.frs',
    run: (f) => (f.change.scope.frs.length ? { ok: true, detail: `scope.frs: ${list(f.change.scope.frs)}` } : { ok: false, detail: 'scope.frs is empty' }),
  },
  'has-tc': {
    about: 'the change names at least one test case in scope.tcs',
    run: (f) => (f.change.scope.tcs.length ? { ok: true, detail: `scope.tcs: ${list(f.change.scope.tcs)}` } : { ok: false, detail: 'scope.tcs is empty' }),
  },
  'has-paths': {
    about: 'the change names the files it touches in scope.paths',
    run: (f) => (f.change.scope.paths.length ? { ok: true, detail: `${f.change.scope.paths.length} path(s) in scope` } : { ok: false, detail: 'scope.paths is empty' }),
  },
  'has-evidence': {
    about: 'the change has evidence (change.yaml evidence[])',
    run: (f) => (f.change.evidence.length ? { ok: true, detail: `evidence: ${list(f.change.evidence)}` } : { ok: false, detail: 'no evidence recorded (dynaforge capture --into)' }),
  },
  'has-file': {
    about: `the change folder holds the named file (${CHANGE_FILES.join(', ')})`,
    arg: 'file',
    run: (f, arg) => (f.files.has(arg as string) ? { ok: true, detail: `${arg} exists` } : { ok: false, detail: `${arg} is missing` }),
  },
  'impact-for-risk': {
    about: 'a change of risk tier high or critical has impact.md',
    run: (f) => {
      const tier = f.change.risk_tier;
      if (tier !== 'high' && tier !== 'critical') return { ok: true, detail: `risk tier ${tier}: impact.md not required` };
      return f.files.has('impact.md') ? { ok: true, detail: `risk tier ${tier}, impact.md written` } : { ok: false, detail: `risk tier ${tier} but no impact.md (dynaforge impact ${f.change.id})` };
    },
  },
  'frs-defined': {
    about: 'every requirement in scope.frs is defined by a trace source',
    run: (f) => {
      const missing = f.change.scope.frs.filter((fr) => !f.definedFrs.has(fr));
      if (!f.change.scope.frs.length) return { ok: false, detail: 'scope.frs is empty' };
      return missing.length ? { ok: false, detail: `not defined: ${list(missing)}` } : { ok: true, detail: `${f.change.scope.frs.length} defined` };
    },
  },
  'frs-tested': {
    about: 'every requirement in scope.frs has a test case verifying it',
    run: (f) => {
      if (!f.change.scope.frs.length) return { ok: false, detail: 'scope.frs is empty' };
      const untested = f.change.scope.frs.filter((fr) => !(f.testsOf.get(fr) ?? []).length);
      return untested.length ? { ok: false, detail: `no test: ${list(untested)}` } : { ok: true, detail: `${f.change.scope.frs.length} tested` };
    },
  },
  'has-acceptance': {
    about: 'the spec has at least one acceptance criterion',
    run: (f) => (f.criteria.length ? { ok: true, detail: `${f.criteria.length} criteri${f.criteria.length === 1 ? 'on' : 'a'}` } : { ok: false, detail: 'no items under an "Acceptance criteria" heading' }),
  },
  'criteria-tested': {
    about: 'every acceptance criterion names a known test case',
    run: (f) => {
      if (!f.criteria.length) return { ok: false, detail: 'no acceptance criteria' };
      const bare = f.criteria.filter((c) => !c.tcs.some((tc) => f.knownTcs.has(tc)));
      return bare.length ? { ok: false, detail: `${bare.length} of ${f.criteria.length} without a known test (line${bare.length === 1 ? '' : 's'} ${list(bare.map((c) => String(c.line)))})` } : { ok: true, detail: `${f.criteria.length} tested` };
    },
  },
  'no-ambiguity': {
    about: 'the spec has no open ambiguity markers or questions',
    run: (f) => {
      const open = f.questions.questions.filter((q) => q.status === 'open');
      return open.length ? { ok: false, detail: `${open.length} open (${list(open.map((q) => q.id))})` } : { ok: true, detail: 'none open' };
    },
  },
  'no-blocking-concerns': {
    about: 'the change has no open concern of severity high or critical',
    run: (f) => {
      const blocking = f.openConcerns.filter((c) => c.severity === 'high' || c.severity === 'critical');
      return blocking.length ? { ok: false, detail: `open: ${list(blocking.map((c) => c.id))}` } : { ok: true, detail: 'none' };
    },
  },
};

export function runCheck(name: string, facts: ChangeFacts, arg?: string): CheckResult {
  const def = Object.hasOwn(CHECKS, name) ? CHECKS[name] : undefined;
  if (!def) throw new Error(`unknown check ${name}`);
  return def.run(facts, arg);
}
