"""The examples against a running dev stack (`make run`, or `go run
./cmd/orders dev`): skipped unless ORDERS_ORDER_URL is set.

    ORDERS_ORDER_URL=http://127.0.0.1:7001 ORDERS_PAYMENT_URL=http://127.0.0.1:7002 \\
    ORDERS_TOKEN=$(cat .data/dev-token) .venv-python/bin/python -m pytest -m stack

ORDERS_PAYMENT_URL defaults to http://127.0.0.1:7002; the token, as in the
examples, to ORDERS_TOKEN or .data/dev-token. `go test ./clients/` runs the
same examples against a stack of its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ORDER_URL = os.environ.get("ORDERS_ORDER_URL", "")
PAYMENT_URL = os.environ.get("ORDERS_PAYMENT_URL", "") or "http://127.0.0.1:7002"

pytestmark = [
    pytest.mark.stack,
    pytest.mark.skipif(not ORDER_URL, reason="no dev stack: set ORDERS_ORDER_URL (and ORDERS_TOKEN) to run the examples"),
]


@pytest.mark.parametrize("example", ["grpc_example.py", "connect_example.py"])
def test_example_places_and_reads_an_order(example: str) -> None:
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / example), ORDER_URL, PAYMENT_URL],
        capture_output=True,
        text=True,
        timeout=90,
        env={**os.environ, "EXAMPLE_TIMEOUT_MS": os.environ.get("EXAMPLE_TIMEOUT_MS", "60000")},
    )
    assert proc.returncode == 0, f"{example} failed:\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["order_id"].startswith("ord-")
    assert summary["customer_id"] == "cus-0001"
    assert summary["status"] in ("PAID", "DECLINED")
    assert summary["payment_id"] and summary["payment_status"] in ("AUTHORIZED", "DECLINED")
    assert (summary["status"] == "PAID") == (summary["payment_status"] == "AUTHORIZED")
