"""The incident filters' rows kept on write (schema 4, store/sql_spans.py), on both back ends: after
bulk loads, ingests, re-extraction and every kind of review they equal a recomputation from the events,
and the incident list answers exactly what the query over the events (schema 3's) answered."""

from __future__ import annotations

import importlib.util
import random
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ledger_factories import arrest_story, charge_story, unrelated_plot, verdict_story, wire_copy
from ledger_stores import BACKENDS, open_test_store, pg_schema
from threatledger.query.filters import date_upper_bound
from threatledger.store.records import IncidentFilter, IncidentSummary
from threatledger.store.sql_events import LIVE, in_list, marks
from threatledger.store.sql_query import entity_ids_for
from threatledger.store.sql_spans import refresh_all
from threatledger.store.sql_store import SQLStore

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "store.py"
WHO = {"author": "analyst.kim", "reason": "checked against the court record"}
ROLES = {"actor": "agent", "sponsor": "sponsor", "target": "target"}


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("benchmarks_store_spans", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def reference(store: SQLStore, filters: IncidentFilter, limit: int) -> list[str]:
    """The incident list as schema 3 computed it, from the events alone."""
    db, clauses, params = store.db, [], []
    for option, role in ROLES.items():
        value = getattr(filters, option)
        if value:
            ids = entity_ids_for(db, value)
            match, found = f"a.cur_entity_id IN ({marks(ids)})", list(ids)
            if not ids:  # a name no entity carries: the fillers' text
                match, found = "a.name LIKE ? ESCAPE '\\'", [f"%{value}%"]
            clauses.append(
                "i.id IN (SELECT ev.cur_incident_id FROM event_args a JOIN events ev ON ev.pk = a.event_pk"
                f" WHERE a.active = 1 AND a.role = ? AND {match} AND {LIVE})"
            )
            params += [role, *found]
    parts: list[str] = []
    if filters.type:
        parts.append("ev.cur_type = ?")
        params.append(filters.type)
    if filters.date_from:
        parts.append("(ev.cur_date >= ? OR ev.cur_date = substr(?, 1, length(ev.cur_date)))")
        params += [filters.date_from, filters.date_from]
    if filters.date_to:
        parts.append("ev.cur_date <= ?")
        params.append(date_upper_bound(filters.date_to))
    if parts:
        clauses.append(
            "EXISTS (SELECT 1 FROM events ev WHERE ev.cur_incident_id = i.id"
            f" AND {LIVE} AND {' AND '.join(parts)})"
        )
    where = " AND ".join(["i.merged_into IS NULL", *clauses])
    rows = db.execute(
        "SELECT i.id FROM incidents i JOIN events ev ON ev.cur_incident_id = i.id"
        f" WHERE {where} AND {LIVE} AND ev.duplicate_of IS NULL GROUP BY i.id"
        " ORDER BY MAX(ev.cur_date) IS NULL, MAX(ev.cur_date) DESC, i.rowid LIMIT ?",
        (*params, limit),
    ).fetchall()
    return [str(r[0]) for r in rows]


def reference_summaries(store: SQLStore, ids: list[str]) -> list[IncidentSummary]:
    """The list rows of these incidents as schema 3 summarised them, from the events alone."""
    if not ids:
        return []
    where, params = in_list(store.db, "i.id", ids)
    rows = store.db.execute(
        "SELECT i.id, i.summary, MIN(ev.cur_date) AS first_date, MAX(ev.cur_date) AS last_date,"
        " GROUP_CONCAT(DISTINCT ev.cur_type) AS types, COUNT(*) AS n,"
        " COUNT(DISTINCT COALESCE(d.duplicate_of, d.pk)) AS docs"
        " FROM incidents i JOIN events ev ON ev.cur_incident_id = i.id"
        " JOIN documents d ON d.pk = ev.document_pk"
        f" WHERE {where} AND {LIVE} AND ev.duplicate_of IS NULL GROUP BY i.id, i.summary",
        params,
    ).fetchall()
    found = {
        r["id"]: (
            r["summary"],
            r["first_date"],
            r["last_date"],
            tuple(sorted(r["types"].split(","))),
            r["n"],
            r["docs"],
        )
        for r in rows
    }
    where, params = in_list(store.db, "ev.cur_incident_id", ids)
    people: dict[str, list[str]] = {}
    for row in store.db.execute(
        "SELECT ev.cur_incident_id, e.name, MIN(a.pk) AS first_pk FROM event_args a"
        " JOIN events ev ON ev.pk = a.event_pk JOIN entities e ON e.id = a.cur_entity_id"
        f" WHERE {where} AND a.active = 1 AND a.role IN ('agent', 'target')"
        f" AND {LIVE} GROUP BY ev.cur_incident_id, e.name ORDER BY first_pk",
        params,
    ):
        names = people.setdefault(row[0], [])
        if len(names) < 6:
            names.append(row[1])
    return [
        IncidentSummary(i, *found[i][:4], int(found[i][4]), int(found[i][5]), tuple(people.get(i, ())))
        for i in ids
    ]


def kept_rows(store: SQLStore) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    spans = store.db.execute("SELECT * FROM incident_spans ORDER BY incident_id").fetchall()
    roles = store.db.execute("SELECT * FROM role_incidents ORDER BY entity_id, role, incident_id").fetchall()
    return [tuple(r) for r in spans], [tuple(r) for r in roles]


def recomputed_rows(store: SQLStore) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The rows from scratch (as the migration fills them), in a transaction that is rolled back."""
    found: tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]] = ([], [])

    class Undo(Exception):
        pass

    def fill_again() -> None:
        nonlocal found
        with store.transaction() as db:
            db.execute("DELETE FROM role_incidents")
            db.execute("DELETE FROM incident_spans")
            refresh_all(db)
            found = kept_rows(store)
            raise Undo

    with pytest.raises(Undo):
        fill_again()
    return found


def samples(store: SQLStore, n: int, seed: int) -> list[IncidentFilter]:
    """Filters built from random live role fillers and their events' dates (as the benchmark asks),
    with and without a range, a type, a second role."""
    rng = random.Random(seed)
    rows = store.db.execute(
        "SELECT a.role, e.name, ev.cur_date, ev.cur_type FROM event_args a"
        " JOIN events ev ON ev.pk = a.event_pk JOIN entities e ON e.id = a.cur_entity_id"
        " WHERE a.role IN ('agent', 'sponsor', 'target') ORDER BY a.pk"
    ).fetchall()
    option_of = {role: option for option, role in ROLES.items()}
    found = []
    for _ in range(n):
        role, name, day, kind = rng.choice(rows)
        option = option_of[role]
        shape = rng.randrange(6)
        if shape == 0 or not day:
            found.append(IncidentFilter(**{option: name}))
            continue
        year, rest = int(day[:4]), day[4:]
        start, end = f"{year - rng.randrange(3)}{rest}", f"{year + rng.randrange(3)}{rest}"
        if shape == 1:
            found.append(IncidentFilter(**{option: name}, date_from=start))
        elif shape == 2:
            found.append(IncidentFilter(**{option: name}, date_to=end))
        elif shape == 3:
            found.append(IncidentFilter(**{option: name}, date_from=start, date_to=end, type=kind))
        elif shape == 4:
            _, other, _, _ = rng.choice([r for r in rows if r[0] == "target"])
            found.append(IncidentFilter(**{option: name, "target": other}, date_from=start[:4]))
        else:
            found.append(IncidentFilter(**{option: name}, date_from=start, date_to=end))
    return found


@pytest.fixture(params=BACKENDS)
def loaded(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SQLStore]:
    """A bulk-loaded ledger of generated cases, plus the hand-made stories through the full path."""
    with open_test_store(request.param, tmp_path) as store:
        extractions = list(_bench().generate_extractions(2500, seed=7))
        store.add_extractions(extractions[:150], resolve=False)
        store.add_extractions(extractions[150:], resolve=False)
        for story in (charge_story(), arrest_story(), verdict_story(), unrelated_plot()):
            store.add_extraction(story)
        store.add_extraction(wire_copy(charge_story(), "ostend-charge-wire", {"exiled": "exiled Iranian"}))
        yield store


def review_everything(store: SQLStore, check: Callable[[str], None] = lambda step: None) -> None:
    """Re-extraction, rejection, confirmation, date and role corrections, merges and splits; ``check``
    after each."""
    rng = random.Random(11)
    store.add_extraction(charge_story(extractor="threatledger.test.v2"))
    check("re-extraction")
    listed = store.incidents(limit=400)
    events = [e for s in rng.sample(listed, 40) for e in store.incident(s.id).timeline]
    unique = [e for e in events if len([x for x in events if x.id == e.id]) == 1]
    for event in unique[:6]:
        store.reject_event(event.id, **WHO)
        check(f"reject {event.id}")
    store.confirm_event(unique[0].id, **WHO)  # rejected, then confirmed: live again
    check("confirm")
    for event in unique[6:12]:
        store.correct_event(event.id, "date", rng.choice(["1990", "2031-04", "2010-05-06", "none"]), **WHO)
        check(f"date of {event.id}")
    store.correct_event(unique[12].id, "agent", "Police in Vienna", **WHO)
    check("agent")
    store.correct_event(unique[13].id, "target", [], **WHO)
    check("target")
    store.merge_incidents(listed[100].id, listed[101].id, **WHO)
    check("merge incidents")
    several = next(s for s in listed[200:] if s.events >= 3)
    first = store.incident(several.id).timeline[0]
    store.split_incident(several.id, [first.id], **WHO)
    check("split incident")
    bodies = store.db.execute(
        "SELECT id FROM entities WHERE type = 'ORG' AND merged_into IS NULL ORDER BY id LIMIT 2"
    ).fetchall()
    store.merge_entities(bodies[0][0], bodies[1][0], **WHO)
    check("merge entities")
    karimi = store.entity("Nasrollah Karimi")[0]
    store.split_entity(karimi.id, ["Nasrullah Karimi"], **WHO)
    check("split entity")


def test_spans_kept_rows_equal_a_recomputation(loaded: SQLStore) -> None:
    spans, roles = kept_rows(loaded)
    assert spans
    assert roles
    assert (spans, roles) == recomputed_rows(loaded)

    def check(step: str) -> None:
        assert kept_rows(loaded) == recomputed_rows(loaded), step

    review_everything(loaded, check)


def test_spans_incident_list_is_what_the_events_say(loaded: SQLStore) -> None:
    review_everything(loaded)
    filters = samples(loaded, 120, seed=5)
    filters += [IncidentFilter(), IncidentFilter(date_from="2005", date_to="2007-06")]
    filters += [IncidentFilter(actor="Nasrollah Karimi")]
    filters += [IncidentFilter(target="Leyla Baran", date_to="2022")]
    for f in filters:
        for limit in (5, 50):
            expected = reference(loaded, f, limit)
            assert loaded.incidents(f, limit=limit) == reference_summaries(loaded, expected), f


def test_spans_an_actor_known_by_several_entities_is_merged_in_list_order(loaded: SQLStore) -> None:
    """Two live entities carrying one name: each entity's first rows are merged, ranked as one list."""
    row = loaded.db.execute(
        "SELECT e.name FROM entities e WHERE e.type = 'ORG' AND e.merged_into IS NULL ORDER BY e.id LIMIT 1"
    ).fetchone()
    name = row[0]
    with loaded.transaction() as db:  # a second entity under the same name (as a split leaves one)
        db.execute(
            "INSERT INTO entities (id, name, type, created_at) VALUES ('ent_twin', ?, 'ORG', 'now')", (name,)
        )
        db.execute(
            "INSERT INTO entity_names (entity_id, norm, name, kind, type, last_word, words)"
            " SELECT 'ent_twin', norm, name, kind, type, last_word, words FROM entity_names"
            " WHERE entity_id = (SELECT id FROM entities WHERE name = ? AND id != 'ent_twin' LIMIT 1)",
            (name,),
        )
    agent = loaded.db.execute(
        "SELECT a.pk FROM event_args a JOIN entities e ON e.id = a.cur_entity_id"
        " WHERE e.name = ? AND a.role = 'agent' ORDER BY a.pk DESC LIMIT 3",
        (name,),
    ).fetchall()
    for (pk,) in agent:
        event = loaded.db.execute(
            "SELECT ev.event_id FROM events ev JOIN event_args a ON a.event_pk = ev.pk WHERE a.pk = ?", (pk,)
        ).fetchone()[0]
        loaded.correct_event(event, "agent", "ent_twin", **WHO)
    assert len(entity_ids_for(loaded.db, name)) == 2
    for f in (IncidentFilter(actor=name), IncidentFilter(actor=name, date_from="2000", date_to="2020")):
        for limit in (1, 3, 50):
            assert [s.id for s in loaded.incidents(f, limit=limit)] == reference(loaded, f, limit)


@pytest.mark.parametrize("backend", BACKENDS)
def test_spans_a_schema_3_store_is_filled_by_the_migration(backend: str, tmp_path: Path) -> None:
    from threatledger.store import schema, schema_postgres
    from threatledger.store.postgres import PostgresStore
    from threatledger.store.sqlite import SQLiteStore

    kind: Any = SQLiteStore if backend == "sqlite" else PostgresStore
    migrations = (schema if backend == "sqlite" else schema_postgres).MIGRATIONS

    def opened(url: str) -> SQLStore:
        store: SQLStore = kind(url)
        return store

    def check(url: str) -> None:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(kind, "migrations", migrations[:3])
            with opened(url) as old:
                assert old.version == 3
                old.add_extractions(_bench().generate_extractions(300, seed=2), resolve=False)
                for story in (charge_story(), arrest_story(), verdict_story(), unrelated_plot()):
                    old.add_extraction(story)
                event = old.db.execute("SELECT event_id FROM events ORDER BY pk LIMIT 1").fetchone()[0]
                old.reject_event(event, **WHO)
                before = [reference(old, f, 50) for f in samples(old, 30, seed=1)]
        with opened(url) as store:
            assert store.version == 5
            spans, roles = kept_rows(store)
            assert len(spans) > 20
            assert roles
            assert (spans, roles) == recomputed_rows(store)
            after = [[s.id for s in store.incidents(f, limit=50)] for f in samples(store, 30, seed=1)]
            assert after == before

    if backend == "sqlite":
        check(str(tmp_path / "old.db"))
    else:
        with pg_schema() as url:
            check(url)
