"""gRPC channels to the platform's services.

Every service answers gRPC on the same port as Connect: over plain HTTP/2
(h2c) for ``http://`` addresses, as ``orders dev`` serves them, and over TLS
for ``https://``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import grpc

__all__ = ["grpc_channel", "grpc_target"]


def grpc_target(url: str) -> tuple[str, bool]:
    """Splits a service address into a gRPC target ("host:port") and whether
    to use TLS: ``http://h:p`` is plaintext, ``https://h:p`` is TLS (port
    443 by default), a bare ``h:p`` is plaintext."""
    if "://" not in url:
        return url, False
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) service address: {url!r}")
    if parts.path.strip("/"):
        raise ValueError(f"a gRPC address has no path: {url!r}")
    tls = parts.scheme == "https"
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{host}:{parts.port or (443 if tls else 80)}", tls


def grpc_channel(
    url: str,
    token: str | None = None,
    *,
    root_certificates: bytes | None = None,
    options: Sequence[tuple[str, Any]] = (),
) -> grpc.Channel:
    """Opens a channel to the service at ``url`` ("http://127.0.0.1:7001",
    "https://orders.example.com", or "host:port") that sends ``authorization:
    Bearer <token>`` with every call when ``token`` is set. For TLS,
    ``root_certificates`` (PEM) replaces the system's roots, e.g. the CA
    file of ``orders dev --tls``. Use it as a context manager, or close it::

        with grpc_channel("http://127.0.0.1:7001", token) as channel:
            orders = order_service_pb2_grpc.OrderServiceStub(channel)
    """
    target, tls = grpc_target(url)
    if tls:
        channel = grpc.secure_channel(target, grpc.ssl_channel_credentials(root_certificates), options=options)
    else:
        channel = grpc.insecure_channel(target, options=options)
    if token:
        channel = grpc.intercept_channel(channel, _BearerInterceptor(token))
    return channel


class _CallDetails(NamedTuple):
    method: str
    timeout: float | None
    metadata: tuple[tuple[str, str | bytes], ...] | None
    credentials: grpc.CallCredentials | None
    wait_for_ready: bool | None
    compression: grpc.Compression | None


class _ClientCallDetails(_CallDetails, grpc.ClientCallDetails):
    pass


class _BearerInterceptor(
    grpc.UnaryUnaryClientInterceptor,
    grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
    grpc.StreamStreamClientInterceptor,
):
    """Adds the authorization metadata to every call (a call that sets its
    own keeps it)."""

    def __init__(self, token: str) -> None:
        self._header: tuple[str, str | bytes] = ("authorization", f"Bearer {token}")

    def _details(self, details: grpc.ClientCallDetails) -> grpc.ClientCallDetails:
        metadata = tuple(details.metadata or ())
        if not any(k.lower() == "authorization" for k, _ in metadata):
            metadata += (self._header,)
        return _ClientCallDetails(
            details.method,
            details.timeout,
            metadata,
            details.credentials,
            getattr(details, "wait_for_ready", None),
            getattr(details, "compression", None),
        )

    def intercept_unary_unary(self, continuation: Callable[..., Any], client_call_details: grpc.ClientCallDetails, request: Any) -> Any:
        return continuation(self._details(client_call_details), request)

    def intercept_unary_stream(self, continuation: Callable[..., Any], client_call_details: grpc.ClientCallDetails, request: Any) -> Any:
        return continuation(self._details(client_call_details), request)

    def intercept_stream_unary(
        self, continuation: Callable[..., Any], client_call_details: grpc.ClientCallDetails, request_iterator: Iterator[Any]
    ) -> Any:
        return continuation(self._details(client_call_details), request_iterator)

    def intercept_stream_stream(
        self, continuation: Callable[..., Any], client_call_details: grpc.ClientCallDetails, request_iterator: Iterator[Any]
    ) -> Any:
        return continuation(self._details(client_call_details), request_iterator)
