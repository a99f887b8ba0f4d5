#!/usr/bin/env bash
# `npm run demo`: installs the npm dependencies on a fresh clone, then starts the demo
# (embedded development identity provider, the service in sidecar mode, a demo app).
set -euo pipefail
cd "$(dirname "$0")/.."
# The demo runs on devDependencies (tsx, oidc-provider): install them too, even
# under NODE_ENV=production or after a production-only install.
{ [ -x node_modules/.bin/tsx ] && [ -d node_modules/oidc-provider ]; } || npm ci --include=dev --no-audit --no-fund
exec node_modules/.bin/tsx scripts/demo.ts "$@"
