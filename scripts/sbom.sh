#!/usr/bin/env bash
# The software bill of materials of the orders binary as the Compose image
# builds it (-tags production): CycloneDX JSON in bin/orders.cdx.json, by
# cyclonedx-gomod. Fails when it lists a test double (the embedded broker)
# or misses the platform's own dependencies, so the SBOM is known to
# describe that build.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bin
GOFLAGS=-tags=production go run github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod@v1.10.0 \
  app -json -licenses=false -main cmd/orders -output bin/orders.cdx.json .
python3 - bin/orders.cdx.json <<'PY'
import json, sys

names = {c["name"] for c in json.load(open(sys.argv[1])).get("components", [])}
missing = {"connectrpc.com/connect", "github.com/confluentinc/confluent-kafka-go/v2", "github.com/jackc/pgx/v5",
           "github.com/couchbase/gocb/v2", "github.com/grpc-ecosystem/grpc-gateway/v2"} - names
doubles = {n for n in names if n.startswith("github.com/twmb/franz-go")}
if missing or doubles:
    sys.exit(f"sbom: missing {sorted(missing)}, test doubles {sorted(doubles)}")
print(f"sbom: bin/orders.cdx.json lists {len(names)} modules of the production build")
PY
