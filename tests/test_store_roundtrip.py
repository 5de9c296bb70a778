"""Round trip with hypothesis: extractions -> store -> export keeps every event as extracted."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger_factories import DocBuilder
from threatledger.model import EVENT_TYPES, STATUSES, Extraction
from threatledger.store.sqlite import SQLiteStore

PEOPLE = ["Amira Haddad", "Boris Lind", "Carla Novak", "Dario Costa", "Elif Kaya"]
DATES = [None, "2019", "2020-05", "2021-11-30"]

event_spec = st.tuples(
    st.sampled_from(EVENT_TYPES),
    st.sampled_from(PEOPLE),
    st.sampled_from(PEOPLE),
    st.sampled_from(DATES),
    st.sampled_from(STATUSES),
    st.booleans(),
)


@st.composite
def extractions(draw: st.DrawFn) -> list[Extraction]:
    docs = []
    for n in range(draw(st.integers(1, 4))):
        specs = draw(st.lists(event_spec, min_size=1, max_size=4))
        sentences = [
            f"Report {n}.{i}: {agent} and {target} were named."
            for i, (_, agent, target, *_) in enumerate(specs)
        ]
        b = DocBuilder(f"doc-{n}", " ".join(sentences))
        for person in sorted({p for _, a, t, *_ in specs for p in (a, t)}):
            b.entity(person)
        ids = [
            b.event(
                kind,
                sentence,
                "named",
                agent=(agent,),
                target=(target,),
                date=date,
                status=status,
                negated=negated,
            )
            for sentence, (kind, agent, target, date, status, negated) in zip(sentences, specs, strict=True)
        ]
        b.incident("case", *ids)
        docs.append(b.build())
    return docs


def _event_facts(event: dict[str, object]) -> tuple[object, ...]:
    roles = tuple(tuple(a["name"] for a in event[r] or ()) for r in ("agent", "target"))  # type: ignore[attr-defined]
    sentence = event["sentence"]
    return (
        event["id"],
        event["type"],
        event["date"],
        event["status"],
        event["negated_or_hypothetical"],
        sentence["text"],
        sentence["start"],
        roles,
    )  # type: ignore[index]


@settings(max_examples=25, deadline=None)
@given(extractions())
def test_store_roundtrip_export_keeps_every_event(docs: list[Extraction]) -> None:
    with tempfile.TemporaryDirectory() as folder, SQLiteStore(Path(folder) / "ledger.db") as store:
        for extraction in docs:
            store.add_extraction(extraction)
        stats = store.stats()
        exported = {d["doc"]["id"]: d for d in store.export_documents()}
        for extraction in docs:
            out = exported[extraction.document.id]
            expected = {
                (
                    e.id,
                    e.type,
                    e.date,
                    e.status,
                    e.negated_or_hypothetical,
                    e.sentence,
                    e.sentence_start,
                    (tuple(a.name for a in e.agent), tuple(a.name for a in e.target)),
                )
                for e in extraction.events
            }
            assert {_event_facts(e) for e in out["events"]} == expected
            grouped = {e for incident in out["incidents"] for e in incident["events"]}
            assert grouped == {e.id for e in extraction.events}
        for extraction in docs:
            store.add_extraction(extraction)
        assert store.stats() == stats
