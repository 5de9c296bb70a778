"""An index of the whole ledger for the views the Store interface has no query for: the entity list,
document pages, the network graph and the map.

It is built from :meth:`Store.export_documents` (documents with their entities and events, reviewed
values applied) and kept until :meth:`Store.stats` changes, which any ingest or review does (see
:class:`LedgerCache`).
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from threatledger.store import Store
from threatledger.store.records import OpenCase, StoreStats

logger = logging.getLogger(__name__)
GRAPH_ROLES = ("sponsor", "agent", "target")


@dataclass
class EntityEntry:
    """A global entity: canonical name, type, and the incidents it takes part in, by role."""

    id: str
    name: str
    type: str
    country: str | None = None
    documents: set[str] = field(default_factory=set)
    incidents: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def to_dict(self) -> dict[str, Any]:
        roles = sorted({r for rs in self.incidents.values() for r in rs})
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "country": self.country,
            "documents": len(self.documents),
            "incidents": len(self.incidents),
            "roles": roles,
        }


@dataclass
class IncidentEntry:
    """What the graph and the map need of an incident."""

    id: str
    summary: str
    dates: set[str] = field(default_factory=set)
    types: set[str] = field(default_factory=set)
    places: dict[str, str | None] = field(default_factory=dict)  # place name -> country code

    @property
    def last_date(self) -> str:
        return max(self.dates, default="")


def document_summary(record: dict[str, Any]) -> dict[str, Any]:
    """What the document list shows of an exported document: its metadata and counts."""
    return {
        **record["doc"],
        "events": len(record["events"]),
        "entities": len(record["entities"]),
        "near_duplicate_of": record.get("near_duplicate_of"),
    }


@dataclass
class LedgerIndex:
    """Document summaries, entities and incidents by id. A document's whole record is not kept: it is
    read from the store when the document is shown (kept, they made the server grow with the ledger)."""

    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    entities: dict[str, EntityEntry] = field(default_factory=dict)
    incidents: dict[str, IncidentEntry] = field(default_factory=dict)

    def add_document(self, record: dict[str, Any]) -> None:
        doc_id = str(record["doc"]["id"])
        self.documents[doc_id] = document_summary(record)  # the whole record is read when shown
        countries: dict[str, str | None] = {}
        for entity in record["entities"]:
            entry = self._entity(entity["entity_id"], entity["canonical"], entity["type"], entity["country"])
            entry.documents.add(doc_id)
            countries[entity["entity_id"]] = entity["country"]
        summaries = {i["id"]: i["summary"] for i in record["incidents"]}
        for event in record["events"]:
            self._add_event(event, summaries, countries)

    def _entity(self, entity_id: str, name: str, type: str, country: str | None) -> EntityEntry:
        entry = self.entities.get(entity_id)
        if entry is None:
            entry = self.entities[entity_id] = EntityEntry(entity_id, name, type, country)
        entry.country = entry.country or country
        return entry

    def _add_event(self, event: dict[str, Any], summaries: dict[str, str], countries: dict[str, Any]) -> None:
        incident_id = event["incident"]
        incident = self.incidents.get(incident_id)
        if incident is None:
            incident = IncidentEntry(incident_id, summaries.get(incident_id, ""))
            self.incidents[incident_id] = incident
        incident.types.add(event["type"])
        if event["date"]:
            incident.dates.add(event["date"])
        for role in ("agent", "sponsor", "target", "place"):
            for arg in event.get(role) or ():
                if role == "place":
                    incident.places.setdefault(
                        arg["canonical"] or arg["name"], countries.get(arg["entity_id"])
                    )
                if arg["entity_id"] in self.entities:
                    self.entities[arg["entity_id"]].incidents[incident_id].add(role)


def build_index(store: Store) -> LedgerIndex:
    index = LedgerIndex()
    for record in store.export_documents():
        index.add_document(record)
    return index


class LedgerCache:
    """The store's counts, the index and the open cases, shared by all requests (thread-safe).

    The counts are read again at most every ``ttl`` seconds; when they changed, the index and the open
    cases are rebuilt, one build at a time and never under the lock the counts take, so ``/api/stats``
    does not wait for a build. Writes through this app call :meth:`invalidate`, and the next reader waits
    for the rebuilt index, so they show at once. Writes by another process (an ingest beside the server)
    show within ``ttl`` seconds plus one build: readers are served the last index meanwhile, and the new
    one is built in the background (with a store from ``open_store``; without one, by the reader that
    noticed). Before, every reader queued behind a build that a busy ingest restarted every ``ttl``
    seconds: the soak of ``benchmarks/soak.py`` timed out 8% of its requests that way.
    """

    def __init__(self, ttl: float = 2.0, *, open_store: Callable[[], Store] | None = None) -> None:
        self.ttl = ttl
        self._open_store = open_store
        self._lock = threading.Lock()  # guards the fields; held only for moments
        self._build_lock = threading.Lock()  # one build at a time
        self._checked = -math.inf
        self._key: str | None = None
        self._stats: StoreStats | None = None
        self._built: dict[str, tuple[str, Any]] = {}  # "index" / "open_cases" -> (key built for, value)
        self._wait: set[str] = {"index", "open_cases"}  # rebuilt before anyone reads them again
        self._pending: set[str] = set()  # background builds asked for
        self._builder: ThreadPoolExecutor | None = None

    def invalidate(self) -> None:
        with self._lock:
            self._checked = -math.inf
            self._wait = {"index", "open_cases"}

    def close(self) -> None:
        """Stop the background builder (a build under way is finished first)."""
        with self._lock:
            builder, self._builder = self._builder, None
        if builder is not None:
            builder.shutdown(wait=True, cancel_futures=True)

    def _refresh(self, store: Store) -> tuple[StoreStats, str]:
        """The counts and their key, read again when they are older than ``ttl``."""
        with self._lock:
            fresh = time.monotonic() - self._checked <= self.ttl
            if fresh and self._stats is not None and self._key is not None:
                return self._stats, self._key
        stats = store.stats()
        key = json.dumps(stats.to_dict(), sort_keys=True)
        with self._lock:
            self._stats, self._key, self._checked = stats, key, time.monotonic()
        return stats, key

    def stats(self, store: Store) -> StoreStats:
        return self._refresh(store)[0]

    def index(self, store: Store) -> LedgerIndex:
        index: LedgerIndex = self._cached("index", store, build_index)
        return index

    def open_cases(self, store: Store) -> list[OpenCase]:
        cases: list[OpenCase] = self._cached("open_cases", store, _open_cases)
        return cases

    def _cached(self, name: str, store: Store, build: Callable[[Store], Any]) -> Any:
        """The value for the current counts; the last one while a newer one is built, unless this app
        wrote since (then wait for the build)."""
        _, key = self._refresh(store)
        with self._lock:
            held, must_wait = self._built.get(name), name in self._wait
        if held is not None and held[0] == key:
            return held[1]
        if held is not None and not must_wait:
            if self._build_later(name, build) or not self._build_lock.acquire(blocking=False):
                return held[1]
        else:
            self._build_lock.acquire()
        try:
            return self._build(name, store, build, key)
        finally:
            self._build_lock.release()

    def _build(self, name: str, store: Store, build: Callable[[Store], Any], key: str) -> Any:
        """Build and keep the value for ``key``, unless it was built while waiting; with the build lock."""
        with self._lock:
            held, must_wait = self._built.get(name), name in self._wait
        if held is not None and held[0] == key and not must_wait:
            return held[1]
        value = build(store)
        with self._lock:
            self._built[name] = (key, value)
            self._wait.discard(name)
        return value

    def _build_later(self, name: str, build: Callable[[Store], Any]) -> bool:
        """Ask the background builder for a new value; False when there is none to ask."""
        open_store = self._open_store
        if open_store is None:
            return False
        with self._lock:
            if name not in self._pending:
                if self._builder is None:
                    self._builder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-cache")
                self._pending.add(name)
                self._builder.submit(self._build_in_background, name, build, open_store)
        return True

    def _build_in_background(
        self, name: str, build: Callable[[Store], Any], open_store: Callable[[], Store]
    ) -> None:
        try:
            store = open_store()
            _, key = self._refresh(store)
            with self._build_lock:
                self._build(name, store, build, key)
        except Exception:  # the readers keep the last value; the next change asks again
            logger.exception("rebuilding the ledger %s failed", name)
        finally:
            with self._lock:
                self._pending.discard(name)


def _open_cases(store: Store) -> list[OpenCase]:
    return store.open_cases()
