#!/usr/bin/env bash
# Builds gocaves, Couchbase's mock cluster for SDK tests, as a standalone
# binary for our Couchbase tests (see internal/testenv/caves).
#
# Usage: scripts/build-gocaves.sh [OUTPUT]     (default: <repo>/bin/gocaves)
#
# The source comes from the Go module proxy only (go mod download) and is
# built in a throw-away directory; none of it is ever committed here. The
# published module does not build as downloaded, so this script:
#   1. drops the `replace .../gocaves/client => ./client` (that nested module
#      is not part of the module zip; only example/ tests use it) and removes
#      example/;
#   2. runs upstream's generate step `go run ./tools/prebuildstep.go`, which
#      writes checksuite/checksuite.go (imported by cmd/) and
#      mock/data/gobindata.go (embedded error maps, package mockdata);
#   3. makes its servers listen on 127.0.0.1 instead of every interface;
#   4. builds the root main package (main.go -> cmd.Start) to OUTPUT.
# It is built without -race on purpose: gocaves has data races of its own.
#
# If OUTPUT exists and is newer than this script, it does nothing.
set -euo pipefail

readonly GOCAVES_MODULE=github.com/couchbaselabs/gocaves
readonly GOCAVES_VERSION=v0.0.1-75

script="${BASH_SOURCE[0]}"
repo_root="$(cd "$(dirname "$script")/.." && pwd)"

out="${1:-$repo_root/bin/gocaves}"
case "$out" in
/*) ;;
*) out="$PWD/$out" ;;
esac

if [[ -e "$out" && "$out" -nt "$script" ]]; then
	exit 0
fi

# Build outside any workspace; never touch the project's go.mod.
export GOWORK=off

work="$(mktemp -d "${TMPDIR:-/tmp}/build-gocaves.XXXXXX")"
tmp_out="$out.tmp.$$"
cleanup() {
	chmod -R u+w "$work" 2>/dev/null || true
	rm -rf "$work"
	rm -f "$tmp_out"
}
trap cleanup EXIT

# `go mod download` run outside a module: it only fills the module cache.
if ! json="$(cd "$work" && go mod download -json "$GOCAVES_MODULE@$GOCAVES_VERSION")"; then
	printf 'build-gocaves: go mod download %s@%s failed:\n%s\n' \
		"$GOCAVES_MODULE" "$GOCAVES_VERSION" "$json" >&2
	exit 1
fi
dir="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
if [[ -z "$dir" || ! -f "$dir/go.mod" ]]; then
	printf 'build-gocaves: go mod download gave no source dir:\n%s\n' "$json" >&2
	exit 1
fi

src="$work/src"
cp -R "$dir" "$src"
chmod -R u+w "$src"
cd "$src"

# 1. The nested client module is absent from the module zip.
go mod edit \
	-dropreplace="$GOCAVES_MODULE/client" \
	-droprequire="$GOCAVES_MODULE/client"
rm -rf example

# 2. Upstream's generate step (`make generated`).
go run ./tools/prebuildstep.go >/dev/null
for f in checksuite/checksuite.go mock/data/gobindata.go; do
	if [[ ! -s "$f" ]]; then
		echo "build-gocaves: generate step did not write $f" >&2
		exit 1
	fi
done

# 3. Listen on loopback only (upstream listens on ":0", every interface).
for f in mock/mockimpl/servers/memdserver.go mock/mockimpl/servers/httpserver.go; do
	pattern='listenAddr := fmt.Sprintf(":%d", s.listenPort)'
	if [[ "$(grep -cF "$pattern" "$f")" != 1 ]]; then
		echo "build-gocaves: $f changed upstream, cannot patch listen address" >&2
		exit 1
	fi
	sed -i 's|listenAddr := fmt.Sprintf(":%d", s.listenPort)|listenAddr := fmt.Sprintf("127.0.0.1:%d", s.listenPort)|' "$f"
done

# 4. Build to a temporary name first so an interrupted build never leaves a
# half-written binary that looks up to date.
mkdir -p "$(dirname "$out")"
go build -trimpath -o "$tmp_out" .
mv -f "$tmp_out" "$out"
echo "build-gocaves: built $GOCAVES_MODULE@$GOCAVES_VERSION -> $out"
