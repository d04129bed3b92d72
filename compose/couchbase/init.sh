#!/usr/bin/env bash
# couchbase-init: one-shot set-up of the Compose stack's Couchbase node.
# Creates the cluster (data, index and query services), the bucket the
# couchbase-sink service and the Couchbase sink connector write to, and the
# application user with full access to that bucket. Idempotent: every step is
# skipped when already done, so it can run on each `docker compose up`.
#
# Environment (from compose/.env through docker-compose.yml):
#   COUCHBASE_HOST, COUCHBASE_ADMIN_USER, COUCHBASE_ADMIN_PASSWORD,
#   COUCHBASE_APP_USER, COUCHBASE_APP_PASSWORD, COUCHBASE_BUCKET,
#   COUCHBASE_CLUSTER_RAMSIZE_MB, COUCHBASE_INDEX_RAMSIZE_MB, COUCHBASE_BUCKET_RAMSIZE_MB
set -euo pipefail

host="${COUCHBASE_HOST:-couchbase}"
admin="${COUCHBASE_ADMIN_USER:?}"
admin_pw="${COUCHBASE_ADMIN_PASSWORD:?}"
app="${COUCHBASE_APP_USER:?}"
app_pw="${COUCHBASE_APP_PASSWORD:?}"
bucket="${COUCHBASE_BUCKET:?}"
cluster_ram="${COUCHBASE_CLUSTER_RAMSIZE_MB:-512}"
index_ram="${COUCHBASE_INDEX_RAMSIZE_MB:-256}"
bucket_ram="${COUCHBASE_BUCKET_RAMSIZE_MB:-256}"
cli=(couchbase-cli)
auth=(-c "$host:8091" -u "$admin" -p "$admin_pw")

curl() { command curl --max-time 10 "$@"; }
log() { echo "couchbase-init: $*"; }

log "waiting for http://$host:8091"
for _ in $(seq 1 90); do
  if curl -fsS "http://$host:8091/pools" >/dev/null 2>&1; then break; fi
  sleep 2
done
curl -fsS "http://$host:8091/pools" >/dev/null

if "${cli[@]}" server-list "${auth[@]}" >/dev/null 2>&1; then
  log "cluster already initialised"
else
  log "initialising cluster"
  "${cli[@]}" cluster-init -c "$host:8091" \
    --cluster-username "$admin" --cluster-password "$admin_pw" \
    --cluster-name orders --services data,index,query \
    --cluster-ramsize "$cluster_ram" --cluster-index-ramsize "$index_ram" \
    --index-storage-setting default
fi

if "${cli[@]}" bucket-list "${auth[@]}" | grep -qx "$bucket"; then
  log "bucket $bucket exists"
else
  log "creating bucket $bucket"
  "${cli[@]}" bucket-create "${auth[@]}" --bucket "$bucket" --bucket-type couchbase \
    --bucket-ramsize "$bucket_ram" --bucket-replica 0 --enable-flush 1 --wait
fi

log "granting $app bucket_full_access[$bucket]"
"${cli[@]}" user-manage "${auth[@]}" --set --auth-domain local \
  --rbac-username "$app" --rbac-password "$app_pw" --rbac-name "orders platform" \
  --roles "bucket_full_access[$bucket]"

# The bucket answers KV requests only once its vBuckets are active.
for _ in $(seq 1 60); do
  if curl -fsS -u "$admin:$admin_pw" "http://$host:8091/pools/default/buckets/$bucket" | grep -q '"status":"healthy"'; then
    log "bucket $bucket is healthy; done"
    exit 0
  fi
  sleep 2
done
log "bucket $bucket did not become healthy in time" >&2
exit 1
