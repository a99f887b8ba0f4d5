#!/usr/bin/env bash
# `npm run demo`: installs the npm dependencies on a fresh clone, then starts the demo
# (embedded development identity provider, the service in sidecar mode, a demo app).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
exec node_modules/.bin/tsx scripts/demo.ts "$@"
