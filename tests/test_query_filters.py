from __future__ import annotations

from collections.abc import Iterator

import pytest

from ledger_factories import arrest_story, charge_story, unrelated_plot, verdict_story
from ledger_stores import BACKENDS, open_test_store
from threatledger.errors import StoreError
from threatledger.query.filters import date_upper_bound, make_filter
from threatledger.query.timeline import quote, sort_timeline
from threatledger.store.sql_store import SQLStore


@pytest.fixture(scope="module", params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLStore]:
    with open_test_store(request.param, tmp_path_factory.mktemp("ledger")) as opened:
        for extraction in (charge_story(), arrest_story(), verdict_story(), unrelated_plot()):
            opened.add_extraction(extraction)
        yield opened


def summaries(store: SQLStore, **options: str) -> list[str]:
    return sorted(s.summary for s in store.incidents(make_filter(**options)))


KARIMI, SARRAF = "Plot against Leyla Baran", "Plot against Omid Sarraf"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, [KARIMI, SARRAF]),
        ({"actor": "Nasrullah Karimi"}, [KARIMI]),
        ({"actor": "Karimi"}, [KARIMI]),
        ({"sponsor": "Revolutionary Guards"}, [KARIMI]),
        ({"sponsor": "IRGC"}, [KARIMI]),
        ({"target": "Omid Sarraf"}, [SARRAF]),
        ({"target": "Nobody Known"}, []),
        ({"actor": "gunmen"}, [SARRAF]),
        ({"type": "conviction"}, [KARIMI]),
        ({"type": "PLOT"}, [KARIMI, SARRAF]),
        ({"country": "IR"}, [KARIMI]),
        ({"country": "Iran"}, [KARIMI]),
        ({"country": "Hamburg"}, [SARRAF]),
        ({"date_from": "2024"}, [KARIMI]),
        ({"date_to": "2021"}, [SARRAF]),
        ({"date_from": "2021-01", "date_to": "2021-12-31"}, [SARRAF]),
        ({"status": "confirmed"}, [KARIMI]),
        ({"text": "gunmen Hamburg"}, [SARRAF]),
        ({"text": "prisoner exchange"}, [KARIMI]),
        ({"type": "PLOT", "target": "Leyla Baran", "date_from": "2022"}, [KARIMI]),
    ],
)
def test_filters_incidents(store: SQLStore, options: dict[str, str], expected: list[str]) -> None:
    assert summaries(store, **options) == expected


def test_filters_summary_row(store: SQLStore) -> None:
    row = next(s for s in store.incidents() if s.summary == KARIMI)
    assert (row.first_date, row.last_date, row.events, row.documents) == ("2022", "2025-06", 6, 3)
    assert "Nasrollah Karimi" in row.participants
    assert "Leyla Baran" in row.participants
    assert store.incidents()[0].summary == KARIMI  # most recent first
    assert len(store.incidents(limit=1)) == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"type": "PICNIC"}, "unknown event type"),
        ({"status": "rumour"}, "unknown status"),
        ({"date_from": "March"}, "not a date"),
    ],
)
def test_filters_bad_values(options: dict[str, str], message: str) -> None:
    with pytest.raises(StoreError, match=message):
        make_filter(**options)


def test_filters_date_bounds() -> None:
    assert date_upper_bound("2021") == "2021-12-31"
    assert date_upper_bound("2021-02") == "2021-02-31"
    assert date_upper_bound("2021-02-03") == "2021-02-03"
    assert make_filter().is_empty()
    assert not make_filter(actor="x").is_empty()


def test_timeline_order_and_quotes(store: SQLStore) -> None:
    detail = store.incident(next(s.id for s in store.incidents() if s.summary == KARIMI))
    assert sort_timeline(reversed(detail.timeline)) == detail.timeline
    first = detail.timeline[0]
    assert quote(first).startswith("\u201cKarimi is accused")
    assert quote(first).endswith("\u201d")
    assert len(quote(first, width=20)) == 22
    assert first.source.document_id == "ostend-charge"
    assert first.source.url == "https://news.example/ostend-charge"
    assert first.source.sentence_end - first.source.sentence_start == len(first.sentence)


def test_unknown_incident(store: SQLStore) -> None:
    with pytest.raises(StoreError, match="no incident"):
        store.incident("inc_nope")
