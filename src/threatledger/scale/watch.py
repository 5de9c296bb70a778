"""The live path: poll feeds, fetch the articles not seen before, extract, store, match watchlists.

One :func:`watch_cycle` reads every feed, fetches each new link under the fetch policy (public addresses
only unless ``allow_private``), extracts and stores what it fetched, runs the alerts on the documents the
store took as new, and saves the seen URLs in a state file (default ``NAME.watch.json`` next to a SQLite
store). A link that fails for a network reason is tried again in the next cycles, up to
:data:`MAX_TRIES` times; one that fails for any other reason is not fetched again. One bad feed or page
never stops a cycle: it is logged, counted and named in the cycle's summary.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from threatledger.alerts import Delivery, run_alerts
from threatledger.alerts.rules import store_sibling, write_json_atomic
from threatledger.errors import FetchError, StoreError, ThreatledgerError
from threatledger.ingest.feed import FeedEntry, fetch_feed
from threatledger.ingest.url import FetchPolicy, fetch_document
from threatledger.model import Document, Extraction
from threatledger.store import Store

logger = logging.getLogger(__name__)

MAX_TRIES = 3
MAX_ERRORS_KEPT = 20
MIN_INTERVAL_S = 10.0
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h)?\s*$", re.IGNORECASE)
_UNIT_S = {"s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}


def parse_interval(text: str) -> float:
    """Seconds in ``30s``, ``10m``, ``1h`` (a bare number is seconds); at least :data:`MIN_INTERVAL_S`."""
    found = _INTERVAL.match(text)
    if not found:
        raise ValueError(f"cannot read the interval {text!r}; write e.g. 30s, 10m or 1h")
    seconds = float(found.group(1)) * _UNIT_S[(found.group(2) or "s").lower()]
    if seconds < MIN_INTERVAL_S:
        raise ValueError(
            f"the interval {text!r} is under {MIN_INTERVAL_S:.0f} s; feeds should not be hammered"
        )
    return seconds


def default_state_path(db: str) -> Path:
    """``NAME.watch.json`` next to a SQLite store; ``threatledger.watch.json`` here for a server store."""
    return store_sibling(db, ".watch.json")


@dataclass
class SeenState:
    """The URLs already handled (url -> when) and the tries of those that failed for network reasons."""

    path: Path
    seen: dict[str, str] = field(default_factory=dict)
    tries: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path) -> SeenState:
        import json

        path = Path(path)
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(path, dict(data.get("seen", {})), dict(data.get("tries", {})))
        except (OSError, ValueError, AttributeError) as exc:
            raise FetchError(
                f"cannot read the watch state {path}: {exc}",
                hint="fix or remove the file (every link in the feeds will then be fetched again)",
            ) from exc

    def mark_seen(self, url: str) -> None:
        self.seen[url] = datetime.now(UTC).isoformat(timespec="seconds")
        self.tries.pop(url, None)

    def mark_failed(self, url: str) -> None:
        self.tries[url] = self.tries.get(url, 0) + 1
        if self.tries[url] >= MAX_TRIES:
            self.mark_seen(url)

    def save(self) -> None:
        write_json_atomic(
            self.path, {"format": "threatledger.watch", "version": 1, "seen": self.seen, "tries": self.tries}
        )


@dataclass(frozen=True, slots=True)
class WatchOptions:
    """How a cycle fetches and where its alerts come from."""

    allow_private: bool = False
    rules_path: Path | None = None
    max_new_per_feed: int = 100
    timeout: float = 10.0

    def policy(self) -> FetchPolicy:
        return FetchPolicy(allow_private=self.allow_private, timeout=self.timeout)


@dataclass
class CycleReport:
    """What one cycle did."""

    feeds: int = 0
    feed_failures: int = 0
    new_links: int = 0
    fetched: int = 0
    fetch_failures: int = 0
    stored: int = 0
    skipped: int = 0
    failed: int = 0
    alerts: Delivery = field(default_factory=Delivery)
    errors: list[str] = field(default_factory=list)

    def error(self, message: str) -> None:
        logger.warning("%s", message)
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(message)

    def line(self) -> str:
        return (
            f"{self.feeds} feeds ({self.feed_failures} failed), {self.new_links} new links: "
            f"{self.fetched} fetched ({self.fetch_failures} failed), {self.stored} stored, "
            f"{self.skipped} already known, {self.failed} not extracted; {self.alerts.matches} alerts"
            + (f" ({self.alerts.webhook_failures} webhook failures)" if self.alerts.webhook_failures else "")
        )

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


def watch_cycle(
    feeds: Sequence[str],
    store: Store,
    state: SeenState,
    options: WatchOptions,
    *,
    stdout: IO[str] | None = None,
) -> CycleReport:
    """Poll every feed once, ingest the new articles, run the alerts, save the state."""
    report = CycleReport(feeds=len(feeds))
    entries = list(new_entries(feeds, state, options, report))
    documents = list(fetch_entries(entries, state, options, report))
    new = store_documents(store, documents, report)
    if options.rules_path is not None and new:
        report.alerts = run_alerts(store, new, options.rules_path, stdout=stdout)
    state.save()
    return report


def new_entries(
    feeds: Sequence[str], state: SeenState, options: WatchOptions, report: CycleReport
) -> Iterator[FeedEntry]:
    """The entries of every feed whose link has not been handled yet (each link once per cycle)."""
    taken: set[str] = set()
    for feed in feeds:
        try:
            entries = fetch_feed(feed, policy=options.policy())
        except ThreatledgerError as exc:
            report.feed_failures += 1
            report.error(f"feed {feed}: {exc}")
            continue
        fresh = [e for e in entries if e.url not in state.seen and e.url not in taken][
            : options.max_new_per_feed
        ]
        taken.update(e.url for e in fresh)
        report.new_links += len(fresh)
        yield from fresh


def fetch_entries(
    entries: Sequence[FeedEntry], state: SeenState, options: WatchOptions, report: CycleReport
) -> Iterator[Document]:
    """Fetch each entry's page; the feed's title and date fill what the page does not say."""
    for entry in entries:
        try:
            document = fetch_document(entry.url, published=entry.published, policy=options.policy())
        except FetchError as exc:
            state.mark_failed(entry.url)
            report.fetch_failures += 1
            report.error(f"{entry.url}: {exc}")
            continue
        except ThreatledgerError as exc:
            state.mark_seen(entry.url)
            report.fetch_failures += 1
            report.error(f"{entry.url}: {exc}")
            continue
        state.mark_seen(entry.url)
        report.fetched += 1
        yield replace(document, title=document.title or entry.title)


def store_documents(store: Store, documents: Sequence[Document], report: CycleReport) -> list[Extraction]:
    """Extract and store the documents the store does not hold yet; the extractions it took as new."""
    todo = [d for d in documents if not store.has_document(d.content_hash)]
    report.skipped += len(documents) - len(todo)
    if not todo:
        return []
    from threatledger.nlp.pipeline import shared_pipeline
    from threatledger.scale.records import extract_one

    new: list[Extraction] = []
    for doc, document in shared_pipeline().pipe(((d.text, d) for d in todo), as_tuples=True):
        extraction = extract_one(doc, document)
        if extraction.error is not None:
            report.error(f"{document.url or document.id}: {extraction.error.get('message')}")
        if _store_one(store, extraction, report):
            new.append(extraction)
    return new


def _store_one(store: Store, extraction: Extraction, report: CycleReport) -> bool:
    """Store one extraction; True when the store took it as new. Only a StoreError stops the cycle."""
    try:
        stats = store.add_extraction(extraction)
    except StoreError:
        raise
    except Exception as exc:  # one bad document never stops the cycle
        report.failed += 1
        report.error(f"{extraction.document.url}: cannot store: {type(exc).__name__}: {exc}")
        return False
    report.stored += stats.documents
    report.skipped += stats.skipped
    report.failed += stats.failed
    return extraction.error is None and stats.documents > 0


def watch(
    feeds: Sequence[str],
    store: Store,
    state: SeenState,
    options: WatchOptions,
    *,
    every: float | None,
    on_cycle: Callable[[CycleReport], None],
    stdout: IO[str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Run cycles: once when ``every`` is None, else one every ``every`` seconds until interrupted."""
    while True:
        started = time.monotonic()
        on_cycle(watch_cycle(feeds, store, state, options, stdout=stdout))
        if every is None:
            return
        sleep(max(0.0, every - (time.monotonic() - started)))
