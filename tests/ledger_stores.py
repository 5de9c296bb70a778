"""Stores for the ledger tests, on every back end: SQLite in a temporary folder, and PostgreSQL in a
fresh schema when THREATLEDGER_TEST_PG_URL names a server (tests marked ``server`` skip otherwise)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from threatledger.store.sql_store import SQLStore
from threatledger.store.sqlite import SQLiteStore

PG_URL = os.environ.get("THREATLEDGER_TEST_PG_URL", "")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.server)]


def with_search_path(url: str, schema: str) -> str:
    """The URL with ``search_path`` set, so the store's tables land in ``schema``."""
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{schema}"


@contextmanager
def pg_schema() -> Iterator[str]:
    """A new empty schema on the test server, dropped afterwards; yields a URL that uses it."""
    if not PG_URL:
        pytest.skip("set THREATLEDGER_TEST_PG_URL=postgresql://... to run the PostgreSQL store tests")
    psycopg: Any = pytest.importorskip("psycopg")
    schema = "tl_" + uuid.uuid4().hex[:12]
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield with_search_path(PG_URL, schema)
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


@contextmanager
def open_test_store(backend: str, folder: Path) -> Iterator[SQLStore]:
    """A new empty store on ``backend``."""
    if backend == "sqlite":
        with SQLiteStore(folder / "ledger.db") as store:
            yield store
        return
    from threatledger.store.postgres import PostgresStore

    with pg_schema() as url, PostgresStore(url) as store:
        yield store
