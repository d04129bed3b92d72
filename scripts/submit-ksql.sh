#!/usr/bin/env bash
# Submits ksql/streams.sql to a ksqlDB server through its REST API (POST /ksql)
# once the Schema Registry subjects its streams read from exist (the stream's
# columns are inferred from them). The statements use IF NOT EXISTS, so it is
# safe to re-run. Needs only bash and curl.
#
# Usage: scripts/submit-ksql.sh [FILE.sql]
# Environment:
#   KSQL_URL             ksqlDB REST API                       (default http://localhost:8088)
#   SCHEMA_REGISTRY_URL  Schema Registry                       (default http://localhost:8081)
#   KSQL_FILE            statements to submit                  (default ksql/streams.sql)
#   WAIT_SUBJECTS        subjects to wait for, space-separated (default orders-value)
#   WAIT_SECONDS         how long to wait in total             (default 120)
#   POLL_SECONDS         pause between polls                   (default 3)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ksql_url="${KSQL_URL:-http://localhost:8088}"
ksql_url="${ksql_url%/}"
sr_url="${SCHEMA_REGISTRY_URL:-http://localhost:8081}"
sr_url="${sr_url%/}"
file="${1:-${KSQL_FILE:-$here/../ksql/streams.sql}}"
wait_subjects="${WAIT_SUBJECTS:-orders-value}"
wait_seconds="${WAIT_SECONDS:-120}"
poll="${POLL_SECONDS:-3}"
deadline=$((SECONDS + wait_seconds))

# No request may hang the script past its deadline.
curl() { command curl --max-time "${CURL_MAX_TIME:-10}" "$@"; }
log() { echo "submit-ksql: $*"; }
fail() { echo "submit-ksql: $*" >&2; exit 1; }

[ -r "$file" ] || fail "cannot read $file"

log "waiting for $ksql_url"
until curl -fsS -o /dev/null "$ksql_url/info"; do
  [ "$SECONDS" -lt "$deadline" ] || fail "ksqlDB at $ksql_url did not answer within ${wait_seconds}s"
  sleep "$poll"
done
for subject in $wait_subjects; do
  log "waiting for schema subject $subject"
  until curl -fsS -o /dev/null "$sr_url/subjects/$subject/versions/latest"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "subject $subject not registered within ${wait_seconds}s (is order-producer running?)"
    sleep "$poll"
  done
done

# The statements as one JSON string: drop comment lines, escape \ " and
# control characters.
sql=""
while IFS= read -r line || [ -n "$line" ]; do
  [[ "$line" =~ ^[[:space:]]*-- ]] && continue
  sql+="$line"$'\n'
done < "$file"
esc="${sql//\\/\\\\}"
esc="${esc//\"/\\\"}"
esc="${esc//$'\t'/ }"
esc="${esc//$'\r'/}"
esc="${esc//$'\n'/\\n}"
payload="{\"ksql\":\"$esc\",\"streamsProperties\":{\"ksql.streams.auto.offset.reset\":\"earliest\"}}"

resp="$(mktemp)"
trap 'rm -f "$resp"' EXIT
code="$(curl -sS -o "$resp" -w '%{http_code}' -X POST \
  -H 'Content-Type: application/vnd.ksql.v1+json; charset=utf-8' \
  -H 'Accept: application/vnd.ksql.v1+json' \
  --data-binary "$payload" "$ksql_url/ksql")"
if [ "$code" != 200 ]; then
  fail "POST /ksql answered HTTP $code: $(cat "$resp")"
fi
log "submitted $(basename "$file"): $(cat "$resp")"
