"""The speed benchmark's article generator: deterministic, the requested size. No timing here."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "speed.py"


@pytest.fixture(scope="module")
def speed() -> ModuleType:
    """benchmarks/speed.py imported from its path (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location("benchmarks_speed", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_benchmarks_speed_generator_is_deterministic(speed: ModuleType) -> None:
    assert speed.generate_articles(5, seed=7) == speed.generate_articles(5, seed=7)
    assert speed.generate_articles(5, seed=7) != speed.generate_articles(5, seed=8)


@pytest.mark.parametrize("n", [1, 20, 200])
def test_benchmarks_speed_generator_gives_n_articles_of_about_800_words(speed: ModuleType, n: int) -> None:
    articles = speed.generate_articles(n)
    assert len(articles) == n
    assert len({a["id"] for a in articles}) == n
    for article in articles:
        assert 700 <= len(article["text"].split()) <= 900


def test_benchmarks_speed_generator_varies_the_articles(speed: ModuleType) -> None:
    texts = [a["text"] for a in speed.generate_articles(50)]
    assert len(set(texts)) == 50
    assert len({a["title"] for a in speed.generate_articles(50)}) > 5


def test_benchmarks_speed_writes_jsonl_the_extractor_reads(speed: ModuleType, tmp_path: Path) -> None:
    articles = speed.generate_articles(3)
    path = tmp_path / "articles.jsonl"
    speed.write_jsonl(articles, path)
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert records == articles
    assert set(records[0]) == {"id", "title", "published", "outlet", "url", "text"}


def test_benchmarks_speed_summarises_extraction_output(speed: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_text(
        '{"events": [{}, {}]}\n{"events": [], "error": {"code": "E101"}}\nnot json\n', encoding="utf-8"
    )
    assert speed.summarise_output(path) == {"records": 3, "failed_docs": 2, "events": 2}
