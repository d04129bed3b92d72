#!/usr/bin/env bash
# Runs every fuzz target of the module briefly (FUZZTIME, default 10s), on
# top of its seed corpus.
#
# A failure counts when its input reproduces: the fuzzer writes the input
# to testdata/fuzz/<Target>/, and this script runs it again as a plain
# test. Go's fuzzing engine can also fail on its own on a loaded machine
# ("fuzzing process hung or terminated unexpectedly", a missed deadline);
# then the target is fuzzed once more, and a second such failure counts.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-10s}

# new_inputs PKG TARGET: corpus files of the target that git does not know.
new_inputs() {
  git ls-files --others --exclude-standard -- "$1/testdata/fuzz/$2" 2>/dev/null || true
}

# fuzz_once PKG TARGET: 0 when fuzzing passed or failed without a
# reproducible input, 1 when it found one (left in place for a fix),
# 2 when the engine failed without one.
fuzz_once() {
  local pkg=$1 target=$2 before after input
  before=$(new_inputs "$pkg" "$target")
  if "$GO" test -run='^$' -fuzz="^${target}\$" -fuzztime="$FUZZTIME" "$pkg"; then
    return 0
  fi
  after=$(new_inputs "$pkg" "$target")
  for input in $(comm -13 <(sort <<<"$before") <(sort <<<"$after")); do
    if ! "$GO" test -count=1 -run="^${target}\$/^$(basename "$input")\$" "$pkg"; then
      echo "fuzz: $target fails on $input; fix the code, and commit the input as a regression case" >&2
      return 1
    fi
    echo "fuzz: $input does not reproduce; removing it" >&2
    rm -f "$input"
  done
  return 2
}

status=0
for pkg in $(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$pkg"/*_test.go | sed 's/^func //'); do
    echo "fuzz $pkg $target ($FUZZTIME)"
    rc=0
    fuzz_once "$pkg" "$target" || rc=$?
    if ((rc == 2)); then
      echo "fuzz: $target: the fuzzing engine failed without a reproducible input; once more" >&2
      rc=0
      fuzz_once "$pkg" "$target" || rc=$?
    fi
    if ((rc != 0)); then
      status=1
    fi
  done
done
exit $status
