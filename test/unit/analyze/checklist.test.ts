import { strict as assert } from 'node:assert';
import { CHECKLIST_ITEMS, evaluateItems } from '../../../src/core/analyze/checklist';
import { freshChecklist, mergeChecklist, type FreshItem } from '../../../src/core/analyze/checklistFormat';
import { facts } from './factsFixture';

const items = (auto: boolean): FreshItem[] => [
  { id: 'has-tests', mode: 'auto', text: 'Every requirement has a test', checked: auto, detail: auto ? '2 tested' : 'no test: FR-2' },
  { id: 'nfr', mode: 'manual', text: 'Non-functional requirements are stated' },
  { id: 'reviewed', mode: 'manual', text: 'Reviewed with the asker' },
];

describe('analyze: checklist merge', () => {
  it('writes a fresh checklist with auto items evaluated and manual ones unticked', () => {
    const m = mergeChecklist(undefined, '# CH-001 checklist: T', items(true));
    assert.equal(m.text, mergeChecklist(m.text, '# CH-001 checklist: T', items(true)).text, 'idempotent');
    assert.match(m.text, /^# CH-001 checklist: T\n/);
    assert.match(m.text, /^Completion: 1 of 3$/m);
    assert.match(m.text, /^- \[x\] `has-tests` \(auto\) Every requirement has a test — 2 tested$/m);
    assert.match(m.text, /^- \[ \] `nfr` \(manual\) Non-functional requirements are stated$/m);
    assert.deepEqual(m.items.map((i) => [i.id, i.mode, i.checked]), [['has-tests', 'auto', true], ['nfr', 'manual', false], ['reviewed', 'manual', false]]);
    assert.equal(m.text, freshChecklist('# CH-001 checklist: T', items(true)).replace('Completion: 0 of 0', 'Completion: 1 of 3'));
  });

  it("keeps a person's ticks, notes and lines, and re-evaluates the auto items", () => {
    const first = mergeChecklist(undefined, '# T', items(true)).text;
    const edited = first
      .replace('- [ ] `nfr` (manual) Non-functional requirements are stated', '- [x] `nfr` (manual) Non-functional requirements are stated — see FR-3')
      .replace('- [x] `has-tests`', '- [ ] `has-tests`') // a person's tick on an auto item is not theirs to keep
      .concat('\nA note of mine.\n- [x] Security review booked\n- [ ] Legal sign-off\n');
    const m = mergeChecklist(edited, '# T', items(false));
    assert.match(m.text, /^- \[x\] `nfr` \(manual\) Non-functional requirements are stated — see FR-3$/m, 'manual line kept verbatim');
    assert.match(m.text, /^- \[ \] `has-tests` \(auto\) Every requirement has a test — no test: FR-2$/m, 're-evaluated');
    assert.match(m.text, /^A note of mine\.$/m);
    assert.deepEqual(m.items.map((i) => [i.id ?? i.text, i.mode, i.checked]), [
      ['has-tests', 'auto', false],
      ['nfr', 'manual', true],
      ['reviewed', 'manual', false],
      ['Security review booked', 'added', true],
      ['Legal sign-off', 'added', false],
    ]);
    assert.equal([m.done, m.total].join(' of '), '2 of 5');
    assert.match(m.text, /^Completion: 2 of 5$/m);
    assert.equal(mergeChecklist(m.text, '# T', items(false)).text, m.text, 'a second run changes nothing');
    const back = mergeChecklist(m.text, '# T', items(true));
    assert.match(back.text, /^- \[x\] `has-tests`/m);
    assert.match(back.text, /^- \[x\] `nfr`/m, 'the tick survives any number of runs');
  });

  it('inserts items that are new to the file after their predecessor, and keeps retired ones as added lines', () => {
    const old = '# T\n\nCompletion: 0 of 0\n\n- [ ] `nfr` (manual) Old wording\n- [x] `gone` (manual) An item this version no longer has\n\ntrailer\n';
    const m = mergeChecklist(old, '# T', items(true));
    const lines = m.text.split('\n');
    assert.equal(lines[4], '- [x] `has-tests` (auto) Every requirement has a test — 2 tested', 'before the first known item');
    assert.equal(lines[5], '- [ ] `nfr` (manual) Old wording');
    assert.equal(lines[6], '- [ ] `reviewed` (manual) Reviewed with the asker', 'after its predecessor');
    assert.equal(lines[7], '- [x] `gone` (manual) An item this version no longer has');
    assert.equal(m.items.find((i) => i.text.includes('no longer'))?.mode, 'added');
    assert.equal(m.items.find((i) => i.id === 'reviewed')?.line, 7);
    assert.match(m.text, /^Completion: 2 of 4$/m);
  });

  it('evaluates the shipped auto items from the facts', () => {
    const auto = evaluateItems(facts({ frs: ['FR-1', 'FR-2'], tested: { 'FR-1': ['TC-1'] }, criteria: [{ line: 3, text: 'x', tcs: ['TC-1'] }], risk: 'high', files: ['spec.md'] }));
    const byId = Object.fromEntries(auto.map((i) => [i.id, i]));
    assert.equal(byId['scope-frs']?.checked, true);
    assert.equal(byId['frs-tested']?.checked, false);
    assert.equal(byId['frs-tested']?.detail, 'no test: FR-2');
    assert.equal(byId['acceptance']?.checked, true);
    assert.equal(byId['criteria-tested']?.checked, true);
    assert.equal(byId['risk-impact']?.checked, false, 'high risk without impact.md');
    assert.equal(byId['nfr-stated']?.checked, undefined, 'manual items are not evaluated');
    assert.equal(new Set(CHECKLIST_ITEMS.map((i) => i.id)).size, CHECKLIST_ITEMS.length, 'ids are unique');
  });
});
