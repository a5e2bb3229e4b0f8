import { strict as assert } from 'node:assert';
import { ChangeSchema } from '../../../src/core/schema/change';
import { ConfigSchema } from '../../../src/core/schema/config';
import { jsonSchemaFiles } from '../../../src/core/schema/jsonSchema';
import { isDfError, type DfError } from '../../../src/core/errors';
import { parseYamlAs } from '../../../src/core/yaml/loadYaml';
import { serializeChange } from '../../../src/core/store/changeStore';

const T = '2026-11-21T09:00:00.000Z';
const minimal = { id: 'CH-012', title: 't', origin: 'idea', created: T, updated: T };

function yamlError(fn: () => unknown): DfError {
  try {
    fn();
  } catch (e) {
    if (isDfError(e)) return e;
    throw e;
  }
  assert.fail('expected a DfError');
}

describe('schemas', () => {
  it('an empty config is valid and gets every default, including the DESIGN.md gates', () => {
    const c = ConfigSchema.parse({});
    assert.deepEqual(c.gates.map((g) => g.stage), ['execute', 'package', 'merge']);
    assert.deepEqual(c.gates[0]?.requires, ['frame', 'spec']);
    assert.equal(c.retention.success_ttl_hours, 48);
    assert.equal(c.retention.failed_ttl_days, 30);
    assert.equal(c.model.provider, 'none');
    assert.ok(c.trace.sources.length >= 2, 'default trace sources apply when trace: is absent');
  });

  it('a change gets defaults for every optional key, in the documented key order', () => {
    const c = ChangeSchema.parse(minimal);
    assert.deepEqual(Object.keys(c), ['id', 'title', 'origin', 'scope', 'maturity_level', 'risk_tier', 'status', 'links', 'approvals', 'evidence', 'created', 'updated']);
    assert.deepEqual(c.scope, { paths: [], frs: [], ws: [], tcs: [] });
  });

  it('ids widen past 999 and refuse anything else', () => {
    assert.ok(ChangeSchema.safeParse({ ...minimal, id: 'CH-1000' }).success);
    for (const bad of ['CH-12', 'CH-01x', 'ch-012', 'CH012']) assert.equal(ChangeSchema.safeParse({ ...minimal, id: bad }).success, false, bad);
  });

  it('unknown keys are errors, so typos do not pass silently', () => {
    assert.equal(ChangeSchema.safeParse({ ...minimal, risk: 'high' }).success, false);
    assert.equal(ConfigSchema.safeParse({ retension: {} }).success, false);
  });

  it('exports JSON Schemas that editors can use', () => {
    const files = jsonSchemaFiles();
    const change = JSON.parse(files['change.schema.json'] as string) as { properties: Record<string, unknown>; required: string[] };
    assert.ok('risk_tier' in change.properties);
    assert.ok(change.required.includes('id') && change.required.includes('title'));
    assert.ok(JSON.parse(files['config.schema.json'] as string).properties.gates);
  });
});

describe('YAML loading errors', () => {
  const fix = 'fix it';

  it('malformed YAML names the file, line and column', () => {
    const e = yamlError(() => parseYamlAs(ChangeSchema, 'id: CH-001\ntitle: [unclosed\norigin: idea\n', 'changes/CH-001/change.yaml', fix));
    assert.equal(e.code, 'invalid-yaml');
    assert.equal(e.where.file, 'changes/CH-001/change.yaml');
    assert.ok(e.where.line !== undefined && e.where.line >= 2, `line ${e.where.line}`);
    assert.match(e.message, /^changes\/CH-001\/change\.yaml:\d+:\d+: malformed YAML/);
    assert.equal(e.fix, fix);
  });

  it('a schema violation names the field path, the expected values and the line of the value', () => {
    const text = `id: CH-001\ntitle: x\norigin: idea\nrisk_tier: extreme\ncreated: ${T}\nupdated: ${T}\n`;
    const e = yamlError(() => parseYamlAs(ChangeSchema, text, 'c.yaml', fix));
    assert.equal(e.code, 'invalid-schema');
    assert.equal(e.where.field, 'risk_tier');
    assert.equal(e.where.line, 4);
    assert.match(e.message, /field risk_tier: .*"low"\|"medium"\|"high"\|"critical"|field risk_tier: .*low.*critical/);
  });

  it('nested paths are reported with indexes', () => {
    const text = `id: CH-001\ntitle: x\norigin: idea\nscope:\n  frs:\n    - FR-1\n    - nope\ncreated: ${T}\nupdated: ${T}\n`;
    const e = yamlError(() => parseYamlAs(ChangeSchema, text, 'c.yaml', fix));
    assert.equal(e.where.field, 'scope.frs[1]');
    assert.equal(e.where.line, 7);
  });

  it('an unknown key (a typo) is reported at its own line, as its own field', () => {
    const text = `id: CH-001\ntitle: x\norigin: idea\nscope:\n  paths: []\n  fr: [FR-1]\ncreated: ${T}\nupdated: ${T}\n`;
    const e = yamlError(() => parseYamlAs(ChangeSchema, text, 'c.yaml', fix));
    assert.equal(e.where.field, 'scope.fr');
    assert.equal(e.where.line, 6);
    assert.equal(e.where.column, 3);
    assert.match(e.message, /^c\.yaml:6:3: field scope\.fr: Unrecognized key/);
    const top = yamlError(() => parseYamlAs(ChangeSchema, `id: CH-001\ntitle: x\norigin: idea\nrisk: high\ncreated: ${T}\nupdated: ${T}\n`, 'c.yaml', fix));
    assert.deepEqual([top.where.field, top.where.line], ['risk', 4]);
  });

  it('duplicate keys are malformed YAML, not a silent overwrite', () => {
    const e = yamlError(() => parseYamlAs(ConfigSchema, 'version: 1\nversion: 1\n', '.dynaforge/config.yaml', fix));
    assert.equal(e.code, 'invalid-yaml');
    assert.equal(e.where.line, 2);
  });

  it('change.yaml round-trips byte for byte through serialize and parse', () => {
    const c = ChangeSchema.parse({ ...minimal, title: 'Ünïcode; rm -rf / `x` "q" \'s\' #hash: colon', scope: { paths: ['src/a b'], frs: ['FR-1'] } });
    const text = serializeChange(c);
    const back = parseYamlAs(ChangeSchema, text, 'x', fix);
    assert.deepEqual(back, c);
    assert.equal(serializeChange(back), text);
    assert.match(text, /^# yaml-language-server: \$schema=/);
  });
});
