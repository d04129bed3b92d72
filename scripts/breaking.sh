#!/usr/bin/env bash
# Checks the contracts in proto/ for breaking changes with `buf breaking`:
# against the previous commit on main, against main on any other branch.
# An additive change passes; a renumbered, retyped or removed field fails.
set -euo pipefail
cd "$(dirname "$0")/.."
BUF=(go tool -modfile=tools.mod buf)

branch=$(git rev-parse --abbrev-ref HEAD)
if [[ "$branch" == main || "$branch" == HEAD ]]; then
  against=$(git rev-parse -q --verify 'HEAD~1^{commit}' || true)
else
  against=$(git rev-parse -q --verify 'main^{commit}' || true)
fi
if [[ -z "$against" ]] || ! git cat-file -e "$against:proto" 2>/dev/null || ! git cat-file -e "$against:buf.yaml" 2>/dev/null; then
  echo "breaking: no earlier contracts to compare with; nothing to check"
  exit 0
fi
echo "breaking: comparing proto/ with ${against:0:12}"
"${BUF[@]}" breaking --against ".git#ref=$against"
