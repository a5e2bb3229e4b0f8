/**
 * The scripted model of `make demo`: every answer the agents get in the story, written by hand.
 * author.ts serves them; which one a request gets is decided by what the request asks (the
 * role's instructions, the task, the step), never by the order requests arrive in.
 */

/** One answer, in the OpenAI chat-completions shape the local endpoint sends back. */
export interface Answer {
  readonly text: string;
  readonly calls: readonly { readonly name: string; readonly arguments: Record<string, unknown> }[];
}

const say = (text: string): Answer => ({ text, calls: [] });
const json = (value: unknown): Answer => say(JSON.stringify(value));
const call = (...calls: [name: string, args: Record<string, unknown>][]): Answer => ({ text: '', calls: calls.map(([name, args]) => ({ name, arguments: args })) });

/** Lines of the sample app's src/auth/login.js before the change (story.sh writes the same bytes). */
const USERS = "const USERS = { ada: 'correct horse battery staple', grace: 'hopper' };";
const LOGIN_BEFORE = [
  'function login(user, password) {',
  '  return USERS[user] === password;',
  '}',
].join('\n');

const LOGIN_AFTER = [
  '// Throws once the account has had 5 failed attempts in the last minute (CH-001, FR-1).',
  'function login(user, password, now = Date.now()) {',
  "  if (!limiter.allows(user, now)) throw new Error('too many attempts: try again in a minute');",
  '  const ok = USERS[user] === password;',
  '  if (!ok) limiter.fail(user, now);',
  '  return ok;',
  '}',
].join('\n');

const RATE_LIMIT = [
  '// Failed attempts per account in a sliding window (CH-001, FR-1). The time is a parameter:',
  '// no hidden clock, so tests decide it.',
  'function createLimiter({ max, windowMs }) {',
  '  const failures = new Map(); // account -> times (ms) of its recent failures',
  '  const recent = (account, now) => (failures.get(account) || []).filter((t) => now - t < windowMs);',
  '  return {',
  '    allows: (account, now) => recent(account, now).length < max,',
  '    fail: (account, now) => failures.set(account, [...recent(account, now), now]),',
  '  };',
  '}',
  '',
  'module.exports = { createLimiter };',
  '',
].join('\n');

const RATE_LIMIT_TEST = [
  "const assert = require('node:assert/strict');",
  "const { test } = require('../harness');",
  "const { login } = require('../../src/auth/login');",
  '',
  'const T0 = 1000000;',
  '',
  "test('TC-1 FR-1: five failures are let through, the sixth attempt within a minute is refused', () => {",
  "  for (let i = 0; i < 5; i++) assert.equal(login('grace', 'guess', T0 + i), false);",
  "  assert.throws(() => login('grace', 'hopper', T0 + 10), /too many attempts/);",
  '});',
  '',
  "test('TC-2 FR-1: a minute after the failures the account accepts attempts again', () => {",
  "  assert.equal(login('grace', 'hopper', T0 + 61000), true);",
  '});',
  '',
  "test('TC-3 FR-1: failures on one account never limit another', () => {",
  "  for (let i = 0; i < 5; i++) login('mallory', 'guess', T0 + i);",
  "  assert.equal(login('ada', 'correct horse battery staple', T0 + 10), true);",
  '});',
  '',
].join('\n');

const T1 = 'Add a per-account sliding-window limiter and use it in login (FR-1)';
const T2 = 'Test the limit: the sixth failure within a minute is refused, a minute later attempts resume, accounts are independent';

/** What the PM, the Designer and the Implementer answer, by what they were asked. */
export const ANSWERS = {
  'pm: frame': json({
    title: 'Rate-limit the login endpoint',
    problem: 'Nothing limits failed login attempts: anyone can try passwords against an account as fast as the server answers, so a password can be guessed by brute force.',
    outcome: 'After 5 failed attempts within a minute an account refuses further attempts until the minute has passed; other accounts and correct logins are unaffected.',
    scope_paths: ['src/auth', 'test'],
    requirements: ['FR-1'],
    risk_tier: 'high',
  }),
  'designer: spec': json({
    spec: [
      '## Summary',
      '',
      'Limit failed login attempts per account, so that passwords cannot be guessed by brute force.',
      '',
      '### FR-1: At most 5 failed login attempts per minute per account',
      '',
      '- Given an account with 5 failed attempts in the last 60 seconds, any further attempt is refused with "too many attempts", whatever the password.',
      '- Once the oldest of those failures is 60 seconds old, attempts are accepted again.',
      '- Failures on one account never limit another account.',
      '',
      '## Non-functional requirements',
      '',
      '- The limiter takes the time as a parameter (no hidden clock), so tests are deterministic.',
      '- No new dependency.',
    ].join('\n'),
  }),
  'designer: plan': json({
    plan: [
      '## Approach',
      '',
      '- A small sliding-window limiter in `src/auth/rateLimit.js`: the failures of each account, kept for 60 s.',
      '- `login()` asks it first and records every failed attempt.',
      '',
      '## Verification',
      '',
      '- Unit tests in `test/auth/rate-limit.test.js`, run by the declared `unit` command.',
    ].join('\n'),
    tasks: [
      { text: T1, files: ['src/auth/rateLimit.js', 'src/auth/login.js'], parallel: false },
      { text: T2, files: ['test/auth/rate-limit.test.js'], parallel: false },
    ],
  }),
  'implementer: plan': json({
    spec: { summary: 'Refuse login attempts on an account after 5 failures within a minute.', requirements: ['FR-1: at most 5 failed login attempts per minute per account'] },
    plan: { approach: ['a sliding-window limiter per account, time as a parameter', 'login() consults it and records failures'], verification: ['the unit command: existing login tests and new rate-limit tests'] },
    tasks: [
      { id: 'T-001', title: T1, files: ['src/auth/rateLimit.js', 'src/auth/login.js'], verify: ['unit'] },
      { id: 'T-002', title: T2, files: ['test/auth/rate-limit.test.js'], verify: ['unit'] },
    ],
  }),
  'task-1 step 1': call(['read_file', { path: 'src/auth/login.js' }]),
  'task-1 step 2': call(
    ['write_file', { path: 'src/auth/rateLimit.js', content: RATE_LIMIT }],
    [
      'apply_patch',
      {
        path: 'src/auth/login.js',
        edits: [
          { search: USERS, replace: `const { createLimiter } = require('./rateLimit');\n\n${USERS}\nconst limiter = createLimiter({ max: 5, windowMs: 60000 });` },
          { search: LOGIN_BEFORE, replace: LOGIN_AFTER },
        ],
      },
    ],
  ),
  'task-1 step 3': call(['run_verification', { names: ['unit'] }]),
  'task-1 step 4': say('Added src/auth/rateLimit.js (the failures of each account in a 60 s window) and made login() refuse an account with 5 recent failures. The existing login tests pass.'),
  'task-2 step 1': call(['write_file', { path: 'test/auth/rate-limit.test.js', content: RATE_LIMIT_TEST }]),
  'task-2 step 2': call(['run_verification', { names: ['unit'] }]),
  'task-2 step 3': say('Added test/auth/rate-limit.test.js: the sixth attempt within a minute is refused, a minute later the account works again, accounts are independent. unit passes (5 tests).'),
} satisfies Record<string, Answer>;

export type AnswerKey = keyof typeof ANSWERS;

/** The instructions each role's requests start with (src/core/agents/roles.ts, src/core/implementer/prompts.ts). */
const ROLES: [prefix: string, key: AnswerKey | 'task'][] = [
  ['You are the PM', 'pm: frame'],
  ['You are the Designer. Write the specification', 'designer: spec'],
  ['You are the Designer. Write a short implementation plan', 'designer: plan'],
  ['You are the Implementer of Dynaforge. You turn a change', 'implementer: plan'],
  ['You are the Implementer of Dynaforge, carrying out one task', 'task'],
];

interface WireMessage {
  readonly role: string;
  readonly content?: string | null;
}

/** Which answer a request gets, or why there is none. */
export function answerKey(messages: readonly WireMessage[]): { key: AnswerKey } | { error: string } {
  const system = messages[0]?.role === 'system' ? (messages[0].content ?? '') : '';
  const role = ROLES.find(([prefix]) => system.startsWith(prefix));
  if (!role) return { error: `no scripted answer for a request whose instructions start "${system.slice(0, 80)}"` };
  if (role[1] !== 'task') return { key: role[1] };
  const task = /Your task \((task-\d+),/.exec(messages[1]?.content ?? '')?.[1];
  const step = messages.filter((m) => m.role === 'assistant').length + 1;
  const key = `${task ?? '?'} step ${step}`;
  return key in ANSWERS ? { key: key as AnswerKey } : { error: `no scripted answer for ${key}` };
}
