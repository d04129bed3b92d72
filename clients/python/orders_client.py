"""A minimal Connect client for the kafka-enterprise-orders APIs.

It speaks the unary half of the Connect protocol
(https://connectrpc.com/docs/protocol): every call is an HTTP/1.1 POST of
the binary protobuf request to ``<base_url>/<package.Service>/<Method>``
with ``Content-Type: application/proto``; a 200 response carries the binary
response message, any other status a JSON error body
``{"code": "...", "message": "...", "details": [...]}``.

Only the standard library and the ``protobuf`` runtime are needed; the
message classes are generated into ``gen/`` by protoc's builtin python
generator (see ``scripts/generate-clients.sh``). Server streaming
(``AnalyticsService.WatchCountryStats``) is not implemented here.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from typing import Optional, Type, TypeVar

# The generated modules import each other as top-level packages
# ("from orders.v1 import order_pb2"), so gen/ must be on sys.path. Put it
# first so that an unrelated installed package called e.g. "analytics"
# cannot shadow it.
_GEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen")
if _GEN not in sys.path:
    sys.path.insert(0, _GEN)

from google.protobuf.message import DecodeError, Message  # noqa: E402

from analytics.v1 import analytics_service_pb2  # noqa: E402
from fraud.v1 import fraud_service_pb2  # noqa: E402
from orders.v1 import order_service_pb2  # noqa: E402
from payments.v1 import payment_service_pb2  # noqa: E402

__all__ = [
    "ConnectError",
    "ConnectClient",
    "OrderServiceClient",
    "PaymentServiceClient",
    "FraudServiceClient",
    "AnalyticsServiceClient",
]

M = TypeVar("M", bound=Message)

# HTTP status -> Connect code, for errors that do not carry a Connect JSON
# body (e.g. from a proxy); see "HTTP to Error Code" in the protocol spec.
_HTTP_TO_CODE = {
    400: "internal",
    401: "unauthenticated",
    403: "permission_denied",
    404: "unimplemented",
    429: "unavailable",
    502: "unavailable",
    503: "unavailable",
    504: "unavailable",
}


class ConnectError(Exception):
    """An RPC failed. ``code`` is a Connect code such as "not_found" or
    "invalid_argument"; ``details`` are the raw JSON error details."""

    def __init__(self, code: str, message: str, details: Optional[list] = None, http_status: int = 0):
        super().__init__(f"[{code}] {message}" if message else f"[{code}]")
        self.code = code
        self.message = message
        self.details = details or []
        self.http_status = http_status


class ConnectClient:
    """Calls unary RPCs of one service at ``base_url`` (e.g.
    "http://127.0.0.1:7001")."""

    def __init__(self, base_url: str, service: str, timeout: float = 10.0, token: Optional[str] = None):
        self.base_url = base_url.rstrip("/")
        self.service = service
        self.timeout = timeout
        # The bearer token; by default ORDERS_TOKEN (`orders dev` prints one).
        self.token = os.environ.get("ORDERS_TOKEN", "") if token is None else token

    def call(self, method: str, request: Message, response_type: Type[M], timeout: Optional[float] = None) -> M:
        timeout = self.timeout if timeout is None else timeout
        req = urllib.request.Request(
            f"{self.base_url}/{self.service}/{method}",
            data=request.SerializeToString(),
            method="POST",
            headers={
                "Content-Type": "application/proto",
                "Accept": "application/proto",
                "Connect-Protocol-Version": "1",
                "Connect-Timeout-Ms": str(int(timeout * 1000)),
                "User-Agent": "kafka-enterprise-orders-python/0",
                **({"Authorization": f"Bearer {self.token}"} if self.token else {}),
            },
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                body = resp.read()
                ctype = resp.headers.get("Content-Type", "")
        except urllib.error.HTTPError as err:
            raise _error_from_http(err) from None
        except urllib.error.URLError as err:
            if isinstance(err.reason, TimeoutError):
                raise ConnectError("deadline_exceeded", f"{self.service}/{method}: no answer in {timeout}s") from None
            raise ConnectError("unavailable", f"{self.base_url}: {err.reason}") from None
        except TimeoutError:
            raise ConnectError("deadline_exceeded", f"{self.service}/{method}: no answer in {timeout}s") from None
        if not ctype.startswith("application/proto"):
            raise ConnectError("internal", f"unexpected response content type {ctype!r}")
        out = response_type()
        try:
            out.ParseFromString(body)
        except DecodeError as err:
            raise ConnectError("internal", f"cannot decode {response_type.DESCRIPTOR.full_name}: {err}") from None
        return out


def _error_from_http(err: urllib.error.HTTPError) -> ConnectError:
    try:
        body = err.read()
    except OSError:
        body = b""
    try:
        data = json.loads(body)
        if isinstance(data, dict) and isinstance(data.get("code"), str):
            return ConnectError(data["code"], data.get("message", ""), data.get("details"), err.code)
    except ValueError:
        pass
    code = _HTTP_TO_CODE.get(err.code, "unknown")
    return ConnectError(code, f"HTTP {err.code}: {body[:200].decode('utf-8', 'replace')}", None, err.code)


class OrderServiceClient(ConnectClient):
    """orders.v1.OrderService (the order-producer; `orders dev` port 7001)."""

    def __init__(self, base_url: str, timeout: float = 10.0, token: Optional[str] = None):
        super().__init__(base_url, "orders.v1.OrderService", timeout, token)

    def place_order(self, request: order_service_pb2.PlaceOrderRequest) -> order_service_pb2.PlaceOrderResponse:
        return self.call("PlaceOrder", request, order_service_pb2.PlaceOrderResponse)

    def get_order(self, request: order_service_pb2.GetOrderRequest) -> order_service_pb2.GetOrderResponse:
        return self.call("GetOrder", request, order_service_pb2.GetOrderResponse)

    def list_orders(self, request: order_service_pb2.ListOrdersRequest) -> order_service_pb2.ListOrdersResponse:
        return self.call("ListOrders", request, order_service_pb2.ListOrdersResponse)


class PaymentServiceClient(ConnectClient):
    """payments.v1.PaymentService (`orders dev` port 7002)."""

    def __init__(self, base_url: str, timeout: float = 10.0, token: Optional[str] = None):
        super().__init__(base_url, "payments.v1.PaymentService", timeout, token)

    def get_payment(self, request: payment_service_pb2.GetPaymentRequest) -> payment_service_pb2.GetPaymentResponse:
        return self.call("GetPayment", request, payment_service_pb2.GetPaymentResponse)

    def list_payments(
        self, request: payment_service_pb2.ListPaymentsRequest
    ) -> payment_service_pb2.ListPaymentsResponse:
        return self.call("ListPayments", request, payment_service_pb2.ListPaymentsResponse)


class FraudServiceClient(ConnectClient):
    """fraud.v1.FraudService (`orders dev` port 7003)."""

    def __init__(self, base_url: str, timeout: float = 10.0, token: Optional[str] = None):
        super().__init__(base_url, "fraud.v1.FraudService", timeout, token)

    def get_alert(self, request: fraud_service_pb2.GetAlertRequest) -> fraud_service_pb2.GetAlertResponse:
        return self.call("GetAlert", request, fraud_service_pb2.GetAlertResponse)

    def list_alerts(self, request: fraud_service_pb2.ListAlertsRequest) -> fraud_service_pb2.ListAlertsResponse:
        return self.call("ListAlerts", request, fraud_service_pb2.ListAlertsResponse)

    def list_rules(self, request: fraud_service_pb2.ListRulesRequest) -> fraud_service_pb2.ListRulesResponse:
        return self.call("ListRules", request, fraud_service_pb2.ListRulesResponse)


class AnalyticsServiceClient(ConnectClient):
    """analytics.v1.AnalyticsService (`orders dev` port 7004); unary RPCs only."""

    def __init__(self, base_url: str, timeout: float = 10.0, token: Optional[str] = None):
        super().__init__(base_url, "analytics.v1.AnalyticsService", timeout, token)

    def get_country_stats(
        self, request: analytics_service_pb2.GetCountryStatsRequest
    ) -> analytics_service_pb2.GetCountryStatsResponse:
        return self.call("GetCountryStats", request, analytics_service_pb2.GetCountryStatsResponse)

    def list_country_stats(
        self, request: analytics_service_pb2.ListCountryStatsRequest
    ) -> analytics_service_pb2.ListCountryStatsResponse:
        return self.call("ListCountryStats", request, analytics_service_pb2.ListCountryStatsResponse)
