"""Review on SQLite: confirm, reject or correct an event; merge or split entities and incidents.

Every decision is a row of ``corrections`` (who, when, why, old and new value) and a line of
``audit_log``. Extracted values are never overwritten: corrections change the ``cur_*`` columns only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from threatledger.errors import StoreError
from threatledger.model import EVENT_TYPES, STATUSES, content_id
from threatledger.resolve.aliases import load_alias_table
from threatledger.resolve.incidents import participant_roles
from threatledger.resolve.names import is_proper_name, normalize_name, strip_titles
from threatledger.store.records import Correction
from threatledger.store.sql_events import marks
from threatledger.store.sql_index import live_entity, live_incident, utc_now
from threatledger.store.sql_query import entity_ids_for
from threatledger.store.sql_spans import incidents_of_entity
from threatledger.store.sqldb import Database, Row

ROLE_FIELDS = ("agent", "sponsor", "target", "place")
SCALAR_FIELDS = {
    "type": "cur_type",
    "date": "cur_date",
    "status": "cur_status",
    "negated_or_hypothetical": "cur_negated",
}
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def record(
    conn: Database,
    kind: str,
    target: str,
    action: str,
    *,
    field: str | None = None,
    old: Any = None,
    new: Any = None,
    author: str,
    reason: str,
) -> Correction:
    """Write one correction and its audit line; return the correction."""
    now = utc_now()
    cur = conn.execute(
        "INSERT INTO corrections (target_kind, target_id, action, field, old_value, new_value, author,"
        " reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING pk",
        (kind, target, action, field, json.dumps(old), json.dumps(new), author, reason, now),
    )
    pk = int(cur.fetchone()[0])
    detail = {"correction": pk, "field": field, "old": old, "new": new, "reason": reason}
    conn.execute(
        "INSERT INTO audit_log (at, actor, action, target_kind, target_id, detail) VALUES (?, ?, ?, ?, ?, ?)",
        (now, author, action, kind, target, json.dumps(detail, sort_keys=True)),
    )
    return Correction(pk, kind, target, action, field, old, new, author, reason, now)


def find_event(conn: Database, event_id: str) -> Row:
    """The one active event with this id."""
    rows = conn.execute(
        "SELECT ev.*, d.doc_id FROM events ev JOIN documents d ON d.pk = ev.document_pk"
        " WHERE ev.event_id = ? AND ev.active = 1",
        (event_id,),
    ).fetchall()
    if not rows:
        raise StoreError(
            f"no event {event_id!r}", hint="Find event ids with `threatledger show INCIDENT --json`."
        )
    if len(rows) > 1:
        docs = ", ".join(r["doc_id"] for r in rows)
        raise StoreError(
            f"event id {event_id!r} is in several documents ({docs})",
            hint="Correct it through one incident with `threatledger review split-incident`.",
        )
    row: Row = rows[0]
    return row


def set_review(conn: Database, event_id: str, state: str, *, author: str, reason: str) -> Correction:
    """Confirm or reject an event."""
    row = find_event(conn, event_id)
    conn.execute("UPDATE events SET review = ? WHERE pk = ?", (state, row["pk"]))
    conn.touch((row["cur_incident_id"],))
    action = "confirm" if state == "confirmed" else "reject"
    return record(conn, "event", event_id, action, old=row["review"], new=state, author=author, reason=reason)


def _check_value(field: str, value: Any) -> Any:
    if field == "type":
        if str(value).upper() not in EVENT_TYPES:
            raise StoreError(f"unknown event type {value!r}", hint="One of: " + ", ".join(EVENT_TYPES) + ".")
        return str(value).upper()
    if field == "status":
        if str(value).lower() not in STATUSES:
            raise StoreError(f"unknown status {value!r}", hint="One of: " + ", ".join(STATUSES) + ".")
        return str(value).lower()
    if field == "date":
        if value in (None, "", "none", "null"):
            return None
        if not _DATE.match(str(value)):
            raise StoreError(f"{value!r} is not a date", hint="Use YYYY, YYYY-MM or YYYY-MM-DD, or 'none'.")
        return str(value)
    if str(value).lower() not in ("true", "false", "1", "0", "yes", "no"):
        raise StoreError(f"{value!r} is not true or false", hint="Use true or false.")
    return str(value).lower() in ("true", "1", "yes")


def correct_event(
    conn: Database, event_id: str, field: str, value: Any, *, author: str, reason: str
) -> Correction:
    """Correct an event's type, date, status, hypothetical flag, or the fillers of one role."""
    row = find_event(conn, event_id)
    if field in ROLE_FIELDS:
        return _correct_role(conn, row, field, value, author=author, reason=reason)
    if field not in SCALAR_FIELDS:
        raise StoreError(
            f"cannot correct {field!r}",
            hint="Correct one of: " + ", ".join([*SCALAR_FIELDS, *ROLE_FIELDS]) + ".",
        )
    new = _check_value(field, value)
    column = SCALAR_FIELDS[field]
    old = bool(row[column]) if field == "negated_or_hypothetical" else row[column]
    conn.execute(
        f"UPDATE events SET {column} = ?, review = 'corrected' WHERE pk = ?",
        (int(new) if isinstance(new, bool) else new, row["pk"]),
    )
    conn.touch((row["cur_incident_id"],))
    return record(
        conn, "event", event_id, "correct", field=field, old=old, new=new, author=author, reason=reason
    )


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(";") if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


def _correct_role(conn: Database, row: Row, role: str, value: Any, *, author: str, reason: str) -> Correction:
    names = _names(value)
    old = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM event_args WHERE event_pk = ? AND role = ? AND active = 1 ORDER BY position",
            (row["pk"], role),
        )
    ]
    conn.execute("UPDATE event_args SET active = 0 WHERE event_pk = ? AND role = ?", (row["pk"], role))
    for position, name in enumerate(names):
        ids = entity_ids_for(conn, name)
        entity_id = ids[0] if len(ids) == 1 else None
        conn.execute(
            "INSERT INTO event_args (event_pk, role, position, name, cur_entity_id, origin)"
            " VALUES (?, ?, ?, ?, ?, 'review')",
            (row["pk"], role, position, name, entity_id),
        )
    conn.execute("UPDATE events SET review = 'corrected' WHERE pk = ?", (row["pk"],))
    conn.touch((row["cur_incident_id"],))
    return record(
        conn,
        "event",
        row["event_id"],
        "correct",
        field=role,
        old=old,
        new=names,
        author=author,
        reason=reason,
    )


def _live_entity_row(conn: Database, entity_id: str) -> Row:
    row: Row | None = conn.execute("SELECT * FROM entities WHERE id = ?", (entity_id,)).fetchone()
    if row is None:
        raise StoreError(f"no entity {entity_id!r}", hint="Find entity ids with `threatledger entity NAME`.")
    if row["merged_into"]:
        raise StoreError(
            f"entity {entity_id!r} was merged into {row['merged_into']!r}",
            hint=f"Use {row['merged_into']!r} instead.",
        )
    return row


def merge_entities(conn: Database, source: str, target: str, *, author: str, reason: str) -> Correction:
    """Make ``source`` one with ``target``: its names and roles now point at ``target``."""
    src, dst = _live_entity_row(conn, source), _live_entity_row(conn, target)
    if src["id"] == dst["id"]:
        raise StoreError("cannot merge an entity into itself", hint="Give two different entity ids.")
    conn.touch(incidents_of_entity(conn, source))
    conn.execute(
        "UPDATE entities SET merged_into = ? WHERE id = ? OR merged_into = ?", (target, source, source)
    )
    conn.execute("UPDATE event_args SET cur_entity_id = ? WHERE cur_entity_id = ?", (target, source))
    return record(
        conn,
        "entity",
        source,
        "merge",
        field="merged_into",
        old=None,
        new=target,
        author=author,
        reason=reason,
    )


def _move_names(conn: Database, entity_id: str, new_id: str, norms: set[str]) -> None:
    """Point the name index of ``norms`` (of the entity and what was merged into it) at ``new_id``."""
    members = [entity_id] + [
        r[0] for r in conn.execute("SELECT id FROM entities WHERE merged_into = ?", (entity_id,))
    ]
    params = (new_id, *members, *sorted(norms))
    where = f"entity_id IN ({marks(members)}) AND norm IN ({marks(sorted(norms))})"
    conn.execute(
        "INSERT OR IGNORE INTO entity_names (entity_id, norm, name, kind, type, last_word, words)"
        f" SELECT CAST(? AS TEXT), norm, name, kind, type, last_word, words FROM entity_names WHERE {where}",
        params,
    )
    conn.execute(
        "INSERT OR IGNORE INTO entity_blocks (block, type, entity_id, norm)"
        f" SELECT block, type, CAST(? AS TEXT), norm FROM entity_blocks WHERE {where}",
        params,
    )
    for table in ("entity_names", "entity_blocks"):
        conn.execute(f"DELETE FROM {table} WHERE {where}", params[1:])


def split_entity(
    conn: Database, entity_id: str, names: Sequence[str], *, author: str, reason: str
) -> Correction:
    """Move the given names of an entity, and the roles filled under them, to a new entity."""
    row = _live_entity_row(conn, entity_id)
    prefixes = load_alias_table().person_prefixes

    def fold(name: str) -> str:
        return normalize_name(strip_titles(name, prefixes) if row["type"] == "PERSON" else name)

    norms = {fold(n) for n in names} - {""}
    if not norms:
        raise StoreError("split-entity needs at least one name", hint="Pass the names that are someone else.")
    new_id = content_id("ent", row["type"], sorted(norms)[0], "split-from", entity_id)
    conn.execute(
        "INSERT OR IGNORE INTO entities (id, name, type, country, split_from, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (new_id, names[0], row["type"], row["country"], entity_id, utc_now()),
    )
    _move_names(conn, entity_id, new_id, norms)
    args = conn.execute("SELECT pk, name FROM event_args WHERE cur_entity_id = ?", (entity_id,)).fetchall()
    moved = [a["pk"] for a in args if fold(a["name"]) in norms or normalize_name(a["name"]) in norms]
    conn.executemany("UPDATE event_args SET cur_entity_id = ? WHERE pk = ?", [(new_id, pk) for pk in moved])
    conn.touch(incidents_of_entity(conn, new_id))
    new = {"entity_id": new_id, "names": list(names), "roles_moved": len(moved)}
    return record(conn, "entity", entity_id, "split", field="names", new=new, author=author, reason=reason)


def _live_incident_id(conn: Database, incident_id: str) -> str:
    if conn.execute("SELECT 1 FROM incidents WHERE id = ?", (incident_id,)).fetchone() is None:
        raise StoreError(f"no incident {incident_id!r}", hint="List incidents with `threatledger incidents`.")
    return live_incident(conn, incident_id)


def merge_incidents(conn: Database, source: str, target: str, *, author: str, reason: str) -> Correction:
    """Move every event of ``source`` into ``target``; ``source`` now redirects to ``target``."""
    src, dst = _live_incident_id(conn, source), _live_incident_id(conn, target)
    if src == dst:
        raise StoreError("the two incidents are already one", hint="Give two different incident ids.")
    conn.execute("UPDATE incidents SET merged_into = ? WHERE id = ? OR merged_into = ?", (dst, src, src))
    conn.execute("UPDATE events SET cur_incident_id = ? WHERE cur_incident_id = ?", (dst, src))
    conn.touch((src, dst))
    return record(
        conn, "incident", src, "merge", field="merged_into", old=None, new=dst, author=author, reason=reason
    )


def _events_to_split(conn: Database, live: str, event_ids: Sequence[str]) -> list[Row]:
    """The named events of an incident; all must be there, and some must stay behind."""
    rows = conn.execute(
        "SELECT ev.*, d.content_hash FROM events ev JOIN documents d ON d.pk = ev.document_pk"
        f" WHERE ev.cur_incident_id = ? AND ev.active = 1 AND ev.event_id IN ({marks(event_ids)})"
        " ORDER BY ev.pk",
        (live, *event_ids),
    ).fetchall()
    missing = sorted(set(event_ids) - {r["event_id"] for r in rows})
    if missing or not rows:
        raise StoreError(
            f"events not in incident {live}: {', '.join(missing) or 'none given'}",
            hint=f"See the incident's events with `threatledger show {live} --json`.",
        )
    total = conn.execute("SELECT COUNT(*) FROM events WHERE cur_incident_id = ? AND active = 1", (live,))
    if len(rows) >= int(total.fetchone()[0]):
        raise StoreError(
            "a split must leave some events behind", hint="Name only the events of another case."
        )
    return rows


def split_incident(
    conn: Database, incident_id: str, event_ids: Sequence[str], *, author: str, reason: str
) -> Correction:
    """Move the given events of an incident into a new incident, whose id derives from the first of them."""
    live = _live_incident_id(conn, incident_id)
    rows = _events_to_split(conn, live, event_ids)
    first = rows[0]
    new_id = content_id(
        "inc", first["content_hash"], first["cur_type"], first["start"], first["end"], "split"
    )
    conn.execute(
        "INSERT OR IGNORE INTO incidents (id, summary, split_from, created_at) VALUES (?, ?, ?, ?)",
        (new_id, f"{first['cur_type'].title()}: split from {live}", live, utc_now()),
    )
    moves = [(new_id, r["pk"]) for r in rows]
    conn.executemany("UPDATE events SET cur_incident_id = ? WHERE pk = ?", moves)
    conn.executemany("UPDATE events SET cur_incident_id = ? WHERE duplicate_of = ?", moves)
    for incident in (live, new_id):
        rebuild_participants(conn, incident)
    conn.touch((live, new_id))
    new = {"incident_id": new_id, "events": sorted(event_ids)}
    return record(conn, "incident", live, "split", field="events", new=new, author=author, reason=reason)


def rebuild_participants(conn: Database, incident_id: str) -> None:
    """Recompute an incident's key participants from its current events (used after a split)."""
    rows = conn.execute(
        "SELECT ev.cur_type, a.role, a.name, a.cur_entity_id FROM events ev"
        " JOIN event_args a ON a.event_pk = ev.pk"
        " JOIN entities e ON e.id = a.cur_entity_id WHERE ev.cur_incident_id = ? AND ev.active = 1"
        " AND a.active = 1 AND e.type = 'PERSON'",
        (incident_id,),
    ).fetchall()
    prefixes = load_alias_table().person_prefixes
    found = {
        (live_entity(conn, entity_id), kind)
        for event_type, role, name, entity_id in rows
        for key_role, kind in participant_roles(event_type)
        if role == key_role and is_proper_name(name, prefixes)
    }
    conn.execute("DELETE FROM incident_participants WHERE incident_id = ?", (incident_id,))
    conn.executemany(
        "INSERT INTO incident_participants (incident_id, entity_id, kind) VALUES (?, ?, ?)",
        [(incident_id, e, k) for e, k in sorted(found)],
    )
