"""The whole ledger as JSON Lines: export, import into an empty store, and nothing lost.

The round trip runs on hypothesis-generated ledgers: documents written from a small cast of fictional
names (so entities and incidents join across documents), some texts repeated (skips, re-extractions,
near-duplicates), and random review decisions on top.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from export_support import fill, stories
from ledger_factories import EXTRACTOR, arrest_story, charge_story, verdict_story, wire_copy
from threatledger.errors import ExportError, StoreError
from threatledger.export import export_ledger, import_ledger
from threatledger.export.ledger_jsonl import extraction_from_dict, extraction_to_dict
from threatledger.model import (
    EVENT_TYPES,
    STATUSES,
    Argument,
    Document,
    Entity,
    Event,
    Extraction,
    Incident,
    Mention,
    Provenance,
    content_id,
)
from threatledger.store.base import Store
from threatledger.store.sqlite import SQLiteStore

PEOPLE = ("Arvid Holm", "Mara Quist", "Tomas Reyel", "Holm", "Ilse Varga")
GROUPS = ("Kestrel Guard", "Police in Brela", "Grey Lantern")
PLACES = ("Lyon", "Brela", "Hamburg")
TRIGGERS = {t: t.lower().replace("_", " ") + "d" for t in EVENT_TYPES}
DATES = (None, "2021", "2022-05", "2023-06-07")


# a snapshot of everything a store tells through its public methods


def ledger_lines(store: Store) -> list[dict[str, Any]]:
    out = io.StringIO()
    export_ledger(store, out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    for line in lines:
        line.pop("at", None)
        if line["kind"] == "correction":
            line["correction"].pop("created_at")
    return lines


def snapshot(store: Store) -> dict[str, Any]:
    docs = list(store.export_documents())
    entity_ids = sorted({e["entity_id"] for d in docs for e in d["entities"]})
    return {
        "documents": docs,
        "incidents": [store.incident(s.id).to_dict() for s in store.incidents(limit=10_000)],
        "entities": [[e.to_dict() for e in store.entity(i)] for i in entity_ids],
        "stats": store.stats().to_dict(),
        "open_cases": [c.to_dict() for c in store.open_cases()],
        "corrections": [{**c.to_dict(), "created_at": None} for c in store.corrections()],
        "ledger": ledger_lines(store),
    }


def round_trip(store: Store, folder: Path) -> SQLiteStore:
    out = io.StringIO()
    export_ledger(store, out)
    copy = SQLiteStore(folder / "copy.db")
    stats = import_ledger(out.getvalue().splitlines(keepends=True), copy)
    assert stats.failed == 0, stats.errors
    return copy


# generated ledgers


@st.composite
def sentences(draw: st.DrawFn, index: int) -> tuple[str, str, dict[str, str]]:
    event_type = draw(st.sampled_from(EVENT_TYPES))
    roles = {
        "agent": draw(st.sampled_from(PEOPLE + GROUPS)),
        "target": draw(st.sampled_from(PEOPLE)),
        "place": draw(st.sampled_from(PLACES)),
    }
    if draw(st.booleans()):
        roles["sponsor"] = draw(st.sampled_from(GROUPS))
    trigger = TRIGGERS[event_type]
    sponsor = f" for {roles['sponsor']}" if "sponsor" in roles else ""
    text = f"{roles['agent']} {trigger} {roles['target']} in {roles['place']}{sponsor} (item {index})."
    return event_type, text, roles


def entity_of(doc_id: str, text: str, name: str) -> Entity:
    kind = "PLACE" if name in PLACES else "ORG" if name in GROUPS else "PERSON"
    mentions, at = [], text.find(name)
    while at >= 0:
        mentions.append(Mention(name, Provenance(doc_id, at, at + len(name), "gen.v1")))
        at = text.find(name, at + 1)
    return Entity(content_id("e", doc_id, kind, name), name, kind, tuple(mentions))


@st.composite
def extractions(draw: st.DrawFn, doc_index: int) -> Extraction:
    doc_id = f"doc{doc_index}"
    parts = [draw(sentences(i)) for i in range(draw(st.integers(1, 3)))]
    text = " ".join(p[1] for p in parts)
    names = sorted({n for _, _, roles in parts for n in roles.values()})
    entities = {n: entity_of(doc_id, text, n) for n in names}
    events, offset = [], 0
    for event_type, sentence, roles in parts:
        events.append(draw(event_in(doc_id, event_type, sentence, offset, roles, entities)))
        offset += len(sentence) + 1
    groups = draw(st.lists(st.sampled_from([None, 0, 1]), min_size=len(events), max_size=len(events)))
    incidents = [
        Incident(f"inc{doc_index}_{g}", draw(st.sampled_from(["", f"Case {g}"])), ids)
        for g in (0, 1)
        if (ids := tuple(e.id for e, group in zip(events, groups, strict=True) if group == g))
    ]
    published = draw(st.sampled_from([None, date(2023, 1, 5), date(2024, 2, 29)]))
    title = draw(st.sampled_from([None, f"Title {doc_index}"]))
    document = Document(doc_id, text, title=title, published=published)
    extractor = draw(st.sampled_from(["gen.v1", "gen.v2"]))
    return Extraction(document, list(entities.values()), events, incidents, extractor)


@st.composite
def event_in(
    draw: st.DrawFn,
    doc_id: str,
    event_type: str,
    sentence: str,
    offset: int,
    roles: dict[str, str],
    entities: dict[str, Entity],
) -> Event:
    at = offset + sentence.index(TRIGGERS[event_type])
    args: dict[str, tuple[Argument, ...]] = {
        role: (Argument(name, entities[name].id, name),) for role, name in roles.items()
    }
    return Event(
        id=content_id("ev", doc_id, event_type, at),
        type=event_type,
        trigger=TRIGGERS[event_type],
        sentence=sentence,
        provenance=Provenance(doc_id, at, at + len(TRIGGERS[event_type]), "gen.v1"),
        sentence_start=offset,
        sentence_end=offset + len(sentence),
        date=draw(st.sampled_from(DATES)),
        status=draw(st.sampled_from(STATUSES)),
        negated_or_hypothetical=draw(st.booleans()),
        mentions=draw(st.sampled_from([(), (Provenance(doc_id, offset, offset + 4, "gen.v2"),)])),
        **args,
    )


@st.composite
def ledgers(draw: st.DrawFn) -> list[Extraction]:
    """A few documents; some repeat an earlier text (a skip, a re-extraction, or a near-duplicate)."""
    docs: list[Extraction] = []
    for index in range(draw(st.integers(1, 4))):
        if docs and draw(st.integers(0, 4)) == 0:
            earlier = draw(st.sampled_from(docs))
            extractor = draw(st.sampled_from(["gen.v1", "gen.v2"]))
            docs.append(
                Extraction(earlier.document, earlier.entities, earlier.events, earlier.incidents, extractor)
            )
        else:
            docs.append(draw(extractions(index)))
    return docs


REVIEWS = st.lists(
    st.tuples(
        st.sampled_from(
            ["confirm", "reject", "status", "date", "target", "merge_entities", "merge_incidents"]
        ),
        st.integers(0, 50),
        st.integers(0, 50),
    ),
    max_size=4,
)


def review(store: Store, action: str, first: int, second: int) -> None:
    """One review decision on the store's records picked by index; refused decisions are skipped."""
    events = [e for d in store.export_documents() for e in d["events"]]
    entities = sorted({e["entity_id"] for d in store.export_documents() for e in d["entities"]})
    incidents = [i.id for i in store.incidents(limit=10_000)]
    who = {"author": "tester", "reason": "generated review"}
    try:
        if action in ("merge_entities", "merge_incidents"):
            pool = entities if action == "merge_entities" else incidents
            merge = store.merge_entities if action == "merge_entities" else store.merge_incidents
            if len(pool) > 1:
                merge(pool[first % len(pool)], pool[second % len(pool)], **who)
        elif events:
            event_id = events[first % len(events)]["id"]
            if action in ("confirm", "reject"):
                (store.confirm_event if action == "confirm" else store.reject_event)(event_id, **who)
            else:
                value = {
                    "status": STATUSES[second % 4],
                    "date": DATES[second % 4],
                    "target": PEOPLE[second % 5],
                }
                store.correct_event(event_id, action, value[action], **who)
    except StoreError:
        pass


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(docs=ledgers(), reviews=REVIEWS)
def test_export_ledger_round_trip_loses_nothing(docs: list[Extraction], reviews: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as folder, SQLiteStore(Path(folder) / "ledger.db") as store:
        for extraction in docs:
            store.add_extraction(extraction)
        for action, first, second in reviews:
            review(store, action, first, second)
        with round_trip(store, Path(folder)) as copy:
            assert snapshot(copy) == snapshot(store)


@given(docs=ledgers())
@settings(max_examples=25, deadline=None)
def test_export_ledger_extraction_dict_round_trip(docs: list[Extraction]) -> None:
    for extraction in docs:
        data = json.loads(json.dumps(extraction_to_dict(extraction)))
        assert extraction_from_dict(data) == extraction


# hand-built ledgers


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    with SQLiteStore(tmp_path / "ledger.db") as opened:
        yield opened


def test_export_ledger_store_gives_back_what_was_stored(store: SQLiteStore) -> None:
    originals = stories()
    fill(store)
    back = list(store.extractions())
    assert [x.document for x in back] == [x.document for x in originals]
    assert [x.entities for x in back] == [x.entities for x in originals]
    assert [x.events for x in back] == [x.events for x in originals]
    # a document whose incident joined an earlier one kept no summary of its own
    assert [i.summary for i in back[1].incidents] == [""]


def test_export_ledger_round_trip_with_every_review(store: SQLiteStore, tmp_path: Path) -> None:
    fill(store)
    who = {"author": "analyst", "reason": "checked the court record"}
    plot = charge_story().events[1].id
    store.confirm_event(plot, **who)
    store.correct_event(plot, "date", "2022-04", **who)
    store.correct_event(arrest_story().events[0].id, "status", "alleged", **who)
    store.reject_event(verdict_story().events[2].id, **who)
    karimi = store.entity("Nasrollah Karimi")[0].id
    store.split_entity(karimi, ["Nasrullah Karimi"], **who)
    store.merge_entities(store.entity("Nasrullah Karimi")[0].id, karimi, **who)
    incident = store.incidents(limit=100)
    big = next(i for i in incident if i.events > 3).id
    split = store.split_incident(big, [verdict_story().events[0].id], **who)
    store.merge_incidents(split.new_value["incident_id"], big, **who)
    with round_trip(store, tmp_path) as copy:
        assert snapshot(copy) == snapshot(store)
        assert len(copy.corrections()) == 8
        assert copy.corrections()[0].author == "analyst"


def test_export_ledger_re_extraction_and_near_duplicate_round_trip(
    store: SQLiteStore, tmp_path: Path
) -> None:
    store.add_extraction(charge_story())
    store.add_extraction(charge_story(extractor="threatledger.test.v2"))
    edits = {"on Tuesday": "on Tuesday morning", "Officials said": "Officials say"}
    assert store.add_extraction(wire_copy(charge_story(), "wire-copy", edits)).near_duplicates == 1
    with round_trip(store, tmp_path) as copy:
        assert [x.extractor for x in copy.extractions()] == [EXTRACTOR, "threatledger.test.v2", EXTRACTOR]
        assert copy.stats().near_duplicates == 1
        assert snapshot(copy) == snapshot(store)


def plots(doc_id: str, told: list[tuple[str, str, str | None]], summary: str) -> Extraction:
    """A document telling plots (agent, target, date) in Lyon, all in one incident of the given summary."""
    sentences = [f"{agent} plotd {target} in Lyon (item {i})." for i, (agent, target, _) in enumerate(told)]
    text = " ".join(sentences)
    names = sorted({n for agent, target, _ in told for n in (agent, target)} | {"Lyon"})
    entities = {n: entity_of(doc_id, text, n) for n in names}
    events, offset = [], 0
    for sentence, (agent, target, when) in zip(sentences, told, strict=True):
        at = offset + sentence.index("plotd")
        events.append(
            Event(
                id=content_id("ev", doc_id, "PLOT", at),
                type="PLOT",
                trigger="plotd",
                sentence=sentence,
                provenance=Provenance(doc_id, at, at + 5, "gen.v1"),
                sentence_start=offset,
                sentence_end=offset + len(sentence),
                date=when,
                agent=(Argument(agent, entities[agent].id, agent),),
                target=(Argument(target, entities[target].id, target),),
                place=(Argument("Lyon", entities["Lyon"].id, "Lyon"),),
            )
        )
        offset += len(sentence) + 1
    incident = Incident(f"{doc_id}_case", summary, tuple(e.id for e in events))
    return Extraction(Document(doc_id, text), list(entities.values()), events, [incident], "gen.v1")


def test_export_ledger_round_trip_keeps_an_unsummarised_group_split_across_incidents(
    store: SQLiteStore, tmp_path: Path
) -> None:
    # two cases years apart in one group with no summary: each new incident is summarised by its own event
    store.add_extraction(
        plots("doc0", [("Arvid Holm", "Arvid Holm", "2021"), ("Mara Quist", "Mara Quist", "2023-06-07")], "")
    )
    assert len({i.summary for i in store.incidents(limit=10)}) == 2
    assert [i.summary for i in next(store.extractions()).incidents] == [""]
    with round_trip(store, tmp_path) as copy:
        assert snapshot(copy) == snapshot(store)


def test_export_ledger_round_trip_keeps_the_summary_of_a_group_whose_first_event_joined(
    store: SQLiteStore, tmp_path: Path
) -> None:
    # the group's first case joins the earlier document's incident, the other case starts one of its own
    store.add_extraction(plots("doc0", [("Arvid Holm", "Mara Quist", None)], ""))
    told = [("Arvid Holm", "Mara Quist", None), ("Mara Quist", "Arvid Holm", "2021")]
    store.add_extraction(plots("doc1", told, "Case 0"))
    assert "Case 0" in {i.summary for i in store.incidents(limit=10)}
    assert [i.summary for i in list(store.extractions())[1].incidents] == ["Case 0"]
    with round_trip(store, tmp_path) as copy:
        assert snapshot(copy) == snapshot(store)


def test_export_ledger_header_first(store: SQLiteStore) -> None:
    fill(store)
    out = io.StringIO()
    assert export_ledger(store, out) == 6
    header = json.loads(out.getvalue().splitlines()[0])
    assert (header["kind"], header["format"], header["version"]) == ("header", "threatledger.ledger", 1)
    assert (header["extractions"], header["corrections"]) == (6, 0)


def test_export_ledger_import_refuses_a_store_in_use(store: SQLiteStore, tmp_path: Path) -> None:
    fill(store)
    out = io.StringIO()
    export_ledger(store, out)
    with pytest.raises(ExportError, match="not empty") as caught:
        import_ledger(out.getvalue().splitlines(), store)
    assert caught.value.code == "E500"
    assert caught.value.hint


@pytest.mark.parametrize(
    ("first_line", "message"),
    [
        ("not json", "not a threatledger ledger file"),
        ('{"kind": "header", "format": "other"}', "not a threatledger ledger file"),
        ('{"kind": "header", "format": "threatledger.ledger", "version": 99}', "newer than this"),
    ],
)
def test_export_ledger_import_checks_the_header(store: SQLiteStore, first_line: str, message: str) -> None:
    with pytest.raises(ExportError, match=message):
        import_ledger([first_line], store, name="bad.jsonl")


def test_export_ledger_bad_lines_are_counted_and_the_import_goes_on(
    store: SQLiteStore, tmp_path: Path
) -> None:
    source = SQLiteStore(tmp_path / "source.db")
    with source:
        fill(source)
        out = io.StringIO()
        export_ledger(source, out)
    lines = out.getvalue().splitlines()
    unknown = {"target_kind": "event", "target_id": "ev_missing", "action": "confirm", "field": None}
    correction = {**unknown, "old_value": None, "new_value": "confirmed", "author": "a", "reason": "r"}
    lines[2:2] = ["{broken", json.dumps({"kind": "correction", "correction": correction})]
    stats = import_ledger(lines, store, name="ledger.jsonl")
    assert (stats.extractions, stats.failed) == (6, 2)
    assert "ledger.jsonl line 3" in stats.errors[0]
    assert "no event 'ev_missing'" in stats.errors[1]
