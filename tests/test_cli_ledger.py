from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ledger_factories import (
    ARREST_TEXT,
    CHARGE_TEXT,
    UNRELATED_TEXT,
    VERDICT_TEXT,
    arrest_story,
    charge_story,
    unrelated_plot,
    verdict_story,
)
from threatledger.cli.main import main
from threatledger.model import Document, Extraction

STORIES = {
    CHARGE_TEXT: charge_story,
    ARREST_TEXT: arrest_story,
    VERDICT_TEXT: verdict_story,
    UNRELATED_TEXT: unrelated_plot,
}
FILES = {
    "a_charge.txt": CHARGE_TEXT,
    "b_arrest.txt": ARREST_TEXT,
    "c_verdict.txt": VERDICT_TEXT,
    "d_hamburg.txt": UNRELATED_TEXT,
}


def fake_extraction(documents: Iterable[Document], *, n_process: int = 1) -> Iterator[Extraction]:
    """Stands in for the extractor: the hand-built extraction of each known text."""
    for document in documents:
        extraction = STORIES[document.text](document.id)
        extraction.document = document
        yield extraction


@pytest.fixture
def articles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr("threatledger.cli.ledger.load_extractor", lambda: fake_extraction)
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "ledger.db")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def ledger(articles: Path, db: str, capsys: pytest.CaptureFixture[str]) -> str:
    code, _, err = run(capsys, "ingest", str(articles), "--db", db)
    assert code == 0, err
    return db


def test_cli_ledger_ingest_twice_gives_the_same_counts(
    articles: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    first = run_json(capsys, "ingest", str(articles), "--db", db)
    assert (first["documents"], first["events"], first["incidents_new"]) == (4, 7, 2)
    stats = run_json(capsys, "stats", "--db", db)
    second = run_json(capsys, "ingest", str(articles), "--db", db)
    assert second["skipped"] == 4
    assert second["documents"] == 0
    assert run_json(capsys, "stats", "--db", db) == stats
    code, out, _ = run(capsys, "ingest", str(articles), "--db", db)
    assert code == 0
    assert "skipped 4 already stored" in out


def test_cli_ledger_incidents_filters_and_table(ledger: str, capsys: pytest.CaptureFixture[str]) -> None:
    rows = run_json(capsys, "incidents", "--db", ledger, "--sponsor", "Sepah", "--type", "plot")
    assert [r["summary"] for r in rows] == ["Plot against Leyla Baran"]
    code, out, _ = run(capsys, "incidents", "--db", ledger, "--from", "2021", "--to", "2021")
    assert code == 0
    assert "Sarraf" in out
    assert "Baran" not in out
    code, _, err = run(capsys, "incidents", "--db", ledger, "--from", "someday")
    assert code == 1
    assert "Error [E400]" in err
    assert "Hint: Use YYYY" in err
    code, _, err = run(capsys, "incidents", "--db", ledger, "--type", "picnic")
    assert code == 2


def test_cli_ledger_show_timeline_and_accountability(ledger: str, capsys: pytest.CaptureFixture[str]) -> None:
    incident = run_json(capsys, "incidents", "--db", ledger, "--actor", "Karimi")[0]["id"]
    detail = run_json(capsys, "show", incident, "--db", ledger)
    assert [e["type"] for e in detail["timeline"]][:2] == ["PLOT", "CHARGE"]
    assert detail["accountability"][0]["status"] == "released"
    code, out, _ = run(capsys, "show", incident, "--db", ledger)
    assert code == 0
    assert "\u201cKarimi is accused" in out
    assert "Accountability" in out
    code, _, err = run(capsys, "show", "inc_missing", "--db", ledger)
    assert code == 1
    assert "no incident" in err


def test_cli_ledger_entity_search_stats_open_cases(ledger: str, capsys: pytest.CaptureFixture[str]) -> None:
    entity = run_json(capsys, "entity", "Nasrullah Karimi", "--db", ledger)
    assert entity[0]["name"] == "Nasrollah Karimi"
    assert entity[0]["documents"] == 3
    code, _, err = run(capsys, "entity", "Nobody Known", "--db", ledger)
    assert code == 1
    assert "no entity named" in err
    hits = run_json(capsys, "search", "prisoner exchange", "--db", ledger)
    assert hits[0]["document_id"] == "c_verdict"
    stats = run_json(capsys, "stats", "--db", ledger)
    assert (stats["documents"], stats["incidents"], stats["events"]) == (4, 2, 7)
    cases = run_json(capsys, "open-cases", "--db", ledger)
    assert sorted(c["kind"] for c in cases) == ["no_one_charged", "released_after_conviction"]
    code, out, _ = run(capsys, "open-cases", "--db", ledger)
    assert code == 0
    assert "open cases" in out


def test_cli_ledger_review_needs_who_and_why(ledger: str, capsys: pytest.CaptureFixture[str]) -> None:
    incident = run_json(capsys, "incidents", "--db", ledger, "--type", "ARREST")[0]["id"]
    arrest = next(
        e["id"]
        for e in run_json(capsys, "show", incident, "--db", ledger)["timeline"]
        if e["type"] == "ARREST"
    )
    code, _, _ = run(capsys, "review", "correct", arrest, "date", "2024-05-07", "--db", ledger)
    assert code == 2
    done = run_json(
        capsys,
        "review",
        "correct",
        arrest,
        "date",
        "2024-05-07",
        "--db",
        ledger,
        "--by",
        "kim",
        "--why",
        "court record",
    )
    assert done["old_value"] == "2024-05-08"
    assert done["author"] == "kim"
    code, out, _ = run(capsys, "review", "confirm", arrest, "--db", ledger, "--by", "kim", "--why", "seen")
    assert code == 0
    assert "Recorded correction #2: confirm" in out
    log = run_json(capsys, "review", "log", "--db", ledger)
    assert [e["action"] for e in log if e["actor"] == "kim"] == ["correct", "confirm"]
    assert len(run_json(capsys, "review", "corrections", arrest, "--db", ledger)) == 2
    code, _, err = run(capsys, "review", "reject", "ev_nope", "--db", ledger, "--by", "kim", "--why", "x")
    assert code == 1
    assert "no event" in err


def test_cli_ledger_review_merge_incidents(ledger: str, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = (r["id"] for r in run_json(capsys, "incidents", "--db", ledger))
    run_json(
        capsys, "review", "merge-incidents", second, first, "--db", ledger, "--by", "kim", "--why", "same"
    )
    assert [r["id"] for r in run_json(capsys, "incidents", "--db", ledger)] == [first]


def test_cli_ledger_corrupt_store_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"\x00garbage" * 500)
    code, out, err = run(capsys, "stats", "--db", str(bad))
    assert code == 1
    assert "Error [E400]" in err
    assert "Hint:" in err
    assert "Traceback" not in err + out


def test_cli_ledger_missing_store_for_queries(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "incidents", "--db", str(tmp_path / "none.db"))
    assert code == 1
    assert "no store at" in err
    assert "threatledger ingest" in err


def test_cli_ledger_db_default_comes_from_settings(
    articles: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "from-env.db"
    monkeypatch.setenv("THREATLEDGER_DB", str(target))
    assert run_json(capsys, "ingest", str(articles))["documents"] == 4
    assert target.exists()


def test_cli_ledger_help_names_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    for command in (
        "ingest",
        "incidents",
        "show",
        "entity",
        "search",
        "stats",
        "open-cases",
        "review",
    ):
        assert command in out
    code, out, _ = run(capsys, "review", "--help")
    assert code == 0
    assert "merge-entities" in out
    assert "split-incident" in out


@pytest.mark.slow
def test_cli_ledger_real_extraction(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extract = pytest.importorskip("threatledger.extract")
    if not hasattr(extract, "run_extraction"):
        pytest.skip("the extractor has no run_extraction")
    (tmp_path / "one.txt").write_text(CHARGE_TEXT, encoding="utf-8")
    db = str(tmp_path / "real.db")
    first = run_json(capsys, "ingest", str(tmp_path / "one.txt"), "--db", db)
    again = run_json(capsys, "ingest", str(tmp_path / "one.txt"), "--db", db)
    assert first["documents"] == 1
    assert again["skipped"] == 1
