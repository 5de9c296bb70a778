"""The API load benchmark, briefly: its generated ledger, and a two-second run that reports figures."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "api_load.py"


@pytest.fixture(scope="module")
def api_load() -> ModuleType:
    """benchmarks/api_load.py imported from its path (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location("benchmarks_api_load", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_api_load_generated_extractions_are_deterministic_and_distinct(api_load: ModuleType) -> None:
    first = [api_load.generate_extraction(n) for n in range(30)]
    assert [e.to_dict() for e in first] == [api_load.generate_extraction(n).to_dict() for n in range(30)]
    assert len({e.document.id for e in first}) == 30
    assert all(len(e.events) == 2 and len(e.entities) == 4 for e in first)


def test_api_load_percentile(api_load: ModuleType) -> None:
    values = [float(v) for v in range(1, 101)]
    assert api_load.percentile(values, 50) == pytest.approx(50.0, abs=1)
    assert api_load.percentile(values, 99) == pytest.approx(99.0, abs=1)


def test_api_load_short_run_reports_figures(api_load: ModuleType) -> None:
    report = api_load.benchmark(db=None, ingest=None, documents=20, rate=10.0, duration=2.0, warm_up=0.5)
    assert report["requests"] == 20
    assert report["errors"] == 0, report["error_samples"]
    assert report["answered"] == 20
    assert report["latency_ms"]["p99"] > 0
    assert report["ledger"]["incidents"] == 20
