/** ChangeFacts for the pure checks, built from a few knobs. */
import type { Criterion } from '../../../src/core/analyze/acceptance';
import type { ChangeFacts } from '../../../src/core/analyze/checks';
import { parseDoc } from '../../../src/core/analyze/markdown';
import { scanQuestions } from '../../../src/core/analyze/questions';
import type { Concern } from '../../../src/core/concerns/concerns';
import { ChangeSchema, type MaturityLevel, type Origin, type RiskTier } from '../../../src/core/schema/change';

export interface FactsKnobs {
  frs?: string[];
  tcs?: string[];
  defined?: string[];
  /** FR → the TCs verifying it; also makes the FR defined and the TCs known. */
  tested?: Record<string, string[]>;
  criteria?: Criterion[];
  risk?: RiskTier;
  maturity?: MaturityLevel;
  origin?: Origin;
  files?: string[];
  spec?: string;
  concerns?: Pick<Concern, 'id' | 'severity' | 'status'>[];
}

export function facts(k: FactsKnobs = {}): ChangeFacts {
  const tested = k.tested ?? {};
  const change = ChangeSchema.parse({
    id: 'CH-001',
    title: 'T',
    origin: k.origin ?? 'idea',
    scope: { frs: k.frs ?? [], tcs: k.tcs ?? [] },
    risk_tier: k.risk ?? 'medium',
    maturity_level: k.maturity ?? 'M1',
    created: '2026-11-21T09:00:00.000Z',
    updated: '2026-11-21T09:00:00.000Z',
  });
  return {
    change,
    files: new Set(k.files ?? []),
    criteria: k.criteria ?? [],
    questions: scanQuestions(parseDoc(k.spec ?? '# Spec\n')),
    definedFrs: new Set([...(k.defined ?? []), ...Object.keys(tested)]),
    knownTcs: new Set(Object.values(tested).flat()),
    testsOf: new Map(Object.entries(tested)),
    openConcerns: (k.concerns ?? []).map((c) => ({ ...c, ch_id: 'CH-001', source: 'manual', summary: 's', evidence: [], raised_by: 'x', raised_at: '', updated_at: '', notes: [] })),
  };
}
