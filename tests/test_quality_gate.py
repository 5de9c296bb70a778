"""The evaluation gate: extraction on the development set must not fall below the pinned floors.

The dev set and the scorer live outside the project (``../shared``); the test skips where they are absent.
"""

from __future__ import annotations

import importlib.util
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEV = SHARED / "corpus" / "dev"
SCORER = SHARED / "eval" / "score.py"
FLOORS = ROOT / "benchmarks" / "quality_floors.json"


def _score(pred: Path) -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location("threatledger_dev_scorer", SCORER)
    assert spec is not None
    assert spec.loader is not None
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    acc: dict[str, Any] = __import__("collections").defaultdict(float)
    preds = scorer.load_pred(pred)
    for gold_file in sorted((DEV / "gold").glob("*.json")):
        gold = json.loads(gold_file.read_text())
        scorer.score_doc(scorer.Doc(gold, preds.get(str(gold.get("doc")), {})), acc)
    summary: dict[str, Any] = scorer.summarize(acc)
    return summary


def _value(summary: dict[str, Any], key: str) -> float:
    item = summary[key]
    return float(item["f1"] if isinstance(item, dict) else item)


@pytest.mark.slow
@pytest.mark.skipif(
    not (DEV / "dev.jsonl").exists() or not SCORER.exists(), reason="no dev set beside the project"
)
def test_quality_gate_dev_set_scores_hold_their_floors(tmp_path: Path) -> None:
    from threatledger.extract import extract_documents
    from threatledger.model import Document

    documents = []
    for line in (DEV / "dev.jsonl").read_text().splitlines():
        row = json.loads(line)
        published = date.fromisoformat(row["published"]) if row.get("published") else None
        documents.append(
            Document(
                id=row["id"],
                text=row["text"],
                title=row.get("title"),
                outlet=row.get("outlet"),
                published=published,
            )
        )
    pred = tmp_path / "pred.jsonl"
    with pred.open("w") as out:
        for extraction in extract_documents(documents):
            out.write(json.dumps(extraction.to_dict()) + "\n")
    summary = _score(pred)
    floors = {k: v for k, v in json.loads(FLOORS.read_text()).items() if not k.startswith("_")}
    below = {k: (_value(summary, k), floor) for k, floor in floors.items() if _value(summary, k) < floor}
    assert not below, f"scores below their floors (score, floor): {below}"
