"""``threatledger extract``: files, folders and stdin in, JSON Lines out, bad documents named and counted."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from threatledger.cli.main import main

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
ARTICLE = FIXTURES / "courier_case.txt"
SHORT_ARTICLE = (
    "Courier detained in Lyon\n\n"
    "Police arrested the courier Omar Haddad in Lyon on Tuesday. "
    "He was charged with espionage.\n"
)


def read_records(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def feed_stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8"))


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    """A folder with one good article (and its sidecar) and one empty file."""
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(ARTICLE, folder / "courier_case.txt")
    shutil.copy(FIXTURES / "courier_case.meta.json", folder / "courier_case.meta.json")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    return folder


def test_cli_extract_help_lists_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "extract" in out
    assert "Commands:" in out


def test_cli_extract_command_help_lists_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--output", "--published", "--n-process", "--summary"):
        assert option in out


def test_cli_extract_without_input_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract"]) == 2
    assert "INPUTS" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_extract_bad_file_is_named_and_batch_goes_on(
    batch: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.jsonl"
    main(["extract", str(batch), "-o", str(out)])
    err = capsys.readouterr().err
    assert "empty.txt" in err
    assert "E101" in err
    assert "1 documents extracted, 1 failed" in err
    records = {record["doc"]["id"]: record for record in read_records(out.read_text(encoding="utf-8"))}
    assert set(records) == {"courier-case", "empty"}
    good, bad = records["courier-case"], records["empty"]
    assert "error" not in good
    assert good["doc"]["published"] == "2024-03-15"
    assert {event["type"] for event in good["events"]} >= {"ARREST", "SENTENCE"}
    assert bad["error"]["code"] == "E101"
    assert "empty.txt" in bad["error"]["message"]
    assert (bad["events"], bad["entities"], bad["incidents"]) == ([], [], [])


@pytest.mark.slow
def test_cli_extract_exit_code_says_a_document_failed(batch: Path, tmp_path: Path) -> None:
    assert main(["extract", str(batch), "-o", str(tmp_path / "out.jsonl"), "--no-summary"]) == 1


@pytest.mark.slow
def test_cli_extract_good_input_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(ARTICLE), "--no-summary"]) == 0
    (record,) = read_records(capsys.readouterr().out)
    assert record["doc"]["id"] == "courier-case"


@pytest.mark.slow
def test_cli_extract_reads_stdin_and_uses_published(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_stdin(monkeypatch, SHORT_ARTICLE)
    assert main(["extract", "-", "--published", "2024-03-15", "--no-summary"]) == 0
    (record,) = read_records(capsys.readouterr().out)
    assert record["doc"]["source"] == "-"
    assert record["doc"]["published"] == "2024-03-15"
    (arrest,) = [event for event in record["events"] if event["type"] == "ARREST"]
    assert arrest["date"] == "2024-03-12"  # "on Tuesday" before Friday 15 March
    assert [a["name"] for a in arrest["target"]] == ["Omar Haddad"]


@pytest.mark.slow
def test_cli_extract_without_published_leaves_relative_dates_open(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_stdin(monkeypatch, SHORT_ARTICLE)
    assert main(["extract", "-", "--no-summary"]) == 0
    (record,) = read_records(capsys.readouterr().out)
    assert record["doc"]["published"] is None
    (arrest,) = [event for event in record["events"] if event["type"] == "ARREST"]
    assert arrest["date"] is None


@pytest.mark.slow
def test_cli_extract_stdin_id_is_content_derived(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = []
    for _ in range(2):
        feed_stdin(monkeypatch, SHORT_ARTICLE)
        assert main(["extract", "-", "--no-summary"]) == 0
        (record,) = read_records(capsys.readouterr().out)
        ids.append((record["doc"]["id"], [event["id"] for event in record["events"]]))
    assert ids[0] == ids[1]
    assert ids[0][0]


@pytest.mark.slow
def test_cli_extract_summary_goes_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(ARTICLE), "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "1 documents extracted, 0 failed" in captured.err
    assert "ARREST" in captured.err
    assert len(read_records(out.read_text(encoding="utf-8"))) == 1


@pytest.mark.slow
def test_cli_extract_one_line_document_keeps_its_events(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_stdin(monkeypatch, "Police arrested the courier Omar Haddad in Lyon on Tuesday.\n")
    assert main(["extract", "-", "--published", "2024-03-15", "--no-summary"]) == 0
    (record,) = read_records(capsys.readouterr().out)
    assert [event["type"] for event in record["events"]] == ["ARREST"]
