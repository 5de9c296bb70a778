"""Queries over a SQLite store: filtered incidents, one incident, entities, full-text search, stats."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from threatledger.errors import StoreError
from threatledger.query.accountability import accounts, open_cases
from threatledger.query.filters import date_upper_bound
from threatledger.query.timeline import sort_timeline
from threatledger.resolve.aliases import load_alias_table
from threatledger.resolve.names import normalize_name, strip_titles
from threatledger.store import sql_fts
from threatledger.store.records import (
    EntityDetail,
    EventView,
    IncidentDetail,
    IncidentFilter,
    IncidentSummary,
    OpenCase,
    SearchHit,
    StoredDocument,
    StoreStats,
)
from threatledger.store.sql_events import LIVE, chunks, in_list, load_events, marks
from threatledger.store.sqldb import Database, Row

_WORD = re.compile(r"\w+", re.UNICODE)
_YEAR = re.compile(r"^\d{4}")
_ROLE_OF_FILTER = {"actor": "agent", "sponsor": "sponsor", "target": "target"}
PARTICIPANTS_SHOWN = 6


def entity_ids_for(conn: Database, name: str) -> list[str]:
    """Live ids of the entities a user's name may mean: by id, alias group, any known name, or a surname."""
    if conn.execute("SELECT 1 FROM entities WHERE id = ?", (name,)).fetchone():
        return _live_ids(conn, [name])
    table = load_alias_table()
    names = {normalize_name(n) for n in table.expand(name)}
    names.add(normalize_name(strip_titles(name, table.person_prefixes)))
    names.discard("")
    if not names:
        return []
    ids = [
        r[0]
        for r in conn.execute(
            f"SELECT DISTINCT entity_id FROM entity_names WHERE norm IN ({marks(list(names))})", tuple(names)
        )
    ]
    if not ids and len(names) == 1:
        word = next(iter(names))
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT entity_id FROM entity_names WHERE last_word = ? AND type = 'PERSON'", (word,)
            )
        ]
    return _live_ids(conn, ids)


def _live_ids(conn: Database, ids: list[str]) -> list[str]:
    if not ids:
        return []
    rows = conn.execute(
        f"SELECT DISTINCT COALESCE(merged_into, id) FROM entities WHERE id IN ({marks(ids)})", tuple(ids)
    )
    return sorted(str(r[0]) for r in rows)


def _role_clause(conn: Database, role: str, name: str, key: str) -> tuple[str, list[Any]]:
    """Some live event of the incident has a filler of ``role`` that is the entity ``name`` means, or,
    when it names none, whose text holds ``name``."""
    ids = entity_ids_for(conn, name)
    if ids:
        sql = (
            f"{key} IN (SELECT r.incident_id FROM role_incidents r"
            f" WHERE r.role = ? AND r.entity_id IN ({marks(ids)}))"
        )
        return sql, [role, *ids]
    sql = (
        f"{key} IN (SELECT ev.cur_incident_id FROM event_args a JOIN events ev ON ev.pk = a.event_pk"
        f" WHERE a.active = 1 AND a.role = ? AND a.name LIKE ? ESCAPE '\\' AND {LIVE})"
    )
    return sql, [role, "%" + _like(name) + "%"]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _country_code(country: str) -> str:
    if len(country) == 2 and country.isalpha():
        return country.upper()
    group = load_alias_table().lookup(country)
    return group.country if group and group.country else country


def _country_clause(country: str, key: str) -> tuple[str, list[Any]]:
    code = _country_code(country)
    sql = (
        f"{key} IN (SELECT ev.cur_incident_id FROM event_args a JOIN events ev ON ev.pk = a.event_pk"
        " JOIN entities e ON e.id = a.cur_entity_id"
        f" WHERE a.active = 1 AND e.country = ? AND {LIVE})"
        f" OR {key} IN (SELECT ev.cur_incident_id FROM event_args a JOIN events ev ON ev.pk = a.event_pk"
        f" WHERE a.active = 1 AND a.role = 'place' AND a.name LIKE ? ESCAPE '\\' AND {LIVE})"
    )
    return f"({sql})", [code, "%" + _like(country) + "%"]


def _event_clause(filters: IncidentFilter, key: str, *, narrowed: bool) -> tuple[str, list[Any]] | None:
    """Type, status and dates must hold for one event of the incident. When another filter already
    narrows the incidents, each is checked through the (incident, date) index; else the events index
    finds the incidents."""
    parts, params = [], []
    if filters.type:
        parts.append("ev.cur_type = ?")
        params.append(filters.type)
    if filters.status:
        parts.append("ev.cur_status = ?")
        params.append(filters.status)
    if filters.date_from:
        # a coarser date that contains the bound overlaps the range: "2021" for --from 2021-06
        parts.append("(ev.cur_date >= ? OR ev.cur_date = substr(?, 1, length(ev.cur_date)))")
        params += [filters.date_from, filters.date_from]
    if filters.date_to:
        parts.append("ev.cur_date <= ?")
        params.append(date_upper_bound(filters.date_to))
    if not parts:
        return None
    condition = f"{LIVE} AND {' AND '.join(parts)}"
    if narrowed:
        return f"EXISTS (SELECT 1 FROM events ev WHERE ev.cur_incident_id = {key} AND {condition})", params
    return f"{key} IN (SELECT ev.cur_incident_id FROM events ev WHERE {condition})", params


def _span_clause(filters: IncidentFilter, alias: str) -> tuple[str, list[Any]] | None:
    """What the date range asks of an incident's span (``first_date``/``last_date`` of ``alias``): a
    necessary condition, read from the index; the event clause decides. An event on or after
    ``--from`` (or a coarser date containing it) is no earlier than its year."""
    parts, params = [], []
    if filters.date_from and _YEAR.match(filters.date_from):
        parts.append(f"{alias}.last_date >= ?")
        params.append(filters.date_from[:4])
    if filters.date_to:
        parts.append(f"{alias}.first_date <= ?")
        params.append(date_upper_bound(filters.date_to))
    return (" AND ".join(parts), params) if parts else None


def filter_clauses(
    conn: Database, filters: IncidentFilter, key: str = "i.id", *, skip: str | None = None
) -> tuple[list[str], list[Any]]:
    """SQL conditions over the incident id ``key`` for every filter given (but the role filter
    ``skip``, which the caller applies)."""
    clauses: list[tuple[str, list[Any]]] = []
    for option, role in _ROLE_OF_FILTER.items():
        value = getattr(filters, option)
        if value and option != skip:
            clauses.append(_role_clause(conn, role, value, key))
    if filters.country:
        clauses.append(_country_clause(filters.country, key))
    if filters.text:
        clauses.append(sql_fts.text_clause(conn, filters.text, key))
    event_clause = _event_clause(filters, key, narrowed=bool(clauses) or skip is not None)
    if event_clause is not None:
        clauses.append(event_clause)
    return [c for c, _ in clauses], [p for _, ps in clauses for p in ps]


def _driver(conn: Database, filters: IncidentFilter) -> tuple[str, str, list[str]] | None:
    """The first role filter that names entities, as (option, role, entity ids): the list is read from
    its entities' rows of ``role_incidents``, in list order."""
    for option, role in _ROLE_OF_FILTER.items():
        value = getattr(filters, option)
        if value:
            ids = entity_ids_for(conn, value)
            if ids:
                return option, role, ids
    return None


_RANKED = "SELECT {a}.incident_id, {a}.rank_date, {a}.seq FROM {table} {a} WHERE {where}"
_ORDER = " ORDER BY {a}.rank_date DESC, {a}.seq LIMIT ?"


def ranked_incidents(conn: Database, filters: IncidentFilter, limit: int) -> list[str]:
    """The ids of the incidents matching every filter, the most recent first (by the latest date of
    their live events that are not near duplicates; undated last; then in the order stored).

    With a role filter naming entities, each entity's ``role_incidents`` rows are read in that order
    (the date range checked on the span copied onto them, in the index, then on the events) until
    ``limit`` match; the lists of several entities are merged. Else ``incident_spans`` is read in that
    order."""
    driver = _driver(conn, filters)
    if driver is None:
        clauses, params = filter_clauses(conn, filters, "s.incident_id")
        span = _span_clause(filters, "s")
        if span is not None:
            clauses.insert(0, span[0])
            params = span[1] + params
        sql = _RANKED.format(a="s", table="incident_spans", where=" AND ".join(clauses) or "1 = 1")
        rows = conn.execute(sql + _ORDER.format(a="s"), (*params, limit)).fetchall()
        return [str(r[0]) for r in rows]
    option, role, ids = driver
    clauses, params = filter_clauses(conn, filters, "r.incident_id", skip=option)
    span = _span_clause(filters, "r")
    if span is not None:
        clauses.insert(0, span[0])
        params = span[1] + params
    where = " AND ".join(["r.entity_id = ?", "r.role = ?", *clauses])
    sql = _RANKED.format(a="r", table="role_incidents", where=where) + _ORDER.format(a="r")
    found: list[tuple[str, str, int]] = []
    for entity_id in ids:
        rows = conn.execute(sql, (entity_id, role, *params, limit)).fetchall()
        found += [(str(r[0]), str(r[1]), int(r[2])) for r in rows]
    if len(ids) > 1:  # each entity's first ``limit`` hold the first ``limit`` of all of them
        found.sort(key=lambda f: (f[1], -f[2]), reverse=True)
    return list(dict.fromkeys(f[0] for f in found))[:limit]


def list_incidents(conn: Database, filters: IncidentFilter, limit: int) -> list[IncidentSummary]:
    """Incidents matching every filter, the most recent first (see :func:`ranked_incidents`), with the
    summary kept on their ``incident_spans`` row; the participants' names are looked up now."""
    ids = ranked_incidents(conn, filters, limit)
    rows: dict[str, Row] = {}
    for part in chunks(ids):
        where, params = in_list(conn, "s.incident_id", part)
        for row in conn.execute(
            "SELECT s.incident_id, i.summary, s.summary_first, s.rank_date, s.types, s.events, s.documents,"
            f" s.participants FROM incident_spans s JOIN incidents i ON i.id = s.incident_id WHERE {where}",
            params,
        ):
            rows[str(row[0])] = row
    people = {r: json.loads(rows[r]["participants"]) for r in rows}
    names = _entity_names(conn, sorted({e for found in people.values() for e in found}))
    out = []
    for incident_id in ids:
        row = rows[incident_id]
        shown = list(dict.fromkeys(names[e] for e in people[incident_id] if e in names))
        out.append(
            IncidentSummary(
                incident_id,
                row["summary"],
                row["summary_first"],
                row["rank_date"] or None,
                tuple(row["types"].split(",")) if row["types"] else (),
                int(row["events"]),
                int(row["documents"]),
                tuple(shown[:PARTICIPANTS_SHOWN]),
            )
        )
    return out


def _entity_names(conn: Database, entity_ids: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in chunks(entity_ids):
        where, params = in_list(conn, "id", part)
        found.update(
            (str(r[0]), str(r[1]))
            for r in conn.execute(f"SELECT id, name FROM entities WHERE {where}", params)
        )
    return found


def incident_detail(conn: Database, incident_id: str) -> IncidentDetail:
    """One incident (a merged one is followed to where it lives) with its timeline and accountability."""
    row = conn.execute(
        "SELECT l.id, l.summary FROM incidents i JOIN incidents l ON l.id = COALESCE(i.merged_into, i.id)"
        " WHERE i.id = ?",
        (incident_id,),
    ).fetchone()
    if row is None:
        raise StoreError(f"no incident {incident_id!r}", hint="List incidents with `threatledger incidents`.")
    live, summary = row[0], row[1]
    merged = tuple(
        r[0] for r in conn.execute("SELECT id FROM incidents WHERE merged_into = ? ORDER BY rowid", (live,))
    )
    events = load_events(conn, "ev.cur_incident_id = ? AND ev.duplicate_of IS NULL", (live,))
    timeline = sort_timeline(events)
    documents = tuple(dict.fromkeys(e.source.document_id for e in timeline))
    texts = charge_texts(conn, timeline)
    return IncidentDetail(live, summary, timeline, accounts(live, timeline, texts), merged, documents)


def charge_texts(conn: Database, events: Sequence[EventView]) -> dict[str, str]:
    """The texts of the documents that report a charge: they may say the defendant is at large."""
    ids = sorted({e.source.document_id for e in events if e.type == "CHARGE"})
    if not ids:
        return {}
    where, params = in_list(conn, "doc_id", ids)
    return {r[0]: r[1] for r in conn.execute(f"SELECT doc_id, text FROM documents WHERE {where}", params)}


def entity_details(conn: Database, name: str) -> list[EntityDetail]:
    """Every live entity the name may mean, with its names and incidents."""
    return [_entity_detail(conn, entity_id) for entity_id in entity_ids_for(conn, name)]


def _entity_detail(conn: Database, entity_id: str) -> EntityDetail:
    row = conn.execute("SELECT * FROM entities WHERE id = ?", (entity_id,)).fetchone()
    ids = [entity_id] + [
        r[0] for r in conn.execute("SELECT id FROM entities WHERE merged_into = ?", (entity_id,))
    ]
    names = tuple(
        sorted(
            {
                r[0]
                for r in conn.execute(f"SELECT name FROM entity_names WHERE entity_id IN ({marks(ids)})", ids)
            }
        )
    )
    docs = conn.execute(
        "SELECT COUNT(DISTINCT x.document_pk) FROM doc_entities de"
        " JOIN extractions x ON x.pk = de.extraction_pk"
        f" WHERE x.active = 1 AND de.entity_id IN ({marks(ids)})",
        ids,
    ).fetchone()[0]
    rows = conn.execute(
        "SELECT ev.cur_incident_id AS id, i.summary, GROUP_CONCAT(DISTINCT a.role) AS roles,"
        " MIN(ev.cur_date) AS first_date FROM event_args a JOIN events ev ON ev.pk = a.event_pk"
        " JOIN incidents i ON i.id = ev.cur_incident_id"
        f" WHERE a.cur_entity_id = ? AND a.active = 1 AND {LIVE}"
        " GROUP BY ev.cur_incident_id, i.summary ORDER BY MIN(ev.cur_date) IS NULL, MIN(ev.cur_date)",
        (entity_id,),
    ).fetchall()
    incidents = tuple(
        {
            "id": r["id"],
            "summary": r["summary"],
            "roles": sorted(r["roles"].split(",")),
            "first_date": r["first_date"],
        }
        for r in rows
    )
    return EntityDetail(
        row["id"], row["name"], row["type"], row["country"], names, int(docs), incidents, row["merged_into"]
    )


def stored_document(conn: Database, document_id: str) -> StoredDocument:
    """A document with its whole text (see :meth:`Store.document`)."""
    row = conn.execute(
        "SELECT d.*, o.doc_id AS original FROM documents d LEFT JOIN documents o ON o.pk = d.duplicate_of"
        " WHERE d.doc_id = ? ORDER BY EXISTS (SELECT 1 FROM extractions x WHERE x.document_pk = d.pk"
        " AND x.active = 1) DESC, d.pk DESC LIMIT 1",
        (document_id,),
    ).fetchone()
    if row is None:
        raise StoreError(f"no document {document_id!r}", hint="List documents with /api/documents.")
    return StoredDocument(
        id=row["doc_id"],
        title=row["title"],
        url=row["url"],
        published=row["published"],
        outlet=row["outlet"],
        source=row["source"],
        text=row["text"],
        content_hash=row["content_hash"],
        near_duplicate_of=row["original"],
        ingested_at=row["ingested_at"],
    )


def search(conn: Database, text: str, limit: int) -> list[SearchHit]:
    """Event sentences, then articles, matching every word of ``text``, best first."""
    return sql_fts.search(conn, text, limit)


def store_stats(conn: Database, version: int) -> StoreStats:
    """Counts of what the store holds; events and documents are counted once across near-duplicates."""

    def one(sql: str) -> int:
        return int(conn.execute(sql).fetchone()[0])

    by_type = {
        r[0]: int(r[1])
        for r in conn.execute(
            f"SELECT ev.cur_type, COUNT(*) FROM events ev WHERE {LIVE} AND ev.duplicate_of IS NULL"
            " GROUP BY ev.cur_type ORDER BY ev.cur_type"
        )
    }
    return StoreStats(
        schema_version=version,
        documents=one("SELECT COUNT(*) FROM documents WHERE duplicate_of IS NULL"),
        near_duplicates=one("SELECT COUNT(*) FROM documents WHERE duplicate_of IS NOT NULL"),
        extractions=one("SELECT COUNT(*) FROM extractions"),
        entities=one("SELECT COUNT(*) FROM entities WHERE merged_into IS NULL"),
        events=sum(by_type.values()),
        incidents=one(
            "SELECT COUNT(DISTINCT ev.cur_incident_id) FROM events ev"
            f" WHERE {LIVE} AND ev.duplicate_of IS NULL"
        ),
        corrections=one("SELECT COUNT(*) FROM corrections"),
        events_by_type=by_type,
    )


_TARGET = "JOIN event_args {a} ON {a}.event_pk = {e}.pk AND {a}.role = 'target' AND {a}.active = 1"
_LIVE2 = LIVE.replace("ev.", "e2.")
# Incidents that may have a gap (a superset; the accountability rules decide): a charge whose defendant
# has no custody step, a release or transfer after a conviction, or violence and no prosecution.
_GAP_CANDIDATES = f"""
SELECT DISTINCT ev.cur_incident_id FROM events ev {_TARGET.format(a="a", e="ev")}
WHERE ev.cur_type = 'CHARGE' AND {LIVE} AND NOT EXISTS (
    SELECT 1 FROM events e2 {_TARGET.format(a="a2", e="e2")}
    WHERE e2.cur_incident_id = ev.cur_incident_id AND {_LIVE2} AND e2.cur_negated = 0
    AND e2.cur_type IN ('ARREST', 'EXTRADITION', 'TRIAL', 'CONVICTION', 'SENTENCE', 'EXECUTION')
    AND (a2.cur_entity_id = a.cur_entity_id OR a2.name = a.name))
UNION
SELECT ev.cur_incident_id FROM events ev WHERE ev.cur_type IN ('RELEASE', 'TRANSFER') AND {LIVE}
AND EXISTS (SELECT 1 FROM events e2 WHERE e2.cur_incident_id = ev.cur_incident_id AND {_LIVE2}
            AND e2.cur_type IN ('CONVICTION', 'SENTENCE'))
UNION
SELECT ev.cur_incident_id FROM events ev WHERE ev.cur_type IN ('PLOT', 'ATTACK', 'KILLING') AND {LIVE}
AND NOT EXISTS (SELECT 1 FROM events e2 WHERE e2.cur_incident_id = ev.cur_incident_id AND {_LIVE2}
                AND e2.cur_type IN ('CHARGE', 'TRIAL', 'CONVICTION', 'SENTENCE'))
"""


def list_open_cases(conn: Database) -> list[OpenCase]:
    """Accountability gaps over the whole store, incident by incident."""
    ids = [r[0] for r in conn.execute(_GAP_CANDIDATES)]
    cases: list[OpenCase] = []
    for part in chunks(ids):
        summaries = dict(
            conn.execute(f"SELECT id, summary FROM incidents WHERE id IN ({marks(part)})", tuple(part))
        )
        events = load_events(conn, f"ev.cur_incident_id IN ({marks(part)}) AND ev.duplicate_of IS NULL", part)
        by_incident: dict[str, list[EventView]] = {}
        for event in events:
            by_incident.setdefault(event.incident_id, []).append(event)
        for incident_id in part:
            timeline = sort_timeline(by_incident.get(incident_id, []))
            cases += open_cases(incident_id, summaries[incident_id], timeline, charge_texts(conn, timeline))
    return sorted(cases, key=lambda c: (c.kind, c.since or "", c.incident_id, c.person or ""))
