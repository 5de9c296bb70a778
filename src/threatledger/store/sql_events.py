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
       ev.type, ev.date, ev.status, ev.negated, ev.incident_id, ev.duplicate_of,
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


def in_list(conn: Database, column: str, values: Sequence[Any]) -> tuple[str, tuple[Any, ...]]:
    """``column IN (?, ...)`` on SQLite; ``column = ANY(?)`` with one array on PostgreSQL, so the query's
    text does not change with the number of values and the server plans it once (prepared)."""
    if conn.dialect == "postgresql":
        return f"{column} = ANY(?)", (list(values),)
    return f"{column} IN ({marks(values)})", tuple(values)


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
        where, params = in_list(conn, "a.event_pk", part)
        rows = conn.execute(
            "SELECT a.event_pk, a.role, a.name, a.cur_entity_id, a.origin, a.active, e.name AS entity_name"
            f" FROM event_args a LEFT JOIN entities e ON e.id = a.cur_entity_id WHERE {where}"
            " ORDER BY a.event_pk, a.role, a.origin, a.position",
            params,
        )
        for row in rows:
            found[int(row["event_pk"])].append(row)
    return found


def _duplicates(conn: Database, pks: Sequence[int]) -> dict[int, list[Source]]:
    found: dict[int, list[Source]] = defaultdict(list)
    for part in chunks(pks):
        where, params = in_list(conn, "ev.duplicate_of", part)
        rows = conn.execute(_EVENT_SQL + f" WHERE ev.active = 1 AND {where} ORDER BY d.pk", params)
        for row in rows:
            found[int(row["duplicate_of"])].append(_source(row))
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
