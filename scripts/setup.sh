#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need when they are
# missing: PostgreSQL server binaries (throwaway test databases), Python's venv
# module where python3 lacks it (the Python client's environment, made by
# scripts/python-venv.sh from PyPI), Java 17 and Maven (the real Apache Kafka
# cluster of the tests), Chromium (the dashboard's browser test), promtool
# (package prometheus: scripts/promtool-check.sh checks the Compose alert
# rules; its server is installed but never started). Run by `make test` and
# `make run`; as root it installs with apt-get, otherwise with sudo when it
# may, else it prints the line to run. Go tools come through `go tool`, npm
# and Maven packages are fetched into their caches by the steps that use them.
set -euo pipefail

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
[[ -x /usr/bin/chromium ]] || need+=(chromium)
# promtool comes only with the Prometheus server; install that apart (below).
prometheus=0
command -v promtool >/dev/null 2>&1 || prometheus=1
((${#need[@]} + prometheus)) || exit 0

all=("${need[@]}")
((prometheus)) && all+=(prometheus)
echo "setup: installing Debian packages: ${all[*]}" >&2
sudo=()
if [[ $(id -u) != 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo)
  else
    echo "setup: run as root: apt-get install -y ${all[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
if ((${#need[@]})); then
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if ((prometheus)); then
  # The package's postinst starts the server through invoke-rc.d (its init
  # script, also where there is no systemd) or systemd. A policy-rc.d that
  # denies every start keeps it stopped, for this install only (a machine's
  # own policy-rc.d, as Docker's Debian images have, is left as it is);
  # where systemd runs, the unit the package enables is disabled again.
  policy=/usr/sbin/policy-rc.d
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\n# scripts/setup.sh: no service starts while it installs prometheus\nexit 101\n' |
      "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    trap '"${sudo[@]}" rm -f "$policy"' EXIT
  fi
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  if [[ -d /run/systemd/system ]]; then
    "${sudo[@]}" systemctl disable --now prometheus.service >/dev/null 2>&1 || true
  fi
  command -v promtool >/dev/null 2>&1 || { echo "setup: prometheus installed but promtool is missing" >&2; exit 1; }
fi
