"""The store benchmark's generator and one small run on SQLite. No timing is checked here."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "store.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    """benchmarks/store.py imported from its path (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location("benchmarks_store", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_store_benchmark_generator_is_deterministic(bench: ModuleType) -> None:
    first = [x.to_dict() for x in bench.generate_extractions(300, seed=3)]
    assert first == [x.to_dict() for x in bench.generate_extractions(300, seed=3)]
    assert first != [x.to_dict() for x in bench.generate_extractions(300, seed=4)]


@pytest.mark.parametrize("events", [1, 95, 1000])
def test_store_benchmark_generator_gives_n_events_in_documents_of_about_ten(
    bench: ModuleType, events: int
) -> None:
    extractions = list(bench.generate_extractions(events))
    assert sum(len(x.events) for x in extractions) == events
    if events >= 1000:
        assert 8 <= events / len(extractions) <= 12
    for extraction in extractions:
        text = extraction.document.text
        for event in extraction.events:
            assert text[event.sentence_start : event.sentence_end] == event.sentence
            assert text[event.provenance.start : event.provenance.end] == event.trigger
            assert event.date is not None
        for entity in extraction.entities:
            assert entity.mentions
            assert all(text[m.provenance.start : m.provenance.end] == m.text for m in entity.mentions)
        assert set(extraction.incidents[0].event_ids) == {e.id for e in extraction.events}


def test_store_benchmark_percentiles(bench: ModuleType) -> None:
    stats = bench.percentiles([float(x) for x in range(1, 101)])
    assert (stats["n"], stats["p50"], stats["p95"], stats["max"]) == (100, 50.0, 95.0, 100.0)


def test_store_benchmark_runs_on_sqlite(bench: ModuleType, tmp_path: Path) -> None:
    result = bench.run_backend("sqlite", str(tmp_path / "bench.db"), 400, 20, 0)
    assert result["events"] == 400
    assert result["timeline_ms"]["n"] == result["actor_dates_ms"]["n"] == 20
    assert result["actor_dates_ms"]["mean_hits"] >= 1
    assert result["peak_rss_mb"] > 0


def test_store_benchmark_skips_a_missing_dev_set(bench: ModuleType, tmp_path: Path) -> None:
    args = bench.parse_args(["--dev", str(tmp_path / "missing.jsonl"), "--backends", "sqlite"])
    assert bench._dev_set(args, str(tmp_path), None).startswith("skipped")
