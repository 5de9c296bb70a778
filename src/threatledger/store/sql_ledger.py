"""Reading back every stored extraction as the model records it was stored from, for the ledger export.

Each :class:`~threatledger.model.Extraction` comes back with its document's text and the values as
extracted (review corrections live apart, in ``corrections``), so storing them again in the same order,
then replaying the corrections, rebuilds the same ledger. Mentions come back in text order.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from threatledger.model import Argument, Document, Entity, Event, Extraction, Incident, Mention, Provenance
from threatledger.resolve.incidents import new_incident_id
from threatledger.store.sql_write import incident_summary
from threatledger.store.sqldb import Database, Row

ROLE_NAMES = ("agent", "sponsor", "target", "place")


def load_extractions(conn: Database) -> Iterator[Extraction]:
    """Every extraction, active or replaced, in the order it was stored."""
    rows = conn.execute(
        "SELECT x.pk AS extraction_pk, x.extractor, d.* FROM extractions x"
        " JOIN documents d ON d.pk = x.document_pk ORDER BY x.pk"
    ).fetchall()
    for row in rows:
        document = _document(row)
        events, incidents = _events(conn, int(row["extraction_pk"]), document)
        yield Extraction(
            document=document,
            entities=_entities(conn, int(row["extraction_pk"]), document.id),
            events=events,
            incidents=incidents,
            extractor=row["extractor"],
        )


def _document(row: Row) -> Document:
    published = row["published"]
    return Document(
        id=row["doc_id"],
        text=row["text"],
        title=row["title"],
        url=row["url"],
        published=date.fromisoformat(published) if published else None,
        outlet=row["outlet"],
        source=row["source"],
    )


def _entities(conn: Database, extraction_pk: int, doc_id: str) -> list[Entity]:
    mentions: dict[str, list[Mention]] = defaultdict(list)
    for m in conn.execute(
        'SELECT local_id, text, start, "end", extractor FROM mentions WHERE extraction_pk = ?'
        ' ORDER BY start, "end", text',
        (extraction_pk,),
    ):
        prov = Provenance(doc_id, int(m["start"]), int(m["end"]), m["extractor"])
        mentions[m["local_id"]].append(Mention(m["text"], prov))
    rows = conn.execute(
        "SELECT local_id, name, type, country, aliases FROM doc_entities WHERE extraction_pk = ?"
        " ORDER BY rowid",
        (extraction_pk,),
    )
    return [
        Entity(
            r["local_id"],
            r["name"],
            r["type"],
            tuple(mentions.get(r["local_id"], ())),
            r["country"],
            tuple(json.loads(r["aliases"])),
        )
        for r in rows
    ]


def _arguments(conn: Database, event_pks: list[int]) -> dict[tuple[int, str], list[Argument]]:
    found: dict[tuple[int, str], list[Argument]] = defaultdict(list)
    for pk in event_pks:
        for a in conn.execute(
            "SELECT role, name, text, local_entity_id FROM event_args"
            " WHERE event_pk = ? AND origin = 'extracted' ORDER BY role, position",
            (pk,),
        ):
            found[(pk, a["role"])].append(Argument(a["name"], a["local_entity_id"], a["text"]))
    return found


def _event_mentions(conn: Database, event_pk: int, doc_id: str) -> tuple[Provenance, ...]:
    rows = conn.execute(
        'SELECT start, "end", extractor FROM event_mentions WHERE event_pk = ? ORDER BY start, "end"',
        (event_pk,),
    )
    return tuple(Provenance(doc_id, int(r["start"]), int(r["end"]), r["extractor"]) for r in rows)


def _event(row: Row, args: dict[tuple[int, str], list[Argument]], mentions: tuple[Provenance, ...]) -> Event:
    pk, doc_id = int(row["pk"]), row["doc_id"]
    roles = {role: tuple(args.get((pk, role), ())) for role in ROLE_NAMES}
    return Event(
        id=row["event_id"],
        type=row["type"],
        trigger=row["trigger"],
        sentence=row["sentence"],
        provenance=Provenance(doc_id, int(row["start"]), int(row["end"]), row["extractor"]),
        sentence_start=int(row["sentence_start"]),
        sentence_end=int(row["sentence_end"]),
        date=row["date"],
        status=row["status"],
        negated_or_hypothetical=bool(row["negated"]),
        mentions=mentions,
        **roles,
    )


def _events(conn: Database, extraction_pk: int, document: Document) -> tuple[list[Event], list[Incident]]:
    """The events in the order stored, and the document's own incidents with the summaries they were
    stored with (see :func:`_group_summary`)."""
    rows = conn.execute(
        "SELECT ev.*, CAST(? AS TEXT) AS doc_id, i.summary AS incident_summary FROM events ev"
        " JOIN incidents i ON i.id = ev.incident_id WHERE ev.extraction_pk = ? ORDER BY ev.pk",
        (document.id, extraction_pk),
    ).fetchall()
    args = _arguments(conn, [int(r["pk"]) for r in rows])
    events = [_event(r, args, _event_mentions(conn, int(r["pk"]), document.id)) for r in rows]
    groups: dict[str, list[tuple[Row, Event]]] = {}
    for row, event in zip(rows, events, strict=True):
        if row["local_incident_id"] is not None:
            groups.setdefault(row["local_incident_id"], []).append((row, event))
    incidents = [
        Incident(local, _group_summary(document, members), tuple(e.id for _, e in members))
        for local, members in groups.items()
    ]
    return events, incidents


def _group_summary(document: Document, members: list[tuple[Row, Event]]) -> str:
    """The summary a document's incident was stored with, from the ledger incidents its events started.

    Cross-document resolution may place one group's events in several ledger incidents (a background case
    split off, or one case joining an earlier incident while another starts a new one); every incident the
    group started took its summary, or, when it had none, a summary made from the incident's first event.
    So the group's summary is the first summary that is no such made one; when there is none, an empty
    summary makes the same incidents again (and a group that started no incident kept no summary of its
    own)."""
    for row, event in members:
        started = new_incident_id(document.content_hash, event) == row["incident_id"]
        if started and row["incident_summary"] != incident_summary(event, ""):
            return str(row["incident_summary"])
    return ""
