import { MATURITY_LEVELS, ORIGINS, RISK_TIERS, type Change } from '../schema/change';
import { CHANGE_FILES, CHECKS, runCheck, type ChangeFacts } from './checks';
import type { MdDoc } from './markdown';

/**
 * Constitution rules the tool can check. A rule is a list item of
 * `.dynaforge/memory/constitution.md`; it is mechanically checkable when it carries an inline
 * code span of the form
 *
 *   `check: <name> [<argument>] [when <field> <op> <value>]`
 *
 * e.g. `- High-risk changes need an impact analysis. \`check: has-file impact.md when risk >= high\``.
 * `grep -n 'check:' .dynaforge/memory/constitution.md` lists them. <name> is one of CHECKS;
 * <field> is `risk` (low < medium < high < critical), `maturity` (M0 < … < M4) or `origin`;
 * <op> is one of = != >= <= > < (only = and != for origin). Any other list item is a rule
 * in prose: listed as not mechanically checkable, never silently dropped.
 */

export interface Condition {
  readonly field: 'risk' | 'maturity' | 'origin';
  readonly op: '=' | '!=' | '>=' | '<=' | '>' | '<';
  readonly value: string;
}

export interface CheckSpec {
  readonly name: string;
  readonly arg?: string;
  readonly when?: Condition;
  /** The span as written, without the backticks. */
  readonly source: string;
}

export interface ConstitutionRule {
  readonly line: number;
  /** The rule's prose, without the check span. */
  readonly text: string;
  readonly check?: CheckSpec;
  /** Why the check span does not parse. */
  readonly invalid?: string;
}

export type RuleResult = 'pass' | 'fail' | 'not-applicable' | 'manual' | 'invalid';

export interface EvaluatedRule extends ConstitutionRule {
  readonly result: RuleResult;
  readonly detail?: string;
}

const CHECK_SPAN = /`\s*check:([^`]*)`/i;
const LIST_ITEM = /^\s*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?(.*)$/;
const ORDERED: Record<Condition['field'], readonly string[]> = { risk: RISK_TIERS, maturity: MATURITY_LEVELS, origin: ORIGINS };

/** Every rule of the constitution: list items, and any other prose line carrying a check span. */
export function parseConstitution(doc: MdDoc): ConstitutionRule[] {
  const rules: ConstitutionRule[] = [];
  for (const l of doc.lines) {
    if (!l.prose || l.heading) continue;
    const item = LIST_ITEM.exec(l.text);
    const span = CHECK_SPAN.exec(l.text);
    if (!item && !span) continue;
    const text = (item ? (item[1] as string) : l.text).replace(CHECK_SPAN, '').replace(/\s+/g, ' ').trim();
    if (!span) {
      if (text) rules.push({ line: l.n, text });
      continue;
    }
    const parsed = parseCheck((span[1] as string).trim());
    rules.push({ line: l.n, text, ...('error' in parsed ? { invalid: parsed.error } : { check: parsed }) });
  }
  return rules;
}

/** `has-file impact.md when risk >= high` → {name, arg, when}, or why it does not parse. */
export function parseCheck(source: string): CheckSpec | { error: string } {
  const [head = '', cond] = splitWhen(source);
  const words = head.split(/\s+/).filter(Boolean);
  const [name, arg, ...rest] = words;
  if (!name) return { error: 'the check names nothing' };
  const def = Object.hasOwn(CHECKS, name) ? CHECKS[name] : undefined;
  if (!def) return { error: `unknown check "${name}": use one of ${Object.keys(CHECKS).join(', ')}` };
  if (def.arg === 'file') {
    if (!arg) return { error: `${name} needs a file name (${CHANGE_FILES.join(', ')})` };
    if (!(CHANGE_FILES as readonly string[]).includes(arg)) return { error: `${name} cannot check "${arg}": use one of ${CHANGE_FILES.join(', ')}` };
  } else if (arg !== undefined) return { error: `${name} takes no argument, but "${arg}" follows it` };
  if (rest.length) return { error: `unexpected "${rest.join(' ')}" (a condition starts with "when")` };
  let when: Condition | undefined;
  if (cond !== undefined) {
    const c = parseCondition(cond);
    if ('error' in c) return c;
    when = c;
  }
  return { name, ...(arg !== undefined ? { arg } : {}), ...(when ? { when } : {}), source: `check: ${source}` };
}

function splitWhen(source: string): [string, string?] {
  const m = /^(.*?)\s*\bwhen\b\s*(.*)$/i.exec(source);
  return m ? [m[1] as string, m[2] as string] : [source];
}

function parseCondition(text: string): Condition | { error: string } {
  const m = /^(\w+)\s*(>=|<=|!=|=|>|<)\s*([\w-]+)$/.exec(text.trim());
  if (!m) return { error: `"when ${text}" is not a condition like "when risk >= high"` };
  const field = (m[1] as string).toLowerCase();
  if (field !== 'risk' && field !== 'maturity' && field !== 'origin') return { error: `cannot condition on "${m[1]}": use risk, maturity or origin` };
  const op = m[2] as Condition['op'];
  const values = ORDERED[field];
  const value = field === 'maturity' ? (m[3] as string).toUpperCase() : (m[3] as string).toLowerCase();
  if (!values.includes(value)) return { error: `${field} ${m[3]} is not one of ${values.join(', ')}` };
  if (field === 'origin' && op !== '=' && op !== '!=') return { error: 'origin has no order: use = or !=' };
  return { field, op, value };
}

/** Whether a condition holds for a change. */
export function conditionHolds(c: Condition, change: Change): boolean {
  const actual = c.field === 'risk' ? change.risk_tier : c.field === 'maturity' ? change.maturity_level : change.origin;
  const order = ORDERED[c.field];
  const d = order.indexOf(actual) - order.indexOf(c.value);
  switch (c.op) {
    case '=':
      return d === 0;
    case '!=':
      return d !== 0;
    case '>=':
      return d >= 0;
    case '<=':
      return d <= 0;
    case '>':
      return d > 0;
    case '<':
      return d < 0;
  }
}

/** Each rule's result for one change: checked ones pass, fail or do not apply; the rest are manual. */
export function evaluateConstitution(rules: readonly ConstitutionRule[], facts: ChangeFacts): EvaluatedRule[] {
  return rules.map((r) => {
    if (r.invalid) return { ...r, result: 'invalid', detail: r.invalid };
    if (!r.check) return { ...r, result: 'manual' };
    if (r.check.when && !conditionHolds(r.check.when, facts.change)) {
      const w = r.check.when;
      return { ...r, result: 'not-applicable', detail: `applies when ${w.field} ${w.op} ${w.value}` };
    }
    const res = runCheck(r.check.name, facts, r.check.arg);
    return { ...r, result: res.ok ? 'pass' : 'fail', detail: res.detail };
  });
}
