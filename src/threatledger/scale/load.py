"""Load batch results into a store: result rows -> Extractions -> ``Store.add_extractions``, in chunks.

Each chunk is one transaction. With ``resolve=True`` (the default) every document goes through the full
path (cross-document entity and incident resolution); ``resolve=False`` is the store's bulk mode (COPY
into PostgreSQL, ``executemany`` into SQLite; exact names only, see :mod:`threatledger.store.sql_bulk`).
A chunk the store rejects is retried one document at a time, so one bad document costs only itself.

``on_new`` (the watchlist alerts, :class:`threatledger.alerts.Alerter`) is called after each committed
chunk with the extractions the store took as new: the documents it did not hold before the chunk (read
with ``has_document`` only when there is a hook), each text once. A document loaded again is not new.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Protocol, cast

from threatledger.errors import StoreError
from threatledger.model import Extraction
from threatledger.scale.records import Row
from threatledger.scale.results import read_results, unreadable_file
from threatledger.scale.summary import LoadSummary
from threatledger.store import IngestStats, Store

logger = logging.getLogger(__name__)

CHUNK = 200
MAX_ERRORS_KEPT = 20


NewHook = Callable[[list[Extraction]], None]


class BulkStore(Protocol):
    def add_extractions(self, extractions: Iterable[Extraction], *, resolve: bool = True) -> IngestStats: ...


def load_results(
    store: Store,
    out_dir: str | Path,
    *,
    chunk: int = CHUNK,
    resolve: bool = True,
    on_new: NewHook | None = None,
) -> LoadSummary:
    """Store every extraction of the results folder ``out_dir``; failed rows are counted, not stored.
    ``on_new`` gets the extractions each committed chunk stored as new."""
    start = time.perf_counter()
    summary = LoadSummary()
    stats = IngestStats()

    def bad_file(path: Path, exc: Exception) -> None:
        summary.bad_files += 1
        error = unreadable_file(path, exc)
        _keep_error(summary, f"{error} {error.hint}")

    extractions = _extractions(read_results(out_dir, on_bad_file=bad_file), summary)
    while batch := list(islice(extractions, chunk)):
        known = _known(store, batch) if on_new is not None else set()
        new: list[Extraction] = []
        stats.add(_store_chunk(store, batch, resolve=resolve, summary=summary, new=new, known=known))
        if on_new is not None and new:
            on_new(new)
    summary.stats = stats.to_dict()
    summary.seconds = time.perf_counter() - start
    return summary


def _extractions(rows: Iterable[Row], summary: LoadSummary) -> Iterator[Extraction]:
    from threatledger.export.ledger_jsonl import extraction_from_dict

    for row in rows:
        summary.rows += 1
        if row["extraction"] is None:
            summary.failed += 1
            continue
        try:
            yield extraction_from_dict(json.loads(row["extraction"]))
        except (ValueError, KeyError, TypeError) as exc:
            summary.bad_rows += 1
            _keep_error(summary, f"row {row['id']} ({row['source']}): unreadable extraction: {exc}")


def _known(store: Store, batch: list[Extraction]) -> set[str]:
    """The content hashes of the chunk's documents that the store holds already."""
    hashes = {x.document.content_hash for x in batch if x.error is None}
    return {h for h in hashes if store.has_document(h)}


def _first_new(batch: list[Extraction], known: set[str]) -> list[Extraction]:
    """The chunk's extractions the store takes as new: not known before, the first of each text."""
    seen = set(known)
    new = []
    for extraction in batch:
        content_hash = extraction.document.content_hash
        if extraction.error is None and content_hash not in seen:
            seen.add(content_hash)
            new.append(extraction)
    return new


def _store_chunk(
    store: Store,
    batch: list[Extraction],
    *,
    resolve: bool,
    summary: LoadSummary,
    new: list[Extraction],
    known: set[str],
) -> IngestStats:
    """Store a chunk in one transaction (or, if it fails, one document at a time); the extractions it
    stored as new are appended to ``new``."""
    try:
        if resolve:
            stats = store.add_extractions(batch)
        else:
            stats = cast(BulkStore, store).add_extractions(batch, resolve=False)
    except StoreError:
        raise
    except Exception:  # one bad document must not lose its chunk: retry them one by one
        logger.warning("a chunk of %d documents failed; storing them one by one", len(batch), exc_info=True)
    else:
        new.extend(_first_new(batch, known))
        return stats
    stats = IngestStats()
    for extraction in batch:
        try:
            stored = store.add_extraction(extraction)
        except StoreError:
            raise
        except Exception as exc:  # count it, name it, move on
            stats.failed += 1
            _keep_error(summary, f"{extraction.document.id}: cannot store: {type(exc).__name__}: {exc}")
            continue
        stats.add(stored)
        if stored.documents == 1 and extraction.error is None:
            new.append(extraction)
    return stats


def _keep_error(summary: LoadSummary, message: str) -> None:
    logger.warning("%s", message)
    if len(summary.errors) < MAX_ERRORS_KEPT:
        summary.errors.append(message)
