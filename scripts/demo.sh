#!/usr/bin/env bash
# `make demo`: the agent loop, told in a fresh sample repository under demo-out/ (gitignored).
# A request goes PM → approval → Designer (spec) → approval → Designer (plan, tasks) →
# approval → Implementer (real files, real tests) → Tester (verdict) → approvals of validate
# and package → Cleanup (retention), then the CI gate, the views and the audit log catching
# tampering and a torn write. The model is scripted: its answers (scripts/demo/answers.ts)
# are first recorded to a cassette, which the story then replays with no model at all — twice,
# in two fresh repositories, proving the audit output byte-identical. scripts/demo/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
HERE=$(pwd)
OUT=$HERE/demo-out
T0=$EPOCHREALTIME
B=$'\033[1m' R=$'\033[0m'
[ -t 1 ] || B='' R=''
say() { printf '\n%s== %s%s\n' "$B" "$*" "$R"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

if [ ! -f dist/cli.js ] || [ ! -x node_modules/.bin/tsx ]; then
  echo "dist/cli.js or node_modules is missing: run make demo (it installs and builds first)" >&2
  exit 2
fi
# Only the demo's own settings reach the model layer.
unset DYNAFORGE_MODEL_URL DYNAFORGE_MODEL DYNAFORGE_MODEL_RECORD DF_CHANGE
rm -rf "$OUT" && mkdir -p "$OUT"

say "Authoring the scripted model's cassette (every demo run does this first)"
cat <<'EOF'
The model's answers are written by hand in scripts/demo/answers.ts. To turn them into a
cassette they are served on a local endpoint (127.0.0.1) while this same story runs once,
quietly, with the CLI in record mode — so each request is hashed exactly as the replays
below will hash it. From then on no model is involved: DYNAFORGE_MODEL_PROVIDER=scripted.
EOF
node_modules/.bin/tsx scripts/demo/author.ts "$OUT/author" "$OUT/cassette.jsonl"
T1=$EPOCHREALTIME

say "Run 1 of the story, replaying the cassette, in demo-out/run-1"
export DYNAFORGE_MODEL_PROVIDER=scripted DYNAFORGE_MODEL_CASSETTE=cassettes/demo.jsonl
bash scripts/demo/story.sh "$OUT/run-1" verbose "$OUT/cassette.jsonl"
T2=$EPOCHREALTIME

say "Run 2: the same story in a second fresh repository, demo-out/run-2 (same clock, same seed, same cassette)"
bash scripts/demo/story.sh "$OUT/run-2" quiet "$OUT/cassette.jsonl"
echo "  done (narrative in demo-out/run-2.log)"
T3=$EPOCHREALTIME

digest() { (cd "$1" && find audit changes -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1); }
files() { (cd "$1" && find audit changes -type f | wc -l); }
A=$(digest "$OUT/run-1") B2=$(digest "$OUT/run-2")
say "Determinism: audit/ and changes/ of both runs"
echo "run 1: $(files "$OUT/run-1") files, sha256 $A"
echo "run 2: $(files "$OUT/run-2") files, sha256 $B2"
echo "time: $(secs "$T0" "$T3") s after the build (authoring $(secs "$T0" "$T1") s, run 1 $(secs "$T1" "$T2") s, run 2 $(secs "$T2" "$T3") s)"
if [ "$A" != "$B2" ]; then
  echo "DIFFERENT ✘ — the two runs wrote different audit or change records:"
  diff -r "$OUT/run-1/audit" "$OUT/run-2/audit" | head -20 || true
  diff -r "$OUT/run-1/changes" "$OUT/run-2/changes" | head -20 || true
  exit 1
fi
echo "byte-identical ✔"
