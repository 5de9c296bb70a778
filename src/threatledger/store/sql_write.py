"""Writing one extraction into SQLite: document, entities, events, incidents, in the caller's transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from threatledger.model import Document, Entity, Event, Extraction
from threatledger.resolve.cases import (
    DocumentContext,
    Placement,
    document_people,
    document_subject,
    is_aftermath,
    place_group,
    record_violence,
)
from threatledger.resolve.duplicates import (
    band_keys,
    minhash,
    near_duplicate_score,
    normalize_text,
    same_sentence,
)
from threatledger.resolve.entities import EntityResolver, Resolution
from threatledger.resolve.incidents import central_participants, new_incident_id
from threatledger.resolve.names import normalize_name
from threatledger.store import sql_fts
from threatledger.store.records import IngestStats
from threatledger.store.sql_index import SQLIncidentIndex, SQLNameIndex, live_entity, utc_now
from threatledger.store.sql_spans import incidents_of_documents
from threatledger.store.sqldb import Database

ROLE_NAMES = ("agent", "sponsor", "target", "place")


@dataclass(slots=True)
class _Context:
    """State of one extraction being written."""

    conn: Database
    extraction: Extraction
    document_pk: int
    extraction_pk: int
    duplicate_of: int | None
    now: str
    stats: IngestStats
    resolved: dict[str, Resolution] = field(default_factory=dict)
    taken: set[str] = field(default_factory=set)  # global incidents already given a local incident

    def lookup(self, local_id: str | None, name: str) -> tuple[str, str] | None:
        """The global (id, type) of a role filler: by its entity id, else by an unambiguous name."""
        if local_id is not None and local_id in self.resolved:
            hit = self.resolved[local_id]
            return live_entity(self.conn, hit.entity_id), hit.type
        rows = self.conn.execute(
            "SELECT DISTINCT COALESCE(e.merged_into, e.id), e.type FROM entity_names n"
            " JOIN entities e ON e.id = n.entity_id WHERE n.norm = ?",
            (normalize_name(name),),
        ).fetchall()
        return (str(rows[0][0]), str(rows[0][1])) if len(rows) == 1 else None


def write_extraction(conn: Database, extraction: Extraction) -> IngestStats:
    """Store one extraction; the caller holds the transaction. A document already stored by the same
    extractor is skipped; by another extractor, its old records are kept inactive and it is stored anew."""
    stats = IngestStats()
    document = extraction.document
    row = conn.execute("SELECT pk FROM documents WHERE content_hash = ?", (document.content_hash,)).fetchone()
    now = utc_now()
    if row is not None:
        document_pk = int(row[0])
        if _has_extraction(conn, document_pk, extraction.extractor):
            stats.skipped = 1
            return stats
        _deactivate(conn, document_pk)
        stats.reextracted = 1
        duplicate_of = _duplicate_of(conn, document_pk)
    else:
        document_pk, duplicate_of = _insert_document(conn, document, now)
        stats.documents = 1
        stats.near_duplicates = 1 if duplicate_of is not None else 0
    extraction_pk = _insert_extraction(conn, document_pk, extraction.extractor, now)
    ctx = _Context(conn, extraction, document_pk, extraction_pk, duplicate_of, now, stats)
    _write_entities(ctx)
    _write_events(ctx)
    conn.touch(incidents_of_documents(conn, [document_pk]))  # new events, and replaced ones
    _audit(
        conn,
        now,
        "ingest",
        "document",
        document.id,
        {"content_hash": document.content_hash, "extractor": extraction.extractor, **stats.to_dict()},
    )
    return stats


def _has_extraction(conn: Database, document_pk: int, extractor: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM extractions WHERE document_pk = ? AND extractor = ?", (document_pk, extractor)
    ).fetchone()
    return row is not None


def _deactivate(conn: Database, document_pk: int) -> None:
    conn.execute("UPDATE extractions SET active = 0 WHERE document_pk = ?", (document_pk,))
    conn.execute("UPDATE events SET active = 0 WHERE document_pk = ?", (document_pk,))


def _duplicate_of(conn: Database, document_pk: int) -> int | None:
    row = conn.execute("SELECT duplicate_of FROM documents WHERE pk = ?", (document_pk,)).fetchone()
    return int(row[0]) if row is not None and row[0] is not None else None


def _insert_document(conn: Database, document: Document, now: str) -> tuple[int, int | None]:
    signature = minhash(document.text)
    bands = band_keys(signature)
    original, similarity = _find_near_duplicate(conn, document, bands)
    published = document.published.isoformat() if document.published else None
    cur = conn.execute(
        "INSERT INTO documents (content_hash, doc_id, title, url, published, outlet, source, text,"
        " duplicate_of, similarity, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING pk",
        (
            document.content_hash,
            document.id,
            document.title,
            document.url,
            published,
            document.outlet,
            document.source,
            document.text,
            original,
            similarity,
            now,
        ),
    )
    pk = int(cur.fetchone()[0])
    sql_fts.index_document(conn, pk, document.title, document.text)
    conn.executemany("INSERT INTO document_bands (band, document_pk) VALUES (?, ?)", [(b, pk) for b in bands])
    return pk, original


def _find_near_duplicate(
    conn: Database, document: Document, bands: Sequence[str]
) -> tuple[int | None, float | None]:
    """The earliest stored document this one nearly duplicates (followed to its original), if any."""
    marks = ",".join("?" * len(bands))
    rows = conn.execute(
        f"SELECT DISTINCT document_pk FROM document_bands WHERE band IN ({marks})", tuple(bands)
    )
    candidates = sorted(int(r[0]) for r in rows.fetchall())
    for pk in candidates:
        text, root = conn.execute(
            "SELECT text, COALESCE(duplicate_of, pk) FROM documents WHERE pk = ?", (pk,)
        ).fetchone()
        similarity = near_duplicate_score(document.text, text)
        if similarity > 0:
            return int(root), round(similarity, 4)
    return None, None


def _insert_extraction(conn: Database, document_pk: int, extractor: str, now: str) -> int:
    cur = conn.execute(
        "INSERT INTO extractions (document_pk, extractor, active, ingested_at) VALUES (?, ?, 1, ?)"
        " RETURNING pk",
        (document_pk, extractor, now),
    )
    return int(cur.fetchone()[0])


def _write_entities(ctx: _Context) -> None:
    resolver = EntityResolver(SQLNameIndex(ctx.conn), scope=ctx.extraction.document.content_hash)
    ctx.resolved = resolver.resolve_all(ctx.extraction.entities)
    for entity in ctx.extraction.entities:
        hit = ctx.resolved[entity.id]
        if hit.created:
            ctx.stats.entities_new += 1
        else:
            ctx.stats.entities_matched += 1
        _insert_doc_entity(ctx, entity, hit)


def _insert_doc_entity(ctx: _Context, entity: Entity, hit: Resolution) -> None:
    aliases = json.dumps(list(entity.aliases))
    row = (ctx.extraction_pk, entity.id, hit.entity_id, entity.name, entity.type, entity.country, aliases)
    ctx.conn.defer("doc_entities", DOC_ENTITY_COLUMNS, [(*row, hit.method)], ignore=True)
    ctx.conn.defer(
        "mentions",
        MENTION_COLUMNS,
        [
            (
                ctx.extraction_pk,
                entity.id,
                m.text,
                m.provenance.start,
                m.provenance.end,
                m.provenance.extractor,
            )
            for m in entity.mentions
        ],
    )


DOC_ENTITY_COLUMNS = tuple("extraction_pk local_id entity_id name type country aliases method".split())
MENTION_COLUMNS = tuple("extraction_pk local_id text start end extractor".split())
ARGUMENT_COLUMNS = tuple("event_pk role position name text local_entity_id entity_id cur_entity_id".split())
EVENT_MENTION_COLUMNS = ("event_pk", "start", "end", "extractor")
AUDIT_COLUMNS = tuple("at actor action target_kind target_id detail".split())


def event_groups(extraction: Extraction) -> list[tuple[str | None, str, list[Event]]]:
    """The document's incidents as (local id, summary, events); an event in no incident is its own group."""
    by_id = {e.id: e for e in extraction.events}
    groups: list[tuple[str | None, str, list[Event]]] = []
    placed: set[str] = set()
    for incident in extraction.incidents:
        events = [by_id[i] for i in incident.event_ids if i in by_id and i not in placed]
        placed.update(e.id for e in events)
        if events:
            groups.append((incident.id, incident.summary, events))
    groups += [(None, "", [e]) for e in extraction.events if e.id not in placed]
    return groups


def _write_events(ctx: _Context) -> None:
    """Place every group of the document (aftermath groups last, so they can follow the document's
    violence), then store the events in the document's order."""
    groups = [
        (local_id, summary, sorted(events, key=lambda e: (e.provenance.start, e.id)))
        for local_id, summary, events in event_groups(ctx.extraction)
    ]
    document, entities = ctx.extraction.document, ctx.extraction.entities
    doc = DocumentContext(
        ctx.lookup,
        SQLIncidentIndex(ctx.conn),
        published=document.published.isoformat() if document.published else None,
        subject=document_subject(entities, ctx.extraction.events),
        people=document_people(entities, ctx.lookup),
    )
    incidents: dict[str, str] = {}
    duplicates: dict[str, tuple[int, str]] = {}
    for _, summary, events in sorted(groups, key=lambda g: is_aftermath(g[2], ctx.lookup)):
        found = _match_duplicate_events(ctx, events)
        duplicates.update(found)
        incidents.update(_place_group(ctx, doc, events, summary, found))
    for local_id, _, events in groups:
        for event in events:
            _insert_event(ctx, event, local_id, incidents[event.id], duplicates.get(event.id))
        ctx.stats.events += len(events)


def _match_duplicate_events(ctx: _Context, events: Sequence[Event]) -> dict[str, tuple[int, str]]:
    """For a near-duplicate document: each event's counterpart in the original, as (event pk, incident)."""
    if ctx.duplicate_of is None:
        return {}
    rows = ctx.conn.execute(
        "SELECT pk, cur_type, sentence, cur_incident_id FROM events WHERE document_pk = ? AND active = 1"
        " AND duplicate_of IS NULL",
        (ctx.duplicate_of,),
    ).fetchall()
    found: dict[str, tuple[int, str]] = {}
    for event in events:
        for row in rows:
            if row[1] == event.type and same_sentence(row[2], event.sentence):
                found[event.id] = (int(row[0]), str(row[3]))
                break
    return found


def _place_group(
    ctx: _Context,
    doc: DocumentContext,
    events: Sequence[Event],
    summary: str,
    duplicates: dict[str, tuple[int, str]],
) -> dict[str, str]:
    """The global incident of each event of a group: its near-duplicate's, or where
    :func:`~threatledger.resolve.cases.place_group` puts it (a matching incident, or a new one)."""
    duplicate_of = next((inc for _, inc in duplicates.values()), None)
    if duplicate_of is not None:
        whole = tuple(range(len(events)))
        placements = [Placement(whole, duplicate_of, central_participants(events, ctx.lookup))]
    else:
        doc.exclude = frozenset(ctx.taken)
        placements = place_group(events, doc)
    found: dict[str, str] = {}
    for placement in placements:
        incident_id = placement.incident_id
        if incident_id is None:
            incident_id = _create_incident(ctx, events[placement.events[0]], summary)
        else:
            ctx.stats.incidents_joined += 1
        ctx.taken.add(incident_id)
        ctx.conn.executemany(
            "INSERT OR IGNORE INTO incident_participants (incident_id, entity_id, kind) VALUES (?, ?, ?)",
            [(incident_id, entity_id, kind) for entity_id, kind in placement.participants],
        )
        found.update((events[i].id, incident_id) for i in placement.events)
        record_violence(events, placement, incident_id, doc)
    return found


def _create_incident(ctx: _Context, first: Event, summary: str) -> str:
    incident_id = new_incident_id(ctx.extraction.document.content_hash, first)
    exists = ctx.conn.execute("SELECT merged_into FROM incidents WHERE id = ?", (incident_id,)).fetchone()
    if exists is not None:  # re-extraction of the document that started it: the id is kept
        ctx.stats.incidents_joined += 1
        return str(exists[0] or incident_id)
    ctx.conn.execute(
        "INSERT INTO incidents (id, summary, created_at) VALUES (?, ?, ?)",
        (incident_id, incident_summary(first, summary), ctx.now),
    )
    ctx.stats.incidents_new += 1
    return incident_id


def incident_summary(first: Event, summary: str) -> str:
    """A new global incident's summary: its document's, else the type and sentence of its first event."""
    return summary or f"{first.type.title()}: {normalize_text(first.sentence)[:120]}"


EVENT_COLUMNS = (
    "extraction_pk",
    "document_pk",
    "event_id",
    "local_incident_id",
    "incident_id",
    "type",
    "date",
    "status",
    "trigger",
    "sentence",
    "sentence_start",
    "sentence_end",
    "start",
    '"end"',
    "extractor",
    "negated",
    "duplicate_of",
    "cur_type",
    "cur_date",
    "cur_status",
    "cur_negated",
    "cur_incident_id",
)


def event_row(
    extraction_pk: int,
    document_pk: int,
    event: Event,
    local_incident: str | None,
    incident_id: str,
    duplicate: tuple[int, str] | None = None,
) -> tuple[object, ...]:
    """The values of an ``events`` row (:data:`EVENT_COLUMNS`): the extracted values, twice (original
    and current)."""
    prov, negated = event.provenance, int(event.negated_or_hypothetical)
    original = (event.type, event.date, event.status)
    return (
        extraction_pk,
        document_pk,
        event.id,
        local_incident,
        incident_id,
        *original,
        event.trigger,
        event.sentence,
        event.sentence_start,
        event.sentence_end,
        prov.start,
        prov.end,
        prov.extractor,
        negated,
        duplicate[0] if duplicate else None,
        *original,
        negated,
        incident_id,
    )


def _insert_event(
    ctx: _Context,
    event: Event,
    local_incident: str | None,
    incident_id: str,
    duplicate: tuple[int, str] | None,
) -> None:
    row = event_row(ctx.extraction_pk, ctx.document_pk, event, local_incident, incident_id, duplicate)
    marks = ", ".join("?" * len(row))
    cur = ctx.conn.execute(
        f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ({marks}) RETURNING pk", row
    )
    pk = int(cur.fetchone()[0])
    sql_fts.index_event(ctx.conn, pk, event.sentence)
    _insert_arguments(ctx, pk, event)
    ctx.conn.defer(
        "event_mentions", EVENT_MENTION_COLUMNS, [(pk, m.start, m.end, m.extractor) for m in event.mentions]
    )


def _insert_arguments(ctx: _Context, event_pk: int, event: Event) -> None:
    rows = []
    for role in ROLE_NAMES:
        for position, arg in enumerate(event.role(role)):
            hit = ctx.lookup(arg.entity_id, arg.name)
            entity_id = hit[0] if hit else None
            rows.append((event_pk, role, position, arg.name, arg.text, arg.entity_id, entity_id, entity_id))
    ctx.conn.defer("event_args", ARGUMENT_COLUMNS, rows)


def _audit(
    conn: Database,
    now: str,
    action: str,
    kind: str,
    target: str,
    detail: dict[str, object],
    *,
    actor: str = "ingest",
) -> None:
    conn.defer(
        "audit_log", AUDIT_COLUMNS, [(now, actor, action, kind, target, json.dumps(detail, sort_keys=True))]
    )
