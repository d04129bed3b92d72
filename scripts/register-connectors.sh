#!/usr/bin/env bash
# Registers every connector config in compose/connect/connectors/*.json with a Kafka
# Connect worker (PUT /connectors/<name>/config: creates or updates, so it is
# safe to re-run) and waits until each connector and all its tasks are RUNNING.
# Needs only bash and curl. The file name is the connector name.
#
# Usage: scripts/register-connectors.sh [CONNECTOR.json ...]
# Environment:
#   CONNECT_URL     Connect REST API            (default http://localhost:8083)
#   CONNECTORS_DIR  where the *.json live       (default compose/connect/connectors)
#   WAIT_SECONDS    how long to wait in total   (default 120)
#   POLL_SECONDS    pause between polls         (default 3)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
connect_url="${CONNECT_URL:-http://localhost:8083}"
connect_url="${connect_url%/}"
dir="${CONNECTORS_DIR:-$here/../compose/connect/connectors}"
wait_seconds="${WAIT_SECONDS:-120}"
poll="${POLL_SECONDS:-3}"
deadline=$((SECONDS + wait_seconds))

# No request may hang the script past its deadline.
curl() { command curl --max-time "${CURL_MAX_TIME:-10}" "$@"; }
log() { echo "register-connectors: $*"; }
fail() { echo "register-connectors: $*" >&2; exit 1; }

if [ "$#" -gt 0 ]; then
  files=("$@")
else
  shopt -s nullglob
  files=("$dir"/*.json)
  shopt -u nullglob
fi
[ "${#files[@]}" -gt 0 ] || fail "no connector configs in $dir"

body="$(mktemp)"
trap 'rm -f "$body"' EXIT

log "waiting for $connect_url"
until curl -fsS -o /dev/null "$connect_url/connector-plugins"; do
  [ "$SECONDS" -lt "$deadline" ] || fail "Connect at $connect_url did not answer within ${wait_seconds}s"
  sleep "$poll"
done

names=()
for f in "${files[@]}"; do
  name="$(basename "$f" .json)"
  code="$(curl -sS -o "$body" -w '%{http_code}' -X PUT \
    -H 'Content-Type: application/json' --data-binary "@$f" \
    "$connect_url/connectors/$name/config")"
  case "$code" in
    200) log "$name: updated" ;;
    201) log "$name: created" ;;
    *) fail "$name: PUT config answered HTTP $code: $(cat "$body")" ;;
  esac
  names+=("$name")
done

# A connector is up when the connector and every task report RUNNING.
for name in "${names[@]}"; do
  while :; do
    status="$(curl -sS "$connect_url/connectors/$name/status" || true)"
    states="$(printf '%s' "$status" | grep -o '"state":"[A-Z_]*"' | cut -d'"' -f4 | tr '\n' ' ' || true)"
    if printf '%s' "$states" | grep -q 'FAILED'; then
      fail "$name failed: $status"
    fi
    # One state for the connector, at least one for a task, all RUNNING.
    running="$(printf '%s' "$states" | grep -o 'RUNNING' | wc -l | tr -d ' ')"
    total="$(printf '%s' "$states" | wc -w | tr -d ' ')"
    if [ "$total" -ge 2 ] && [ "$running" -eq "$total" ]; then
      log "$name: RUNNING ($((total - 1)) task(s))"
      break
    fi
    [ "$SECONDS" -lt "$deadline" ] || fail "$name not RUNNING within ${wait_seconds}s: ${status:-no answer}"
    sleep "$poll"
  done
done
log "all connectors running: ${names[*]}"
