/**
 * Deterministic text for the benchmark corpus: source files, requirements, tests and the
 * bodies of change artifacts. Plausible enough that the tools do real work on it (headings,
 * ids, bullets, code), and a pure function of its arguments.
 */
import type { Random } from './random';

export const AREAS = [
  'auth', 'billing', 'catalog', 'checkout', 'search', 'profile', 'notify', 'report', 'admin', 'audit',
  'export', 'import', 'payments', 'shipping', 'inventory', 'pricing', 'review', 'session', 'storage', 'sync',
  'theme', 'upload', 'webhook', 'i18n', 'metrics',
] as const;
export const LAYERS = ['api', 'core', 'store', 'ui'] as const;
const NOUNS = ['handler', 'model', 'service', 'mapper', 'policy', 'client', 'cache', 'query', 'format', 'guard'] as const;
const VERBS = ['Add', 'Fix', 'Harden', 'Speed up', 'Rework', 'Validate', 'Log', 'Retry', 'Cache', 'Document'];
const OBJECTS = ['rate limits', 'token refresh', 'error messages', 'pagination', 'bulk edits', 'time zones', 'exports to CSV', 'audit trail', 'retries on timeout', 'input validation', 'dark mode', 'webhook signatures'];

/** The 100 source folders: `src/<area>/<layer>`. */
export function sourceDirs(): string[] {
  return AREAS.flatMap((a) => LAYERS.map((l) => `src/${a}/${l}`));
}

/** The `n`-th file (0-based) of a source folder: 10 nouns × 10. */
export function sourceFile(dir: string, n: number): string {
  return `${dir}/${NOUNS[Math.floor(n / 10) % NOUNS.length]}${String(n % 10).padStart(2, '0')}.ts`;
}

function pascal(s: string): string {
  return s.replace(/(^|[^A-Za-z0-9])([a-z0-9])/g, (_m, _s, c: string) => c.toUpperCase());
}

/** A TypeScript file of ~30 lines; every `revision` gives different text. */
export function sourceText(path: string, revision: number): string {
  const base = path.replace(/^src\//, '').replace(/\.ts$/, '');
  const name = pascal(base.replace(/\//g, '-'));
  const seed = [...path].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
  return `// ${base} (revision ${revision})
export interface ${name}Options {
  readonly limit: number;
  readonly retries: number;
  readonly label?: string;
}

export const DEFAULT_${name.toUpperCase()}: ${name}Options = { limit: ${(seed % 90) + 10 + revision}, retries: ${(seed % 5) + 1} };

/** Normalises one ${base.split('/').pop()} record before it is stored. */
export function normalise${name}(input: string, opts: ${name}Options = DEFAULT_${name.toUpperCase()}): string {
  const trimmed = input.trim().slice(0, opts.limit);
  if (trimmed.length === 0) throw new Error('${base}: empty input');
  return opts.label ? \`\${opts.label}:\${trimmed}\` : trimmed;
}

export function retry${name}<T>(fn: () => T, opts: ${name}Options = DEFAULT_${name.toUpperCase()}): T {
  let last: unknown;
  for (let attempt = 0; attempt <= opts.retries; attempt++) {
    try {
      return fn();
    } catch (e) {
      last = e;
    }
  }
  throw last;
}
`;
}

export function frId(n: number): string {
  return `FR-${String(n).padStart(3, '0')}`;
}

export function tcId(n: number): string {
  return `TC-${String(n).padStart(4, '0')}`;
}

export function frTitle(n: number): string {
  return `${VERBS[n % VERBS.length]} ${OBJECTS[(n * 7) % OBJECTS.length]} in ${AREAS[n % AREAS.length]}`;
}

/** `docs/requirements/<area>.md` holding FRs `first`…`last` as `## FR-001 title` headings. */
export function requirementsText(area: string, first: number, last: number): string {
  let out = `# Requirements: ${area}\n\nWhat the ${area} area must do. Each requirement has its own heading.\n\n`;
  for (let n = first; n <= last; n++) {
    out += `## ${frId(n)} ${frTitle(n)}\n\nThe system shall ${frTitle(n).toLowerCase()} for every tenant, within 200 ms at the 95th percentile.\n\n- Acceptance: a user sees the result without reloading.\n- Acceptance: failures are logged with a correlation id.\n\n`;
  }
  return out;
}

/** The requirement a test case verifies: FR-181…FR-200 have none; every 97th names an FR that does not exist. */
export function frOfTc(t: number): number {
  return t % 97 === 0 ? 250 + (t % 10) : ((t - 1) % 180) + 1;
}

/** `test/<area>-<k>.test.ts` holding TCs `first`…`last` as `it('TC-0001 verifies FR-001 …')`. */
export function testText(file: string, first: number, last: number): string {
  let out = `import { strict as assert } from 'node:assert';\n\ndescribe('${file}', () => {\n`;
  for (let t = first; t <= last; t++) {
    out += `  it('${tcId(t)} verifies ${frId(frOfTc(t))} ${frTitle(frOfTc(t)).toLowerCase()}', () => {\n    assert.equal(${t} + 1, ${t + 1});\n  });\n\n`;
  }
  return `${out}});\n`;
}

/** A change's title, about the area of the folder it is scoped to (`src/<area>/<layer>`). */
export function changeTitle(rng: Random, dir: string): string {
  return `${rng.pick(VERBS)} ${rng.pick(OBJECTS)} in ${dir.split('/')[1]} ${dir.split('/')[2]}`;
}

/** A brief's body: what `dynaforge new` writes, with its sections filled in. */
export function briefText(template: string, rng: Random): string {
  return template
    .replace('What is wrong or missing, and for whom.', `Support sees ${rng.int(3, 40)} tickets a week about this; users lose work when it fails.`)
    .replace('What is true when this change is done.', 'The behaviour is covered by tests, documented, and visible in the audit log.')
    .replace('## Out of scope\n', '## Out of scope\n- Migrating historical data.\n');
}

export function specText(id: string, title: string, frs: readonly number[], rng: Random): string {
  let out = `# ${id} spec: ${title}\n\n## Requirements\n\n`;
  for (const fr of frs) out += `### ${frId(fr)}: ${frTitle(fr)}\n- Given a signed-in user, when they ${frTitle(fr).toLowerCase()}, then it succeeds within ${rng.int(1, 5) * 100} ms.\n- Errors name the field and the fix.\n\n`;
  return `${out}## Acceptance criteria\n- Every requirement above has a passing test.\n\n## Clarifications\n- None open.\n`;
}

export function planText(id: string, title: string, files: readonly string[], tcs: readonly number[]): string {
  let out = `# ${id} plan: ${title}\n\n## Approach\n`;
  for (const f of files) out += `- Update \`${f}\` and its callers\n`;
  out += '\n## Affected areas\n- See the approach.\n\n## Risks and mitigations\n- Behind a feature flag until verified.\n\n## Verification\n';
  for (const t of tcs) out += `- ${tcId(t)} passes\n`;
  return `${out}- Manual check in staging\n`;
}
