"""Shared fixtures. The tests need no server, except those marked `stack`
(test_examples.py), which run the examples against a running dev stack."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from orders_client.auth import TOKEN_ENV, TOKEN_FILE_ENV


@pytest.fixture
def no_token_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Neither ORDERS_TOKEN nor ORDERS_TOKEN_FILE is set."""
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    monkeypatch.delenv(TOKEN_FILE_ENV, raising=False)
    yield
