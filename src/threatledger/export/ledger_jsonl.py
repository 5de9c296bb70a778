"""The whole ledger as JSON Lines, and back: ``export --format ledger`` and ``import FILE``.

The file is the ledger's history. A header line, then, in the order they happened (the audit log's
order), every extraction the store holds (its document's full text, entities with every mention, events
as extracted, the document's incidents) and every review correction. Importing into an empty store stores
the extractions and replays the corrections in that order, and so rebuilds the same ledger: the same
global entities, incidents, reviewed values and corrections, under the same ids. What is not rebuilt is the
wall-clock time of each step: the file keeps it (``at``), the new store records when the import ran.

``export --format jsonl`` is another thing: one object per document in the scorer's format.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from threatledger.errors import ExportError, MigrationError, StoreError
from threatledger.model import Argument, Document, Entity, Event, Extraction, Incident, Mention, Provenance
from threatledger.store.base import Store
from threatledger.store.records import Correction

FORMAT = "threatledger.ledger"
VERSION = 1
ALL = 2**62
ROLE_NAMES = ("agent", "sponsor", "target", "place")


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One step of the ledger's history: an extraction stored, or a correction made."""

    kind: str  # extraction | correction
    at: str | None
    record: Extraction | Correction


@dataclass(slots=True)
class ImportStats:
    """What an import did, and what it could not do (one bad line never stops it)."""

    extractions: int = 0
    corrections: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


# writing


def ledger_entries(store: Store) -> list[LedgerEntry]:
    """Every extraction and correction of the store, in the order the audit log gives them."""
    extractions = {(x.document.content_hash, x.extractor): x for x in store.extractions()}
    corrections = {c.id: c for c in store.corrections()}
    entries: list[LedgerEntry] = []
    for line in store.audit_log(limit=ALL):
        if line.action == "ingest" and line.target_kind == "document":
            key = (str(line.detail.get("content_hash")), str(line.detail.get("extractor")))
            if key in extractions:
                entries.append(LedgerEntry("extraction", line.at, extractions.pop(key)))
        elif isinstance(line.detail.get("correction"), int) and line.detail["correction"] in corrections:
            correction = corrections.pop(line.detail["correction"])
            entries.append(LedgerEntry("correction", correction.created_at, correction))
    entries += [LedgerEntry("extraction", None, x) for x in extractions.values()]
    entries += [LedgerEntry("correction", c.created_at, c) for c in corrections.values()]
    return entries


class LedgerExporter:
    """Writes ledger entries as JSON lines; the header goes first, so it is written on the first entry."""

    def __init__(self, out: IO[str], *, counts: dict[str, int] | None = None) -> None:
        self.out = out
        header = {"kind": "header", "format": FORMAT, "version": VERSION, **(counts or {})}
        self._line(header)

    def _line(self, data: dict[str, Any]) -> None:
        self.out.write(json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n")

    def write(self, item: LedgerEntry) -> None:
        if isinstance(item.record, Extraction):
            self._line({"kind": "extraction", "at": item.at, "extraction": extraction_to_dict(item.record)})
        else:
            self._line({"kind": "correction", "at": item.at, "correction": item.record.to_dict()})

    def finalize(self) -> None:
        """Lines are written as they come; nothing is held back."""


def export_ledger(store: Store, out: IO[str]) -> int:
    """Write the whole ledger of ``store``; return the number of entries."""
    entries = ledger_entries(store)
    counts = {
        "extractions": sum(e.kind == "extraction" for e in entries),
        "corrections": sum(e.kind == "correction" for e in entries),
    }
    exporter = LedgerExporter(out, counts=counts)
    for entry in entries:
        exporter.write(entry)
    exporter.finalize()
    return len(entries)


def _provenance(prov: Provenance, doc_id: str) -> dict[str, Any]:
    out: dict[str, Any] = {"start": prov.start, "end": prov.end, "extractor": prov.extractor}
    if prov.document_id != doc_id:
        out["document_id"] = prov.document_id
    return out


def _entity_dict(entity: Entity, doc_id: str) -> dict[str, Any]:
    return {
        "id": entity.id,
        "name": entity.name,
        "type": entity.type,
        "country": entity.country,
        "aliases": list(entity.aliases),
        "mentions": [{"text": m.text, **_provenance(m.provenance, doc_id)} for m in entity.mentions],
    }


def _event_dict(event: Event, doc_id: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": event.id,
        "type": event.type,
        "trigger": event.trigger,
        "sentence": event.sentence,
        "sentence_start": event.sentence_start,
        "sentence_end": event.sentence_end,
        "provenance": _provenance(event.provenance, doc_id),
        "date": event.date,
        "status": event.status,
        "negated_or_hypothetical": event.negated_or_hypothetical,
        "mentions": [_provenance(m, doc_id) for m in event.mentions],
    }
    for role in ROLE_NAMES:
        out[role] = [a.to_dict() for a in event.role(role)]
    return out


def extraction_to_dict(extraction: Extraction) -> dict[str, Any]:
    """Everything an extraction holds, the document's text included."""
    doc = extraction.document
    return {
        "document": {
            "id": doc.id,
            "text": doc.text,
            "title": doc.title,
            "url": doc.url,
            "published": doc.published.isoformat() if doc.published else None,
            "outlet": doc.outlet,
            "source": doc.source,
        },
        "extractor": extraction.extractor,
        "entities": [_entity_dict(e, doc.id) for e in extraction.entities],
        "events": [_event_dict(e, doc.id) for e in extraction.events],
        "incidents": [i.to_dict() for i in extraction.incidents],
    }


# reading


def _prov(data: dict[str, Any], doc_id: str) -> Provenance:
    return Provenance(
        data.get("document_id", doc_id), int(data["start"]), int(data["end"]), data["extractor"]
    )


def _entity(data: dict[str, Any], doc_id: str) -> Entity:
    mentions = tuple(Mention(m["text"], _prov(m, doc_id)) for m in data["mentions"])
    return Entity(data["id"], data["name"], data["type"], mentions, data["country"], tuple(data["aliases"]))


def _event(data: dict[str, Any], doc_id: str) -> Event:
    roles = {
        role: tuple(Argument(a["name"], a["entity_id"], a["text"]) for a in data[role]) for role in ROLE_NAMES
    }
    return Event(
        id=data["id"],
        type=data["type"],
        trigger=data["trigger"],
        sentence=data["sentence"],
        provenance=_prov(data["provenance"], doc_id),
        sentence_start=int(data["sentence_start"]),
        sentence_end=int(data["sentence_end"]),
        date=data["date"],
        status=data["status"],
        negated_or_hypothetical=bool(data["negated_or_hypothetical"]),
        mentions=tuple(_prov(m, doc_id) for m in data["mentions"]),
        **roles,
    )


def extraction_from_dict(data: dict[str, Any]) -> Extraction:
    """The extraction :func:`extraction_to_dict` wrote."""
    doc = data["document"]
    published = doc.get("published")
    document = Document(
        id=doc["id"],
        text=doc["text"],
        title=doc.get("title"),
        url=doc.get("url"),
        published=date.fromisoformat(published) if published else None,
        outlet=doc.get("outlet"),
        source=doc.get("source"),
    )
    return Extraction(
        document=document,
        entities=[_entity(e, document.id) for e in data["entities"]],
        events=[_event(e, document.id) for e in data["events"]],
        incidents=[Incident(i["id"], i["summary"], tuple(i["events"])) for i in data["incidents"]],
        extractor=data["extractor"],
    )


def replay_correction(store: Store, data: dict[str, Any]) -> None:
    """Make a recorded review decision again, by the same author and for the same reason."""
    kind, action, target, new = data["target_kind"], data["action"], data["target_id"], data["new_value"]
    who = {"author": data["author"], "reason": data["reason"]}
    if kind == "event" and action in ("confirm", "reject"):
        (store.confirm_event if action == "confirm" else store.reject_event)(target, **who)
    elif kind == "event" and action == "correct":
        store.correct_event(target, data["field"], new, **who)
    elif kind == "entity" and action == "merge":
        store.merge_entities(target, new, **who)
    elif kind == "entity" and action == "split":
        store.split_entity(target, list(new["names"]), **who)
    elif kind == "incident" and action == "merge":
        store.merge_incidents(target, new, **who)
    elif kind == "incident" and action == "split":
        store.split_incident(target, list(new["events"]), **who)
    else:
        raise ExportError(
            f"unknown correction {kind} {action}", hint="Was the file written by a newer threatledger?"
        )


def _check_header(line: str, name: str) -> None:
    try:
        header = json.loads(line)
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ExportError(
            f"{name} is not a threatledger ledger file",
            hint="Write one with `threatledger export --format ledger -o FILE`.",
        )
    if int(header.get("version", 0)) > VERSION:
        raise ExportError(
            f"{name} is ledger format version {header['version']}, newer than this threatledger ({VERSION})",
            hint="Upgrade threatledger to import it.",
        )


def _check_empty(store: Store) -> None:
    stats = store.stats()
    if stats.extractions or stats.corrections:
        raise ExportError(
            f"the store at {store.url} is not empty ({stats.extractions} extractions)",
            hint="Import a ledger into a new store: pass --db with a path that does not exist yet.",
        )


def import_ledger(lines: Iterable[str], store: Store, *, name: str = "-") -> ImportStats:
    """Store every extraction and replay every correction of a ledger file, in order, into an empty store.
    A line that cannot be read or applied is counted and reported, and the import goes on."""
    stats = ImportStats()
    numbered: Iterator[tuple[int, str]] = enumerate(lines, start=1)
    first = next(numbered, (1, ""))[1]
    _check_header(first, name)
    _check_empty(store)
    for number, line in numbered:
        if line.strip():
            _import_line(store, line, f"{name} line {number}", stats)
    return stats


def _import_line(store: Store, line: str, where: str, stats: ImportStats) -> None:
    try:
        data = json.loads(line)
        if data["kind"] == "extraction":
            store.add_extraction(extraction_from_dict(data["extraction"]))
            stats.extractions += 1
        elif data["kind"] == "correction":
            replay_correction(store, data["correction"])
            stats.corrections += 1
        else:
            raise ExportError(f"unknown record kind {data['kind']!r}")
    except (ValueError, KeyError, TypeError, ExportError) as exc:
        stats.failed += 1
        stats.errors.append(f"cannot import {where}: {exc}")
    except StoreError as exc:
        if isinstance(exc, MigrationError):
            raise
        stats.failed += 1
        stats.errors.append(f"cannot import {where}: {exc}")


def export_scorer_documents(store: Store, out: IO[str]) -> int:
    """``--format jsonl``: one object per document in the scorer's format, with global incident ids."""
    count = 0
    for row in store.export_documents():
        out.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
    return count
