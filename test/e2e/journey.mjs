// The end-to-end journey of the issue, in a real editor through a real browser, with the
// extension installed from its VSIX: initialize from the welcome view → create a change from
// the palette → see it in the tree → approve its frame from the CodeLens → the status bar
// shows the next stage; then edit the approved brief and watch CodeLens and Problems follow,
// deny a stage through the palette's quick picks, and open the switcher from the status bar.
// Every step takes a screenshot; a failing step says what it expected and the journey stops.
//
// Usage: node journey.mjs <baseUrl> <folder> <screenshotDir> <countsFile>
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
  ['clicking the status bar item offers to switch the active change', 'a quick pick listing CH-001', async () => {
    await statusItem().click();
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'CH-001' }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Escape');
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
