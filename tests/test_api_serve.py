"""``threatledger serve``: its options, the token from the environment, and a clean error without a store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from api_helpers import TOKEN, build_store
from threatledger.cli.main import main


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """uvicorn.run replaced by a recorder: what serve would have started."""
    import uvicorn

    seen: dict[str, Any] = {}

    def fake_run(app: Any, **options: Any) -> None:
        seen.update(app=app, **options)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    return seen


def test_api_serve_help_lists_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--db", "--host", "--port", "THREATLEDGER_TOKEN", "/openapi.json"):
        assert option in out
    assert "--token" not in out  # the token comes from the environment, never the command line


def test_api_serve_starts_read_only_on_loopback(
    tmp_path: Path, served: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("THREATLEDGER_TOKEN", raising=False)
    db = build_store(tmp_path)
    assert main(["serve", "--db", db, "--port", "8123"]) == 0
    assert served["host"] == "127.0.0.1"
    assert served["port"] == 8123
    assert served["app"].state.threatledger.writable is False


def test_api_serve_takes_the_token_from_the_environment(
    tmp_path: Path,
    served: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("THREATLEDGER_TOKEN", TOKEN)
    assert main(["serve", "--db", build_store(tmp_path)]) == 0
    assert served["app"].state.threatledger.writable is True
    assert TOKEN not in capsys.readouterr().err


def test_api_serve_without_a_store_fails_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--db", str(tmp_path / "absent.db")]) == 1
    err = capsys.readouterr().err
    assert "Error [E400] no store at" in err
    assert "Hint:" in err
