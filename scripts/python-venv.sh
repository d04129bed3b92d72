#!/usr/bin/env bash
# Makes the Python client's development virtual environment,
# clients/python/.venv-python (gitignored), when it is missing or was made
# from other pins: the exact versions in clients/python/requirements-dev.txt
# (installed with --no-deps: the file is complete), then the package itself,
# editable (src/ on the path, so regenerated code needs no reinstall), and
# `pip check`. Used by `make python-test` and scripts/generate-clients.sh;
# prints nothing when the environment is up to date.
#
# The stamp in the environment records the sha256 of requirements-dev.txt,
# pyproject.toml and the interpreter's version: changing any of them makes
# the next run rebuild it from scratch. PYTHON (default python3, 3.11 or
# newer, with the venv module) is the interpreter it is made from.
set -euo pipefail
cd "$(dirname "$0")/../clients/python"

PYTHON=${PYTHON:-python3}
venv=.venv-python
stamp=$venv/.requirements-sha256

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "python-venv: '$PYTHON' not found on PATH (set PYTHON to a Python 3.11 or newer)" >&2
  exit 1
fi
if ! "$PYTHON" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "python-venv: $("$PYTHON" --version 2>&1) at $(command -v "$PYTHON") is older than 3.11 or has no venv/ensurepip" >&2
  echo "  (Debian/Ubuntu: apt-get install -y python3-venv; or set PYTHON)" >&2
  exit 1
fi

want=$({ sha256sum requirements-dev.txt pyproject.toml; "$PYTHON" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)
if [[ -x $venv/bin/python && -f $stamp && $(<"$stamp") == "$want" ]]; then
  exit 0
fi

echo "python-venv: making clients/python/$venv from requirements-dev.txt" >&2
rm -rf "$venv"
"$PYTHON" -m venv "$venv"
pip=("$venv/bin/python" -m pip --disable-pip-version-check --no-input --quiet)
"${pip[@]}" install --no-deps --only-binary=:all: -r requirements-dev.txt >&2
"${pip[@]}" install --no-deps --no-build-isolation --editable . >&2
"${pip[@]}" check >&2
echo "$want" >"$stamp"
