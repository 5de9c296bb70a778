"""Watchlist rules fire from ``ingest`` and ``load`` too, on the documents the store takes as new, once:
ingesting or loading the same article again raises nothing. Hand-built extractions stand in for the
extractor (fast); the webhook is a local server on 127.0.0.1 (tests/test_feed_support.py)."""

from __future__ import annotations

import json
import socket
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
from test_feed_support import Site, site
from threatledger.cli.main import main
from threatledger.model import Document, Extraction

__all__ = ["site"]  # the fixture, imported from the support module

STORIES = {
    CHARGE_TEXT: charge_story,
    ARREST_TEXT: arrest_story,
    VERDICT_TEXT: verdict_story,
    UNRELATED_TEXT: unrelated_plot,
}


def fake_extraction(documents: Iterable[Document], *, n_process: int = 1) -> Iterator[Extraction]:
    """Stands in for the extractor: the hand-built extraction of each known text."""
    for document in documents:
        extraction = STORIES[document.text](document.id)
        extraction.document = document
        yield extraction


@pytest.fixture(autouse=True)
def no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("threatledger.cli.ledger.load_extractor", lambda: fake_extraction)


def articles(folder: Path, **texts: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def add_rule(db: str, *args: str) -> None:
    assert main(["alert", "add", *args, "--db", db]) == 0


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def printed(out: str) -> list[dict[str, Any]]:
    """The alert JSON lines on stdout (the summary lines are not JSON objects)."""
    return [json.loads(x) for x in out.splitlines() if x.startswith('{"alert"')]


def test_alerts_fire_on_ingest_of_new_articles_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, baran = str(tmp_path / "ledger.db"), tmp_path / "alerts" / "baran.jsonl"
    add_rule(db, "--entity", "Leyla Baran", "--out", str(baran))
    add_rule(db, "--type", "RELEASE")
    add_rule(db, "--entity", "Nobody Watched")
    capsys.readouterr()
    folder = articles(tmp_path / "in", a_charge=CHARGE_TEXT, b_arrest=ARREST_TEXT)

    assert main(["ingest", str(folder), "--db", db]) == 0
    out, err = capsys.readouterr()
    assert "2 alerts" in err
    assert printed(out) == []
    fired = lines(baran)
    assert [a["document"]["id"] for a in fired] == ["a_charge", "b_arrest"]
    assert all(a["rule"]["value"] == "Leyla Baran" for a in fired)
    assert "PLOT" in {e["type"] for e in fired[0]["events"]}

    # the same two again, and one new article: only the new one can fire
    articles(folder, c_verdict=VERDICT_TEXT)
    assert main(["ingest", str(folder), "--db", db]) == 0
    out, err = capsys.readouterr()
    assert "1 alerts" in err
    [release] = printed(out)
    assert (release["rule"]["value"], release["document"]["id"]) == ("RELEASE", "c_verdict")
    assert [e["type"] for e in release["events"]] == ["RELEASE"]
    assert len(lines(baran)) == 2

    # ingested again, or extracted again by the same extractor: nothing new, nothing raised
    for extra in ([], ["--reextract"]):
        assert main(["ingest", str(folder), "--db", db, *extra]) == 0
        out, err = capsys.readouterr()
        assert "0 alerts" in err
        assert printed(out) == []
    assert len(lines(baran)) == 2


def test_alerts_ingest_without_rules_says_nothing_of_alerts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "ledger.db")
    assert main(["ingest", str(articles(tmp_path / "in", a=CHARGE_TEXT)), "--db", db, "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["documents"] == 1
    assert "alerts" not in err


def test_alerts_ingest_rules_file_option_and_status_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--rules FILE``; a status change fires on the article that reports the new step, once the ledger
    holds the earlier one, even when both come in the same ingest."""
    db, rules, out_file = str(tmp_path / "ledger.db"), str(tmp_path / "my-rules.json"), tmp_path / "s.jsonl"
    assert (
        main(
            ["alert", "add", "--status-change", "charged:released", "--out", str(out_file)]
            + ["--rules", rules, "--db", db]
        )
        == 0
    )
    folder = articles(tmp_path / "in", a=VERDICT_TEXT, b=CHARGE_TEXT, c=ARREST_TEXT)
    assert main(["ingest", str(folder), "--db", db]) == 0
    assert "alerts" not in capsys.readouterr().err  # the default rules file holds no rules
    assert main(["ingest", str(folder), "--db", str(tmp_path / "other.db"), "--rules", rules]) == 0
    assert "1 alerts" in capsys.readouterr().err
    [alert] = lines(out_file)
    assert alert["document"]["id"] == "a"
    assert (alert["detail"]["from"], alert["detail"]["to"]) == ("charged", "released")


def test_alerts_ingest_posts_to_the_webhook(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, out_file = str(tmp_path / "ledger.db"), tmp_path / "arrests.jsonl"
    add_rule(db, "--type", "ARREST", "--out", str(out_file), "--webhook", site.url("/hook"))
    folder = articles(tmp_path / "in", a=CHARGE_TEXT, b=ARREST_TEXT, c=UNRELATED_TEXT)
    assert main(["ingest", str(folder), "--db", db]) == 0
    assert "1 alerts" in capsys.readouterr().err
    [alert] = lines(out_file)
    assert alert["document"]["id"] == "b"
    assert site.posts == [alert]
    assert main(["ingest", str(folder), "--db", db]) == 0
    assert site.posts == [alert]


def test_alerts_ingest_webhook_failure_is_counted_not_fatal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    db, out_file = str(tmp_path / "ledger.db"), tmp_path / "arrests.jsonl"
    add_rule(db, "--type", "ARREST", "--out", str(out_file), "--webhook", f"http://127.0.0.1:{port}/hook")
    assert main(["ingest", str(articles(tmp_path / "in", b=ARREST_TEXT)), "--db", db]) == 0
    err = capsys.readouterr().err
    assert "1 alerts (1 webhook failures)" in err
    assert "webhook http://127.0.0.1" in err
    assert len(lines(out_file)) == 1


# load


def write_results(folder: Path, extractions: list[Extraction]) -> Path:
    pytest.importorskip("pyarrow")
    from threatledger.scale.records import extraction_row
    from threatledger.scale.results import ResultWriter, check_out_dir

    check_out_dir(folder)
    writer = ResultWriter(folder)
    for extraction in extractions:
        writer.write(extraction_row(extraction))
    writer.finalize()
    return folder


@pytest.mark.parametrize("fast", [False, True], ids=["resolve", "fast"])
def test_alerts_fire_on_load_once(tmp_path: Path, capsys: pytest.CaptureFixture[str], fast: bool) -> None:
    db, baran = str(tmp_path / "ledger.db"), tmp_path / "baran.jsonl"
    add_rule(db, "--entity", "Leyla Baran", "--out", str(baran))
    add_rule(db, "--type", "RELEASE")
    capsys.readouterr()
    # the charge twice under two ids (the same text: one document), in chunks of 2
    results = write_results(
        tmp_path / "r1", [charge_story("charge"), unrelated_plot(), charge_story("charge-copy")]
    )
    flags = ["--chunk", "2", *(["--fast"] if fast else [])]

    assert main(["load", str(results), "--db", db, *flags, "--json"]) == 0
    out = capsys.readouterr().out
    assert printed(out) == []
    summary = json.loads(out)
    assert (summary["stats"]["documents"], summary["alerts"]) == (2, 1)
    assert [a["document"]["id"] for a in lines(baran)] == ["charge"]

    more = write_results(tmp_path / "r2", [arrest_story(), verdict_story(), charge_story("charge-3")])
    assert main(["load", str(more), "--db", db, *flags]) == 0
    out, err = capsys.readouterr()
    assert "2 alerts" in err
    [release] = printed(out)
    assert release["document"]["id"] == "ostend-verdict"
    assert [a["document"]["id"] for a in lines(baran)] == ["charge", "vienna-arrest"]

    for folder in (results, more):  # loaded again: nothing new
        assert main(["load", str(folder), "--db", db, *flags]) == 0
        out, err = capsys.readouterr()
        assert "0 alerts" in err
        assert printed(out) == []
    assert len(lines(baran)) == 2


def test_alerts_load_status_change_waits_for_the_whole_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The release is loaded in the first chunk, the charge in a later one: the status change still fires,
    once, on the release's article."""
    db, out_file = str(tmp_path / "ledger.db"), tmp_path / "status.jsonl"
    add_rule(db, "--status-change", "charged:released", "--out", str(out_file))
    results = write_results(tmp_path / "r", [verdict_story(), arrest_story(), charge_story()])
    assert main(["load", str(results), "--db", db, "--chunk", "1"]) == 0
    assert "1 alerts" in capsys.readouterr().err
    [alert] = lines(out_file)
    assert alert["document"]["id"] == "ostend-verdict"
    assert alert["detail"]["person"].endswith("Karimi")
    assert main(["load", str(results), "--db", db, "--chunk", "1"]) == 0
    assert len(lines(out_file)) == 1
