"""``threatledger batch`` end to end with the real model: the local engine (spaCy processes) and a small
job on a local Ray, then ``load`` and ``incidents``. Slow: they load the spaCy model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_feed_support import ARTICLE_ARREST, ARTICLE_MARKET
from threatledger.cli.main import main
from threatledger.scale.results import read_results

pytestmark = pytest.mark.slow
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

RAY_TIMEOUT_S = 300  # a loaded 2-core machine has taken 170 s


def write_inputs(folder: Path) -> list[str]:
    """Two JSON Lines shards (one with a bad line) and one Parquet shard: four good documents."""
    folder.mkdir()
    records = [
        {"id": "arrest", "text": ARTICLE_ARREST, "published": "2024-03-12", "outlet": "Kestrel Bay Wire"},
        {"id": "market", "text": ARTICLE_MARKET, "published": "2024-03-16"},
    ]
    (folder / "a.jsonl").write_text(json.dumps(records[0]) + "\n{broken\n", encoding="utf-8")
    (folder / "b.jsonl").write_text(json.dumps(records[1]) + "\n", encoding="utf-8")
    copies = {"id": ["arrest-copy", "market-copy"], "text": [r["text"] + "\n" for r in records]}
    pq.write_table(pa.table(copies), folder / "c.parquet")
    return [str(folder / "a.jsonl"), str(folder / "b.jsonl"), str(folder / "c.parquet")]


def check_results(out: Path) -> dict[str, dict[str, object]]:
    rows = {row["id"]: row for row in read_results(out)}
    assert len(rows) == 5
    failed = [row for row in rows.values() if row["error"]]
    assert len(failed) == 1
    assert json.loads(str(failed[0]["error"]))["code"] == "E102"
    arrest = json.loads(str(rows["arrest"]["extraction"]))
    assert arrest["document"]["text"] == ARTICLE_ARREST
    assert {e["type"] for e in arrest["events"]} >= {"ARREST"}
    return rows


def test_scale_batch_local_then_load(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = write_inputs(tmp_path / "in")
    out, db = tmp_path / "out", str(tmp_path / "ledger.db")
    assert main(["batch", *inputs, "--out", str(out), "--workers", "1", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["engine"], summary["documents"], summary["failed"]) == ("local", 5, 1)
    check_results(out)
    assert main(["load", str(out), "--db", db]) == 0
    assert "4 documents stored" in capsys.readouterr().out
    assert main(["incidents", "--db", db, "--json"]) == 0
    incidents = json.loads(capsys.readouterr().out)
    assert any("ARREST" in i["types"] for i in incidents)


def test_scale_batch_local_with_two_processes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = write_inputs(tmp_path / "in")
    assert main(["batch", *inputs, "--out", str(tmp_path / "out"), "--workers", "2"]) == 0
    assert "5 documents (1 failed)" in capsys.readouterr().out
    check_results(tmp_path / "out")


def test_scale_batch_on_a_local_ray(tmp_path: Path) -> None:
    """A small job on a local Ray (2 CPUs, 2 actors of 0.5 CPU), run as the CLI would be, in its own
    process so that Ray's processes end with it."""
    pytest.importorskip("ray")
    inputs = write_inputs(tmp_path / "in")
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "threatledger.cli.main",
        "batch",
        *inputs,
        "--engine",
        "ray",
        "--workers",
        "2",
    ]
    done = subprocess.run(
        [*command, "--out", str(out), "--json"],
        capture_output=True,
        text=True,
        timeout=RAY_TIMEOUT_S,
        env={**os.environ, "RAY_USAGE_STATS_ENABLED": "0"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout)
    assert (summary["engine"], summary["documents"], summary["failed"], summary["workers"]) == (
        "ray",
        5,
        1,
        2,
    )
    rows = check_results(out)
    assert str(rows["arrest-copy"]["source"]).endswith("c.parquet")
