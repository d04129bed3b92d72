#!/usr/bin/env bash
# Generates the TypeScript and Python clients in clients/ from proto/, with
# buf.gen.clients.yaml, and the same TypeScript for the operations dashboard
# in web/src/gen (plus google/rpc/error_details.proto from
# third_party/googleapis), with buf.gen.web.yaml. Called by `make generate`;
# safe to run twice (the output is deterministic, and `clean: true` removes
# stale files first).
#
# Needs: node + npm (protoc-gen-es is the version pinned in
# clients/typescript/package-lock.json) and protoc on PATH for the builtin
# python/pyi generators (Debian: protobuf-compiler).
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
ts=clients/typescript

for tool in node npm protoc; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "generate-clients: '$tool' not found on PATH" >&2
    [[ $tool == protoc ]] && echo "  (Debian/Ubuntu: apt-get install -y protobuf-compiler)" >&2
    exit 1
  fi
done

# `npm ci` when node_modules is missing or was installed from another
# package-lock.json. The stamp records the hash of the lockfile it was
# installed from (mtimes are useless after a git checkout).
stamp=$ts/node_modules/.generate-clients.lock-sha256
want=$(sha256sum "$ts/package-lock.json" | cut -d' ' -f1)
if [[ ! -x $ts/node_modules/.bin/protoc-gen-es || ! -f $stamp || $(<"$stamp") != "$want" ]]; then
  echo "generate-clients: npm ci in $ts" >&2
  (cd "$ts" && npm ci --no-audit --no-fund --loglevel=error >&2)
  echo "$want" >"$stamp"
fi

$GO tool -modfile=tools.mod buf generate --template buf.gen.clients.yaml
$GO tool -modfile=tools.mod buf generate --template buf.gen.web.yaml
