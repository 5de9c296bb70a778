"""What the incident list and its role filters read, kept on write (schema 5; 4 had the first form).

``incident_spans``: one row per incident that is listed at all (not merged away, with a live event that
is not a near-duplicate's): its ``rank_date`` (the latest date of those events, ``''`` when none is
dated, so it sorts last in a descending order on both back ends), ``seq`` (the incident's rowid, the
tie-break of the list), its date span ``first_date``/``last_date`` over every live event (near
duplicates included, as the date filters count them), and its list summary: ``summary_first`` (the
earliest date of the events that are not near duplicates), ``types`` (their distinct current types,
sorted, comma-joined), ``events`` and ``documents`` (their count, and the count of the original
documents they come from) and ``participants`` (a JSON list of the entity ids of the live events' active
agents and targets, in the order of their first role row: names are looked up when listed, so a renamed
entity shows its new name).

``role_incidents``: one row per (entity, role, incident) for every live event's active agent, sponsor or
target of a listed incident, with the incident's rank and span copied onto it. Indexed by (entity, role,
rank), an actor filter reads the actor's incidents in list order, skips those whose span misses the
date range without leaving the index, and stops at the limit.

A "live" event is active (not replaced by a newer extractor's record) and not rejected by review. Every
write that changes which events are live, their dates, types, incident or role fillers marks the
incidents it touched (:meth:`Database.touch`); the store recomputes those incidents' rows before the
transaction commits (:func:`refresh_incidents`), from their events, so the rows do not depend on which
write touched them. The migration fills the rows of every stored incident the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from threatledger.store.sql_events import LIVE, chunks, in_list
from threatledger.store.sqldb import Database

FILTER_ROLES = ("agent", "sponsor", "target")
PARTICIPANT_ROLES = ("agent", "target")  # the people a list row names

SPANS_VERSION = 5  # the schema version whose tables these are
SPAN_TABLE_COLUMNS = (
    "incident_id",
    "seq",
    "rank_date",
    "first_date",
    "last_date",
    "summary_first",
    "types",
    "events",
    "documents",
    "participants",
)
ROLE_TABLE_COLUMNS = ("entity_id", "role", "incident_id", "rank_date", "seq", "first_date", "last_date")


@dataclass(slots=True)
class Span:
    """What one incident's rows are made of: its live events' dates, types, documents and role fillers."""

    dates: list[str] = field(default_factory=list)  # of every live event
    ranked: list[str] = field(default_factory=list)  # of the live events that are not near duplicates
    types: set[str] = field(default_factory=set)  # of those
    count: int = 0  # of those
    documents: set[int] = field(default_factory=set)  # their documents' originals
    fillers: set[tuple[str, str]] = field(default_factory=set)  # (entity, role)
    people: dict[str, int] = field(default_factory=dict)  # agent or target entity -> its first role row

    def add_event(self, date: str | None, type: str, document: int, *, duplicate: bool) -> None:
        """One live event; ``document``: the pk of its document's original (itself, if none)."""
        if date is not None:
            self.dates.append(date)
        if duplicate:
            return
        if date is not None:
            self.ranked.append(date)
        self.types.add(type)
        self.count += 1
        self.documents.add(document)

    def add_filler(self, entity_id: str, role: str, order: int) -> None:
        """An active role filler of a live event; ``order``: its role row's key."""
        if role in FILTER_ROLES:
            self.fillers.add((entity_id, role))
        if role in PARTICIPANT_ROLES and order < self.people.get(entity_id, order + 1):
            self.people[entity_id] = order

    def rows(self, incident_id: str, seq: int) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
        """The incident's ``incident_spans`` row and its ``role_incidents`` rows."""
        rank = max(self.ranked, default="")
        first, last = min(self.dates, default=None), max(self.dates, default=None)
        people = json.dumps(sorted(self.people, key=lambda e: self.people[e]))
        span = (
            incident_id,
            seq,
            rank,
            first,
            last,
            min(self.ranked, default=None),
            ",".join(sorted(self.types)),
            self.count,
            len(self.documents),
            people,
        )
        roles = [(e, r, incident_id, rank, seq, first, last) for e, r in sorted(self.fillers)]
        return span, roles


def insert_spans(db: Database, spans: dict[str, Span], seqs: dict[str, int]) -> None:
    """Insert the rows of these incidents (whose rows were deleted or never written)."""
    span_rows: list[tuple[Any, ...]] = []
    role_rows: list[tuple[Any, ...]] = []
    for incident_id, span in spans.items():
        if span.count and incident_id in seqs:
            row, roles = span.rows(incident_id, seqs[incident_id])
            span_rows.append(row)
            role_rows += roles
    db.insert_rows("incident_spans", SPAN_TABLE_COLUMNS, span_rows)
    db.insert_rows("role_incidents", ROLE_TABLE_COLUMNS, role_rows)


def incident_seqs(db: Database, incident_ids: Sequence[str], *, live_only: bool = True) -> dict[str, int]:
    """The list order (rowid, or ``seq`` on PostgreSQL) of the stored incidents (``live_only``: not
    merged away)."""
    found: dict[str, int] = {}
    live = " AND merged_into IS NULL" if live_only else ""
    for part in chunks(incident_ids):
        where, params = in_list(db, "id", part)
        rows = db.execute(f"SELECT id, rowid FROM incidents WHERE {where}{live}", params)
        found.update((str(r[0]), int(r[1])) for r in rows)
    return found


def refresh_incidents(db: Database, incident_ids: Iterable[str]) -> None:
    """Recompute the span and role rows of these incidents from their events (in the caller's
    transaction); an incident that is no longer listed loses its rows. Each step reads one table by
    one of its indexes, so the plan does not hang on the statistics of tables a bulk load is filling."""
    for part in chunks(sorted(set(incident_ids))):
        where, params = in_list(db, "incident_id", part)
        db.execute(f"DELETE FROM role_incidents WHERE {where}", params)
        db.execute(f"DELETE FROM incident_spans WHERE {where}", params)
        seqs = incident_seqs(db, part)
        if not seqs:
            continue
        spans: dict[str, Span] = {incident_id: Span() for incident_id in seqs}
        where, params = in_list(db, "ev.cur_incident_id", list(seqs))
        rows = db.execute(
            "SELECT ev.pk, ev.cur_incident_id, ev.cur_date, ev.cur_type, ev.duplicate_of, ev.document_pk"
            f" FROM events ev WHERE {where} AND {LIVE}",
            params,
        ).fetchall()
        originals = _originals(db, sorted({int(r[5]) for r in rows}))
        incident_of: dict[int, str] = {}
        for pk, incident_id, date, type, duplicate_of, document_pk in rows:
            original = originals.get(int(document_pk), int(document_pk))
            spans[incident_id].add_event(date, type, original, duplicate=duplicate_of is not None)
            incident_of[int(pk)] = incident_id
        roles = ", ".join(f"'{r}'" for r in FILTER_ROLES)
        for pks in chunks(sorted(incident_of)):
            where, params = in_list(db, "event_pk", pks)
            for arg_pk, event_pk, role, entity_id in db.execute(
                f"SELECT pk, event_pk, role, cur_entity_id FROM event_args WHERE {where} AND active = 1"
                f" AND cur_entity_id IS NOT NULL AND role IN ({roles})",
                params,
            ):
                spans[incident_of[int(event_pk)]].add_filler(str(entity_id), str(role), int(arg_pk))
        insert_spans(db, spans, seqs)


def _originals(db: Database, document_pks: Sequence[int]) -> dict[int, int]:
    """The original of each near-duplicate document among these."""
    found: dict[int, int] = {}
    for part in chunks(document_pks):
        where, params = in_list(db, "pk", part)
        rows = db.execute(
            f"SELECT pk, duplicate_of FROM documents WHERE {where} AND duplicate_of IS NOT NULL", params
        )
        found.update((int(r[0]), int(r[1])) for r in rows)
    return found


def refresh_all(db: Database) -> None:
    """The rows of every stored incident (the migration that adds the tables)."""
    ids = [str(r[0]) for r in db.execute("SELECT id FROM incidents WHERE merged_into IS NULL")]
    refresh_incidents(db, ids)


def incidents_of_documents(db: Database, document_pks: Iterable[int]) -> list[str]:
    """The incidents of every event (live or not) of these documents."""
    found: set[str] = set()
    for part in chunks(sorted(set(document_pks))):
        where, params = in_list(db, "document_pk", part)
        rows = db.execute(f"SELECT DISTINCT cur_incident_id FROM events WHERE {where}", params)
        found.update(str(r[0]) for r in rows)
    return sorted(found)


def incidents_of_entity(db: Database, entity_id: str) -> list[str]:
    """The incidents of every event in which the entity fills a role (as its current filler)."""
    rows = db.execute(
        "SELECT DISTINCT ev.cur_incident_id FROM event_args a JOIN events ev ON ev.pk = a.event_pk"
        " WHERE a.cur_entity_id = ?",
        (entity_id,),
    )
    return [str(r[0]) for r in rows]
