#!/usr/bin/env bash
# govulncheck against a pinned copy of the Go vulnerability database.
#
# vuln.go.dev cannot be reached from these machines, so the database is
# taken from its source module, golang.org/x/vulndb, on the Go module proxy,
# and indexed locally once (into the user cache) with its own indexdb.
#
# Fails on a vulnerability in a required module that the code reaches.
# Reports those of the standard library without failing: they are fixed by
# a newer Go toolchain, which a machine here gets only by GOTOOLCHAIN (see
# the README's "Known limitations").
set -euo pipefail
cd "$(dirname "$0")/.."
VULNDB=v0.0.0-20261105234957-e22db6528018
GOVULNCHECK=v1.9.0
cache="${XDG_CACHE_HOME:-$HOME/.cache}/kafka-enterprise-orders/vulndb-$VULNDB"
if [[ ! -f "$cache/index/db.json" ]]; then
  src="$(cd "$(mktemp -d)" && go mod download -json "golang.org/x/vulndb@$VULNDB" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')"
  rm -rf "$cache.tmp"
  go run "golang.org/x/vulndb/cmd/indexdb@$VULNDB" -vulns "$src/data/osv" -out "$cache.tmp"
  mv "$cache.tmp" "$cache"
fi
report="$(mktemp)"
trap 'rm -f "$report"' EXIT
# Exit code 3 means "vulnerabilities found"; the JSON says which.
go run "golang.org/x/vuln/cmd/govulncheck@$GOVULNCHECK" -db "file://$cache" -format json ./... > "$report" || [[ $? == 3 ]]
python3 - "$report" <<'PY'
import json, sys

text = open(sys.argv[1]).read()
dec, i, msgs = json.JSONDecoder(), 0, []
while i < len(text):
    while i < len(text) and text[i].isspace():
        i += 1
    if i < len(text):
        msg, i = dec.raw_decode(text, i)
        msgs.append(msg)
summaries = {m["osv"]["id"]: m["osv"].get("summary", "") for m in msgs if "osv" in m}
called = {}
for m in msgs:
    f = m.get("finding")
    if f and f.get("trace") and f["trace"][0].get("function"):
        frame = f["trace"][0]
        called[f["osv"]] = (frame.get("module", "?"), f.get("fixed_version", ""))
stdlib = {k: v for k, v in called.items() if v[0] == "stdlib"}
modules = {k: v for k, v in called.items() if v[0] != "stdlib"}
for osv, (mod, fixed) in sorted(stdlib.items()):
    print(f"govulncheck: standard library {osv} ({summaries.get(osv, '')}) fixed in {fixed}: needs a newer Go toolchain")
for osv, (mod, fixed) in sorted(modules.items()):
    print(f"govulncheck: {mod} {osv} ({summaries.get(osv, '')}) is reached by the code; fixed in {fixed or 'no release yet'}")
print(f"govulncheck: {len(modules)} reachable in required modules, {len(stdlib)} in the standard library")
sys.exit(1 if modules else 0)
PY
