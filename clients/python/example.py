#!/usr/bin/env python3
"""Example: place an order over Connect, then poll until the payment-service
has decided on it, and print a one-line JSON summary.

    /usr/bin/python3 clients/python/example.py [ORDERS_URL] [PAYMENT_URL]

ORDERS_URL (argv[1], env ORDERS_URL, default http://127.0.0.1:7001) is the
OrderService (the order-producer); PAYMENT_URL (argv[2], env PAYMENT_URL,
default http://127.0.0.1:7002) is the PaymentService. Those are the ports of
`orders dev`. Exits 0 once the order is PAID or DECLINED, 1 otherwise.
"""

from __future__ import annotations

import json
import os
import sys
import time

from orders_client import ConnectError, OrderServiceClient, PaymentServiceClient

from orders.v1 import order_pb2, order_service_pb2
from payments.v1 import payment_pb2, payment_service_pb2

POLL_SECONDS = 0.2


def main(argv: list[str]) -> int:
    orders_url = (argv[1] if len(argv) > 1 else "") or os.environ.get("ORDERS_URL") or "http://127.0.0.1:7001"
    payment_url = (argv[2] if len(argv) > 2 else "") or os.environ.get("PAYMENT_URL") or "http://127.0.0.1:7002"
    timeout = float(os.environ.get("EXAMPLE_TIMEOUT_MS", "30000")) / 1000

    orders = OrderServiceClient(orders_url, timeout=5)
    payments = PaymentServiceClient(payment_url, timeout=5)
    try:
        # cus-0001 lives in DE and pays in EUR.
        placed = orders.place_order(
            order_service_pb2.PlaceOrderRequest(
                customer_id="cus-0001",
                country="DE",
                currency="EUR",
                items=[
                    order_pb2.LineItem(sku="SKU-1001", name="Mechanical keyboard", quantity=2, unit_price_minor=2499)
                ],
            )
        ).order
        order_id = placed.order_id
        if not order_id:
            raise ConnectError("internal", "PlaceOrder returned no order id")

        # The order-producer learns the decision from the `payments` topic,
        # so both the order's status and the payment appear after a delay.
        undecided = (order_service_pb2.ORDER_STATUS_UNSPECIFIED, order_service_pb2.ORDER_STATUS_PLACED)
        deadline = time.monotonic() + timeout
        view = None
        payment = None
        while True:
            if view is None or view.status in undecided:
                view = orders.get_order(order_service_pb2.GetOrderRequest(order_id=order_id)).order
            if payment is None:
                try:
                    payment = payments.get_payment(payment_service_pb2.GetPaymentRequest(order_id=order_id)).payment
                except ConnectError as err:
                    if err.code != "not_found":
                        raise
            if view.status not in undecided and payment is not None:
                break
            if time.monotonic() >= deadline:
                status = order_service_pb2.OrderStatus.Name(view.status)
                found = "found" if payment is not None else "not found"
                raise ConnectError(
                    "deadline_exceeded",
                    f"order {order_id}: no payment decision after {timeout:g}s (status {status}, payment {found})",
                )
            time.sleep(POLL_SECONDS)
    except ConnectError as err:
        print(f"example failed against {orders_url} / {payment_url}: {err}", file=sys.stderr)
        return 1

    summary = {
        "order_id": order_id,
        "customer_id": placed.customer_id,
        "amount_minor": str(placed.amount_minor),
        "currency": placed.currency,
        # "ORDER_STATUS_PAID" -> "PAID", as the TypeScript example prints it.
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
    # Drop empty fields, as JSON.stringify drops undefined in the TS example.
    print(json.dumps({k: v for k, v in summary.items() if v is not None}, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
