"""The SQLite schema as numbered migrations. A store records the version it is at in ``schema_version``.

Original extraction records are never updated in place by review: each fact keeps its extracted value
(``type``, ``date``, ``status``, ``incident_id``, ``entity_id``) next to its current value (``cur_*``),
which corrections change; every correction is kept in ``corrections`` and every change in ``audit_log``.
"""

from __future__ import annotations

SCHEMA_V1 = """
CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL);

CREATE TABLE documents (
    pk INTEGER PRIMARY KEY,
    content_hash TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL,
    title TEXT, url TEXT, published TEXT, outlet TEXT, source TEXT,
    text TEXT NOT NULL,
    duplicate_of INTEGER REFERENCES documents(pk),
    similarity REAL,
    ingested_at TEXT NOT NULL
);
CREATE INDEX documents_doc_id ON documents(doc_id);
CREATE INDEX documents_duplicate_of ON documents(duplicate_of);

CREATE TABLE document_bands (band TEXT NOT NULL, document_pk INTEGER NOT NULL REFERENCES documents(pk));
CREATE INDEX document_bands_band ON document_bands(band);

CREATE TABLE extractions (
    pk INTEGER PRIMARY KEY,
    document_pk INTEGER NOT NULL REFERENCES documents(pk),
    extractor TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    ingested_at TEXT NOT NULL,
    UNIQUE (document_pk, extractor)
);

CREATE TABLE entities (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    country TEXT,
    merged_into TEXT REFERENCES entities(id),
    split_from TEXT REFERENCES entities(id),
    created_at TEXT NOT NULL
);
CREATE INDEX entities_name ON entities(name COLLATE NOCASE);

CREATE TABLE entity_names (
    entity_id TEXT NOT NULL REFERENCES entities(id),
    norm TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    type TEXT NOT NULL,
    last_word TEXT NOT NULL,
    words INTEGER NOT NULL,
    PRIMARY KEY (entity_id, norm)
);
CREATE INDEX entity_names_norm ON entity_names(norm);
CREATE INDEX entity_names_last ON entity_names(last_word, type);

CREATE TABLE entity_blocks (
    block TEXT NOT NULL, type TEXT NOT NULL, entity_id TEXT NOT NULL, norm TEXT NOT NULL,
    PRIMARY KEY (block, type, entity_id, norm)
);

CREATE TABLE doc_entities (
    extraction_pk INTEGER NOT NULL REFERENCES extractions(pk),
    local_id TEXT NOT NULL,
    entity_id TEXT NOT NULL REFERENCES entities(id),
    name TEXT NOT NULL, type TEXT NOT NULL, country TEXT, aliases TEXT NOT NULL,
    method TEXT NOT NULL,
    PRIMARY KEY (extraction_pk, local_id)
);
CREATE INDEX doc_entities_entity ON doc_entities(entity_id);

CREATE TABLE mentions (
    extraction_pk INTEGER NOT NULL REFERENCES extractions(pk),
    local_id TEXT NOT NULL,
    text TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, extractor TEXT NOT NULL
);
CREATE INDEX mentions_extraction ON mentions(extraction_pk, local_id);

CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    summary TEXT NOT NULL,
    merged_into TEXT REFERENCES incidents(id),
    split_from TEXT REFERENCES incidents(id),
    created_at TEXT NOT NULL
);

CREATE TABLE incident_participants (
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    entity_id TEXT NOT NULL REFERENCES entities(id),
    kind TEXT NOT NULL,
    PRIMARY KEY (incident_id, entity_id, kind)
);
CREATE INDEX incident_participants_entity ON incident_participants(entity_id);

CREATE TABLE events (
    pk INTEGER PRIMARY KEY,
    extraction_pk INTEGER NOT NULL REFERENCES extractions(pk),
    document_pk INTEGER NOT NULL REFERENCES documents(pk),
    event_id TEXT NOT NULL,
    local_incident_id TEXT,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    type TEXT NOT NULL, date TEXT, status TEXT NOT NULL,
    trigger TEXT NOT NULL, sentence TEXT NOT NULL,
    sentence_start INTEGER NOT NULL, sentence_end INTEGER NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, extractor TEXT NOT NULL,
    negated INTEGER NOT NULL,
    duplicate_of INTEGER REFERENCES events(pk),
    active INTEGER NOT NULL DEFAULT 1,
    cur_type TEXT NOT NULL, cur_date TEXT, cur_status TEXT NOT NULL, cur_negated INTEGER NOT NULL,
    cur_incident_id TEXT NOT NULL REFERENCES incidents(id),
    review TEXT
);
CREATE INDEX events_event_id ON events(event_id);
CREATE INDEX events_incident ON events(cur_incident_id, cur_date);
CREATE INDEX events_document ON events(document_pk);
CREATE INDEX events_type_date ON events(cur_type, cur_date);
CREATE INDEX events_date ON events(cur_date);

CREATE TABLE event_args (
    pk INTEGER PRIMARY KEY,
    event_pk INTEGER NOT NULL REFERENCES events(pk),
    role TEXT NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    text TEXT,
    local_entity_id TEXT,
    entity_id TEXT REFERENCES entities(id),
    cur_entity_id TEXT REFERENCES entities(id),
    origin TEXT NOT NULL DEFAULT 'extracted',
    active INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX event_args_event ON event_args(event_pk);
CREATE INDEX event_args_entity ON event_args(cur_entity_id, role);

CREATE TABLE event_mentions (
    event_pk INTEGER NOT NULL REFERENCES events(pk),
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, extractor TEXT NOT NULL
);
CREATE INDEX event_mentions_event ON event_mentions(event_pk);

CREATE TABLE corrections (
    pk INTEGER PRIMARY KEY,
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    action TEXT NOT NULL,
    field TEXT,
    old_value TEXT,
    new_value TEXT,
    author TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX corrections_target ON corrections(target_kind, target_id);

CREATE TABLE audit_log (
    pk INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    detail TEXT NOT NULL
);

CREATE VIRTUAL TABLE documents_fts USING fts5(title, text, content='documents', content_rowid='pk');
CREATE VIRTUAL TABLE events_fts USING fts5(sentence, content='events', content_rowid='pk');
"""

# 2: near-duplicate sources of an event are looked up by the event they duplicate
SCHEMA_V2 = """
CREATE INDEX events_duplicate_of ON events(duplicate_of) WHERE duplicate_of IS NOT NULL;
"""

# 3: merged incidents and entities are looked up by where they were merged into (every timeline asks);
# the index of role fillers covers what the actor, sponsor and target filters read (no row lookups)
SCHEMA_V3 = """
CREATE INDEX incidents_merged_into ON incidents(merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX entities_merged_into ON entities(merged_into) WHERE merged_into IS NOT NULL;
DROP INDEX event_args_entity;
CREATE INDEX event_args_entity ON event_args(cur_entity_id, role, active, event_pk);
"""

# 4: what the incident list and its actor, sponsor and target filters read, kept on write
# (store/sql_spans.py): each listed incident's rank and date span, and each (entity, role, incident)
# with the incident's rank and span copied on, in list order, so a busy actor's incidents in a date range
# are one index range read until the limit. Filled from the events already stored.
# 4: superseded by 5 (it added a first form of 5's tables, filled by SQL)
SCHEMA_V4 = ""

# 5: what the incident list and its actor, sponsor and target filters read, kept on write
# (store/sql_spans.py): each listed incident's rank, date span and list summary, and each
# (entity, role, incident) with the incident's rank and span copied on, in list order, so a busy actor's
# incidents in a date range are one index range read until the limit. The store fills them from the
# events already stored after this script (SQLStore.after_migration).
SCHEMA_V5 = """
DROP TABLE IF EXISTS role_incidents;
DROP TABLE IF EXISTS incident_spans;
CREATE TABLE incident_spans (
    incident_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    rank_date TEXT NOT NULL,
    first_date TEXT,
    last_date TEXT,
    summary_first TEXT,
    types TEXT NOT NULL,
    events INTEGER NOT NULL,
    documents INTEGER NOT NULL,
    participants TEXT NOT NULL
);
CREATE INDEX incident_spans_rank ON incident_spans(rank_date DESC, seq);
CREATE TABLE role_incidents (
    entity_id TEXT NOT NULL,
    role TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    rank_date TEXT NOT NULL,
    seq INTEGER NOT NULL,
    first_date TEXT,
    last_date TEXT,
    PRIMARY KEY (entity_id, role, rank_date DESC, seq, incident_id)
) WITHOUT ROWID;
CREATE INDEX role_incidents_incident ON role_incidents(incident_id);
"""

MIGRATIONS: tuple[tuple[int, str], ...] = (
    (1, SCHEMA_V1),
    (2, SCHEMA_V2),
    (3, SCHEMA_V3),
    (4, SCHEMA_V4),
    (5, SCHEMA_V5),
)
LATEST_VERSION = MIGRATIONS[-1][0]
