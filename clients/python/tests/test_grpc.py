"""The generated gRPC stubs on orders_client.grpc_channel, against an
OrderService served in this process with the generated servicer: the token
travels as metadata, statuses come back as grpc.RpcError codes."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent import futures

import grpc
import pytest

from orders_client import grpc_channel, grpc_target
from orders_client.gen.orders.v1 import order_service_pb2, order_service_pb2_grpc

TOKEN = "t0ken"


class FakeOrderService(order_service_pb2_grpc.OrderServiceServicer):
    def __init__(self) -> None:
        self.auth: list[str | None] = []

    def PlaceOrder(
        self, request: order_service_pb2.PlaceOrderRequest, context: grpc.ServicerContext
    ) -> order_service_pb2.PlaceOrderResponse:
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "not in this test")

    def ListOrders(
        self, request: order_service_pb2.ListOrdersRequest, context: grpc.ServicerContext
    ) -> order_service_pb2.ListOrdersResponse:
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "not in this test")

    def GetOrder(
        self, request: order_service_pb2.GetOrderRequest, context: grpc.ServicerContext
    ) -> order_service_pb2.GetOrderResponse:
        md = dict(context.invocation_metadata())
        auth = md.get("authorization")
        self.auth.append(auth if isinstance(auth, str) else None)
        if auth != f"Bearer {TOKEN}":
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or invalid bearer token")
        if request.order_id == "ord-missing":
            context.abort(grpc.StatusCode.NOT_FOUND, f"order {request.order_id} not found")
        resp = order_service_pb2.GetOrderResponse()
        resp.order.order.order_id = request.order_id
        resp.order.status = order_service_pb2.ORDER_STATUS_DECLINED
        return resp


@pytest.fixture
def server() -> Iterator[tuple[str, FakeOrderService]]:
    service = FakeOrderService()
    srv = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    order_service_pb2_grpc.add_OrderServiceServicer_to_server(service, srv)
    port = srv.add_insecure_port("127.0.0.1:0")
    srv.start()
    try:
        yield f"http://127.0.0.1:{port}", service
    finally:
        srv.stop(grace=None)


def get(url: str, order_id: str, token: str | None = TOKEN) -> order_service_pb2.GetOrderResponse:
    with grpc_channel(url, token) as channel:
        stub = order_service_pb2_grpc.OrderServiceStub(channel)
        return stub.GetOrder(order_service_pb2.GetOrderRequest(order_id=order_id), timeout=5)


def test_call_sends_token(server: tuple[str, FakeOrderService]) -> None:
    url, service = server
    resp = get(url, "ord-1")
    assert resp.order.order.order_id == "ord-1"
    assert resp.order.status == order_service_pb2.ORDER_STATUS_DECLINED
    assert service.auth == [f"Bearer {TOKEN}"]


def test_status_codes(server: tuple[str, FakeOrderService]) -> None:
    url, service = server
    with pytest.raises(grpc.RpcError) as err:
        get(url, "ord-missing")
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    assert err.value.details() == "order ord-missing not found"
    with pytest.raises(grpc.RpcError) as err:
        get(url, "ord-1", token=None)
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert service.auth[-1] is None


def test_call_metadata_wins(server: tuple[str, FakeOrderService]) -> None:
    url, service = server
    with grpc_channel(url, "other") as channel, pytest.raises(grpc.RpcError):
        order_service_pb2_grpc.OrderServiceStub(channel).GetOrder(
            order_service_pb2.GetOrderRequest(order_id="ord-1"), metadata=(("authorization", "Bearer nope"),), timeout=5
        )
    assert service.auth == ["Bearer nope"]


@pytest.mark.parametrize(
    "url,target,tls",
    [
        ("http://127.0.0.1:7001", "127.0.0.1:7001", False),
        ("http://127.0.0.1:7001/", "127.0.0.1:7001", False),
        ("https://orders.example.com", "orders.example.com:443", True),
        ("https://[::1]:8443", "[::1]:8443", True),
        ("localhost:7001", "localhost:7001", False),
    ],
)
def test_grpc_target(url: str, target: str, tls: bool) -> None:
    assert grpc_target(url) == (target, tls)


@pytest.mark.parametrize("url", ["ftp://h:1", "http://h:1/orders.v1.OrderService", "http://"])
def test_grpc_target_rejects(url: str) -> None:
    with pytest.raises(ValueError):
        grpc_target(url)
