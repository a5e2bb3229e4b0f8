// The end-to-end journey of the issue, in a real editor through a real browser, with the
// extension installed from its VSIX: initialize from the welcome view → create a change from
// the palette → see it in the tree → approve its frame from the CodeLens → the status bar
// shows the next stage; then edit the approved brief and watch CodeLens and Problems follow,
// deny a stage through the palette's quick picks, and open the switcher from the status bar;
// then the chat: `@df /status` typed into the real chat view answers with the change and its
// stage, and `@df /implement` — the offline test model playing a scripted answer — streams a
// micro-task to done while the file it writes appears on disk.
// Every step takes a screenshot; a failing step says what it expected and the journey stops.
//
// Usage: node journey.mjs <baseUrl> <folder> <screenshotDir> <countsFile>
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Checks, launch } from './browser.mjs';

const [base, folder, shots, countsFile] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });
const checks = new Checks('journey');
const TITLE = 'Rate-limit the login endpoint';
const file = (rel) => join(folder, rel);
let n = 0;

const browser = await launch();
const { page } = browser;
page.on('pageerror', (e) => console.log(`    [page error] ${String(e).split('\n')[0]}`));

/** Polls the disk (the engine's files are the truth the UI must agree with). */
async function onDisk(what, probe, ms = 15_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (probe()) return;
    await page.waitForTimeout(100);
  }
  throw new Error(`${what} did not happen on disk within ${ms} ms`);
}

async function palette(command) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${command}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: command }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/** Waits until the first element matching `selector` whose inner text has `text` exists (innerText: what a person reads). */
async function waitForText(selector, text, ms = 10_000) {
  const end = Date.now() + ms;
  let seen = [];
  while (Date.now() < end) {
    seen = await page.locator(selector).allInnerTexts().catch(() => []);
    if (seen.some((t) => t.replace(/\s+/g, ' ').includes(text))) return;
    await page.waitForTimeout(100);
  }
  throw new Error(`no ${selector} reads "${text}" within ${ms} ms; seen: ${JSON.stringify(seen.map((t) => t.replace(/\s+/g, ' ')).filter(Boolean).slice(0, 8))}`);
}

const statusItem = () => page.locator('.statusbar-item', { hasText: 'CH-001' }).first();
const lens = (text) => page.locator('.codelens-decoration a', { hasText: text }).first();
/** A CodeLens without a command (a label such as "frame approved by …") is not a link. */
const lensLabel = (text) => page.locator('.codelens-decoration', { hasText: text }).first();
const treeRow = (text) => page.locator('.pane-body .monaco-list-row', { hasText: text }).first();
const cli = (...args) => execFileSync(process.execPath, [join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli.js'), ...args], { cwd: folder, encoding: 'utf8' });

/** The last chat answer, as a person reads it. */
const lastAnswer = () => page.locator('.interactive-response').last();

/**
 * Sends a request to the real chat view with the offline test model selected: the test model's
 * palette command asks for the query in an input box, typed here like a person would, and opens
 * the chat with it (`workbench.action.chat.open` with a modelSelector; a signed-out editor's
 * model picker offers only Copilot's sign-in). Resolves with the answer once it reads `expect`.
 */
async function askChat(text, expect) {
  await palette('Dynaforge Test: Ask the Chat with the Offline Model');
  await page.locator('.quick-input-widget', { hasText: 'The chat request' }).waitFor({ timeout: 10_000 });
  await page.locator('.quick-input-widget input').fill(text);
  await page.keyboard.press('Enter');
  return answerReads(expect);
}

/** Waits until the last chat answer reads `expect` (whitespace folded); returns its text. */
async function answerReads(expect, ms = 30_000) {
  const end = Date.now() + ms;
  let t = '';
  while (Date.now() < end) {
    t = (await lastAnswer().innerText().catch(() => '')).replace(/\s+/g, ' ');
    if (expect instanceof RegExp ? expect.test(t) : t.includes(expect)) return t;
    await page.waitForTimeout(150);
  }
  throw new Error(`no chat answer reads ${JSON.stringify(String(expect))} within ${ms / 1000} s; the last answer: ${JSON.stringify(t.slice(0, 400))}`);
}

const steps = [
  ['the workbench opens the folder', 'the VS Code workbench (activity bar) within 60 s', async () => {
    await page.goto(`${base}/?folder=${encodeURIComponent(folder)}`);
    await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60_000 });
  }],
  ['the Dynaforge view offers "Initialize Dynaforge" in a folder without .dynaforge/', 'a Dynaforge activity-bar item whose view shows an "Initialize Dynaforge" button', async () => {
    await page.locator('.activitybar .action-item a[aria-label^="Dynaforge"], .activitybar .action-item[aria-label^="Dynaforge"]').first().click({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Initialize Dynaforge', exact: true }).waitFor({ timeout: 20_000 });
  }],
  ['Initialize Dynaforge creates the project and the view offers "New Change"', '.dynaforge/config.yaml on disk and a "New Change" button in the welcome view', async () => {
    await page.getByRole('button', { name: 'Initialize Dynaforge', exact: true }).click();
    await onDisk('.dynaforge/config.yaml', () => existsSync(file('.dynaforge/config.yaml')));
    await page.getByRole('button', { name: 'New Change', exact: true }).waitFor({ timeout: 15_000 });
  }],
  ['"Dynaforge: New Change…" from the palette asks for a title and creates CH-001', 'an input box for the title, then changes/CH-001/change.yaml on disk', async () => {
    await palette('Dynaforge: New Change');
    const input = page.locator('.quick-input-widget input');
    await page.locator('.quick-input-widget', { hasText: 'what do you want to change' }).waitFor({ timeout: 10_000 });
    await input.fill(TITLE);
    await page.keyboard.press('Enter');
    await onDisk('changes/CH-001/change.yaml', () => existsSync(file('changes/CH-001/change.yaml')));
  }],
  ['the Changes tree shows CH-001 under Draft', `a tree row "CH-001 ${TITLE}" under a "Draft" group, described "stage frame · awaiting approval"`, async () => {
    await treeRow(`CH-001 ${TITLE}`).waitFor({ timeout: 10_000 });
    await treeRow('Draft').waitFor({ timeout: 5_000 });
    await page.locator('.pane-body .monaco-list-row', { hasText: 'stage frame · awaiting approval' }).first().waitFor({ timeout: 5_000 });
  }],
  ['the status bar shows the active change at stage frame', 'a status bar item "CH-001 · frame"', async () => {
    await waitForText('.statusbar-item', 'CH-001 · frame');
  }],
  ['brief.md is open with the CodeLens "Approve frame · Deny"', 'CodeLens "Approve frame" and "Deny" above brief.md', async () => {
    await lens('Approve frame').waitFor({ timeout: 20_000 });
    await lens('Deny').waitFor({ timeout: 5_000 });
  }],
  ['clicking "Approve frame" records the approval through the engine', 'changes/CH-001/change.yaml holding an approved frame decision', async () => {
    await lens('Approve frame').click();
    await onDisk('the frame approval in change.yaml', () => /stage: frame[\s\S]*decision: approved|decision: approved[\s\S]*stage: frame/.test(readFileSync(file('changes/CH-001/change.yaml'), 'utf8')));
  }],
  ['the status bar shows the next stage: spec', 'the status bar item to read "CH-001 · spec"', async () => {
    await waitForText('.statusbar-item', 'CH-001 · spec');
    await lensLabel('frame approved by').waitFor({ timeout: 10_000 });
  }],
  ['editing the approved brief turns the CodeLens into "approval stale — re-approve"', 'after typing and saving, the lens "frame approval stale — re-approve"', async () => {
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\nA sentence added after the approval.');
    await page.keyboard.press('Control+S');
    await lens('approval stale — re-approve').waitFor({ timeout: 15_000 });
  }],
  ['the Problems panel shows the stale approval as a Dynaforge warning', 'a Problems entry "… approval by E2E Tester … is stale …"', async () => {
    await palette('View: Focus Problems');
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'is stale' }).first().waitFor({ timeout: 15_000 });
  }],
  ['re-approving from the CodeLens clears the problem', 'the lens back to "frame approved by …" and no stale entry in Problems', async () => {
    await lens('approval stale — re-approve').click();
    await lensLabel('frame approved by').waitFor({ timeout: 15_000 });
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'is stale' }).first().waitFor({ state: 'detached', timeout: 15_000 });
  }],
  ['"Dynaforge: Deny Stage…" asks for the change, the stage and a reason, and sends the stage back', 'quick picks for change and stage, an input box for the reason, then a denied frame in change.yaml, the lens "frame denied: …" and the status bar at frame', async () => {
    await palette('Dynaforge: Deny Stage');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'CH-001' }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter'); // the active change comes first
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'current stage' }).first().waitFor({ timeout: 10_000 });
    await page.locator('.quick-input-widget input').fill('frame');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'frame' }).first().waitFor({ timeout: 5_000 });
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget', { hasText: 'Why deny the frame stage of CH-001' }).waitFor({ timeout: 10_000 });
    await page.locator('.quick-input-widget input').fill('The scope is missing');
    await page.keyboard.press('Enter');
    await onDisk('the frame denial in change.yaml', () => /decision: denied/.test(readFileSync(file('changes/CH-001/change.yaml'), 'utf8')));
    await lensLabel('frame denied: The scope is missing').waitFor({ timeout: 10_000 });
    await waitForText('.statusbar-item', 'CH-001 · frame');
  }],
  ['clicking the status bar item offers what to do next, and switching the active change', 'a quick pick with "Approve frame" and "Switch the active change…", then one listing CH-001', async () => {
    await statusItem().click();
    const row = (text) => page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
    await row('Approve frame').waitFor({ timeout: 10_000 });
    await row('Switch the active change').click();
    await row('Rate').waitFor({ timeout: 10_000 });
    await row('CH-001').waitFor({ timeout: 10_000 });
    await page.keyboard.press('Escape');
  }],
  ['"@df /status" in the chat view answers with the change and its stage, and offers Approve / Deny', `a chat answer naming CH-001 "${TITLE}" at stage frame, with the buttons "Approve frame" and "Deny frame…"`, async () => {
    const answer = await askChat('@df /status', 'stage frame');
    if (!answer.includes(`CH-001 ${TITLE}`)) throw new Error(`expected the answer to name CH-001 ${TITLE}, got: ${answer.slice(0, 300)}`);
    await lastAnswer().getByRole('button', { name: 'Approve frame' }).waitFor({ timeout: 5_000 });
    await lastAnswer().getByRole('button', { name: 'Deny frame…' }).waitFor({ timeout: 5_000 });
  }],
  ['the chat answer\'s "Approve frame" button records the approval; the status bar moves to spec', 'a new approved frame decision in change.yaml and the status bar at "CH-001 · spec"', async () => {
    const before = (readFileSync(file('changes/CH-001/change.yaml'), 'utf8').match(/decision: approved/g) ?? []).length;
    await lastAnswer().getByRole('button', { name: 'Approve frame' }).click();
    await onDisk('a new frame approval', () => (readFileSync(file('changes/CH-001/change.yaml'), 'utf8').match(/decision: approved/g) ?? []).length > before);
    await waitForText('.statusbar-item', 'CH-001 · spec');
  }],
  ['"@df /implement" streams a micro-task to done with the chat\'s model; the file it writes appears', 'the answer to show task-1 running then done and the run succeeded, and src/greet.js on disk', async () => {
    // A change whose scope is src/, a declared test for the verdict, the chat's model for the agents,
    // and the offline model's script: the plan, a write_file call, the claim.
    const made = cli('new', 'Greet visitors', '--scope', 'src', '--use');
    const id = /Created (CH-\d+)/.exec(made)?.[1];
    const config = file('.dynaforge/config.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('tests: []\n', 'tests:\n  - name: unit\n    command: test -f src/greet.js\n').replace('provider: none', 'provider: vscode-lm'));
    const plan = { spec: { summary: 'Greet visitors', requirements: ['it greets'] }, plan: { approach: ['add src/greet.js'], verification: ['unit'] }, tasks: [{ title: 'Add the greeting module', files: ['src/greet.js'], verify: ['unit'] }] };
    const model = process.env.DYNAFORGE_E2E_MODEL_DIR;
    mkdirSync(model, { recursive: true });
    writeFileSync(join(model, 'script.json'), JSON.stringify({ answers: [{ text: JSON.stringify(plan) }, { toolCalls: [{ name: 'write_file', input: { path: 'src/greet.js', content: 'module.exports = (name) => `Hello, ${name}!`;\n' } }] }, { text: 'Added src/greet.js.' }] }));
    await askChat(`@df /implement ${id}`, 'task-1 Add the greeting module — running');
    await onDisk('src/greet.js', () => existsSync(file('src/greet.js')), 30_000);
    await answerReads(/✓ task-1 done: src\/greet\.js[\s\S]*run-1 succeeded/);
  }],
];

const t0 = Date.now();
let stopped = false;
for (const [title, expected, run] of steps) {
  if (stopped) {
    console.log(`    - ${title} (not run: an earlier step failed)`);
    continue;
  }
  n += 1;
  const shot = join(shots, `${String(n).padStart(2, '0')}-${title.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').slice(0, 60).toLowerCase()}.png`);
  try {
    await run();
    await page.waitForTimeout(150);
    await page.screenshot({ path: shot });
    checks.pass(title);
  } catch (e) {
    await page.screenshot({ path: shot.replace(/\.png$/, '-FAILED.png') }).catch(() => {});
    checks.fail(title, expected, e);
    stopped = true;
  }
}
await browser.close();
console.log(`    (journey: ${((Date.now() - t0) / 1000).toFixed(1)} s, screenshots in ${shots})`);
checks.report(countsFile);
process.exit(checks.failed ? 1 : 0);
