from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger_factories import charge_story
from threatledger.errors import MigrationError, StoreError
from threatledger.store import open_store, parse_sqlite_url
from threatledger.store.base import Store
from threatledger.store.sqlite import SQLiteStore


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "ledger.db"


@pytest.fixture
def store(db: Path) -> Iterator[SQLiteStore]:
    with SQLiteStore(db) as opened:
        yield opened


def test_store_sqlite_is_a_store_in_wal_mode(store: SQLiteStore) -> None:
    assert isinstance(store, Store)
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == store.version == 5


def test_store_sqlite_locked_database_is_a_store_error(db: Path) -> None:
    with SQLiteStore(db) as writer, SQLiteStore(db, timeout=0.05) as other, writer.transaction():
        with pytest.raises(StoreError, match="locked") as info:
            other.add_extraction(charge_story())
        assert info.value.hint
        assert "wait" in info.value.hint


def test_store_sqlite_corrupt_file_is_a_store_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database at all " * 200)
    with pytest.raises(StoreError, match="not a threatledger store or is damaged") as info:
        open_store(str(bad))
    assert info.value.hint
    assert "backup" in info.value.hint


def test_store_sqlite_missing_store_is_not_created_for_reading(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store at"):
        open_store(str(tmp_path / "absent.db"), create=False)
    assert not (tmp_path / "absent.db").exists()


def test_store_sqlite_newer_schema_is_refused(db: Path) -> None:
    SQLiteStore(db).close()
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO schema_version VALUES (99, 'later')")
    conn.commit()
    conn.close()
    with pytest.raises(MigrationError, match="schema version 99"):
        SQLiteStore(db)


@pytest.mark.parametrize(
    ("url", "path", "timeout"),
    [
        ("ledger.db", "ledger.db", None),
        ("sqlite:///ledger.db", "ledger.db", None),
        ("sqlite:////tmp/ledger.db", "/tmp/ledger.db", None),
        ("sqlite:///ledger.db?timeout=2.5", "ledger.db", 2.5),
    ],
)
def test_store_sqlite_url_parsing(url: str, path: str, timeout: float | None) -> None:
    assert parse_sqlite_url(url) == (path, timeout)


def test_store_sqlite_unreachable_postgres_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="cannot reach the store|needs psycopg") as info:
        open_store("postgresql://ledger:secret@127.0.0.1:1/ledger")
    assert "secret" not in str(info.value)
    assert info.value.hint
    with pytest.raises(StoreError, match="unknown store URL"):
        open_store("mongodb://x")


def test_store_sqlite_old_schema_is_migrated(db: Path) -> None:
    from threatledger.store import schema

    first_only = (schema.MIGRATIONS[0],)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SQLiteStore, "migrations", first_only)
        with SQLiteStore(db) as old:
            assert old.version == 1
            old.add_extraction(charge_story())
    with SQLiteStore(db) as store:
        assert store.version == schema.LATEST_VERSION == 5
        assert store.conn.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == 5
        assert store.stats().events == 2
        index = store.conn.execute(
            "SELECT name FROM sqlite_master WHERE name = 'events_duplicate_of'"
        ).fetchone()
        assert index is not None
