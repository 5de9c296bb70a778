"""Faults: ``kill -9`` at random points of ``threatledger ingest``, of a series of ``threatledger
review`` commands and of ``threatledger load`` (batch results into a store), a full disk, and a read-only
database.

The commands run in child processes (the real CLI, :func:`threatledger.cli.main.main`) forked from a
server that imported it once, with the spaCy extractor replaced by the test stub, so a run costs
milliseconds; ``benchmarks/soak.py --faults`` repeats the kills with fresh ``threatledger`` processes and
the real extractor. After every kill the store must open, pass
``PRAGMA integrity_check`` and ``foreign_key_check``, hold only whole documents (each with all of its
events), keep every review decision already reported, and the next run must finish with the same counts
as a run that was never interrupted.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from threatledger.store.sqlite import SQLiteStore, translate_sqlite_error

TESTS = Path(__file__).parent
SEED = int(os.environ.get("THREATLEDGER_FAULT_SEED", "20240601"))
KILLS = int(os.environ.get("THREATLEDGER_FAULT_KILLS", "10"))
ARTICLES = 40

# A fork server: it imports the CLI once (with the stub extractor), then forks a child for each run, so a
# run costs milliseconds, not the second an interpreter takes to start. A child runs one or more CLI
# commands with stdout and stderr in files; it writes "extracting" on stderr when extraction starts and
# "done N" on stdout after its N-th command. The server answers {"pid": ...}, or {"status": ...} when asked
# to wait for a child (minus the signal number for a killed child, as subprocess does).
FORK_SERVER = """
import json, os, sys
sys.path.insert(0, {tests!r})
from api_helpers import stub_extractor
import rich.progress
import threatledger.cli.ledger as ledger
import threatledger.cli.ledger_review, threatledger.ingest.url, threatledger.store.sqlite
from threatledger.cli.main import main

def extractor(documents, *, n_process=1):
    sys.stderr.write("extracting\\n")
    sys.stderr.flush()
    yield from stub_extractor(documents)

ledger.load_extractor = lambda: extractor

import threatledger.cli.scale, threatledger.scale.load as scale_load
import pyarrow.parquet, threatledger.export.ledger_jsonl  # what load imports (spaCy too), done once

import threatledger.export.ledger_jsonl as ledger_jsonl

def announce(module, name, marker):  # write marker on stderr at each call (the tests wait for it)
    inner = getattr(module, name)
    def wrapped(*args, **kwargs):
        sys.stderr.write(marker + "\\n")
        sys.stderr.flush()
        return inner(*args, **kwargs)
    setattr(module, name, wrapped)

announce(scale_load, "_store_chunk", "storing")
announce(ledger_jsonl, "_import_line", "importing")

def child(request):
    for fd, name in ((1, "out"), (2, "err")):
        os.dup2(os.open(request[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), fd)
    sys.stdout = open(1, "w", buffering=1, closefd=False)
    sys.stderr = open(2, "w", buffering=1, closefd=False)
    code = 0
    for number, argv in enumerate(request["commands"]):
        code = main(argv)
        if code:
            break
        print("done", number, flush=True)
    sys.stderr.flush()
    os._exit(code)

for line in sys.stdin:
    request = json.loads(line)
    if "wait" in request:
        _, status = os.waitpid(request["wait"], 0)
        print(json.dumps({{"status": os.waitstatus_to_exitcode(status)}}), flush=True)
        continue
    pid = os.fork()
    if pid == 0:
        try:
            child(request)
        finally:
            os._exit(70)
    print(json.dumps({{"pid": pid}}), flush=True)
"""


@dataclass
class Run:
    """One forked child: its pid and the files its stdout and stderr go to."""

    pid: int
    out: Path
    err: Path
    status: int | None = None

    def stdout(self) -> list[str]:
        """Its stdout lines (none when it was killed before it opened the file)."""
        return _read(self.out).splitlines()

    def stderr(self) -> str:
        return _read(self.err)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


class ForkServer:
    """Starts CLI runs as children of the fork server; kills and reaps them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        self.proc = subprocess.Popen(
            [sys.executable, "-c", FORK_SERVER.format(tests=str(TESTS))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        answer: dict[str, Any] = json.loads(self.proc.stdout.readline())
        return answer

    def start(self, *commands: list[str]) -> Run:
        self.count += 1
        out, err = self.folder / f"run{self.count}.out", self.folder / f"run{self.count}.err"
        answer = self._ask({"commands": list(commands), "out": str(out), "err": str(err)})
        return Run(int(answer["pid"]), out, err)

    def wait(self, run: Run) -> int:
        if run.status is None:
            run.status = int(self._ask({"wait": run.pid})["status"])
        return run.status

    def run(self, *commands: list[str]) -> Run:
        run = self.start(*commands)
        self.wait(run)
        return run

    def kill(self, run: Run) -> bool:
        """SIGKILL the run; whether it was still running (a zombie takes the signal and ignores it)."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(run.pid, signal.SIGKILL)
        return self.wait(run) == -signal.SIGKILL

    def wait_for(self, run: Run, line: str, timeout: float = 60) -> bool:
        """Whether ``line`` appeared on the run's stderr before it ended."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if line in run.stderr().splitlines():
                return True
            if _ended(run.pid):
                return line in run.stderr().splitlines()
            time.sleep(0.002)
        return False

    def close(self) -> None:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()


def _ended(pid: int) -> bool:
    """Whether the process has exited (a zombie not yet reaped counts as ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith(("Z", "X"))
    except (OSError, IndexError):
        return True


@pytest.fixture(scope="module")
def forks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ForkServer]:
    server = ForkServer(tmp_path_factory.mktemp("runs"))
    yield server
    server.close()


PEOPLE = ("Nadia Frost", "Marek Volk", "Ilse Maren", "Tomas Reiner", "Omid Sarraf", "Leyla Baran")
TOWNS = ("Kestrel Bay", "Tiny Town", "Port Ardent", "Lowmoor", "Gravenholm")


def article(number: int) -> str:
    """A fictional report with several events the stub extractor finds (trigger words, two-word names)."""
    person, other = PEOPLE[number % len(PEOPLE)], PEOPLE[(number + 2) % len(PEOPLE)]
    town = TOWNS[number % len(TOWNS)]
    lines = [
        f"Report {number} from {town}",
        f"Gunmen attacked the office of {person} in {town} on a Monday night, the police said.",
        f"Investigators said the men plotted the attack on {person} for weeks and were paid for it.",
        f"Police arrested {other} on the following day and said that a second man was still at large.",
        f"Prosecutors charged {other} with the attack in case number {number} at the regional court.",
    ]
    filler = "The court said that the hearing would take place in the spring and that the case was open."
    return "\n".join(lines + [filler] * 3) + "\n"


@pytest.fixture(scope="module")
def articles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("articles")
    for number in range(ARTICLES):
        (folder / f"report_{number:03d}.txt").write_text(article(number), encoding="utf-8")
    return folder


def check_store(db: Path) -> dict[str, Any]:
    """The store after a crash: integrity, foreign keys, full-text indexes, whole documents; its counts."""
    with SQLiteStore(db, create=False) as store:
        conn = store.conn
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        half = conn.execute(
            "SELECT COUNT(*) FROM documents d WHERE NOT EXISTS "
            "(SELECT 1 FROM extractions x WHERE x.document_pk = d.pk)"
        ).fetchone()[0]
        assert half == 0, "a document without its extraction"
        for table in ("documents_fts", "events_fts"):
            conn.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
        stats: dict[str, Any] = store.stats().to_dict()
        stats["events_by_document"] = dict(
            conn.execute(
                "SELECT d.doc_id, COUNT(e.pk) FROM documents d LEFT JOIN events e ON e.document_pk = d.pk "
                "GROUP BY d.pk"
            ).fetchall()
        )
    return stats


def ingest(articles: Path, db: Path) -> list[str]:
    return ["ingest", str(articles), "--db", str(db)]


@pytest.fixture(scope="module")
def reference(forks: ForkServer, articles: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """An ingest never interrupted: its counts, and how long its extraction phase took."""
    db = tmp_path_factory.mktemp("reference") / "ledger.db"
    run = forks.start(ingest(articles, db))
    assert forks.wait_for(run, "extracting")
    started = time.monotonic()
    assert forks.wait(run) == 0, run.stderr()
    seconds = time.monotonic() - started
    stats = check_store(db)
    assert len(stats["events_by_document"]) == ARTICLES
    return {"stats": stats, "seconds": seconds}


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_reliability_faults_kill_9_during_ingest(
    forks: ForkServer, articles: Path, reference: dict[str, Any], tmp_path: Path
) -> None:
    """KILLS kills at random points of the writing phase, each run resuming the last; a run that ends
    before its kill must match the uninterrupted run (and the next kills start on a new store)."""
    rng = random.Random(SEED)
    expected = reference["stats"]["events_by_document"]
    kills, attempts, stores = 0, 0, 0
    db, stored = tmp_path / "ledger-0.db", [0]
    while kills < KILLS and attempts < 4 * KILLS:
        attempts += 1
        run = forks.start(ingest(articles, db))
        if forks.wait_for(run, "extracting"):
            time.sleep(rng.uniform(0, reference["seconds"] / 4))
        killed = forks.kill(run)
        stats = check_store(db)
        for doc_id, events in stats["events_by_document"].items():
            assert events == expected[doc_id], f"{doc_id} has {events} events, not {expected[doc_id]}"
        assert len(stats["events_by_document"]) >= stored[-1], f"a kill lost stored documents: {stored}"
        stored.append(len(stats["events_by_document"]))
        if not killed:  # the run ended first: it must have resumed to the same end
            assert run.status == 0, run.stderr()
            assert stats == reference["stats"], f"documents stored after each kill: {stored}"
            stores += 1
            db, stored = tmp_path / f"ledger-{stores}.db", [0]
        kills += killed
    assert kills == KILLS, f"only {kills} of {attempts} runs were still running at their kill"
    final = forks.run(ingest(articles, db))
    assert final.status == 0, final.stderr()
    assert check_store(db) == reference["stats"], f"documents stored after each kill: {stored}"


def event_ids(db: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return [row[0] for row in conn.execute("SELECT event_id FROM events ORDER BY pk")]


def decision(number: int, event_id: str, db: Path) -> list[str]:
    """The review command for the ``number``-th event: confirm, reject or correct, in turn."""
    common = ["--by", "reviewer", "--why", f"decision {number}", "--db", str(db)]
    kind = number % 3
    if kind == 0:
        return ["review", "confirm", event_id, *common]
    if kind == 1:
        return ["review", "reject", event_id, *common]
    return ["review", "correct", event_id, "status", "confirmed", *common]


def reasons(db: Path) -> list[str]:
    with SQLiteStore(db, create=False) as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return [c.reason for c in store.corrections()]


def review_series(db: Path, ids: list[str]) -> tuple[list[int], list[list[str]]]:
    """The decisions not yet stored, and their commands."""
    done = set(reasons(db))
    todo = [n for n in range(len(ids)) if f"decision {n}" not in done]
    return todo, [decision(n, ids[n], db) for n in todo]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_reliability_faults_kill_9_during_review(forks: ForkServer, articles: Path, tmp_path: Path) -> None:
    """A series of review commands killed at random points: no decision reported done is lost, none is
    written twice, and the series resumed where it stopped ends with every decision once."""
    rng = random.Random(SEED + 1)
    pristine, db = tmp_path / "pristine.db", tmp_path / "ledger.db"
    names = [str(path) for path in sorted(articles.iterdir())[:12]]
    assert forks.run(["ingest", *names, "--db", str(pristine)]).status == 0
    ids = event_ids(pristine)
    wanted = sorted(f"decision {n}" for n in range(len(ids)))
    shutil.copy(pristine, db)
    started = time.monotonic()
    probe = forks.run(*review_series(db, ids)[1][:3])
    assert probe.status == 0, probe.stderr()
    seconds_each = (time.monotonic() - started) / 3
    kills = attempts = 0
    while kills < KILLS and attempts < 4 * KILLS:
        attempts += 1
        todo, commands = review_series(db, ids)
        if not todo:  # the series is done: start again on a fresh copy
            assert sorted(reasons(db)) == wanted
            shutil.copy(pristine, db)
            todo, commands = review_series(db, ids)
        run = forks.start(*commands)
        time.sleep(rng.uniform(0, seconds_each * 2))
        kills += forks.kill(run)
        reported = [todo[int(line.split()[1])] for line in run.stdout() if line.startswith("done ")]
        kept = reasons(db)
        assert len(kept) == len(set(kept)), "a decision was written twice"
        assert {f"decision {n}" for n in reported} <= set(kept), "a decision reported done was lost"
        assert set(kept) <= set(wanted)
    assert kills == KILLS, f"only {kills} of {attempts} runs were still running at their kill"
    todo, commands = review_series(db, ids)
    if commands:
        finished = forks.run(*commands)
        assert finished.status == 0, finished.stderr()
    assert sorted(reasons(db)) == wanted


# kill -9 during load

LOAD_CHUNK = 4  # documents a transaction: ten of them for the forty articles


@pytest.fixture(scope="module")
def results(articles: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What ``threatledger batch`` would write for the articles (the stub extractor, no Ray), plus one
    failed row: Parquet result files of 16 rows."""
    from api_helpers import stub_extractor
    from threatledger.ingest import DocumentFailure, read_inputs
    from threatledger.scale.records import extraction_row, failure_row
    from threatledger.scale.results import ResultWriter, check_out_dir

    folder = tmp_path_factory.mktemp("batch") / "results"
    check_out_dir(folder)
    writer = ResultWriter(folder, rows_per_file=16)
    read = list(read_inputs([str(articles)]))
    documents = [item for item in read if not isinstance(item, DocumentFailure)]
    assert len(documents) == ARTICLES
    for extraction in stub_extractor(documents):
        writer.write(extraction_row(extraction))
    (articles.parent / "empty.txt").write_text("", encoding="utf-8")
    [failure] = read_inputs([str(articles.parent / "empty.txt")])
    assert isinstance(failure, DocumentFailure)
    writer.write(failure_row(failure))
    writer.finalize()
    assert len(writer.files) == 3
    return folder


def load(results: Path, db: Path, *, fast: bool) -> list[str]:
    return ["load", str(results), "--db", str(db), "--chunk", str(LOAD_CHUNK), *(["--fast"] if fast else [])]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("fast", [False, True], ids=["resolved", "bulk"])
def test_reliability_faults_kill_9_during_load(
    forks: ForkServer, results: Path, tmp_path: Path, fast: bool
) -> None:
    """KILLS kills at random points while ``load`` writes its chunks, each run resuming the last: after
    each the store is consistent, no loaded document is lost, and the run that ends matches a load that
    was never interrupted (documents, events, entities, incidents, each document's events)."""
    rng = random.Random(SEED + 2 + fast)
    reference_db = tmp_path / "reference.db"
    run = forks.start(load(results, reference_db, fast=fast))
    assert forks.wait_for(run, "storing")
    started = time.monotonic()
    assert forks.wait(run) == 0, run.stderr()
    seconds = time.monotonic() - started
    summary = run.stdout()[0]
    assert summary.startswith("41 result rows read"), summary
    assert "40 documents stored, 0 already known, 1 failed extractions" in summary, summary
    expected = check_store(reference_db)
    assert len(expected["events_by_document"]) == ARTICLES
    kills = attempts = stores = partial = 0
    db, stored = tmp_path / "ledger-0.db", [0]
    while kills < KILLS and attempts < 4 * KILLS:
        attempts += 1
        run = forks.start(load(results, db, fast=fast))
        if forks.wait_for(run, "storing"):
            time.sleep(rng.uniform(0, seconds))
        killed = forks.kill(run)
        stats = check_store(db)
        for doc_id, events in stats["events_by_document"].items():
            assert events == expected["events_by_document"][doc_id], f"{doc_id}: {events} events"
        assert len(stats["events_by_document"]) >= stored[-1], f"a kill lost loaded documents: {stored}"
        stored.append(len(stats["events_by_document"]))
        partial += killed and 0 < stored[-1] < ARTICLES
        if not killed:  # the run ended first: it must have resumed to the same end
            assert run.status == 0, run.stderr()
            assert stats == expected, f"documents stored after each kill: {stored}"
            stores += 1
            db, stored = tmp_path / f"ledger-{stores}.db", [0]
        kills += killed
    assert kills == KILLS, f"only {kills} of {attempts} runs were still running at their kill"
    assert partial >= KILLS // 4, f"only {partial} kills landed between two chunks' commits"
    final = forks.run(load(results, db, fast=fast))
    assert final.status == 0, final.stderr()
    assert check_store(db) == expected, f"documents stored after each kill: {stored}"


# kill -9 during import


@pytest.fixture(scope="module")
def ledger_file(forks: ForkServer, results: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A reviewed ledger exported with ``export --format ledger``: the file, the source's counts and
    review decisions, and how long an uninterrupted import takes."""
    folder = tmp_path_factory.mktemp("import")
    source = folder / "source.db"
    assert forks.run(load(results, source, fast=False)).status == 0
    ids = event_ids(source)
    assert forks.run(*(decision(n, ids[n], source) for n in range(6))).status == 0
    ledger = folder / "ledger.jsonl"
    exported = forks.run(["export", "--format", "ledger", "--db", str(source), "-o", str(ledger)])
    assert exported.status == 0, exported.stderr()
    reference = folder / "reference.db"
    run = forks.start(["import", str(ledger), "--db", str(reference)])
    assert forks.wait_for(run, "importing")
    started = time.monotonic()
    assert forks.wait(run) == 0, run.stderr()
    return {
        "file": ledger,
        "stats": check_store(reference),
        "reasons": sorted(reasons(reference)),
        "seconds": time.monotonic() - started,
    }


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_reliability_faults_kill_9_during_import(
    forks: ForkServer, ledger_file: dict[str, Any], tmp_path: Path
) -> None:
    """KILLS kills at random points of ``import``: a killed import leaves no store at its path (never a
    half ledger that looks whole), and the next run imports the whole ledger, every review decision
    with it."""
    assert ledger_file["reasons"] == sorted(f"decision {n}" for n in range(6))
    rng = random.Random(SEED + 4)
    db = tmp_path / "imported.db"
    kills = attempts = 0
    while kills < KILLS and attempts < 4 * KILLS:
        attempts += 1
        run = forks.start(["import", str(ledger_file["file"]), "--db", str(db)])
        if forks.wait_for(run, "importing"):
            time.sleep(rng.uniform(0, ledger_file["seconds"]))
        killed = forks.kill(run)
        if not killed:  # it ended first: a whole ledger, then start again on a new path
            assert run.status == 0, run.stderr()
            assert check_store(db) == ledger_file["stats"]
            db.unlink()
            continue
        assert not db.exists(), "a killed import left a store at the final path"
        kills += 1
    assert kills == KILLS, f"only {kills} of {attempts} runs were still running at their kill"
    assert list(tmp_path.glob("imported.db.importing*")), "the killed runs left no staging file to clean"
    final = forks.run(["import", str(ledger_file["file"]), "--db", str(db)])
    assert final.status == 0, final.stderr()
    assert check_store(db) == ledger_file["stats"]
    assert sorted(reasons(db)) == ledger_file["reasons"]
    assert not list(tmp_path.glob("imported.db.importing*")), "the staging file outlived the import"


# full disk and read-only store


@contextlib.contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A small tmpfs mounted at ``folder`` (root only); the test is skipped where mounting fails."""
    folder.mkdir()
    try:
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
            capture_output=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"cannot mount a tmpfs: {exc}")
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False, timeout=30)


def assert_clear_error(run: Run, code: str = "E4") -> str:
    """``Error [E4xx] ...`` and a hint on stderr, exit 1, no traceback."""
    stderr = run.stderr()
    assert run.status == 1, (run.status, stderr[-2000:])
    assert "Traceback" not in stderr, stderr[-2000:]
    error = next(line for line in stderr.splitlines() if line.startswith("Error ["))
    assert error.startswith(f"Error [{code}"), error
    assert "\nHint: " in stderr
    return stderr


@pytest.fixture(scope="module")
def full_disk(forks: ForkServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Run]]:
    """Forty articles of ~40 KB ingested into a store on a 1 MiB disk: the store and the run."""
    folder = tmp_path_factory.mktemp("full-disk")
    articles = folder / "big"
    articles.mkdir()
    for number in range(40):
        text = article(number) + "The court said that the hearing would take place in the spring.\n" * 600
        (articles / f"big_{number:03d}.txt").write_text(text, encoding="utf-8")
    with tmpfs(folder / "disk", "1m") as disk:
        db = disk / "ledger.db"
        yield db, forks.run(ingest(articles, db))


def test_reliability_faults_full_disk_is_a_clear_error(
    forks: ForkServer, full_disk: tuple[Path, Run]
) -> None:
    db, run = full_disk
    assert "full" in assert_clear_error(run)
    stats = check_store(db)  # what was stored before the disk filled is whole
    assert 0 < len(stats["events_by_document"]) < 40
    review = forks.run(decision(0, event_ids(db)[0], db))
    assert review.status in (0, 1)
    assert "Traceback" not in review.stderr()


def test_reliability_faults_full_disk_hint_says_free_space(full_disk: tuple[Path, Run]) -> None:
    stderr = assert_clear_error(full_disk[1])
    hint = stderr[stderr.index("Hint: ") :].lower()
    assert "free disk space" in hint
    assert "--db" in hint
    assert "traceback" not in hint


def test_reliability_faults_full_disk_error_is_recognised_without_a_mount() -> None:
    """The same translation where no tmpfs can be mounted: by SQLite's code and by its message."""
    by_code = sqlite3.OperationalError("disk I/O error")
    by_code.sqlite_errorcode = sqlite3.SQLITE_FULL
    for exc in (sqlite3.OperationalError("database or disk is full"), by_code):
        error = translate_sqlite_error(exc, "/data/ledger.db")
        assert error.code == "E400"
        assert "disk is full" in str(error)
        assert "free disk space" in (error.hint or "").lower()
    other = translate_sqlite_error(sqlite3.OperationalError("disk I/O error"), "/data/ledger.db")
    assert "free disk space" not in (other.hint or "").lower()


@pytest.fixture(scope="module")
def readonly_store(
    forks: ForkServer, articles: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """A store on a file system remounted read-only (as root), or a file without write permission."""
    folder = tmp_path_factory.mktemp("read-only")
    names = [str(path) for path in sorted(articles.iterdir())[:3]]
    if os.geteuid() != 0:
        db = folder / "ledger.db"
        assert forks.run(["ingest", *names, "--db", str(db)]).status == 0
        db.chmod(0o444)
        folder.chmod(0o555)
        try:
            yield db
        finally:
            folder.chmod(0o755)
        return
    with tmpfs(folder / "ro", "16m") as mount:
        db = mount / "ledger.db"
        assert forks.run(["ingest", *names, "--db", str(db)]).status == 0
        remount = subprocess.run(
            ["mount", "-o", "remount,ro", str(mount)], capture_output=True, check=False, timeout=30
        )
        if remount.returncode != 0:
            pytest.skip(f"cannot remount read-only: {remount.stderr.decode(errors='replace').strip()}")
        yield db


@pytest.mark.parametrize(
    "args",
    [["ingest", "{article}"], ["review", "confirm", "ev_missing", "--by", "r", "--why", "w"], ["stats"]],
    ids=["ingest", "review", "stats"],
)
def test_reliability_faults_read_only_store_is_a_clear_error(
    forks: ForkServer, readonly_store: Path, articles: Path, args: list[str]
) -> None:
    article_path = str(sorted(articles.iterdir())[5])
    argv = [arg.replace("{article}", article_path) for arg in args]
    stderr = assert_clear_error(forks.run([*argv, "--db", str(readonly_store)]))
    assert str(readonly_store) in stderr
