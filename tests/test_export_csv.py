"""CSV export: the ACLED-style event table and the GTD-style incident table, and the documented mapping."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from export_support import SANCTION_TEXT, check_golden, export_text, fill
from ledger_factories import CHARGE_TEXT
from threatledger.export.csv_tables import (
    ACLED_COLUMNS,
    ACLED_TYPES,
    GTD_ATTACK_TYPES,
    GTD_COLUMNS,
)
from threatledger.model import EVENT_TYPES, STATUSES, VIOLENT_TYPES
from threatledger.store.sqlite import SQLiteStore

DOCS = Path(__file__).parent.parent / "docs" / "formats.md"
TEXTS = {"ostend-charge": CHARGE_TEXT, "union-sanction": SANCTION_TEXT}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    with SQLiteStore(tmp_path_factory.mktemp("csv") / "ledger.db") as opened:
        fill(opened)
        yield opened


def read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def acled(store: SQLiteStore) -> list[dict[str, str]]:
    return read(export_text(store, "csv"))


@pytest.fixture(scope="module")
def gtd(store: SQLiteStore) -> list[dict[str, str]]:
    return read(export_text(store, "csv", table="gtd"))


def test_export_csv_acled_columns_and_rows(store: SQLiteStore, acled: list[dict[str, str]]) -> None:
    header = export_text(store, "csv").splitlines()[0].split(",")
    assert tuple(header) == ACLED_COLUMNS
    assert header[:8] == [
        "event_id_cnty",
        "event_date",
        "event_type",
        "sub_event_type",
        "actor1",
        "assoc_actor_1",
        "actor2",
        "assoc_actor_2",
    ]
    assert len(acled) == 10  # every event but the negated one
    assert "oslo-denial" not in {r["tl_document_id"] for r in acled}


def test_export_csv_acled_row_of_a_plot(acled: list[dict[str, str]]) -> None:
    plot = next(r for r in acled if r["tl_type"] == "PLOT" and r["location"] == "Lyon")
    assert (plot["event_type"], plot["sub_event_type"]) == ("Strategic developments", "Other")
    assert (plot["actor1"], plot["assoc_actor_1"], plot["actor2"]) == (
        "Nasrollah Karimi",
        "Islamic Revolutionary Guard Corps",
        "Leyla Baran",
    )
    assert (plot["country"], plot["geo_precision"]) == ("France", "1")
    assert float(plot["latitude"]) == pytest.approx(45.75, abs=0.1)
    assert (plot["event_date"], plot["time_precision"]) == ("2022-01-01", "3")
    assert plot["event_id_cnty"].startswith("FRA")
    assert plot["source"] == "Officer charged over plot"


def test_export_csv_acled_types_by_trigger(acled: list[dict[str, str]]) -> None:
    bombing = next(r for r in acled if r["tl_type"] == "ATTACK")
    assert (bombing["event_type"], bombing["sub_event_type"]) == (
        "Explosions/Remote violence",
        "Remote explosive/landmine/IED",
    )
    arrest = next(r for r in acled if r["tl_type"] == "ARREST")
    assert (arrest["event_type"], arrest["sub_event_type"], arrest["time_precision"]) == (
        "Strategic developments",
        "Arrests",
        "1",
    )


def test_export_csv_acled_spans_point_into_the_document(acled: list[dict[str, str]]) -> None:
    for row in acled:
        text = TEXTS.get(row["tl_document_id"])
        if text is None:
            continue
        assert text[int(row["tl_sentence_start"]) : int(row["tl_sentence_end"])] == row["notes"]
        trigger = text[int(row["tl_trigger_start"]) : int(row["tl_trigger_end"])]
        assert trigger in row["notes"]


def test_export_csv_gtd_rows(gtd: list[dict[str, str]]) -> None:
    assert len(gtd) == 3  # incidents with an event that happened as told
    rows = {r["summary"].split(": ", 1)[1]: r for r in gtd}
    plot = rows["Plot against Leyla Baran"]
    assert (plot["iyear"], plot["imonth"], plot["iday"], plot["approxdate"]) == ("2022", "0", "0", "2022")
    assert (plot["success"], plot["attacktype1_txt"]) == ("0", "Unknown")
    assert (plot["gname"], plot["target1"], plot["city"]) == (
        "Islamic Revolutionary Guard Corps",
        "Leyla Baran",
        "Lyon",
    )
    assert plot["tl_accountability"] == "Nasrollah Karimi: released"
    assert plot["scite3"].startswith('"Karimi freed in exchange"')
    assert len(plot["eventid"]) == 12
    assert plot["eventid"].startswith("2022")
    bombing = rows["Bombing of a newspaper office in Marseille"]
    assert (bombing["success"], bombing["attacktype1_txt"]) == ("1", "Bombing/Explosion")
    assert bombing["gname"] == "Valdren Security Directorate"
    assert bombing["tl_perpetrators"] == "Grey Lantern"


def test_export_csv_gtd_columns(store: SQLiteStore) -> None:
    assert tuple(export_text(store, "csv", table="gtd").splitlines()[0].split(",")) == GTD_COLUMNS


def test_export_csv_golden(store: SQLiteStore) -> None:
    check_golden("events.acled.csv", export_text(store, "csv"))
    check_golden("incidents.gtd.csv", export_text(store, "csv", table="gtd"))


def test_export_csv_mapping_covers_every_type() -> None:
    assert set(ACLED_TYPES) == set(EVENT_TYPES)
    assert set(GTD_ATTACK_TYPES) == set(VIOLENT_TYPES)


def _doc_row(event_type: str) -> list[str]:
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if cells and cells[0] == event_type:
            return cells
    raise AssertionError(f"docs/formats.md has no mapping row for {event_type}")


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_export_csv_mapping_is_documented(event_type: str) -> None:
    row = _doc_row(event_type)
    acled_type, sub_type = ACLED_TYPES[event_type]
    assert row[1].startswith(f"{acled_type} / {sub_type}"), row
    gtd = GTD_ATTACK_TYPES.get(event_type)
    if gtd:
        assert any(cell.startswith(gtd) for cell in row), row


def test_export_csv_statuses_are_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for status in STATUSES:
        assert f"`{status}`" in text
