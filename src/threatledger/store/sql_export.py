"""Export: one object per document in the scorer's format, with the ledger's global incident ids."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from threatledger.store.records import EventView
from threatledger.store.sql_events import load_events
from threatledger.store.sqldb import Database, Row

ROLE_NAMES = ("agent", "sponsor", "target", "place")


def _document(row: Row) -> dict[str, Any]:
    return {
        "id": row["doc_id"],
        "title": row["title"],
        "url": row["url"],
        "published": row["published"],
        "outlet": row["outlet"],
        "source": row["source"],
        "content_hash": row["content_hash"],
    }


def _entities(conn: Database, extraction_pk: int) -> list[dict[str, Any]]:
    mentions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in conn.execute(
        'SELECT local_id, text, start, "end" FROM mentions WHERE extraction_pk = ? ORDER BY start',
        (extraction_pk,),
    ):
        mentions[m["local_id"]].append({"text": m["text"], "start": m["start"], "end": m["end"]})
    rows = conn.execute(
        "SELECT de.*, COALESCE(e.merged_into, e.id) AS global_id, COALESCE(m.name, e.name) AS canonical"
        " FROM doc_entities de JOIN entities e ON e.id = de.entity_id"
        " LEFT JOIN entities m ON m.id = e.merged_into"
        " WHERE de.extraction_pk = ? ORDER BY de.rowid",
        (extraction_pk,),
    )
    return [
        {
            "id": r["local_id"],
            "entity_id": r["global_id"],
            "name": r["name"],
            "canonical": r["canonical"],
            "type": r["type"],
            "country": r["country"],
            "aliases": json.loads(r["aliases"]),
            "mentions": mentions.get(r["local_id"], []),
        }
        for r in rows
    ]


def event_dict(event: EventView) -> dict[str, Any]:
    """An event as the scorer reads it, with the current (reviewed) values."""
    out: dict[str, Any] = {
        "id": event.id,
        "type": event.type,
        "trigger": event.trigger,
        "sentence": {
            "text": event.sentence,
            "start": event.source.sentence_start,
            "end": event.source.sentence_end,
        },
    }
    for role in ROLE_NAMES:
        args = event.roles.get(role, ())
        out[role] = [
            {"name": a.name, "entity_id": a.entity_id, "canonical": a.entity_name} for a in args
        ] or None
    out.update(
        date=event.date,
        status=event.status,
        negated_or_hypothetical=event.negated_or_hypothetical,
        provenance={
            "document_id": event.source.document_id,
            "start": event.source.start,
            "end": event.source.end,
        },
        incident=event.incident_id,
    )
    return out


def _incidents(conn: Database, events: list[EventView]) -> list[dict[str, Any]]:
    grouped: dict[str, list[str]] = {}
    for event in events:
        grouped.setdefault(event.incident_id, []).append(event.id)
    summaries = {
        r[0]: r[1]
        for r in conn.execute(
            f"SELECT id, summary FROM incidents WHERE id IN ({','.join('?' * len(grouped))})", tuple(grouped)
        )
    }
    return [{"id": inc, "summary": summaries.get(inc, ""), "events": ids} for inc, ids in grouped.items()]


def export_documents(conn: Database, document_id: str | None = None) -> Iterator[dict[str, Any]]:
    """Every stored document with its active extraction, in the order they were ingested; with
    ``document_id``, the documents of that id only."""
    where, params = ("WHERE d.doc_id = ?", (document_id,)) if document_id is not None else ("", ())
    rows = conn.execute(
        "SELECT d.*, x.pk AS extraction_pk, x.extractor, o.doc_id AS original FROM documents d"
        " JOIN extractions x ON x.document_pk = d.pk AND x.active = 1"
        f" LEFT JOIN documents o ON o.pk = d.duplicate_of {where} ORDER BY d.pk",
        params,
    ).fetchall()
    for row in rows:
        events = load_events(
            conn, "ev.extraction_pk = ?", (row["extraction_pk"],), order="ev.sentence_start, ev.start, ev.pk"
        )
        out: dict[str, Any] = {
            "doc": _document(row),
            "extractor": row["extractor"],
            "entities": _entities(conn, row["extraction_pk"]),
            "events": [event_dict(e) for e in events],
            "incidents": _incidents(conn, events) if events else [],
        }
        if row["original"] is not None:
            out["near_duplicate_of"] = row["original"]
        yield out
