#!/usr/bin/env bash
# Checks the Prometheus files of the Compose `observability` profile with
# promtool (Debian package prometheus, installed by scripts/setup.sh): the
# configuration (with the rule files it names, relative to it), the alert
# rules, and their unit tests in alerts_test.yml. Run by `make test`
# (make observability-check); fails on the first problem.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=compose/observability/prometheus
if ! command -v promtool >/dev/null 2>&1; then
  echo "promtool-check: promtool is not installed (bash scripts/setup.sh installs the Debian package prometheus)" >&2
  exit 1
fi
run() {
  echo "+ $*"
  if ! "$@"; then
    echo "promtool-check: FAILED: $*" >&2
    exit 1
  fi
}
run promtool check config "$dir/prometheus.yml"
run promtool check rules "$dir/alerts.yml"
run promtool test rules "$dir/alerts_test.yml"
echo "promtool-check: prometheus.yml, alerts.yml and alerts_test.yml pass"
