"""The live path: intervals, the seen-URL state, watch cycles against a local site on 127.0.0.1, and
``ingest`` of a single URL. Tests that extract with the real model are marked ``slow``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from ledger_factories import charge_story
from test_feed_support import ARTICLE_ARREST, ARTICLE_MARKET, Site, page_html, serve_articles, site
from threatledger.cli.main import main
from threatledger.ingest import url as url_module
from threatledger.model import Document, Extraction
from threatledger.scale.watch import (
    MAX_TRIES,
    CycleReport,
    SeenState,
    WatchOptions,
    default_state_path,
    parse_interval,
    watch,
    watch_cycle,
)
from threatledger.store import open_store

__all__ = ["site"]  # the fixture, imported from the support module
pytest.importorskip("feedparser")


@pytest.mark.parametrize(("text", "seconds"), [("10m", 600.0), ("30s", 30.0), ("1h", 3600.0), ("45", 45.0)])
def test_scale_watch_reads_intervals(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["soon", "1s", "-5m", "10 days"])
def test_scale_watch_refuses_bad_intervals(text: str) -> None:
    with pytest.raises(ValueError, match="interval"):
        parse_interval(text)


def test_scale_watch_state_gives_up_after_repeated_failures(tmp_path: Path) -> None:
    state = SeenState.load(tmp_path / "w.json")
    for _ in range(MAX_TRIES - 1):
        state.mark_failed("https://a.example/1")
    assert "https://a.example/1" not in state.seen
    state.mark_failed("https://a.example/1")
    state.save()
    again = SeenState.load(tmp_path / "w.json")
    assert "https://a.example/1" in again.seen
    assert again.tries == {}
    assert default_state_path(str(tmp_path / "ledger.db")) == tmp_path / "ledger.watch.json"


def test_scale_watch_cycle_survives_bad_feeds(site: Site, tmp_path: Path) -> None:
    feeds = [site.url("/missing.xml"), site.page("/home", "<html><body><p>Home</p></body></html>")]
    state = SeenState.load(tmp_path / "w.json")
    with open_store(str(tmp_path / "ledger.db")) as store:
        report = watch_cycle(feeds, store, state, WatchOptions(allow_private=True))
    assert (report.feeds, report.feed_failures, report.new_links) == (2, 2, 0)
    assert "HTTP 404" in report.errors[0]
    assert (tmp_path / "w.json").exists()


def test_scale_watch_cycle_refuses_loopback_without_the_flag(site: Site, tmp_path: Path) -> None:
    feed = serve_articles(site, {"/news/courier": ARTICLE_ARREST})
    with open_store(str(tmp_path / "ledger.db")) as store:
        report = watch_cycle([feed], store, SeenState.load(tmp_path / "w.json"), WatchOptions())
    assert report.feed_failures == 1
    assert "not public" in report.errors[0]
    assert site.hits == []


def test_scale_watch_loops_until_interrupted(site: Site, tmp_path: Path) -> None:
    reports: list[CycleReport] = []
    naps: list[float] = []

    def nap(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) == 2:
            raise KeyboardInterrupt

    options = WatchOptions(allow_private=True)
    with open_store(str(tmp_path / "ledger.db")) as store:
        state = SeenState.load(tmp_path / "w.json")
        with pytest.raises(KeyboardInterrupt):
            watch(
                [site.url("/none.xml")], store, state, options, every=60.0, on_cycle=reports.append, sleep=nap
            )
    assert len(reports) == 2
    assert 0 < naps[0] <= 60.0


def fake_extraction(documents: Iterable[Document], *, n_process: int = 1) -> Iterator[Extraction]:
    for document in documents:
        extraction = charge_story(document.id)
        extraction.document = document
        yield extraction


def test_scale_watch_ingest_takes_a_url(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = site.page("/news/courier", page_html(ARTICLE_ARREST))
    db = str(tmp_path / "ledger.db")
    monkeypatch.setattr("threatledger.cli.ledger.load_extractor", lambda: fake_extraction)
    assert main(["ingest", url, "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["failed"] == 1  # loopback: refused without a flag
    assert site.hits == []
    monkeypatch.setattr(url_module, "is_public_address", lambda address: address == "127.0.0.1")
    assert main(["ingest", url, "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["documents"] == 1
    with open_store(db) as store:
        [stored] = list(store.extractions())
    assert stored.document.url == url


@pytest.mark.slow
def test_scale_watch_once_ingests_new_articles(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = serve_articles(site, {"/news/courier": ARTICLE_ARREST, "/news/market": ARTICLE_MARKET})
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"# the local wire\n{feed}\n")
    db = str(tmp_path / "ledger.db")
    assert main(["watch", str(feeds), "--once", "--allow-private", "--db", db]) == 0
    assert "2 new links: 2 fetched (0 failed), 2 stored" in capsys.readouterr().err
    with open_store(db) as store:
        documents = {x.document.url: x for x in store.extractions()}
    assert set(documents) == {site.url("/news/courier"), site.url("/news/market")}
    arrest = documents[site.url("/news/courier")]
    assert arrest.document.published is not None
    assert "ARREST" in {e.type for e in arrest.events}
    assert main(["watch", str(feeds), "--once", "--allow-private", "--db", db]) == 0
    assert "0 new links" in capsys.readouterr().err
    assert json.loads((tmp_path / "ledger.watch.json").read_text())["seen"].keys() == set(documents)
