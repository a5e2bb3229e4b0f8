#!/usr/bin/env bash
# The story of `make demo`, in one fresh sample repository:
#   story.sh FOLDER verbose|quiet [CASSETTE]
# demo.sh runs it twice replaying CASSETTE (DYNAFORGE_MODEL_PROVIDER=scripted); author.ts runs
# it once against the scripted model's local endpoint to record that cassette. Quiet runs
# write their narrative to FOLDER.log instead of the terminal.
set -euo pipefail
MODE=$2 CASSETTE=${3:-}
mkdir -p "$(dirname "$1")" && REPO=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CLI=(node "$ROOT/dist/cli.js")

# A frozen clock (it also seeds ids), fixed commit dates, and no git settings from this machine.
export DYNAFORGE_NOW=2026-11-21T09:00:00Z DYNAFORGE_SEED=demo
export GIT_AUTHOR_DATE=$DYNAFORGE_NOW GIT_COMMITTER_DATE=$DYNAFORGE_NOW
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 LANG=C.UTF-8 TZ=UTC
unset DF_CHANGE

if [ "$MODE" = verbose ]; then exec 3>&1; else exec 3>"$REPO.log"; fi
B=$'\033[1m' D=$'\033[2m' R=$'\033[0m'
[ "$MODE" = verbose ] && [ -t 1 ] || B='' D='' R=''

say() { printf '\n%s== %s%s\n' "$B" "$*" "$R" >&3; }
note() { printf '%s%s%s\n' "$D" "$*" "$R" >&3; }
# Shows a file (or the lines a sed script prints of it), indented, leading blank lines left out.
show() { printf '%s--- %s ---%s\n' "$D" "$1" "$R" >&3; if [ $# -gt 1 ]; then sed -n "$2" "$1"; else cat "$1"; fi | sed '/./,$!d; s/^/  │ /' >&3; }
# A command line as a person would type it: arguments with blanks or quotes quoted.
shown() {
  local a out=()
  for a in "$@"; do
    if [[ ! $a =~ [[:space:]\'\"\;\&\|\(\)] ]]; then out+=("$a")
    elif [[ $a =~ ^(--[a-z-]+=)(.*)$ ]]; then out+=("${BASH_REMATCH[1]}'${BASH_REMATCH[2]}'")
    else out+=("\"$a\""); fi
  done
  printf '%s' "${out[*]}"
}
# Runs the CLI, narrated (its output streams as it comes). A cassette miss gets a plain
# explanation; any other failure stops the story.
df() {
  printf '$ dynaforge %s\n' "$(shown "$@")" >&3
  local rc=0
  "${CLI[@]}" "$@" 2>&1 | tee "$REPO.out" >&3 || rc=$?
  if [ $rc -ne 0 ]; then
    if grep -q 'no recorded response for request' "$REPO.out"; then
      echo "cassette miss: this run asked the scripted model something the authoring run did not (dynaforge $(shown "$@")):" >&2
      grep -m1 'no recorded response' "$REPO.out" >&2
      echo "The story is not deterministic, or story.sh / answers.ts changed between authoring and replay: run make demo again; if it persists, compare $REPO with the authoring repository." >&2
    else
      echo "the demo story failed at: dynaforge $(shown "$@") (exit $rc)" >&2
      [ "$MODE" = verbose ] || tail -n 20 "$REPO.out" >&2
    fi
    exit 1
  fi
}
# A command that must fail (exit 1): shows the failure.
df_fails() {
  printf '$ dynaforge %s\n' "$(shown "$@")" >&3
  local rc=0
  "${CLI[@]}" "$@" >&3 2>&1 || rc=$?
  [ $rc -eq 1 ] || { echo "expected dynaforge $(shown "$@") to exit 1, it exited $rc" >&2; exit 1; }
  note "(exit 1 — as it should be)"
}
sh_() { printf '$ %s\n' "$(shown "$@")" >&3; "$@" >&3 2>&1; }
CH=CH-001

rm -rf "$REPO" && mkdir -p "$REPO" && cd "$REPO"

say "0. A sample app: a login endpoint, its tests, a test command"
git init -q -b main
git config user.name "Demo Approver" && git config user.email approver@example.invalid
mkdir -p src/auth test/auth docs/requirements
cat > docs/requirements/auth.md <<'EOF'
# Authentication requirements

## FR-1: At most 5 failed login attempts per minute per account
EOF
cat > src/auth/login.js <<'EOF'
// The login endpoint of the sample app.
const USERS = { ada: 'correct horse battery staple', grace: 'hopper' };

function login(user, password) {
  return USERS[user] === password;
}

module.exports = { login };
EOF
cat > test/harness.js <<'EOF'
// A tiny test harness: test(name, fn) registers a test; run.js runs them all.
const tests = [];
module.exports = { tests, test: (name, fn) => tests.push({ name, fn }) };
EOF
cat > test/run.js <<'EOF'
// Runs every test/**/*.test.js in name order; prints TAP and writes it to build/unit.tap.
const fs = require('node:fs');
const path = require('node:path');
const { tests } = require('./harness');

const find = (dir) => fs.readdirSync(dir, { withFileTypes: true })
  .sort((a, b) => (a.name < b.name ? -1 : 1))
  .flatMap((e) => (e.isDirectory() ? find(path.join(dir, e.name)) : e.name.endsWith('.test.js') ? [path.join(dir, e.name)] : []));
for (const file of find(__dirname)) require(file);
const out = ['TAP version 13'];
let failed = 0;
tests.forEach((t, i) => {
  try {
    t.fn();
    out.push(`ok ${i + 1} - ${t.name}`);
  } catch (e) {
    failed++;
    out.push(`not ok ${i + 1} - ${t.name}`, `  # ${e.message}`);
  }
});
out.push(`1..${tests.length}`);
fs.mkdirSync('build', { recursive: true });
fs.writeFileSync('build/unit.tap', `${out.join('\n')}\n`);
console.log(out.join('\n'));
process.exit(failed ? 1 : 0);
EOF
cat > test/auth/login.test.js <<'EOF'
const assert = require('node:assert/strict');
const { test } = require('../harness');
const { login } = require('../../src/auth/login');

test('the right password logs in', () => assert.equal(login('ada', 'correct horse battery staple'), true));
test('a wrong password does not', () => assert.equal(login('ada', 'Tr0ub4dor&3'), false));
EOF
df init
printf 'build/\n# the model answers this demo replays (written by the demo)\ncassettes/\n' >> .gitignore
# The test command the Implementer verifies with and the Tester runs (with its TAP report for counts).
sed -i 's|^tests: \[\]$|tests:\n  - name: unit\n    command: node test/run.js\n    tap: build/unit.tap\n    timeout_s: 60|' .dynaforge/config.yaml
git add -A && git commit -qm "sample app"
if [ -n "$CASSETTE" ]; then mkdir -p cassettes && cp "$CASSETTE" cassettes/demo.jsonl; fi
note "Repository $(basename "$REPO"), git identity $(git config user.name) <$(git config user.email)>: every approval below is recorded as this person."
sh_ git ls-files src test
show .dynaforge/config.yaml '/^tests:/,/^$/p'
if [ -n "$CASSETTE" ]; then
  note "The model: DYNAFORGE_MODEL_PROVIDER=$DYNAFORGE_MODEL_PROVIDER DYNAFORGE_MODEL_CASSETTE=$DYNAFORGE_MODEL_CASSETTE — the cassette authored above, copied in (gitignored). No model is called."
else
  note "The model: $DYNAFORGE_MODEL_PROVIDER at ${DYNAFORGE_MODEL_URL:-?}, every answer recorded to $DYNAFORGE_MODEL_CASSETTE (DYNAFORGE_MODEL_RECORD=${DYNAFORGE_MODEL_RECORD:-off})."
fi

say "1. The PM frames a request into a change"
df run --request "Rate-limit the login endpoint: at most 5 failed attempts per minute per account"
note "The PM's framing fills the brief template (title, scope src/auth + test, FR-1 and risk high went to change.yaml):"
show changes/$CH/brief.md '/^## Problem/,/^## Scope/{/^## Scope/d;p};/^## Request/,$p'

say "2. A person approves the framing (scripted: the repository's git identity)"
df approve $CH --stage frame --note "the problem and the outcome are right"

say "3. The Designer writes the spec"
df run $CH
show changes/$CH/spec.md '/^### FR-1/,/^## Non/p'
df approve $CH --stage spec --note "FR-1 is testable as written"

say "4. The Designer plans and breaks the work into tasks"
df run $CH
show changes/$CH/tasks.md '/^- \[/p'
df approve $CH --stage execute

say "5. The Implementer does the tasks, then the Tester gives a verdict"
df run $CH
note "Its steps, as the audit log recorded them (one step: one model answer and the tools it called):"
node -e '
  let files = [];
  for (const l of require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n")) {
    const e = JSON.parse(l), p = e.payload;
    if (e.type === "implementer.file_changed") files.push(`      ${p.action} ${p.path}`);
    if (e.type !== "implementer.step_finished") continue;
    console.log([`  step ${p.step} ${p.task ?? "plan"}: ${p.outcome}${p.tool_calls.length ? ` (${p.tool_calls.join(", ")})` : ""}`, ...files].join("\n"));
    files = [];
  }' audit/changes/$CH.jsonl >&3
note "Real files, written by the Implementer's tools inside the change's scope (src/auth, test):"
sh_ git status --short src test
note "Each task is done only with evidence — files changed and verification passing:"
show changes/$CH/tasks.md '/^- \[/p'
sh_ git diff src/auth/login.js
note "What persists of the run (changes/$CH/CHANGE_SUMMARY.md):"
show changes/$CH/CHANGE_SUMMARY.md '3s/ (run id[^)]*)//;3p;/^| `[^|]*` | \(created\|modified\) |/p'
note "The Tester's verdict under the QA policy for risk high (changes/$CH/QA_REPORT.md):"
show changes/$CH/QA_REPORT.md '/^\*\*Verdict/p;/^| [a-z_]* | \(pass\|fail\|concerns\|off\) | /p'

say "6. A person approves validation and the package"
df approve $CH --stage validate --note "tests are meaningful; code reviewed"
df run $CH
df approve $CH --stage package
df run $CH
note "The reviewed work is committed, linked to the change by its trailer:"
git add -A && git commit -qm "Rate-limit the login endpoint" -m "Change: $CH"
sh_ git log -1 --format='%h %s  (%(trailers:key=Change,separator=))'

say "7. Cleanup, three days later: the Implementer's run folder is purged, the record stays"
export DYNAFORGE_NOW=2026-11-24T09:00:00Z
df retention plan
df cleanup
sh_ ls changes/$CH

say "8. The CI gate, the generated views, the audit log"
df check
df views
show TRACEABILITY.md '/^| FR-1 /p'
df audit verify
node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
  const n = {}; for (const e of lines) n[e.type] = (n[e.type] || 0) + 1;
  console.log(`${lines.length} events in ${process.argv[1]}:`);
  for (const [t, c] of Object.entries(n)) console.log(`  ${String(c).padStart(3)}  ${t}`);
' audit/changes/$CH.jsonl >&3

say "9. Tampering is caught at the exact line"
cp -r audit "$REPO.audit-backup"
L=$(grep -n '"approval.recorded"' audit/changes/$CH.jsonl | head -1 | cut -d: -f1)
note "Someone rewrites line $L of the change's stream so that the frame approval names another person:"
sed -i "${L}s/Demo Approver/Mallory/" audit/changes/$CH.jsonl
df_fails audit verify
rm -rf audit && mv "$REPO.audit-backup" audit
note "(the audit log restored from a copy)"

say "10. A crash mid-append leaves a torn line: reported, then moved aside by repair — never dropped"
printf '{"v":1,"seq":99,"ty' >> audit/changes/$CH.jsonl
df_fails audit verify
df audit repair
df audit verify
rm -f "$REPO.out"
exec 3>&-
