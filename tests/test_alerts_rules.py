"""Watchlists without the model: rules checked and kept in a JSON file, the ``alert`` commands, matching
against hand-built extractions stored in a SQLite store, and delivery to a file, stdout and a webhook
served on 127.0.0.1."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger_factories import DocBuilder, arrest_story, charge_story, unrelated_plot, verdict_story
from test_feed_support import Site, site
from threatledger.alerts import RuleBook, default_rules_path, deliver, make_rule, match_rules, run_alerts
from threatledger.cli.main import main
from threatledger.errors import StoreError
from threatledger.model import Extraction
from threatledger.store import Store, open_store

__all__ = ["site"]  # the fixture, imported from the support module


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(str(tmp_path / "ledger.db")) as opened:
        yield opened


def stored(store: Store, *extractions: Extraction) -> list[Extraction]:
    for extraction in extractions:
        assert store.add_extraction(extraction).documents == 1
    return list(extractions)


def test_alerts_rules_are_checked_and_normalised() -> None:
    assert make_rule(type="arrest").value == "ARREST"
    assert make_rule(country="Austria").value == "AT"
    assert make_rule(country="de").value == "DE"
    assert make_rule(status_change=" Charged : RELEASED ").value == "charged:released"
    assert make_rule(entity="  Leyla   Baran ").value == "Leyla Baran"
    assert make_rule(entity="Leyla Baran").id == make_rule(entity="Leyla Baran").id
    assert make_rule(entity="Leyla Baran").id != make_rule(entity="Leyla Baran", out="a.jsonl").id


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one"),
        ({"entity": "A", "type": "ARREST"}, "exactly one"),
        ({"type": "PICNIC"}, "unknown event type"),
        ({"country": "Atlantis"}, "unknown country"),
        ({"status_change": "charged"}, "cannot read the status change"),
        ({"status_change": "charged:forgiven"}, "cannot read the status change"),
        ({"entity": "A", "webhook": "ftp://hooks.example/x"}, "not an http"),
    ],
)
def test_alerts_rules_refuse_bad_rules(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(StoreError, match=message):
        make_rule(**kwargs)


def test_alerts_rules_book_round_trip(tmp_path: Path) -> None:
    book = RuleBook.load(tmp_path / "rules.json")
    rule = make_rule(entity="Leyla Baran", webhook="https://hooks.example/a")
    assert book.add(rule)
    assert not book.add(rule)
    book.save()
    again = RuleBook.load(tmp_path / "rules.json")
    assert again.rules == [rule]
    assert again.remove(rule.id[:8]) == rule
    with pytest.raises(StoreError, match="no rule"):
        again.remove("rule_nope")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(StoreError, match="cannot read the rules file"):
        RuleBook.load(tmp_path / "bad.json")


def test_alerts_rules_file_sits_next_to_the_store() -> None:
    assert default_rules_path("data/ledger.db") == Path("data/ledger.alerts.json")
    assert default_rules_path("sqlite:///data/ledger.db") == Path("data/ledger.alerts.json")
    assert default_rules_path("postgresql://u@h/db") == Path("threatledger.alerts.json")


def test_alerts_rules_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "ledger.db")
    assert main(["alert", "add", "--entity", "Leyla Baran", "--db", db, "--json"]) == 0
    rule = json.loads(capsys.readouterr().out)
    assert main(["alert", "add", "--type", "arrest", "--out", str(tmp_path / "a.jsonl"), "--db", db]) == 0
    assert "Added:" in capsys.readouterr().out
    assert main(["alert", "list", "--db", db]) == 0
    listed = capsys.readouterr().out
    assert "entity=Leyla Baran" in listed
    assert "type=ARREST" in listed
    assert main(["alert", "remove", rule["id"], "--db", db]) == 0
    assert capsys.readouterr().out.startswith("Removed: " + rule["id"])
    assert main(["alert", "list", "--db", db, "--json"]) == 0
    assert [r["kind"] for r in json.loads(capsys.readouterr().out)] == ["type"]
    assert (tmp_path / "ledger.alerts.json").exists()
    assert main(["alert", "add", "--type", "PICNIC", "--db", db]) == 1
    assert "unknown event type" in capsys.readouterr().err


def test_alerts_rules_entity_type_and_country_match(store: Store) -> None:
    rules = [make_rule(entity="leyla baran"), make_rule(type="ARREST"), make_rule(country="AT")]
    builder = DocBuilder("vienna-2", "Police in Vienna arrested Omar Pahlevi on Friday.")
    builder.entity("Omar Pahlevi")
    builder.entity("Vienna", "PLACE", country="AT")
    builder.event(
        "ARREST",
        "Police in Vienna arrested Omar Pahlevi on Friday.",
        "arrested",
        target=("Omar Pahlevi",),
        place=("Vienna",),
    )
    new = stored(store, charge_story(), unrelated_plot(), builder.build())
    matches = match_rules(rules, new, store)
    fired = sorted((m.rule.kind, m.extraction.document.id) for m in matches)
    assert fired == [("country", "vienna-2"), ("entity", "ostend-charge"), ("type", "vienna-2")]
    entity = next(m for m in matches if m.rule.kind == "entity")
    assert {e["type"] for e in entity.to_dict()["events"]} == {"PLOT"}
    assert entity.to_dict()["document"]["url"] == "https://news.example/ostend-charge"


def test_alerts_rules_status_change_fires_on_the_article_that_changes_it(store: Store) -> None:
    rule = make_rule(status_change="charged:released")
    first = stored(store, charge_story(), arrest_story())
    assert match_rules([rule], first, store) == []
    [match] = match_rules([rule], stored(store, verdict_story()), store)
    assert match.extraction.document.id == "ostend-verdict"
    assert [e.type for e in match.events] == ["RELEASE"]
    assert match.detail["from"] == "charged"
    assert match.detail["to"] == "released"
    assert "Karimi" in match.detail["person"]
    assert match_rules([make_rule(status_change="acquitted:released")], [verdict_story()], store) == []


def test_alerts_rules_deliver_to_file_stdout_and_webhook(site: Site, store: Store, tmp_path: Path) -> None:
    out = tmp_path / "alerts" / "baran.jsonl"
    rules = [
        make_rule(entity="Leyla Baran", out=str(out), webhook=site.url("/hook")),
        make_rule(type="CHARGE"),
    ]
    stdout = io.StringIO()
    report = deliver(match_rules(rules, stored(store, charge_story()), store), stdout=stdout)
    assert (report.matches, report.written, report.posted, report.webhook_failures) == (2, 2, 1, 0)
    [line] = out.read_text().splitlines()
    assert json.loads(line)["rule"]["value"] == "Leyla Baran"
    assert json.loads(stdout.getvalue())["rule"]["kind"] == "type"
    [posted] = site.posts
    assert posted["document"]["id"] == "ostend-charge"
    assert posted["alert"] == "threatledger.match"


def test_alerts_rules_webhook_failure_is_counted(store: Store, tmp_path: Path) -> None:
    rules_path = tmp_path / "rules.json"
    book = RuleBook.load(rules_path)
    book.add(make_rule(type="CHARGE", webhook="http://127.0.0.1:9/hook", out=str(tmp_path / "a.jsonl")))
    book.save()
    report = run_alerts(store, stored(store, charge_story()), rules_path)
    assert (report.matches, report.written, report.posted, report.webhook_failures) == (1, 1, 0, 1)
    assert "webhook http://127.0.0.1:9/hook failed" in report.errors[0]
