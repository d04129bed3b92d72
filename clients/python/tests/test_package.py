"""The package installs and imports as a Python developer expects: no
sys.path tricks, the generated modules under orders_client.gen, typed."""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.resources
import pkgutil
import sys

import orders_client
import orders_client.gen

PROTO_PACKAGES = ["analytics", "customers", "deadletters", "fraud", "orders", "payments"]


def test_every_generated_module_imports() -> None:
    names = [m.name for m in pkgutil.walk_packages(orders_client.gen.__path__, "orders_client.gen.")]
    for name in names:
        importlib.import_module(name)
    # The messages, their gRPC stubs and Connect clients of each service.
    for svc in [
        "orders.v1.order_service",
        "payments.v1.payment_service",
        "fraud.v1.fraud_service",
        "analytics.v1.analytics_service",
        "deadletters.v1.dead_letter_service",
    ]:
        for suffix in ("_pb2", "_pb2_grpc", "_connect"):
            assert f"orders_client.gen.{svc}{suffix}" in names


def test_no_top_level_proto_packages() -> None:
    # protoc's `from orders.v1 import order_pb2` was rewritten: importing
    # everything put no top-level "orders", "payments", ... in sys.modules.
    test_every_generated_module_imports()
    assert not [m for m in sys.modules if m.split(".")[0] in PROTO_PACKAGES]


def test_typed() -> None:
    files = importlib.resources.files("orders_client")
    assert files.joinpath("py.typed").is_file()
    v1 = files.joinpath("gen/orders/v1")
    for stub in ("order_service_pb2.pyi", "order_service_pb2_grpc.pyi", "order_pb2.pyi"):
        assert v1.joinpath(stub).is_file(), stub


def test_distribution_metadata() -> None:
    dist = importlib.metadata.distribution("kafka-enterprise-orders-client")
    requires = " ".join(dist.requires or [])
    for dep in ("protobuf", "grpcio", "connectrpc"):
        assert dep in requires
    assert orders_client.__all__
