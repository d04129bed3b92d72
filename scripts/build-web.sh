#!/usr/bin/env bash
# Builds the operations dashboard (web/) into web/dist, which is committed
# and embedded in the orders binary. Called by `make generate` after
# scripts/generate-clients.sh (the app uses the TypeScript it writes into
# web/src/gen); `make drift` then fails when the committed web/dist differs
# from a fresh build. The build is deterministic: the same sources and
# package-lock.json give the same bytes.
#
# Needs: node (>= 20.19) + npm; the packages are the versions pinned in
# web/package-lock.json.
#
# With --deps-only it only installs web/node_modules (for `make web-test`).
set -euo pipefail
cd "$(dirname "$0")/.."

web=web

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build-web: '$tool' not found on PATH" >&2
    exit 1
  fi
done

# `npm ci` when node_modules is missing or was installed from another
# package-lock.json. The stamp records the hash of the lockfile it was
# installed from (mtimes are useless after a git checkout).
stamp=$web/node_modules/.build-web.lock-sha256
want=$(sha256sum "$web/package-lock.json" | cut -d' ' -f1)
if [[ ! -x $web/node_modules/.bin/vite || ! -f $stamp || $(<"$stamp") != "$want" ]]; then
  echo "build-web: npm ci in $web" >&2
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error >&2)
  echo "$want" >"$stamp"
fi

[[ ${1:-} == --deps-only ]] && exit 0

# Type-checks, then writes web/dist (emptied first, so no stale asset stays).
(cd "$web" && npm run --silent build >&2)
