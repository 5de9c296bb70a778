"""Stores: one :class:`Store` interface; SQLite (embedded, the default) and PostgreSQL (server) back ends.

:func:`open_store` picks the back end from a URL: a path or ``sqlite:///path`` opens SQLite;
``postgresql://...`` opens PostgreSQL.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from threatledger.errors import StoreError
from threatledger.store.base import Store
from threatledger.store.records import IncidentFilter, IngestStats

__all__ = ["IncidentFilter", "IngestStats", "Store", "open_store", "parse_sqlite_url"]


def parse_sqlite_url(url: str) -> tuple[str, float | None]:
    """The file path and the optional lock ``timeout`` (seconds) of ``PATH`` or ``sqlite:///PATH?timeout=S``.

    As in SQLAlchemy, ``sqlite:///ledger.db`` is relative and ``sqlite:////srv/ledger.db`` absolute.
    """
    if not url.startswith("sqlite://"):
        return url, None
    rest, _, query = url[len("sqlite://") :].partition("?")
    path = rest[1:] if rest.startswith("/") else rest
    timeout = parse_qs(query).get("timeout")
    try:
        return path or ":memory:", float(timeout[0]) if timeout else None
    except ValueError as exc:
        raise StoreError(f"bad timeout in {url!r}", hint="Use sqlite:///PATH?timeout=SECONDS.") from exc


def open_store(url: str, *, create: bool = True) -> Store:
    """Open the store at ``url``; ``create=False`` refuses to make a new empty SQLite file."""
    scheme = url.split(":", 1)[0].lower() if "://" in url else ""
    if scheme in ("postgresql", "postgres"):
        from threatledger.store.postgres import open_postgres

        return open_postgres(url, create=create)
    if scheme not in ("", "sqlite", "file"):
        raise StoreError(
            f"unknown store URL {url!r}", hint="Use a file path, sqlite:///PATH or postgresql://USER@HOST/DB."
        )
    from threatledger.store.sqlite import DEFAULT_TIMEOUT, SQLiteStore

    path, timeout = parse_sqlite_url(url)
    return SQLiteStore(path, create=create, timeout=timeout if timeout is not None else DEFAULT_TIMEOUT)
