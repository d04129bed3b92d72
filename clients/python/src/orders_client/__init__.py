"""Typed gRPC and Connect clients for the kafka-enterprise-orders APIs.

The code generated from the repository's proto/ lives under
``orders_client.gen``, one subpackage per proto package, with ``.pyi`` stubs
for every module:

- ``orders_client.gen.orders.v1.order_service_pb2``: the messages and enums
  (protoc's python and pyi generators);
- ``orders_client.gen.orders.v1.order_service_pb2_grpc``: the gRPC stubs and
  servicers (grpcio-tools; stubs by mypy-protobuf);
- ``orders_client.gen.orders.v1.order_service_connect``: the Connect clients,
  sync and async (protoc-gen-connectrpc, for the ``connectrpc`` runtime);

and the same for ``payments.v1``, ``fraud.v1``, ``analytics.v1``,
``deadletters.v1`` and ``customers.v1``. This module adds what every caller
needs on top: the bearer token (:func:`bearer_token`), a Connect interceptor
that sends it (:class:`BearerAuth`) and a gRPC channel that sends it
(:func:`grpc_channel`).
"""

from __future__ import annotations

from orders_client.auth import TOKEN_ENV, TOKEN_FILE_ENV, BearerAuth, bearer_token
from orders_client.grpc_channel import grpc_channel, grpc_target

__all__ = [
    "TOKEN_ENV",
    "TOKEN_FILE_ENV",
    "BearerAuth",
    "bearer_token",
    "grpc_channel",
    "grpc_target",
]
