"""The batch path without the model: input records -> Documents, result rows in Parquet and back, shards,
and loading results into a store (hand-built extractions stand in for the extractor)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from ledger_factories import arrest_story, charge_story, verdict_story
from threatledger.cli.main import main
from threatledger.errors import IngestError, InputNotFoundError, ParseError, StoreError, TooLargeError
from threatledger.export.ledger_jsonl import extraction_from_dict
from threatledger.ingest import DocumentFailure
from threatledger.model import Document
from threatledger.scale import find_shards, load_results
from threatledger.scale.records import document_from_line, document_from_record, extraction_row, failure_row
from threatledger.scale.results import ResultWriter, check_out_dir, count_results, read_results
from threatledger.scale.shards import read_parquet
from threatledger.store import open_store

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

TEXT = (
    "Prosecutors in the river town of Aldmere charged two men on Monday with spying on exiled "
    "opposition members for a foreign service, the court said in a statement."
)


def test_scale_results_line_becomes_a_document() -> None:
    line = json.dumps({"id": 7, "text": TEXT, "title": "Two charged", "published": "2024-02-05"})
    document = document_from_line(line, source="shard.jsonl", max_bytes=10_000)
    assert isinstance(document, Document)
    assert (document.id, document.title, document.published) == ("7", "Two charged", date(2024, 2, 5))
    assert document.source == "shard.jsonl"


def test_scale_results_html_record_is_read_with_trafilatura() -> None:
    html = f"<html><body><nav>Menu</nav><article><p>{TEXT}</p></article></body></html>"
    document = document_from_record({"id": "h1", "html": html}, source="s:1", max_bytes=10_000)
    assert isinstance(document, Document)
    assert document.text.startswith("Prosecutors in the river town")


@pytest.mark.parametrize(
    ("line", "error", "message"),
    [
        ("{not json", ParseError, "not valid JSON"),
        ("[1, 2]", ParseError, "not a JSON object"),
        ('{"id": "x"}', ParseError, "neither a 'text' nor an 'html'"),
        ('{"id": "x", "text": 5}', ParseError, "must be a string"),
        (json.dumps({"id": "big", "text": "word " * 400}), TooLargeError, "limit is 1,000 bytes"),
    ],
)
def test_scale_results_bad_lines_become_failures(line: str, error: type[Exception], message: str) -> None:
    result = document_from_line(line, source="shard.jsonl", max_bytes=1_000)
    assert isinstance(result, DocumentFailure)
    assert isinstance(result.error, error)
    assert message in str(result.error)


def test_scale_results_parquet_dates_are_read() -> None:
    record = {"id": "p1", "text": TEXT, "published": date(2023, 11, 30), "url": None}
    document = document_from_record(record, source="a.parquet:1", max_bytes=10_000)
    assert isinstance(document, Document)
    assert document.published == date(2023, 11, 30)


def test_scale_results_extraction_row_round_trips() -> None:
    extraction = charge_story()
    row = extraction_row(extraction)
    assert row["error"] is None
    assert row["id"] == "ostend-charge"
    back = extraction_from_dict(json.loads(row["extraction"] or ""))
    assert back.to_dict() == extraction.to_dict()
    assert back.document.text == extraction.document.text


def test_scale_results_failure_row_keeps_the_error() -> None:
    failure = document_from_line("{oops", source="s.jsonl:3", max_bytes=100)
    assert isinstance(failure, DocumentFailure)
    row = failure_row(failure)
    assert (row["id"], row["source"], row["extraction"]) == ("s.jsonl:3", "s.jsonl:3", None)
    assert json.loads(row["error"] or "")["code"] == "E102"


def write_results(folder: Path, *, rows_per_file: int = 50_000) -> ResultWriter:
    """Three stories of one case and one failure, written as batch results."""
    check_out_dir(folder)
    writer = ResultWriter(folder, rows_per_file=rows_per_file)
    failure = document_from_line("{oops", source="s.jsonl:9", max_bytes=100)
    assert isinstance(failure, DocumentFailure)
    for row in (extraction_row(charge_story()), failure_row(failure), extraction_row(arrest_story())):
        writer.write(row)
    writer.write(extraction_row(verdict_story()))
    writer.finalize()
    return writer


def test_scale_results_writer_splits_files_and_reads_back(tmp_path: Path) -> None:
    writer = write_results(tmp_path / "out", rows_per_file=2)
    assert [p.name for p in writer.files] == ["part-00000.parquet", "part-00001.parquet"]
    rows = list(read_results(tmp_path / "out"))
    assert [r["id"] for r in rows] == ["ostend-charge", "s.jsonl:9", "vienna-arrest", "ostend-verdict"]
    assert count_results(tmp_path / "out") == (4, 1)
    schema = pq.read_schema(writer.files[1])
    assert schema.field("error").type == pa.string()  # all null in that file, still a string column


def test_scale_results_refuse_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "old.parquet").write_bytes(b"x")
    with pytest.raises(StoreError, match="not empty"):
        check_out_dir(tmp_path)


def test_scale_results_find_shards(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text("{}\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.parquet").write_bytes(b"")
    (tmp_path / ".hidden.jsonl").write_text("{}\n")
    (tmp_path / "notes.txt").write_text("x")
    shards = find_shards([str(tmp_path)])
    assert shards.jsonl == (str(tmp_path / "a.jsonl"),)
    assert shards.parquet == (str(tmp_path / "sub" / "b.parquet"),)
    with pytest.raises(ParseError, match="not a .jsonl or .parquet"):
        find_shards([str(tmp_path / "notes.txt")])
    with pytest.raises(InputNotFoundError):
        find_shards([str(tmp_path / "missing")])


def test_scale_results_read_parquet_names_rows(tmp_path: Path) -> None:
    table = pa.table({"id": ["p1", "p2"], "text": [TEXT, ""], "published": [date(2024, 1, 2), None]})
    pq.write_table(table, tmp_path / "in.parquet")
    first, second = read_parquet(str(tmp_path / "in.parquet"), max_bytes=10_000)
    assert isinstance(first, Document)
    assert (first.source, first.published) == (f"{tmp_path / 'in.parquet'}:1", date(2024, 1, 2))
    assert isinstance(second, DocumentFailure)
    assert second.document_id == "p2"


def test_scale_results_unreadable_parquet_is_one_failure(tmp_path: Path) -> None:
    (tmp_path / "bad.parquet").write_bytes(b"not parquet at all")
    [failure] = read_parquet(str(tmp_path / "bad.parquet"), max_bytes=10_000)
    assert isinstance(failure, DocumentFailure)
    assert "cannot read the Parquet file" in str(failure.error)


@pytest.mark.parametrize("resolve", [True, False], ids=["resolved", "bulk"])
def test_scale_results_load_into_the_store(tmp_path: Path, resolve: bool) -> None:
    write_results(tmp_path / "out")
    with open_store(str(tmp_path / "ledger.db")) as store:
        summary = load_results(store, tmp_path / "out", chunk=2, resolve=resolve)
        assert (summary.rows, summary.failed, summary.bad_rows) == (4, 1, 0)
        assert summary.stats["documents"] == 3
        assert store.stats().documents == 3
        again = load_results(store, tmp_path / "out")
        assert (again.stats["documents"], again.stats["skipped"]) == (0, 3)


def test_scale_results_load_joins_the_case_into_one_incident(tmp_path: Path) -> None:
    write_results(tmp_path / "out")
    with open_store(str(tmp_path / "ledger.db")) as store:
        load_results(store, tmp_path / "out")
        [case] = [i for i in store.incidents() if "ostend-verdict" in store.incident(i.id).documents]
        assert case.documents == 3


def test_scale_results_load_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_results(tmp_path / "out")
    db = str(tmp_path / "ledger.db")
    assert main(["load", str(tmp_path / "out"), "--db", db, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["rows"], summary["failed"], summary["stats"]["documents"]) == (4, 1, 3)
    assert main(["load", str(tmp_path / "missing"), "--db", db]) == 2
    (tmp_path / "empty").mkdir()
    assert main(["load", str(tmp_path / "empty"), "--db", db]) == 1
    assert "no Parquet results" in capsys.readouterr().err


def test_scale_results_batch_refuses_address_without_ray(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.jsonl").write_text(json.dumps({"id": "a", "text": TEXT}) + "\n")
    code = main(
        ["batch", str(tmp_path / "a.jsonl"), "--out", str(tmp_path / "o"), "--address", "ray://h:10001"]
    )
    assert code == 2
    assert "--address needs --engine ray" in capsys.readouterr().err


def test_scale_results_local_ray_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A local Ray gets one Parquet footer reader per CPU (not Ray Data's 32 processes) unless the user
    set the number; usage stats off; the environment comes back as it was."""
    import os

    from threatledger.scale.ray_engine import FOOTER_ACTORS_ENV, local_ray_environment

    monkeypatch.delenv(FOOTER_ACTORS_ENV, raising=False)
    monkeypatch.delenv("RAY_USAGE_STATS_ENABLED", raising=False)
    with local_ray_environment(tmp_path, num_cpus=2):
        assert os.environ[FOOTER_ACTORS_ENV] == "2"
        assert os.environ["RAY_USAGE_STATS_ENABLED"] == "0"
    assert FOOTER_ACTORS_ENV not in os.environ
    assert "RAY_USAGE_STATS_ENABLED" not in os.environ
    monkeypatch.setenv(FOOTER_ACTORS_ENV, "7")
    with local_ray_environment(tmp_path, num_cpus=2):
        assert os.environ[FOOTER_ACTORS_ENV] == "7"
    assert os.environ[FOOTER_ACTORS_ENV] == "7"


def cut_footer(path: Path) -> None:
    """What a batch killed while writing leaves: the file without its end (and its footer)."""
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def test_scale_results_a_file_without_its_footer_is_named_and_the_others_load(tmp_path: Path) -> None:
    writer = write_results(tmp_path / "out", rows_per_file=2)
    cut_footer(writer.files[1])
    with open_store(str(tmp_path / "ledger.db")) as store:
        summary = load_results(store, tmp_path / "out")
        assert summary.bad_files == 1
        assert (summary.rows, summary.failed) == (2, 1)  # the first file: one story and one failure
        assert store.stats().documents == 1
    assert any("part-00001.parquet" in message and "batch" in message for message in summary.errors)
    assert "1 unreadable result files" in summary.line()


def test_scale_results_reading_a_file_without_its_footer_is_an_error_naming_it(tmp_path: Path) -> None:
    writer = write_results(tmp_path / "out", rows_per_file=2)
    cut_footer(writer.files[0])
    with pytest.raises(IngestError) as info:
        count_results(tmp_path / "out")
    assert "part-00000.parquet" in str(info.value)
    assert info.value.hint


def test_scale_results_load_command_exits_1_on_an_unreadable_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    writer = write_results(tmp_path / "out", rows_per_file=2)
    cut_footer(writer.files[1])
    code = main(["load", str(tmp_path / "out"), "--db", str(tmp_path / "ledger.db")])
    assert code == 1
    err = capsys.readouterr().err
    assert "part-00001.parquet" in err
    assert "Traceback" not in err
