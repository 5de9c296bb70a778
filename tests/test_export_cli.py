"""``threatledger export`` and ``threatledger import``: every format from the command line, filters, errors,
and one slow test that runs the real extractor on an article we wrote and checks every format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx  # type: ignore[import-untyped]
import pytest
from followthemoney import model
from stix2validator import ValidationOptions, validate_string  # type: ignore[import-untyped]

from export_support import fill
from threatledger.cli.main import main
from threatledger.store.sqlite import SQLiteStore

# A fictional article, written for this test.
ARTICLE = (
    "Prosecutors in Lyon charged two men on 3 March 2024 with plotting to kill the exiled writer Mara Quist. "
    "Investigators said the men were paid by the Kestrel Directorate, an intelligence agency of Valdren. "
    "Police in Lyon arrested the men in February 2024. "
    "The Valdren embassy denied any role in the plot."
)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("cli") / "ledger.db"
    with SQLiteStore(path) as store:
        fill(store)
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("fmt", "extra", "suffix"),
    [
        ("stix", (), "json"),
        ("ftm", (), "ftm.jsonl"),
        ("csv", (), "csv"),
        ("csv", ("--table", "gtd"), "csv"),
        ("graphml", (), "graphml"),
        ("ledger", (), "jsonl"),
        ("jsonl", (), "jsonl"),
    ],
)
def test_export_cli_writes_every_format(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, extra: tuple[str, ...], suffix: str
) -> None:
    target = tmp_path / f"out.{suffix}"
    code, out, err = run(capsys, "export", "--db", db, "--format", fmt, *extra, "-o", str(target))
    assert code == 0, err
    assert out == ""
    assert err.startswith("Exported ")
    assert target.stat().st_size > 0
    code, out, _ = run(capsys, "export", "--db", db, "--format", fmt, *extra)
    assert code == 0
    assert out == target.read_text(encoding="utf-8") or fmt == "ledger"  # the ledger holds wall-clock times


def test_export_cli_filters_select_incidents(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "export", "--db", db, "--format", "csv", "--table", "gtd", "--sponsor", "Sepah"
    )
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["tl_incident_id"] for r in rows] == [rows[0]["tl_incident_id"]]
    assert "Leyla Baran" in rows[0]["summary"]
    assert err == "Exported 1 incidents.\n"
    code, out, _ = run(
        capsys, "export", "--db", db, "--format", "stix", "--type", "SANCTION", "--from", "2024"
    )
    assert code == 0
    assert [o["name"] for o in json.loads(out)["objects"] if o["type"] == "incident"] == [
        "Bombing of a newspaper office in Marseille"
    ]


def test_export_cli_usage_errors(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "export", "--db", db, "--format", "ledger", "--actor", "Karimi")
    assert code == 2
    assert "filters are for stix" in err
    assert run(capsys, "export", "--db", db, "--format", "pdf")[0] == 2
    code, _, err = run(capsys, "export", "--db", db, "--format", "stix", "--from", "someday")
    assert code == 1
    assert "Error [E400]" in err


def test_export_cli_ledger_import_round_trip(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = tmp_path / "ledger.jsonl"
    assert run(capsys, "export", "--db", db, "--format", "ledger", "-o", str(ledger))[0] == 0
    copy = str(tmp_path / "copy.db")
    code, _, err = run(capsys, "import", str(ledger), "--db", copy)
    assert code == 0, err
    assert err == "Imported 6 extractions and 0 corrections.\n"
    for args in (("incidents", "--json"), ("stats", "--json"), ("export", "--format", "stix")):
        assert run(capsys, *args, "--db", copy)[1] == run(capsys, *args, "--db", db)[1]
    code, _, err = run(capsys, "import", str(ledger), "--db", copy)
    assert code == 1
    assert "Error [E500]" in err
    assert "is not empty" in err
    assert "Hint:" in err


def test_export_cli_import_reports_bad_lines(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = tmp_path / "ledger.jsonl"
    run(capsys, "export", "--db", db, "--format", "ledger", "-o", str(ledger))
    lines = ledger.read_text(encoding="utf-8").splitlines()
    ledger.write_text("\n".join([*lines[:2], "{not json", *lines[2:]]) + "\n", encoding="utf-8")
    code, _, err = run(capsys, "import", str(ledger), "--db", str(tmp_path / "copy.db"))
    assert code == 1
    assert "line 3" in err
    assert "Imported 6 extractions and 0 corrections; 1 lines failed." in err
    code, _, err = run(capsys, "import", str(tmp_path / "missing.jsonl"), "--db", str(tmp_path / "x.db"))
    assert code == 2


def test_export_cli_help_names_the_formats(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "export", "--help")
    assert code == 0
    for word in ("stix", "ftm", "csv", "graphml", "ledger", "jsonl", "--table", "--sponsor", "--output"):
        assert word in out
    code, out, _ = run(capsys, "--help")
    assert "import" in out


@pytest.mark.slow
def test_export_cli_real_extraction_every_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "lyon.txt").write_text(ARTICLE, encoding="utf-8")
    db = str(tmp_path / "real.db")
    code, _, err = run(capsys, "ingest", str(tmp_path / "lyon.txt"), "--db", db, "--published", "2024-03-04")
    assert code == 0, err
    outputs = {}
    for fmt, extra in (("stix", ()), ("ftm", ()), ("csv", ()), ("graphml", ()), ("ledger", ())):
        code, out, err = run(capsys, "export", "--db", db, "--format", fmt, *extra)
        assert code == 0, err
        outputs[fmt] = out
    results = validate_string(outputs["stix"], ValidationOptions(version="2.1"))
    assert results.is_valid
    assert not results.errors
    types = {o["type"] for o in json.loads(outputs["stix"])["objects"]}
    assert {"incident", "report", "note", "relationship"} <= types
    for line in outputs["ftm"].splitlines():
        data = json.loads(line)
        assert model.get_proxy(data, cleaned=False).to_dict() == data
    assert list(csv.DictReader(io.StringIO(outputs["csv"])))
    graphml = tmp_path / "real.graphml"
    graphml.write_text(outputs["graphml"], encoding="utf-8")
    assert nx.read_graphml(graphml).number_of_edges() > 0
    ledger = tmp_path / "real.ledger.jsonl"
    ledger.write_text(outputs["ledger"], encoding="utf-8")
    copy = str(tmp_path / "copy.db")
    assert run(capsys, "import", str(ledger), "--db", copy)[0] == 0
    assert run(capsys, "export", "--db", copy, "--format", "stix")[1] == outputs["stix"]
