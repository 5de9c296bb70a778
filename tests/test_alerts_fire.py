"""A watchlist rule fires on a newly ingested article: rules added with ``alert add``, a feed and its
pages served on 127.0.0.1, ``watch --once`` ingests them with the real model, the matches land in a file,
on stdout and at the webhook (the same local server), and a second cycle raises nothing again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_feed_support import ARTICLE_ARREST, ARTICLE_MARKET, Site, serve_articles, site
from threatledger.cli.main import main

__all__ = ["site"]  # the fixture, imported from the support module
pytestmark = pytest.mark.slow
pytest.importorskip("feedparser")


def test_alerts_fire_on_a_newly_ingested_article(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, out = str(tmp_path / "ledger.db"), tmp_path / "reiner.jsonl"
    hook = site.url("/hook")
    assert (
        main(["alert", "add", "--entity", "Tomas Reiner", "--out", str(out), "--webhook", hook, "--db", db])
        == 0
    )
    assert main(["alert", "add", "--type", "ARREST", "--db", db]) == 0
    assert main(["alert", "add", "--entity", "Nobody Watched", "--db", db]) == 0
    capsys.readouterr()
    feed = serve_articles(site, {"/news/courier": ARTICLE_ARREST, "/news/market": ARTICLE_MARKET})
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(feed + "\n")

    assert main(["watch", str(feeds), "--once", "--allow-private", "--db", db]) == 0
    captured = capsys.readouterr()
    assert "2 stored" in captured.err
    assert "2 alerts" in captured.err
    [line] = out.read_text().splitlines()
    alert = json.loads(line)
    assert alert["rule"] == {"id": alert["rule"]["id"], "kind": "entity", "value": "Tomas Reiner"}
    assert alert["document"]["url"] == site.url("/news/courier")
    assert "ARREST" in {e["type"] for e in alert["events"]}
    assert site.posts == [alert]
    [printed] = [json.loads(x) for x in captured.out.splitlines()]
    assert (printed["rule"]["kind"], printed["document"]["url"]) == ("type", site.url("/news/courier"))

    assert main(["watch", str(feeds), "--once", "--allow-private", "--db", db]) == 0
    assert "0 alerts" in capsys.readouterr().err
    assert len(out.read_text().splitlines()) == 1
    assert len(site.posts) == 1
