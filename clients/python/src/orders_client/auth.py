"""The bearer token the platform's RPCs require, and a Connect interceptor
that sends it.

``orders dev`` mints a development token, prints it and writes it to
``.data/dev-token`` (in the directory it runs in); deployed services take
tokens from their issuer. Every RPC carries it as ``Authorization: Bearer
<token>``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from connectrpc.request import RequestContext

__all__ = ["TOKEN_ENV", "TOKEN_FILE_ENV", "DEFAULT_TOKEN_FILE", "BearerAuth", "bearer_token"]

TOKEN_ENV = "ORDERS_TOKEN"
"""The environment variable holding the token itself."""

TOKEN_FILE_ENV = "ORDERS_TOKEN_FILE"
"""The environment variable naming a file that holds the token."""

DEFAULT_TOKEN_FILE = Path(".data") / "dev-token"
"""Where ``orders dev`` writes its token, relative to the directory it runs in."""


def bearer_token(*files: str | os.PathLike[str]) -> str | None:
    """Returns the bearer token to send, or None when there is none.

    In order: ``$ORDERS_TOKEN``; the file named by ``$ORDERS_TOKEN_FILE``
    (which must exist); the first of ``files`` that exists, by default
    ``.data/dev-token`` in the current directory. Surrounding whitespace is
    stripped; an empty token counts as none.
    """
    token = os.environ.get(TOKEN_ENV, "").strip()
    if token:
        return token
    named = os.environ.get(TOKEN_FILE_ENV, "")
    if named:
        return Path(named).read_text().strip() or None
    for f in files or (DEFAULT_TOKEN_FILE,):
        path = Path(f)
        if path.is_file():
            return path.read_text().strip() or None
    return None


class BearerAuth:
    """A Connect client interceptor that sends ``Authorization: Bearer
    <token>`` with every call, for the sync and the async clients alike::

        from orders_client.gen.orders.v1.order_service_connect import OrderServiceClientSync

        with OrderServiceClientSync(url, interceptors=[BearerAuth(token)]) as orders:
            ...
    """

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("BearerAuth needs a token")
        self._value = f"Bearer {token}"

    def on_start_sync(self, ctx: RequestContext[object, object], /) -> None:
        ctx.request_headers["authorization"] = self._value

    def on_end_sync(self, token: None, ctx: RequestContext[object, object], error: Exception | None, /) -> None:
        return None

    async def on_start(self, ctx: RequestContext[object, object], /) -> None:
        ctx.request_headers["authorization"] = self._value

    async def on_end(self, token: None, ctx: RequestContext[object, object], error: Exception | None, /) -> None:
        return None

    def __repr__(self) -> str:
        return "BearerAuth(<token>)"
