"""What the incident list and its role filters read, kept on write (schema 4).

``incident_spans``: one row per incident that is listed at all (not merged away, with a live event that
is not a near-duplicate's): its ``rank_date`` (the latest date of those events, ``''`` when none is
dated, so it sorts last in a descending order on both back ends), ``seq`` (the incident's rowid, the
tie-break of the list) and its date span ``first_date``/``last_date`` over every live event (near
duplicates included, as the date filters count them).

``role_incidents``: one row per (entity, role, incident) for every live event's active agent, sponsor or
target of a listed incident, with the incident's rank and span copied onto it. Indexed by (entity, role,
rank), an actor filter reads the actor's incidents in list order, skips those whose span misses the
date range without leaving the index, and stops at the limit.

A "live" event is active (not replaced by a newer extractor's record) and not rejected by review. Every
write that changes which events are live, their dates, their incident, or their role fillers marks the
incidents it touched (:meth:`Database.touch`); the store recomputes those incidents' rows before the
transaction commits (:func:`refresh_incidents`). The recomputation reads the incident's events, so it
is the same whichever write touched it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from threatledger.store.sql_events import LIVE, chunks, in_list
from threatledger.store.sqldb import Database

SPANS_VERSION = 4  # the schema version that has these tables
FILTER_ROLES = ("agent", "sponsor", "target")

SPAN_COLUMNS = "incident_id, seq, rank_date, first_date, last_date"
_NOT_DUPLICATE = "CASE WHEN ev.duplicate_of IS NULL THEN {} END"


def spans_sql(where: str) -> str:
    """Insert the span rows of the incidents ``where`` (SQL over ``incidents i``) selects."""
    return (
        f"INSERT INTO incident_spans ({SPAN_COLUMNS})"
        " SELECT i.id, i.rowid, COALESCE(MAX(" + _NOT_DUPLICATE.format("ev.cur_date") + "), ''),"
        " MIN(ev.cur_date), MAX(ev.cur_date)"
        " FROM incidents i JOIN events ev ON ev.cur_incident_id = i.id"
        f" WHERE i.merged_into IS NULL AND {LIVE} AND ({where})"
        " GROUP BY i.id, i.rowid HAVING COUNT(" + _NOT_DUPLICATE.format("1") + ") > 0"
    )


def roles_sql(where: str) -> str:
    """Insert the role rows of the incidents ``where`` (SQL over ``incident_spans s``) selects; their
    span rows must be there."""
    roles = ", ".join(f"'{r}'" for r in FILTER_ROLES)
    return (
        "INSERT INTO role_incidents (entity_id, role, incident_id, rank_date, seq, first_date, last_date)"
        " SELECT DISTINCT a.cur_entity_id, a.role, s.incident_id, s.rank_date, s.seq, s.first_date,"
        " s.last_date FROM incident_spans s JOIN events ev ON ev.cur_incident_id = s.incident_id"
        " JOIN event_args a ON a.event_pk = ev.pk"
        f" WHERE ({where}) AND {LIVE} AND a.active = 1 AND a.cur_entity_id IS NOT NULL"
        f" AND a.role IN ({roles})"
    )


# the rows of every incident, for the migration that adds the tables
FILL_ALL = f"{spans_sql('1 = 1')};\n{roles_sql('1 = 1')};\n"


SPAN_TABLE_COLUMNS = ("incident_id", "seq", "rank_date", "first_date", "last_date")
ROLE_TABLE_COLUMNS = ("entity_id", "role", "incident_id", "rank_date", "seq", "first_date", "last_date")


@dataclass(slots=True)
class Span:
    """What one incident's rows are made of: its live events' dates and role fillers."""

    dates: list[str] = field(default_factory=list)  # of every live event
    ranked: list[str] = field(default_factory=list)  # of the live events that are not near duplicates
    listed: bool = False  # some live event is not a near duplicate
    fillers: set[tuple[str, str]] = field(default_factory=set)  # (entity, role)

    def add_event(self, date: str | None, *, duplicate: bool) -> None:
        if date is not None:
            self.dates.append(date)
            if not duplicate:
                self.ranked.append(date)
        self.listed = self.listed or not duplicate

    def rows(self, incident_id: str, seq: int) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
        """The incident's ``incident_spans`` row and its ``role_incidents`` rows."""
        rank = max(self.ranked, default="")
        first, last = min(self.dates, default=None), max(self.dates, default=None)
        span = (incident_id, seq, rank, first, last)
        roles = [(e, r, incident_id, rank, seq, first, last) for e, r in sorted(self.fillers)]
        return span, roles


def insert_spans(db: Database, spans: dict[str, Span], seqs: dict[str, int]) -> None:
    """Insert the rows of these incidents (whose rows were deleted or never written)."""
    span_rows: list[tuple[Any, ...]] = []
    role_rows: list[tuple[Any, ...]] = []
    for incident_id, span in spans.items():
        if span.listed and incident_id in seqs:
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
        spans: dict[str, Span] = {incident_id: Span() for incident_id in seqs}
        incident_of: dict[int, str] = {}
        where, params = in_list(db, "ev.cur_incident_id", list(seqs))
        if not seqs:
            continue
        rows = db.execute(
            f"SELECT ev.pk, ev.cur_incident_id, ev.cur_date, ev.duplicate_of FROM events ev"
            f" WHERE {where} AND {LIVE}",
            params,
        )
        for pk, incident_id, date, duplicate_of in rows:
            spans[incident_id].add_event(date, duplicate=duplicate_of is not None)
            incident_of[int(pk)] = incident_id
        roles = ", ".join(f"'{r}'" for r in FILTER_ROLES)
        for pks in chunks(sorted(incident_of)):
            where, params = in_list(db, "event_pk", pks)
            for event_pk, role, entity_id in db.execute(
                f"SELECT event_pk, role, cur_entity_id FROM event_args WHERE {where} AND active = 1"
                f" AND cur_entity_id IS NOT NULL AND role IN ({roles})",
                params,
            ):
                spans[incident_of[int(event_pk)]].fillers.add((str(entity_id), str(role)))
        insert_spans(db, spans, seqs)


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
