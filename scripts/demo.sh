#!/usr/bin/env bash
# `make demo`: a narrated tour of what Dynaforge does today, in a fresh sample repository
# under demo-out/ (gitignored). It runs the whole story twice with a frozen clock and proves
# the audit output byte-identical between the two runs.
set -euo pipefail
cd "$(dirname "$0")/.."
HERE=$(pwd)
CLI="node $HERE/dist/cli.js"
OUT="$HERE/demo-out"
export DYNAFORGE_NOW=2026-11-21T09:00:00Z DYNAFORGE_SEED=demo
export GIT_AUTHOR_DATE="$DYNAFORGE_NOW" GIT_COMMITTER_DATE="$DYNAFORGE_NOW"
unset DF_CHANGE

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ dynaforge %s\n' "$*"; $CLI "$@"; }

story() { # $1 = folder, $2 = verbose (1) or quiet (0)
  local repo=$1
  rm -rf "$repo" && mkdir -p "$repo" && cd "$repo"
  git init -q -b main && git config user.name "Ada Lovelace" && git config user.email ada@example.com
  mkdir -p src/auth && echo 'export const login = () => true;' > src/auth/login.ts
  git add -A && git commit -qm "sample app"
  if [ "$2" = 1 ]; then exec 3>&1; else exec 3>/dev/null; fi
  {
    say "1. init: the project's Dynaforge files (idempotent, never overwrites your edits)"
    run init
    say "2. a change can start anywhere: here an idea, and a doc"
    run new "Rate-limit the login endpoint" --fr FR-1 --scope src/auth --risk high --use
    run new "Document the public API" --origin doc --risk low
    say "3. what is going on"
    run list
    run status
    say "4. a concern is raised, acknowledged, resolved — each an audit event, state folded from them"
    run concern raise "Login has no test for lockout" --severity high --source review
    run status
    run concern ack C-1 --note "writing the test"
    run concern resolve C-1 --note "TC-7 added"
    run concern list --status all
    say "4b. approvals that know what they approved: edit an approved artifact and only that approval goes stale"
    run approve --stage frame --note "problem is clear"
    run spec
    printf '\n### FR-1: At most 5 login attempts per minute per account\n' >> changes/CH-001/spec.md
    run approve --stage spec
    run plan
    printf -- '- Add a token bucket per account\n' > /tmp/dynaforge-demo-approach
    sed -i '/^## Approach/r /tmp/dynaforge-demo-approach' changes/CH-001/plan.md && rm /tmp/dynaforge-demo-approach
    run tasks
    run approve --stage execute
    printf 'Also: lock the account after 20 failures.\n' >> changes/CH-001/spec.md
    run status
    say "5. the audit log: hash-chained JSONL, one stream per change (merges cleanly across branches)"
    ls audit/changes audit/project
    run audit verify
    say "6. tampering is caught at the exact line"
    cp -r audit /tmp/dynaforge-demo-audit-backup
    sed -i '2s/"ok"/"OK"/' audit/changes/CH-001.jsonl
    run audit verify || echo "(exit $? — as it should be)"
    rm -rf audit && mv /tmp/dynaforge-demo-audit-backup audit
    say "7. a crash mid-append leaves a torn line: reported, then moved aside by repair — never dropped"
    printf '{"v":1,"seq":99,"ty' >> audit/changes/CH-002.jsonl
    run audit verify || echo "(exit $?)"
    run audit repair
    run audit verify
    say "8. doctor"
    run doctor
  } >&3 2>&1
  exec 3>&-
}

say "Building the CLI"
test -f dist/cli.js || npm run -s build
story "$OUT/run-1" 1
cd "$HERE"
say "Replaying the same story in a second fresh repository (same clock, same seed)"
story "$OUT/run-2" 0
cd "$HERE"

digest() { (cd "$1" && find audit changes -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1); }
A=$(digest "$OUT/run-1"); B=$(digest "$OUT/run-2")
say "Determinism"
echo "run 1 audit+changes sha256: $A"
echo "run 2 audit+changes sha256: $B"
if [ "$A" = "$B" ]; then echo "byte-identical ✔"; else echo "DIFFERENT ✘"; diff -r "$OUT/run-1/audit" "$OUT/run-2/audit" | head; exit 1; fi
