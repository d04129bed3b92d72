"""bearer_token: where the token comes from."""

from __future__ import annotations

from pathlib import Path

import pytest

from orders_client import BearerAuth, bearer_token


@pytest.mark.usefixtures("no_token_env")
def test_env_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    f = tmp_path / "dev-token"
    f.write_text("from-file\n")
    monkeypatch.setenv("ORDERS_TOKEN", " from-env ")
    assert bearer_token(f) == "from-env"


@pytest.mark.usefixtures("no_token_env")
def test_token_file_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    f = tmp_path / "t"
    f.write_text("abc\n")
    monkeypatch.setenv("ORDERS_TOKEN_FILE", str(f))
    assert bearer_token(tmp_path / "other") == "abc"
    monkeypatch.setenv("ORDERS_TOKEN_FILE", str(tmp_path / "missing"))
    with pytest.raises(FileNotFoundError):
        bearer_token()


@pytest.mark.usefixtures("no_token_env")
def test_first_existing_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    second = tmp_path / "second"
    second.write_text("two\n")
    assert bearer_token(tmp_path / "first", second) == "two"
    # By default .data/dev-token in the current directory, as `orders dev` writes it.
    monkeypatch.chdir(tmp_path)
    assert bearer_token() is None
    (tmp_path / ".data").mkdir()
    (tmp_path / ".data" / "dev-token").write_text("dev\n")
    assert bearer_token() == "dev"


@pytest.mark.usefixtures("no_token_env")
def test_empty_is_none(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ORDERS_TOKEN", "  ")
    empty = tmp_path / "empty"
    empty.write_text("\n")
    assert bearer_token(empty) is None


def test_bearer_auth_needs_a_token() -> None:
    with pytest.raises(ValueError):
        BearerAuth("")
    assert "secret" not in repr(BearerAuth("secret"))
