"""The scale benchmark's helpers: shards, the JSON a command printed, ratios. No timing here."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture(scope="module")
def scale() -> ModuleType:
    """benchmarks/scale.py imported from its path; it imports benchmarks/speed.py as ``speed``."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        spec = importlib.util.spec_from_file_location("benchmarks_scale", BENCHMARKS / "scale.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_scale_benchmark_writes_round_robin_shards(scale: ModuleType, tmp_path: Path) -> None:
    articles = [{"id": f"a{i}", "text": "x"} for i in range(7)]
    paths = scale.write_shards(articles, tmp_path, shards=3)
    lines = [Path(p).read_text().splitlines() for p in paths]
    assert [len(x) for x in lines] == [3, 2, 2]
    assert json.loads(lines[1][0])["id"] == "a1"


def test_scale_benchmark_reads_the_last_json_printed(scale: ModuleType) -> None:
    indented = json.dumps({"documents": 5, "stats": {"events": 2}}, indent=2)
    assert scale._last_json("warming up\n" + indented + "\n") == {"documents": 5, "stats": {"events": 2}}
    assert scale._last_json(indented) == {"documents": 5, "stats": {"events": 2}}
    assert scale._last_json("no json here") == {}


def test_scale_benchmark_ratio(scale: ModuleType) -> None:
    run = scale.Throughput("local_2", 2, True, 10, steady_docs_per_s=1.5)
    bare = scale.Throughput("bare_spacy_2", 2, True, 10, steady_docs_per_s=2.0)
    assert scale.ratio(run, bare, "steady_docs_per_s") == pytest.approx(0.75)
    assert scale.ratio(run, bare, "wall_docs_per_s") is None


def test_scale_benchmark_load_summary(scale: ModuleType) -> None:
    assert scale.load_summary([]) is None
    assert scale.load_summary([2.0, 4.0, 3.0]) == {"min": 2.0, "mean": 3.0, "max": 4.0, "samples": 3}


def test_scale_benchmark_e2e_arguments(scale: ModuleType) -> None:
    args = scale.parse_args(["--docs", "0", "--e2e-docs", "100000", "--e2e-words", "60"])
    assert (args.docs, args.e2e_docs, args.e2e_words, args.words, args.e2e_workers) == (0, 100000, 60, 800, 2)
    assert scale.parse_args([]).e2e_words is None  # end to end uses --words
