"""mypy --strict over the package's own code, the examples and these tests,
which use the generated .pyi stubs (messages, gRPC stubs) and the Connect
clients' annotations: a stub that stopped matching how the code is used
fails here. Skipped where mypy is not installed (it is in the development
environment of `make python-test`)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed (pip install '.[typing]')")
def test_mypy_strict() -> None:
    # The files and options are in pyproject.toml's [tool.mypy].
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
