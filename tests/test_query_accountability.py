from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger_factories import DocBuilder, arrest_story, charge_story, unrelated_plot, verdict_story
from ledger_stores import BACKENDS, open_test_store
from threatledger.query.accountability import accounts, current_status, open_cases, order_steps, steps_of
from threatledger.store.records import ArgumentView, EventView, Source, Step
from threatledger.store.sql_store import SQLStore

SOURCE = Source("doc", None, None, "2024-01-01", 0, 1, 0, 10)


def view(
    type: str,
    date: str | None,
    target: str = "Ana Petrova",
    *,
    sentence: str = "Something happened.",
    trigger: str = "t",
    negated: bool = False,
) -> EventView:
    return EventView(
        id=f"{type}-{date}",
        incident_id="inc",
        type=type,
        date=date,
        status="reported",
        negated_or_hypothetical=negated,
        trigger=trigger,
        sentence=sentence,
        source=SOURCE,
        roles={"target": (ArgumentView(target, "ent_" + target.split()[0].lower(), target),)},
    )


def step(kind: str, date: str | None) -> Step:
    return Step(kind, date, f"{kind}-{date}", "s", SOURCE)


@pytest.mark.parametrize(
    ("event", "steps"),
    [
        (view("CHARGE", "2020"), ("charged",)),
        (view("CHARGE", "2020", sentence="She was charged and remains at large."), ("charged", "at large")),
        (view("CONVICTION", "2021", trigger="acquitted"), ("acquitted",)),
        (view("RELEASE", "2022", sentence="She was pardoned by the president."), ("pardoned",)),
        (view("EXTRADITION", "2022", negated=True), ()),
        (view("SANCTION", "2022"), ()),
    ],
)
def test_accountability_steps_of_an_event(event: EventView, steps: tuple[str, ...]) -> None:
    assert steps_of(event) == steps


def test_accountability_undated_steps_fall_into_legal_order() -> None:
    steps = [
        step("sentenced", "2021-06"),
        step("arrested", None),
        step("charged", "2020-01"),
        step("released", None),
        step("convicted", "2021-05"),
    ]
    assert [s.step for s in order_steps(steps)] == [
        "charged",
        "arrested",
        "convicted",
        "sentenced",
        "released",
    ]


def test_accountability_article_may_say_at_large_elsewhere() -> None:
    charge = view("CHARGE", "2020", target="Ana Petrova")
    texts = {"doc": "Prosecutors charged her. Petrova remains at large, officials said."}
    assert [s.step for s in accounts("inc", [charge], texts)[0].steps] == ["charged", "at large"]
    other = {"doc": "Prosecutors charged her. Her brother remains at large."}
    assert [s.step for s in accounts("inc", [charge], other)[0].steps] == ["charged"]


def test_accountability_status_of_a_charge_with_no_custody() -> None:
    assert current_status(order_steps([step("charged", "2020")])) == "charged, at large"
    assert current_status(order_steps([step("charged", "2020"), step("arrested", "2021")])) == "arrested"
    assert current_status([]) == "unknown"


def test_accountability_accounts_per_person_in_date_order() -> None:
    events = [
        view("SENTENCE", "2023"),
        view("CHARGE", "2021"),
        view("ARREST", "2020"),
        view("CHARGE", "2021", target="Boris Lind"),
    ]
    found = {a.name: a for a in accounts("inc", events)}
    assert [s.step for s in found["Ana Petrova"].steps] == ["arrested", "charged", "sentenced"]
    assert found["Ana Petrova"].status == "sentenced"
    assert found["Boris Lind"].status == "charged, at large"


def test_accountability_open_cases_of_an_incident() -> None:
    events = [
        view("PLOT", "2019", target="Victim Name"),
        view("CHARGE", "2020", target="Boris Lind"),
        view("CONVICTION", "2021"),
        view("TRANSFER", "2022"),
    ]
    kinds = {(c.kind, c.person) for c in open_cases("inc", "A case", events)}
    assert kinds == {("charged_at_large", "Boris Lind"), ("released_after_conviction", "Ana Petrova")}
    assert [c.kind for c in open_cases("inc", "A plot", [view("PLOT", "2019")])] == ["no_one_charged"]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SQLStore]:
    with open_test_store(request.param, tmp_path) as opened:
        yield opened


def test_accountability_charged_at_large_until_an_arrest_arrives(store: SQLStore) -> None:
    store.add_extraction(charge_story())
    cases = store.open_cases()
    assert [(c.kind, c.person, c.since) for c in cases] == [
        ("charged_at_large", "Nasrollah Karimi", "2023-02-28")
    ]
    assert cases[0].source is not None
    assert cases[0].source.document_id == "ostend-charge"
    store.add_extraction(arrest_story())
    assert store.open_cases() == []


def test_accountability_full_story_in_the_store(store: SQLStore) -> None:
    for extraction in (charge_story(), arrest_story(), verdict_story(), unrelated_plot()):
        store.add_extraction(extraction)
    detail = store.incident(store.entity("Karimi")[0].incidents[0]["id"])
    (account,) = detail.accountability
    assert account.name == "Nasrollah Karimi"
    assert account.status == "released"
    assert [(s.step, s.source.document_id) for s in account.steps] == [
        ("charged", "ostend-charge"),
        ("at large", "ostend-charge"),
        ("arrested", "vienna-arrest"),
        ("convicted", "ostend-verdict"),
        ("sentenced", "ostend-verdict"),
        ("released", "ostend-verdict"),
    ]
    kinds = sorted((c.kind, c.person) for c in store.open_cases())
    assert kinds == [("no_one_charged", None), ("released_after_conviction", "Nasrollah Karimi")]


def test_accountability_hypothetical_extradition_is_no_step(store: SQLStore) -> None:
    text = "Prosecutors charged Ana Petrova in 2021. She could be extradited to Belgium."
    b = DocBuilder("maybe", text)
    b.entity("Ana Petrova")
    b.event(
        "CHARGE", "Prosecutors charged Ana Petrova in 2021.", "charged", target=("Ana Petrova",), date="2021"
    )
    b.event(
        "EXTRADITION",
        "She could be extradited to Belgium.",
        "extradited",
        target=("Ana Petrova",),
        negated=True,
    )
    store.add_extraction(b.build())
    assert [c.kind for c in store.open_cases()] == ["charged_at_large"]


def test_accountability_only_defendants_are_accounted(store: SQLStore) -> None:
    store.add_extraction(unrelated_plot())
    detail = store.incident(store.incidents()[0].id)
    assert detail.accountability == ()
