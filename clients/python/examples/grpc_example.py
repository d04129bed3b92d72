#!/usr/bin/env python3
"""Example: place an order over gRPC, then poll until the payment-service has
decided on it, and print a one-line JSON summary (the same as
connect_example.py's).

    python examples/grpc_example.py [ORDERS_URL] [PAYMENT_URL]

ORDERS_URL (argv[1], env ORDERS_URL, default http://127.0.0.1:7001) is the
OrderService (the order-producer); PAYMENT_URL (argv[2], env PAYMENT_URL,
default http://127.0.0.1:7002) is the PaymentService: the ports of `orders
dev`, which serve gRPC next to Connect, here over plain HTTP/2 (h2c; an
https:// URL uses TLS). The bearer token is $ORDERS_TOKEN, else the file
$ORDERS_TOKEN_FILE, else .data/dev-token (where `orders dev` writes it) in
the current directory or the repository's root. Exits 0 once the order is
PAID or DECLINED, 1 otherwise. Needs the package: `pip install ./clients/python`.

The stubs are the generated ones (orders_client.gen.*_pb2_grpc, by
grpcio-tools), on a channel from orders_client.grpc_channel that adds the
token to every call.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import grpc

from orders_client import bearer_token, grpc_channel
from orders_client.gen.orders.v1 import order_pb2, order_service_pb2, order_service_pb2_grpc
from orders_client.gen.payments.v1 import payment_pb2, payment_service_pb2, payment_service_pb2_grpc

POLL_SECONDS = 0.2
RPC_TIMEOUT = 5.0
# clients/python/examples/ -> the repository's root, where `orders dev` keeps .data/.
REPO_TOKEN_FILE = Path(__file__).resolve().parents[3] / ".data" / "dev-token"


class ExampleError(Exception):
    pass


def main(argv: list[str]) -> int:
    orders_url = (argv[1] if len(argv) > 1 else "") or os.environ.get("ORDERS_URL") or "http://127.0.0.1:7001"
    payment_url = (argv[2] if len(argv) > 2 else "") or os.environ.get("PAYMENT_URL") or "http://127.0.0.1:7002"
    timeout = float(os.environ.get("EXAMPLE_TIMEOUT_MS", "30000")) / 1000

    token = bearer_token(Path(".data") / "dev-token", REPO_TOKEN_FILE)
    try:
        with grpc_channel(orders_url, token) as orders_channel, grpc_channel(payment_url, token) as payment_channel:
            orders = order_service_pb2_grpc.OrderServiceStub(orders_channel)
            payments = payment_service_pb2_grpc.PaymentServiceStub(payment_channel)

            # cus-0001 lives in DE and pays in EUR.
            placed = orders.PlaceOrder(
                order_service_pb2.PlaceOrderRequest(
                    customer_id="cus-0001",
                    country="DE",
                    currency="EUR",
                    items=[
                        order_pb2.LineItem(sku="SKU-1001", name="Mechanical keyboard", quantity=2, unit_price_minor=2499)
                    ],
                ),
                timeout=RPC_TIMEOUT,
            ).order
            order_id = placed.order_id
            if not order_id:
                raise ExampleError("PlaceOrder returned no order id")

            # The order-producer learns the decision from the `payments` topic,
            # so both the order's status and the payment appear after a delay.
            undecided = (order_service_pb2.ORDER_STATUS_UNSPECIFIED, order_service_pb2.ORDER_STATUS_PLACED)
            deadline = time.monotonic() + timeout
            view: order_service_pb2.OrderView | None = None
            payment: payment_pb2.Payment | None = None
            while True:
                if view is None or view.status in undecided:
                    view = orders.GetOrder(
                        order_service_pb2.GetOrderRequest(order_id=order_id), timeout=RPC_TIMEOUT
                    ).order
                if payment is None:
                    try:
                        payment = payments.GetPayment(
                            payment_service_pb2.GetPaymentRequest(order_id=order_id), timeout=RPC_TIMEOUT
                        ).payment
                    except grpc.RpcError as err:
                        if err.code() != grpc.StatusCode.NOT_FOUND:
                            raise
                if view.status not in undecided and payment is not None:
                    break
                if time.monotonic() >= deadline:
                    status = order_service_pb2.OrderStatus.Name(view.status)
                    found = "found" if payment is not None else "not found"
                    raise ExampleError(
                        f"order {order_id}: no payment decision after {timeout:g}s (status {status}, payment {found})"
                    )
                time.sleep(POLL_SECONDS)
    except grpc.RpcError as err:
        code = err.code()
        hint = " (set ORDERS_TOKEN)" if code == grpc.StatusCode.UNAUTHENTICATED and not token else ""
        print(f"example failed against {orders_url} / {payment_url}: [{code.name}] {err.details()}{hint}", file=sys.stderr)
        return 1
    except ExampleError as err:
        print(f"example failed against {orders_url} / {payment_url}: {err}", file=sys.stderr)
        return 1

    summary = {
        "order_id": order_id,
        "customer_id": placed.customer_id,
        "amount_minor": str(placed.amount_minor),
        "currency": placed.currency,
        "status": order_service_pb2.OrderStatus.Name(view.status).removeprefix("ORDER_STATUS_"),
        "decline_reason": view.decline_reason or None,
        "payment_id": payment.payment_id,
        "payment_status": payment_pb2.PaymentStatus.Name(payment.status).removeprefix("PAYMENT_STATUS_"),
        "payment_decline_reason": (
            payment_pb2.DeclineReason.Name(payment.decline_reason).removeprefix("DECLINE_REASON_")
            if payment.decline_reason
            else None
        ),
        "flagged": view.flagged,
        "fraud_score": view.fraud_score,
    }
    print(json.dumps({k: v for k, v in summary.items() if v is not None}, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
