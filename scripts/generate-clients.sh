#!/usr/bin/env bash
# Generates the TypeScript and Python clients in clients/ from proto/, and the
# same TypeScript for the operations dashboard in web/src/gen (plus
# google/rpc/error_details.proto from third_party/googleapis). Called by
# `make generate`; safe to run twice (the output is deterministic, and every
# output directory is emptied first, so removed protos leave nothing behind).
#
# - TypeScript: buf.gen.clients.yaml and buf.gen.web.yaml, with protoc-gen-es
#   (the version pinned in clients/typescript/package-lock.json). Needs node
#   and npm.
# - Python, into clients/python/src/orders_client/gen: buf compiles proto/
#   into a FileDescriptorSet, and grpcio-tools' protoc (`python -m
#   grpc_tools.protoc`) generates from it the messages (python), their stubs
#   (pyi), the gRPC stubs (grpc_python), the gRPC stubs' typing stubs
#   (mypy-protobuf's protoc-gen-mypy_grpc) and the Connect clients
#   (protoc-gen-connectrpc, protobuf=google). buf's protoc_builtin cannot run
#   grpc_python (it is not a protoc builtin), hence protoc directly. Then
#   scripts/python-gen-package.py makes the output a subpackage,
#   orders_client.gen. The generators are the exact versions of
#   clients/python/requirements-dev.txt, installed into clients/python/.venv-python
#   by scripts/python-venv.sh (needs python3 3.11 or newer; PYTHON overrides).
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
ts=clients/typescript

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "generate-clients: '$tool' not found on PATH" >&2
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

# Python.
bash scripts/python-venv.sh
venv=clients/python/.venv-python
pygen=clients/python/src/orders_client/gen
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# With the imports (google/protobuf/*.proto) and source info (the comments
# become docstrings).
$GO tool -modfile=tools.mod buf build --as-file-descriptor-set -o "$tmp/proto.binpb"
mapfile -t protos < <(cd proto && find . -name '*.proto' | sed 's|^\./||' | LC_ALL=C sort)
rm -rf "$pygen"
mkdir -p "$pygen"
"$venv/bin/python" -m grpc_tools.protoc --descriptor_set_in="$tmp/proto.binpb" \
  --python_out="$pygen" --pyi_out="$pygen" --grpc_python_out="$pygen" \
  --plugin=protoc-gen-mypy_grpc="$venv/bin/protoc-gen-mypy_grpc" --mypy_grpc_out=quiet:"$pygen" \
  --plugin=protoc-gen-connectrpc="$venv/bin/protoc-gen-connectrpc" --connectrpc_out=protobuf=google:"$pygen" \
  "${protos[@]}"
"$venv/bin/python" scripts/python-gen-package.py "$pygen" orders_client.gen
