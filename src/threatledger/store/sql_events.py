"""Reading events back from SQLite as :class:`EventView` records, with corrections applied."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from threatledger.store.records import ArgumentView, EventView, Source
from threatledger.store.sqldb import Database, Row

LIVE = "ev.active = 1 AND (ev.review IS NULL OR ev.review != 'rejected')"
_EVENT_SQL = """
SELECT ev.pk, ev.event_id, ev.cur_incident_id, ev.cur_type, ev.cur_date, ev.cur_status, ev.cur_negated,
       ev.trigger, ev.sentence, ev.start, ev."end", ev.sentence_start, ev.sentence_end, ev.review,
       ev.type, ev.date, ev.status, ev.negated, ev.incident_id,
       d.doc_id, d.title, d.url, d.published
FROM events ev JOIN documents d ON d.pk = ev.document_pk
"""
_ORIGINAL = (
    ("type", "type", "cur_type"),
    ("date", "date", "cur_date"),
    ("status", "status", "cur_status"),
    ("negated_or_hypothetical", "negated", "cur_negated"),
    ("incident_id", "incident_id", "cur_incident_id"),
)
CHUNK = 500


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    """Slices of at most ``size`` values, for ``IN (...)`` lists under SQLite's variable limit."""
    for i in range(0, len(values), size):
        yield values[i : i + size]


def marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


def _source(row: Row) -> Source:
    return Source(
        row["doc_id"],
        row["title"],
        row["url"],
        row["published"],
        row["start"],
        row["end"],
        row["sentence_start"],
        row["sentence_end"],
    )


def _arguments(conn: Database, pks: Sequence[int]) -> dict[int, list[Row]]:
    found: dict[int, list[Row]] = defaultdict(list)
    for part in chunks(pks):
        rows = conn.execute(
            "SELECT a.event_pk, a.role, a.name, a.cur_entity_id, a.origin, a.active, e.name AS entity_name"
            " FROM event_args a LEFT JOIN entities e ON e.id = a.cur_entity_id"
            f" WHERE a.event_pk IN ({marks(part)})"
            " ORDER BY a.event_pk, a.role, a.origin, a.position",
            tuple(part),
        )
        for row in rows:
            found[int(row["event_pk"])].append(row)
    return found


def _duplicates(conn: Database, pks: Sequence[int]) -> dict[int, list[Source]]:
    found: dict[int, list[Source]] = defaultdict(list)
    for part in chunks(pks):
        rows = conn.execute(
            _EVENT_SQL + f" WHERE ev.active = 1 AND ev.duplicate_of IN ({marks(part)}) ORDER BY d.pk",
            tuple(part),
        ).fetchall()
        dup_of = conn.execute(
            f"SELECT pk, duplicate_of FROM events WHERE duplicate_of IN ({marks(part)})", tuple(part)
        ).fetchall()
        parent = {int(r[0]): int(r[1]) for r in dup_of}
        for row in rows:
            found[parent[int(row["pk"])]].append(_source(row))
    return found


def _roles(rows: Sequence[Row]) -> tuple[dict[str, tuple[ArgumentView, ...]], dict[str, list[str]]]:
    roles: dict[str, list[ArgumentView]] = defaultdict(list)
    extracted: dict[str, list[str]] = defaultdict(list)
    changed: set[str] = set()
    for row in rows:
        if row["origin"] == "extracted":
            extracted[row["role"]].append(row["name"])
        if row["origin"] != "extracted" or not row["active"]:
            changed.add(row["role"])
        if row["active"]:
            roles[row["role"]].append(ArgumentView(row["name"], row["cur_entity_id"], row["entity_name"]))
    original = {role: extracted.get(role, []) for role in changed}
    return {role: tuple(args) for role, args in roles.items()}, original


def _view(row: Row, args: Sequence[Row], also: Sequence[Source]) -> EventView:
    roles, original_roles = _roles(args)
    original: dict[str, Any] = {
        name: (bool(row[old]) if name.startswith("negated") else row[old])
        for name, old, cur in _ORIGINAL
        if row[old] != row[cur]
    }
    original.update(original_roles)
    return EventView(
        id=row["event_id"],
        incident_id=row["cur_incident_id"],
        type=row["cur_type"],
        date=row["cur_date"],
        status=row["cur_status"],
        negated_or_hypothetical=bool(row["cur_negated"]),
        trigger=row["trigger"],
        sentence=row["sentence"],
        source=_source(row),
        roles=roles,
        review=row["review"],
        original=original,
        also_reported_in=tuple(also),
    )


def load_events(
    conn: Database,
    where: str,
    params: Sequence[Any] = (),
    *,
    include_rejected: bool = False,
    order: str = "ev.pk",
) -> list[EventView]:
    """Events matching ``where`` (SQL over ``ev`` and ``d``), as views with roles and duplicate sources."""
    live = "ev.active = 1" if include_rejected else LIVE
    rows = conn.execute(
        _EVENT_SQL + f" WHERE {live} AND ({where}) ORDER BY {order}", tuple(params)
    ).fetchall()
    pks = [int(r["pk"]) for r in rows]
    args = _arguments(conn, pks)
    also = _duplicates(conn, pks)
    return [_view(r, args.get(int(r["pk"]), []), also.get(int(r["pk"]), [])) for r in rows]
