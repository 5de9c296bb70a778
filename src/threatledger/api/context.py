"""What the app holds between requests: one store per worker thread, the token, the extractor, caches.

SQLite connections are not shared between threads: each thread of the server's pool opens its own store
on first use (WAL mode lets them read while one writes), and all of them close when the app stops.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from fastapi import Request

from threatledger.api.errors import UnauthorizedError, WritesDisabledError
from threatledger.api.ledger import LedgerCache, LedgerIndex
from threatledger.model import Document, Extraction
from threatledger.store import Store, open_store
from threatledger.store.records import OpenCase, StoreStats
from threatledger.store.sqlite import SQLiteStore

Extractor = Callable[[list[Document]], Iterable[Extraction]]


def default_extractor(documents: list[Document]) -> Iterable[Extraction]:
    """The spaCy extractor, imported on the first ingest (loading the model takes seconds)."""
    from threatledger.extract import run_extraction

    return run_extraction(documents, n_process=1)


SERVER_CACHE_KIB = 8_192  # page cache of each server thread's SQLite connection (a writer's: 64 MiB)


@dataclass
class StorePool:
    """One open store per thread, all closed together. The server's worker threads come and go (an idle
    one exits after a few seconds and a new one starts under the next burst): a thread's store is closed
    once the thread has ended, when a new thread opens its own. Kept open, they added up to one SQLite
    connection and its page cache for every worker thread the server ever ran (the soak's memory growth).
    """

    url: str
    create: bool = False
    _local: threading.local = field(default_factory=threading.local)
    _opened: list[tuple[threading.Thread, Store]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self) -> Store:
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = open_store(self.url, create=self.create)
            if isinstance(store, SQLiteStore):  # many short reads: the OS caches the file for all threads
                store.set_page_cache(SERVER_CACHE_KIB)
            self._local.store = store
            with self._lock:
                ended = [s for thread, s in self._opened if not thread.is_alive()]
                self._opened = [(t, s) for t, s in self._opened if t.is_alive()]
                self._opened.append((threading.current_thread(), store))
            for old in ended:  # no thread uses it any more
                old.close()
        return store

    @property
    def open_count(self) -> int:
        """How many stores are open (one per thread that used the pool and has not been replaced)."""
        with self._lock:
            return len(self._opened)

    def close_all(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
        for _, store in opened:
            store.close()
        self._local = threading.local()


@dataclass
class AppState:
    """Everything a route needs besides the request."""

    pool: StorePool
    token: str | None
    extractor: Extractor = default_extractor
    ingest_lock: threading.Lock = field(default_factory=threading.Lock)
    max_document_bytes: int = 5_000_000
    cache: LedgerCache = field(default_factory=LedgerCache)

    def __post_init__(self) -> None:
        self.cache = LedgerCache(open_store=self.pool.get)  # rebuilt in the background, with its own store

    @property
    def writable(self) -> bool:
        return bool(self.token)

    def store(self) -> Store:
        return self.pool.get()

    def index(self) -> LedgerIndex:
        """The ledger index for entity lists, documents, the graph and the map (see :mod:`.ledger`)."""
        return self.cache.index(self.store())

    def stats(self) -> StoreStats:
        return self.cache.stats(self.store())

    def open_cases(self) -> list[OpenCase]:
        return self.cache.open_cases(self.store())

    def check_token(self, authorization: str | None) -> None:
        """Writes need ``Authorization: Bearer <THREATLEDGER_TOKEN>``, compared in constant time."""
        if not self.token:
            raise WritesDisabledError(
                "this server is read-only",
                hint="Start `threatledger serve` with THREATLEDGER_TOKEN set to allow ingest and review.",
            )
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode("utf-8"), self.token.encode("utf-8")
        ):
            raise UnauthorizedError(
                "missing or wrong bearer token", hint="Send `Authorization: Bearer <THREATLEDGER_TOKEN>`."
            )


def state_of(request: Request) -> AppState:
    state: AppState = request.app.state.threatledger
    return state


def require_token(request: Request) -> None:
    """A dependency for write routes."""
    state_of(request).check_token(request.headers.get("authorization"))
