#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need when they are
# missing: PostgreSQL server binaries (throwaway test databases), protoc and
# python3-protobuf (Python client), Java 17 and Maven (the real Apache Kafka
# cluster of the tests). Run by `make test` and `make run`; as root it
# installs with apt-get, otherwise with sudo when it may, else it prints the
# line to run. Go tools come through `go tool`, npm and Maven packages are
# fetched into their caches by the steps that use them.
set -euo pipefail

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v protoc >/dev/null 2>&1 || need+=(protobuf-compiler)
/usr/bin/python3 -c 'import google.protobuf' >/dev/null 2>&1 || need+=(python3-protobuf)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
((${#need[@]})) || exit 0

echo "setup: installing Debian packages: ${need[*]}" >&2
sudo=()
if [[ $(id -u) != 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo)
  else
    echo "setup: run as root: apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
