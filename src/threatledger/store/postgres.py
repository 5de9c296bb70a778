"""The PostgreSQL back end (server). Not yet available: this is the seam where it plugs in."""

from __future__ import annotations

from threatledger.errors import StoreError
from threatledger.store.base import Store


def open_postgres(url: str, *, create: bool = True) -> Store:
    """Open a PostgreSQL store at ``url``."""
    raise StoreError(
        "the PostgreSQL store is not yet available",
        hint="Use the embedded store for now: --db ./threatledger.db",
    )
