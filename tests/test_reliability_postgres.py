"""Faults on the PostgreSQL store: a read-only session gets a clear error and changes nothing; a full disk
and missing rights get hints of their own, not "report the traceback"."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger_factories import arrest_story, charge_story
from ledger_stores import pg_schema
from threatledger.errors import StoreError

psycopg = pytest.importorskip("psycopg")

from threatledger.store.postgres import PostgresStore, translate_postgres_error  # noqa: E402

LABEL = "postgresql://analyst@db.example/ledger"


@pytest.mark.parametrize(
    ("error", "said", "hinted"),
    [
        (
            psycopg.errors.DiskFull("could not extend file: No space left on device"),
            "disk is full",
            "free disk",
        ),
        (
            psycopg.errors.ReadOnlySqlTransaction("cannot execute INSERT in a read-only transaction"),
            "read-only",
            "user that may write",
        ),
        (psycopg.errors.InsufficientPrivilege("permission denied for schema public"), "refused", "grant"),
    ],
)
def test_reliability_postgres_errors_name_the_fault_and_what_to_do(
    error: Exception, said: str, hinted: str
) -> None:
    translated = translate_postgres_error(error, LABEL)
    assert isinstance(translated, StoreError)
    assert said in str(translated)
    assert LABEL in str(translated)
    assert hinted in (translated.hint or "").lower()
    assert "traceback" not in (translated.hint or "").lower()


def read_only(url: str) -> str:
    """The URL with every transaction of the session read-only (as on a standby, or for a reader role)."""
    return url.replace("options=", "options=-cdefault_transaction_read_only%3Don%20", 1)


@pytest.mark.server
def test_reliability_postgres_read_only_session_is_a_clear_error_and_changes_nothing(tmp_path: Path) -> None:
    with pg_schema() as url:
        with PostgresStore(url) as store:
            store.add_extraction(charge_story())
            before = store.stats().to_dict()
        with PostgresStore(read_only(url)) as store, pytest.raises(StoreError) as info:
            store.add_extraction(arrest_story())
        assert "read-only" in str(info.value)
        assert "traceback" not in (info.value.hint or "").lower()
        with PostgresStore(url) as store:
            assert store.stats().to_dict() == before
