"""The generated Connect clients (connectrpc) with BearerAuth, against a
stub Connect server in this process: what goes on the wire, and how HTTP
and Connect errors come back as ConnectError codes."""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from connectrpc.code import Code
from connectrpc.errors import ConnectError

from orders_client import BearerAuth
from orders_client.gen.orders.v1 import order_service_pb2
from orders_client.gen.orders.v1.order_service_connect import OrderServiceClient, OrderServiceClientSync

TOKEN = "t0ken"


@dataclass
class Seen:
    """What the stub received."""

    paths: list[str] = field(default_factory=list)
    auth: list[str | None] = field(default_factory=list)
    content_types: list[str | None] = field(default_factory=list)


class StubOrderService(BaseHTTPRequestHandler):
    """GetOrder at /orders.v1.OrderService/GetOrder: answers order_id
    "ord-missing" with a Connect not_found error, "ord-proxy" with a bare 503
    as a proxy would, a missing or wrong token with unauthenticated, and any
    other id with the order."""

    protocol_version = "HTTP/1.1"
    seen: Seen

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.seen.paths.append(self.path)
        self.seen.auth.append(self.headers.get("Authorization"))
        self.seen.content_types.append(self.headers.get("Content-Type"))
        if self.path != "/orders.v1.OrderService/GetOrder":
            return self.error(404, "unimplemented", f"{self.path} is not implemented")
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self.error(401, "unauthenticated", "missing or invalid bearer token")
        req = order_service_pb2.GetOrderRequest.FromString(body)
        if req.order_id == "ord-missing":
            return self.error(404, "not_found", f"order {req.order_id} not found")
        if req.order_id == "ord-proxy":
            return self.reply(503, "text/plain", b"upstream connect error")
        resp = order_service_pb2.GetOrderResponse(
            order=order_service_pb2.OrderView(status=order_service_pb2.ORDER_STATUS_PAID)
        )
        resp.order.order.order_id = req.order_id
        self.reply(200, "application/proto", resp.SerializeToString())

    def error(self, status: int, code: str, message: str) -> None:
        self.reply(status, "application/json", json.dumps({"code": code, "message": message}).encode())

    def reply(self, status: int, ctype: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def stub() -> Iterator[tuple[str, Seen]]:
    seen = Seen()
    handler = type("Handler", (StubOrderService,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def get(url: str, order_id: str, auth: bool = True) -> order_service_pb2.GetOrderResponse:
    interceptors = [BearerAuth(TOKEN)] if auth else []
    with OrderServiceClientSync(url, interceptors=interceptors, timeout_ms=5000) as client:
        return client.get_order(order_service_pb2.GetOrderRequest(order_id=order_id))


def test_call_sends_token_and_decodes(stub: tuple[str, Seen]) -> None:
    url, seen = stub
    resp = get(url, "ord-1")
    assert resp.order.order.order_id == "ord-1"
    assert resp.order.status == order_service_pb2.ORDER_STATUS_PAID
    assert seen.paths == ["/orders.v1.OrderService/GetOrder"]
    assert seen.auth == [f"Bearer {TOKEN}"]
    assert seen.content_types == ["application/proto"]


def test_connect_error_keeps_code_and_message(stub: tuple[str, Seen]) -> None:
    url, _ = stub
    with pytest.raises(ConnectError) as err:
        get(url, "ord-missing")
    assert err.value.code == Code.NOT_FOUND
    assert err.value.message == "order ord-missing not found"


def test_http_error_without_connect_body_maps_status(stub: tuple[str, Seen]) -> None:
    # "HTTP to Error Code" in the Connect protocol: 503 is unavailable.
    url, _ = stub
    with pytest.raises(ConnectError) as err:
        get(url, "ord-proxy")
    assert err.value.code == Code.UNAVAILABLE


def test_without_token_unauthenticated(stub: tuple[str, Seen]) -> None:
    url, seen = stub
    with pytest.raises(ConnectError) as err:
        get(url, "ord-1", auth=False)
    assert err.value.code == Code.UNAUTHENTICATED
    assert seen.auth == [None]


def test_unreachable_is_unavailable() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ConnectError) as err:
        get(f"http://127.0.0.1:{port}", "ord-1")
    assert err.value.code == Code.UNAVAILABLE


def test_async_client(stub: tuple[str, Seen]) -> None:
    url, seen = stub

    async def call() -> order_service_pb2.GetOrderResponse:
        async with OrderServiceClient(url, interceptors=[BearerAuth(TOKEN)], timeout_ms=5000) as client:
            return await client.get_order(order_service_pb2.GetOrderRequest(order_id="ord-2"))

    assert asyncio.run(call()).order.order.order_id == "ord-2"
    assert seen.auth == [f"Bearer {TOKEN}"]
