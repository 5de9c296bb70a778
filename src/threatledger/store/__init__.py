"""Stores: one :class:`Store` interface; SQLite (embedded, the default) and PostgreSQL (server) back ends.

:func:`open_store` picks the back end from a URL: a path or ``sqlite:///path`` opens SQLite;
``postgresql://...`` opens PostgreSQL.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from threatledger.errors import StoreError
from threatledger.store.base import Store
from threatledger.store.records import IncidentFilter, IngestStats

__all__ = ["IncidentFilter", "IngestStats", "Store", "open_store", "parse_sqlite_url"]


def parse_sqlite_url(url: str) -> tuple[str, float | None]:
    """The file path and the optional lock ``timeout`` (seconds) of ``PATH`` or ``sqlite:///PATH?timeout=S``."""
    if not url.startswith("sqlite:"):
        return url, None
    parts = urlsplit(url)
    path = parts.path if not parts.netloc else parts.netloc + parts.path
    if url.startswith("sqlite:///") and path.startswith("/") and not url.startswith("sqlite:////"):
        path = path[1:]  # sqlite:///relative.db is relative, sqlite:////abs.db is absolute
    timeout = parse_qs(parts.query).get("timeout")
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
        raise StoreError(f"unknown store URL {url!r}",
                         hint="Use a file path, sqlite:///PATH or postgresql://USER@HOST/DB.")
    from threatledger.store.sqlite import DEFAULT_TIMEOUT, SQLiteStore

    path, timeout = parse_sqlite_url(url)
    return SQLiteStore(path, create=create, timeout=timeout if timeout is not None else DEFAULT_TIMEOUT)
