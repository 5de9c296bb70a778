"""Full-text search, the one part of the SQL that differs by back end.

SQLite: FTS5 tables ``documents_fts`` and ``events_fts`` (external content, filled on insert).
PostgreSQL: generated ``tsvector`` columns ``documents.tsv`` and ``events.tsv`` with GIN indexes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from threatledger.errors import StoreError
from threatledger.store.records import SearchHit
from threatledger.store.sqldb import Database

_WORD = re.compile(r"\w+", re.UNICODE)
MARK_OPEN, MARK_CLOSE, ELLIPSIS = "\u00ab", "\u00bb", "\u2026"
LIVE = "ev.active = 1 AND (ev.review IS NULL OR ev.review != 'rejected')"


def words_of(text: str) -> list[str]:
    """The words of a search; none is a user error."""
    words = _WORD.findall(text)
    if not words:
        raise StoreError(f"nothing to search for in {text!r}", hint="Give at least one word.")
    return words


def query_of(db: Database, text: str) -> str:
    """The back end's query for "every word of ``text``"."""
    words = words_of(text)
    if db.dialect == "sqlite":
        return " ".join(f'"{w}"' for w in words)
    return " ".join(words)  # for plainto_tsquery


def index_document(db: Database, pk: int, title: str | None, text: str) -> None:
    if db.dialect == "sqlite":
        db.defer("documents_fts", ("rowid", "title", "text"), [(pk, title or "", text)])


def index_event(db: Database, pk: int, sentence: str) -> None:
    if db.dialect == "sqlite":
        db.defer("events_fts", ("rowid", "sentence"), [(pk, sentence)])


def index_documents(db: Database, rows: Sequence[tuple[int, str | None, str]]) -> None:
    """Index many documents at once, as (pk, title, text)."""
    if db.dialect == "sqlite":
        db.insert_rows("documents_fts", ("rowid", "title", "text"), [(pk, t or "", x) for pk, t, x in rows])


def index_events(db: Database, rows: Sequence[tuple[int, str]]) -> None:
    """Index many event sentences at once, as (pk, sentence)."""
    if db.dialect == "sqlite":
        db.insert_rows("events_fts", ("rowid", "sentence"), rows)


def text_clause(db: Database, text: str, key: str = "i.id") -> tuple[str, list[Any]]:
    """A condition over the incident id ``key``: some event sentence or article of the incident has
    every word."""
    query = query_of(db, text)
    if db.dialect == "sqlite":
        events = "SELECT rowid FROM events_fts WHERE events_fts MATCH ?"
        documents = "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?"
    else:
        events = "SELECT pk FROM events WHERE tsv @@ plainto_tsquery('english', ?)"
        documents = "SELECT pk FROM documents WHERE tsv @@ plainto_tsquery('english', ?)"
    sql = (
        f"({key} IN (SELECT ev.cur_incident_id FROM events ev WHERE ev.pk IN ({events}) AND {LIVE})"
        f" OR {key} IN (SELECT ev.cur_incident_id FROM events ev WHERE ev.document_pk IN ({documents})"
        f" AND {LIVE}))"
    )
    return sql, [query, query]


def _event_sql(db: Database) -> str:
    if db.dialect == "sqlite":
        return (
            "SELECT d.doc_id, d.title, ev.event_id, ev.cur_incident_id,"
            f" snippet(events_fts, 0, '{MARK_OPEN}', '{MARK_CLOSE}', '{ELLIPSIS}', 16) AS snip"
            " FROM events_fts JOIN events ev ON ev.pk = events_fts.rowid"
            " JOIN documents d ON d.pk = ev.document_pk"
            f" WHERE events_fts MATCH ? AND {LIVE} ORDER BY bm25(events_fts) LIMIT ?"
        )
    return (
        "SELECT d.doc_id, d.title, ev.event_id, ev.cur_incident_id,"
        " ts_headline('english', ev.sentence, q.q,"
        f" 'StartSel={MARK_OPEN}, StopSel={MARK_CLOSE}, MaxWords=30, MinWords=10') AS snip"
        " FROM events ev JOIN documents d ON d.pk = ev.document_pk,"
        " plainto_tsquery('english', ?) AS q(q)"
        f" WHERE ev.tsv @@ q.q AND {LIVE} ORDER BY ts_rank(ev.tsv, q.q) DESC, ev.pk LIMIT ?"
    )


def _document_sql(db: Database) -> str:
    if db.dialect == "sqlite":
        return (
            "SELECT d.doc_id, d.title,"
            f" snippet(documents_fts, 1, '{MARK_OPEN}', '{MARK_CLOSE}', '{ELLIPSIS}', 16) AS snip"
            " FROM documents_fts JOIN documents d ON d.pk = documents_fts.rowid"
            " WHERE documents_fts MATCH ? ORDER BY bm25(documents_fts) LIMIT ?"
        )
    return (
        "SELECT d.doc_id, d.title, ts_headline('english', d.text, q.q,"
        f" 'StartSel={MARK_OPEN}, StopSel={MARK_CLOSE}, MaxWords=30, MinWords=10') AS snip"
        " FROM documents d, plainto_tsquery('english', ?) AS q(q)"
        " WHERE d.tsv @@ q.q ORDER BY ts_rank(d.tsv, q.q) DESC, d.pk LIMIT ?"
    )


def search(db: Database, text: str, limit: int) -> list[SearchHit]:
    """Event sentences, then articles, that hold every word of ``text``, best first."""
    query = query_of(db, text)
    hits = [
        SearchHit("event", r["doc_id"], r["title"], r["snip"], r["event_id"], r["cur_incident_id"])
        for r in db.execute(_event_sql(db), (query, limit))
    ]
    hits += [
        SearchHit("document", r["doc_id"], r["title"], r["snip"])
        for r in db.execute(_document_sql(db), (query, limit))
    ]
    return hits[:limit]
