import type { Finding, FindingKind } from '../drift/model';
import type { CheckReport } from './check';

const HELP: Record<FindingKind, string> = {
  'artifact-stale': 'An artifact was derived from a source that has changed since.',
  'approval-stale': 'An approved artifact changed after it was approved.',
  'scope-drift': "Files in a change's scope changed after its evidence was taken.",
  'orphan-commit': 'A commit touching governed files that no change claims.',
  'trace-gap': 'A requirement without a test, a test naming an unknown requirement, or a change naming unknown ids.',
  'id-collision': 'Two changes with one id, typically after a merge.',
  invalid: 'A Dynaforge file that does not load or parse.',
  'gate-violation': 'An approval or status recorded without its gate being met.',
  'audit-broken': 'The audit log fails verification.',
};

/**
 * The check report as SARIF 2.1.0, so findings show in code-scanning views. Suppressed
 * (accepted) items are included with a suppression, as SARIF intends. Rule ids are the
 * finding kinds; `partialFingerprints` carry our stable key so a viewer tracks a finding
 * across runs.
 */
export function toSarif(report: CheckReport, version: string): Record<string, unknown> {
  const kinds = [...new Set([...report.findings, ...report.accepted.map((a) => a.finding)].map((f) => f.kind))].sort();
  const result = (f: Finding, suppression?: { note: string; by: string }) => ({
    ruleId: f.kind,
    ruleIndex: kinds.indexOf(f.kind),
    level: f.severity,
    message: { text: `${f.message}. Fix: ${f.fix}` },
    ...(f.file
      ? { locations: [{ physicalLocation: { artifactLocation: { uri: f.file, uriBaseId: '%SRCROOT%' }, ...(f.line ? { region: { startLine: f.line } } : {}) } }] }
      : {}),
    partialFingerprints: { dynaforgeKey: f.key, dynaforgeState: f.fingerprint },
    properties: { ...(f.ch_id ? { change: f.ch_id } : {}), actions: f.actions },
    ...(suppression ? { suppressions: [{ kind: 'external', status: 'accepted', justification: `${suppression.note} (${suppression.by})` }] } : {}),
  });
  return {
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'dynaforge',
            version,
            rules: kinds.map((k) => ({ id: k, shortDescription: { text: HELP[k] }, defaultConfiguration: { level: k === 'invalid' || k === 'id-collision' || k === 'gate-violation' || k === 'audit-broken' ? 'error' : 'warning' } })),
          },
        },
        results: [...report.findings.map((f) => result(f)), ...report.accepted.map((a) => result(a.finding, a))],
      },
    ],
  };
}
