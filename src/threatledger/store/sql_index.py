"""The SQLite side of resolution: name lookups for entities and participant lookups for incidents."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime

from threatledger.resolve.entities import NameCandidate
from threatledger.resolve.incidents import IncidentProfile, profile_events
from threatledger.resolve.names import block_keys, normalize_name
from threatledger.store.sqldb import Database


def utc_now() -> str:
    """The current time as ISO 8601 in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def live_entity(conn: Database, entity_id: str) -> str:
    """Follow a merge: the id an entity now lives under (merges are flattened, so one hop)."""
    row = conn.execute("SELECT merged_into FROM entities WHERE id = ?", (entity_id,)).fetchone()
    return str(row[0]) if row is not None and row[0] else entity_id


def live_incident(conn: Database, incident_id: str) -> str:
    """Follow an incident merge to the incident that now holds its events."""
    row = conn.execute("SELECT merged_into FROM incidents WHERE id = ?", (incident_id,)).fetchone()
    return str(row[0]) if row is not None and row[0] else incident_id


CANDIDATE_SQL = """
SELECT COALESCE(e.merged_into, e.id) AS id, n.norm, n.kind,
       COALESCE(m.type, e.type) AS type, COALESCE(m.name, e.name) AS name
FROM entity_names n JOIN entities e ON e.id = n.entity_id
LEFT JOIN entities m ON m.id = e.merged_into
"""


class SQLNameIndex:
    """:class:`~threatledger.resolve.entities.NameIndex` over the ``entity_names`` table."""

    def __init__(self, conn: Database) -> None:
        self.conn = conn
        self.now = utc_now()

    def _query(self, where: str, params: tuple[object, ...]) -> list[NameCandidate]:
        rows = self.conn.execute(CANDIDATE_SQL + where, params).fetchall()
        return [NameCandidate(r["id"], r["type"], r["name"], r["norm"], r["kind"]) for r in rows]

    def by_norm(self, norm: str) -> list[NameCandidate]:
        return self._query("WHERE n.norm = ?", (norm,))

    def by_block(self, key: str, entity_type: str) -> list[NameCandidate]:
        return self._query(
            " JOIN entity_blocks b ON b.entity_id = n.entity_id AND b.norm = n.norm"
            " WHERE b.block = ? AND b.type = ?",
            (key, entity_type),
        )

    def by_last_word(self, word: str) -> list[NameCandidate]:
        return self._query("WHERE n.last_word = ? AND n.type = 'PERSON' AND n.words > 1", (word,))

    def add_entity(self, entity_id: str, name: str, entity_type: str, country: str | None) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO entities (id, name, type, country, created_at) VALUES (?, ?, ?, ?, ?)",
            (entity_id, name, entity_type, country, self.now),
        )

    def add_names(self, entity_id: str, entity_type: str, names: Iterable[tuple[str, str]]) -> None:
        for name, kind in names:
            norm = normalize_name(name)
            if not norm:
                continue
            words = norm.split()
            self.conn.execute(
                "INSERT OR IGNORE INTO entity_names (entity_id, norm, name, kind, type, last_word, words)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (entity_id, norm, name, kind, entity_type, words[-1], len(words)),
            )
            if kind != "acronym":
                self.conn.executemany(
                    "INSERT OR IGNORE INTO entity_blocks (block, type, entity_id, norm) VALUES (?, ?, ?, ?)",
                    [(key, entity_type, entity_id, norm) for key in block_keys(norm)],
                )

    def rename_entity(self, entity_id: str, name: str) -> None:
        self.conn.execute("UPDATE entities SET name = ? WHERE id = ?", (name, entity_id))


class SQLIncidentIndex:
    """:class:`~threatledger.resolve.incidents.IncidentIndex` over participants and events."""

    def __init__(self, conn: Database) -> None:
        self.conn = conn

    def incident_candidates(self, entity_ids: Collection[str]) -> list[IncidentProfile]:
        if not entity_ids:
            return []
        marks = ",".join("?" * len(entity_ids))
        rows = self.conn.execute(
            f"SELECT DISTINCT COALESCE(i.merged_into, i.id) FROM incident_participants p"
            f" JOIN incidents i ON i.id = p.incident_id WHERE p.entity_id IN ({marks})",
            tuple(entity_ids),
        )
        return [self.profile(r[0]) for r in rows.fetchall()]

    def profile(self, incident_id: str) -> IncidentProfile:
        """The participants, event types and years of one global incident (merged incidents included)."""
        ids = [incident_id] + [
            r[0] for r in self.conn.execute("SELECT id FROM incidents WHERE merged_into = ?", (incident_id,))
        ]
        marks = ",".join("?" * len(ids))
        parts = self.conn.execute(
            f"SELECT p.entity_id, p.kind, e.merged_into FROM incident_participants p"
            f" JOIN entities e ON e.id = p.entity_id WHERE p.incident_id IN ({marks})",
            ids,
        ).fetchall()
        events = self.conn.execute(
            "SELECT cur_type, cur_date FROM events WHERE cur_incident_id = ? AND active = 1", (incident_id,)
        ).fetchall()
        seq = self.conn.execute("SELECT rowid FROM incidents WHERE id = ?", (incident_id,)).fetchone()
        return profile_events(
            [(r[0], r[1]) for r in events],
            [(r[2] or r[0], r[1]) for r in parts],
            incident_id=incident_id,
            seq=int(seq[0]) if seq else 0,
        )
