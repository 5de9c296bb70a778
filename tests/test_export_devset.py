"""Every export format from the development-set ledger, each checked by its own validator or reader.

The dev set lives beside the project (``../shared``); the test skips where it is absent.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx  # type: ignore[import-untyped]
import pytest
from followthemoney import model
from stix2validator import ValidationOptions, validate_string  # type: ignore[import-untyped]

from threatledger.cli.main import main

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "dev" / "dev.jsonl"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.slow
@pytest.mark.skipif(not DEV.exists(), reason="no dev set beside the project")
def test_export_devset_every_format_passes_its_validator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "dev.db")
    code, _, err = run(capsys, "ingest", str(DEV), "--db", db)
    assert code == 0, err
    outputs = {}
    for fmt, extra in (
        ("stix", ()),
        ("ftm", ()),
        ("csv", ()),
        ("csv", ("--table", "gtd")),
        ("graphml", ()),
        ("ledger", ()),
    ):
        code, out, err = run(capsys, "export", "--db", db, "--format", fmt, *extra)
        assert code == 0, err
        outputs[fmt + "".join(extra)] = out
    stix = validate_string(outputs["stix"], ValidationOptions(version="2.1"))
    assert stix.is_valid
    assert not stix.errors
    for line in outputs["ftm"].splitlines():
        data = json.loads(line)
        assert model.get_proxy(data, cleaned=False).to_dict() == data
    assert len(list(csv.DictReader(io.StringIO(outputs["csv"])))) > 100
    assert list(csv.DictReader(io.StringIO(outputs["csv--tablegtd"])))
    graphml = tmp_path / "dev.graphml"
    graphml.write_text(outputs["graphml"], encoding="utf-8")
    assert nx.read_graphml(graphml).number_of_nodes() > 50
    ledger = tmp_path / "dev.ledger.jsonl"
    ledger.write_text(outputs["ledger"], encoding="utf-8")
    copy = str(tmp_path / "copy.db")
    assert run(capsys, "import", str(ledger), "--db", copy)[0] == 0
    assert run(capsys, "export", "--db", copy, "--format", "stix")[1] == outputs["stix"]
