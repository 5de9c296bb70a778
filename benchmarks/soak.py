"""Soak and fault benchmark: the API under steady load while ingests run, and kill -9 during ingest and
review with the real extractor.

Usage::

    .venv/bin/python benchmarks/soak.py [--minutes 10] [--rate 40] [--json]
    .venv/bin/python benchmarks/soak.py --faults [--kills 100] [--json]

Soak: ``threatledger serve`` (its own process, on a free 127.0.0.1 port, without ``--host``) serves a
generated ledger of 300 fictional articles while ``threatledger ingest`` runs over and over in another
process, each time on a new batch of fictional articles (the real spaCy extractor), into the same store.
The load is open-loop at ``--rate`` requests a second over the API and the web pages (the mix of
``benchmarks/api_load.py``). It reports the requests served, the errors (non-2xx answers and failed
requests), latency, the server's resident memory (RSS) at the start (after one minute of warm-up), at
the end and every 30 s between, the ingest rounds and documents stored, and the address the server
listens on.

Faults: ``threatledger ingest`` of fictional articles killed with SIGKILL at a random moment, ``--kills``
times, each run resuming on the store the last one left; after each kill the store must pass
``PRAGMA integrity_check`` and ``foreign_key_check``, hold only whole documents with all their events,
and never lose a stored document; the run that finishes must give the counts of a run never interrupted.
Then a series of ``threatledger review`` commands (one process each) is killed at random moments: every
decision whose command had exited must still be there, none twice. The exit status is 1 when any check
fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import api_load  # noqa: E402 (the load generator and ledger of the API benchmark, reused)
import httpx  # noqa: E402

RSS_EVERY_S = 30.0
WARM_UP_S = 60.0
CLI = [sys.executable, "-m", "threatledger.cli.main"]
PEOPLE = ("Anton Keszler", "Mira Dargatov", "Osman Vorsanek", "Lena Amadova", "Pavel Kereth", "Selin Halloun",
          "Tomas Brandner", "Yara Ferrant", "Ilya Selvaniak", "Nadia Brouwer")  # fmt: skip
TARGETS = ("Elena Lindgren", "Karim Petrakis", "Sofia Szabo", "Marek Reinholt", "Leyla Castell",
           "Viktor Moravec", "Hana Quintal", "Dario Ambrose", "Ines Delacroix")  # fmt: skip
CITIES = ("Rotterdam", "Vienna", "Copenhagen", "Hamburg", "Brussels", "Prague", "Stockholm", "Lyon")
AGENCIES = ("Directorate of External Security", "Office for Foreign Operations", "State Protection Bureau")


def article(n: int) -> str:
    """A fictional report: a plot, an arrest and a charge (deterministic in ``n``)."""
    agent, target = PEOPLE[n % len(PEOPLE)], TARGETS[(n // len(PEOPLE)) % len(TARGETS)]
    city, agency, year = CITIES[n % len(CITIES)], AGENCIES[n % len(AGENCIES)], 2010 + n % 15
    surname = agent.split()[1]
    return (
        f"Suspect held over plot against {target} (report {n})\n\n"
        f"Police in {city} arrested {agent} on Tuesday on suspicion of plotting to kill the exiled "
        f"journalist {target} in {year}, prosecutors said. Investigators said {surname} had been paid by "
        f"the {agency} and had watched {target}'s home for several weeks. Prosecutors charged {surname} "
        f"with conspiracy to murder on Friday in case number {n}. {target} said she would keep working. "
        f"The {agency} denied any role in the plot.\n"
    )


def write_articles(folder: Path, start: int, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(start, start + count):
        (folder / f"report_{n:05d}.txt").write_text(article(n), encoding="utf-8")
    return folder


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process in MiB, from /proc (None where there is no /proc)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def listening_addresses(port: int) -> list[str]:
    """The addresses listening on ``port`` (IPv4 as dotted quads), from /proc/net/tcp{,6}."""
    found = []
    for name in ("tcp", "tcp6"):
        path = Path("/proc/net") / name
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if fields[3] == "0A" and int(port_hex, 16) == port:
                if len(address) == 8:
                    address = ".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0))
                found.append(address)
    return found


# ---------------------------------------------------------------------------------------------------
# Soak
# ---------------------------------------------------------------------------------------------------


@dataclass
class IngestLoop:
    """``threatledger ingest`` of a new batch of articles, over and over, until stopped."""

    db: str
    folder: Path
    batch: int = 20
    rounds: int = 0
    failed_rounds: int = 0
    documents: int = 0
    errors: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set():
            batch = write_articles(self.folder / f"batch{self.rounds}", self.rounds * self.batch, self.batch)
            done = subprocess.run(
                [*CLI, "ingest", str(batch), "--db", self.db, "--json"],
                capture_output=True,
                text=True,
                check=False,
            )
            self.rounds += 1
            if done.returncode != 0:
                self.failed_rounds += 1
                self.errors.append(done.stderr[-500:])
                continue
            self.documents += json.loads(done.stdout[done.stdout.index("{") :])["documents"]


async def timed_load(base: str, paths: list[str], rate: float, seconds: float, pid: int) -> dict[str, Any]:
    """The API benchmark's open-loop load, in slices of RSS_EVERY_S, sampling the server's memory."""
    results = api_load.Results()
    samples: list[tuple[float, float | None]] = []
    sent = 0
    started = time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds - 1:
        samples.append((round(elapsed), rss_mb(pid)))
        duration = min(RSS_EVERY_S, seconds - elapsed)
        sent += int(rate * duration)
        part = await api_load.run_load(base, paths, rate=rate, duration=duration)
        results.latencies_ms += part.latencies_ms
        results.errors += part.errors
        results.error_samples = (results.error_samples + part.error_samples)[:5]
        results.late_starts += part.late_starts
    samples.append((round(time.perf_counter() - started), rss_mb(pid)))
    return {"results": results, "rss": samples, "sent": sent, "wall_s": time.perf_counter() - started}


def soak(*, minutes: float, rate: float, documents: int, ingest_runs: bool = True) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, open(Path(tmp) / "server.log", "w+b") as log:
        db = api_load.build_ledger(Path(tmp), documents=documents, ingest=None)
        port = api_load.free_port()
        server = api_load.start_server(db, port, log)
        ingest = IngestLoop(db, Path(tmp) / "articles")
        worker = threading.Thread(target=ingest.run, daemon=True)
        try:
            base = f"http://127.0.0.1:{port}"
            bound = listening_addresses(port)
            before = ledger_stats(base, db)
            paths = api_load.request_mix(base)
            if ingest_runs:
                worker.start()
            warm = asyncio.run(timed_load(base, paths, rate, min(WARM_UP_S, minutes * 60 / 10), server.pid))
            run = asyncio.run(timed_load(base, paths, rate, minutes * 60, server.pid))
            ingest.stop.set()
            if ingest_runs:
                worker.join(timeout=600)
            after = ledger_stats(base, db)
            settled = compare_with_a_fresh_server(db, base, paths, rate, server.pid, log)
        finally:
            ingest.stop.set()
            server.terminate()
            server.wait(timeout=30)
            log.seek(0)
            log_tail = log.read()[-3000:].decode(errors="replace")
    report = soak_report(run, warm, rate=rate, minutes=minutes, bound=bound, ingest=ingest,
                         ledger=(before, after))  # fmt: skip
    report["server_rss_mb"] |= settled
    report["server_log_tail"] = log_tail
    return report


def ledger_stats(base: str, db: str) -> dict[str, Any]:
    """The API's ledger counts and the stored rows; an answer without them is reported, not fatal."""
    answer = httpx.get(f"{base}/api/stats", timeout=30)
    body = answer.json() if answer.headers.get("content-type", "").startswith("application/json") else {}
    if answer.status_code != 200 or "stats" not in body:
        return {"error": f"HTTP {answer.status_code}: {answer.text[:500]}", "rows": document_rows(db)}
    stats: dict[str, Any] = body["stats"]
    return stats | {"rows": document_rows(db)}


def document_rows(db: str) -> int:
    """Stored documents, near-duplicates included (the stats count a story and its copies once)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])


def compare_with_a_fresh_server(
    db: str, base: str, paths: list[str], rate: float, pid: int, log: Any
) -> dict[str, Any]:
    """The soaked server's RSS against a new server's on the final ledger, after the same minute of
    load each: what the soaked one holds beyond what the data needs would be a leak."""
    port = api_load.free_port()
    fresh = api_load.start_server(db, port, log)
    try:
        old = asyncio.run(timed_load(base, paths, rate, 60, pid))
        new = asyncio.run(timed_load(f"http://127.0.0.1:{port}", paths, rate, 60, fresh.pid))
    finally:
        fresh.terminate()
        fresh.wait(timeout=30)
    return {
        "soaked_after_ingest_stopped": round(old["rss"][-1][1] or 0, 1),
        "fresh_server_same_ledger": round(new["rss"][-1][1] or 0, 1),
        "errors_in_comparison": old["results"].errors + new["results"].errors,
    }


def soak_report(
    run: dict[str, Any],
    warm: dict[str, Any],
    *,
    rate: float,
    minutes: float,
    bound: list[str],
    ingest: IngestLoop,
    ledger: tuple[dict[str, Any], dict[str, Any]],
) -> dict[str, Any]:
    results: api_load.Results = run["results"]
    lat, rss = results.latencies_ms, [mb for _, mb in run["rss"] if mb is not None]
    keys = ("documents", "rows", "events", "incidents", "entities")
    return {
        "minutes": minutes,
        "target_rate_per_s": rate,
        "requests": run["sent"],
        "answered": len(lat),
        "errors": results.errors,
        "error_samples": results.error_samples,
        "warm_up_requests": len(warm["results"].latencies_ms),
        "warm_up_errors": warm["results"].errors,
        "late_starts": results.late_starts,
        "latency_ms": {k: round(api_load.percentile(lat, q), 1) for k, q in (("p50", 50), ("p99", 99))}
        | {"max": round(max(lat), 1) if lat else None},
        "server_rss_mb": {
            "start": round(rss[0], 1) if rss else None,
            "end": round(rss[-1], 1) if rss else None,
            "max": round(max(rss), 1) if rss else None,
            "samples": [(t, round(mb, 1) if mb else None) for t, mb in run["rss"]],
        },
        "server_listens_on": bound,
        "ingest": {
            "rounds": ingest.rounds,
            "failed_rounds": ingest.failed_rounds,
            "documents_stored": ingest.documents,
            "errors": ingest.errors[:3],
        },
        "ledger_before": {k: ledger[0][k] for k in (*keys, "error") if k in ledger[0]},
        "ledger_after": {k: ledger[1][k] for k in (*keys, "error") if k in ledger[1]},
    }


# ---------------------------------------------------------------------------------------------------
# Faults
# ---------------------------------------------------------------------------------------------------


def check_store(db: Path) -> dict[str, Any]:
    """Integrity, foreign keys, full-text indexes and whole documents; the counts, by document too."""
    conn = sqlite3.connect(db)
    try:
        problems = []
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            problems.append("integrity_check failed")
        if conn.execute("PRAGMA foreign_key_check").fetchall():
            problems.append("foreign_key_check failed")
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "documents" not in tables:  # killed before the schema was made: the next run makes it
            return {"problems": problems, "by_document": {}, "counts": {}}
        half = (
            "SELECT COUNT(*) FROM documents d WHERE NOT EXISTS "
            "(SELECT 1 FROM extractions x WHERE x.document_pk = d.pk)"
        )
        if conn.execute(half).fetchone()[0]:
            problems.append("a document without its extraction")
        for table in ("documents_fts", "events_fts"):
            try:
                conn.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
            except sqlite3.DatabaseError as exc:
                problems.append(f"{table}: {exc}")
        by_document = dict(
            conn.execute(
                "SELECT d.doc_id, COUNT(e.pk) FROM documents d "
                "LEFT JOIN events e ON e.document_pk = d.pk GROUP BY d.pk"
            ).fetchall()
        )
        counts = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                  for t in ("documents", "events", "entities", "incidents", "corrections")}  # fmt: skip
    finally:
        conn.close()
    return {"problems": problems, "by_document": by_document, "counts": counts}


def kill_at(command: list[str], seconds: float) -> tuple[bool, subprocess.CompletedProcess[str] | None]:
    """Run ``command``; SIGKILL it after ``seconds``. Whether it was killed, and its result if it ended."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=seconds)
        return False, subprocess.CompletedProcess(command, proc.returncode, out, err)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        return True, None


def first_write(command: list[str], db: Path) -> tuple[float, float]:
    """Run ``command`` to its end; the seconds until ``db`` held its first document, and in all."""
    started, first = time.monotonic(), None
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while proc.poll() is None:
        if first is None and stored_documents(db):
            first = time.monotonic() - started
        time.sleep(0.05)
    if proc.returncode != 0:
        raise RuntimeError(f"{command} failed")
    total = time.monotonic() - started
    return first or total, total


def stored_documents(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
    except sqlite3.Error:
        return 0


def ingest_faults(folder: Path, kills: int, rng: random.Random) -> dict[str, Any]:
    """Kills at random moments of the writing phase (from just before the first document is stored
    to the end of an uninterrupted run), each run resuming the store of the last."""
    articles = write_articles(folder / "articles", 0, 12)
    reference_db = folder / "reference.db"
    first, seconds = first_write([*CLI, "ingest", str(articles), "--db", str(reference_db)], reference_db)
    reference = check_store(reference_db)
    failures: list[str] = []
    done = attempts = completed = stores = 0
    db, stored = folder / "faults-0.db", [0]
    while done < kills and attempts < 4 * kills:
        attempts += 1
        left = 1 - stored[-1] / len(reference["by_document"])  # stored documents are skipped quickly
        moment = rng.uniform(max(0.0, first - 1.0), first + (seconds - first) * left)
        killed, result = kill_at([*CLI, "ingest", str(articles), "--db", str(db)], moment)
        state = check_store(db) if db.exists() else {"problems": [], "by_document": {}, "counts": {}}
        failures += [f"kill {done}: {p}" for p in state["problems"]]
        wrong = {d: n for d, n in state["by_document"].items() if reference["by_document"].get(d) != n}
        if wrong:
            failures.append(f"kill {done}: half documents {wrong}")
        if len(state["by_document"]) < stored[-1]:
            failures.append(
                f"kill {done}: stored documents fell from {stored[-1]} to {len(state['by_document'])}"
            )
        stored.append(len(state["by_document"]))
        if killed:
            done += 1
            continue
        completed += 1
        if result is None or result.returncode != 0 or state["counts"] != reference["counts"]:
            failures.append(f"a run that finished gave {state['counts']}, not {reference['counts']}")
        stores += 1
        db, stored = folder / f"faults-{stores}.db", [0]
    final = subprocess.run([*CLI, "ingest", str(articles), "--db", str(db)], capture_output=True, text=True)
    if final.returncode != 0 or check_store(db)["counts"] != reference["counts"]:
        failures.append(f"the resumed run gave {check_store(db)['counts']}, not {reference['counts']}")
    return {
        "articles": 12,
        "uninterrupted_run_s": round(seconds, 1),
        "first_document_stored_s": round(first, 1),
        "reference_counts": reference["counts"],
        "kills": done,
        "runs_that_finished_before_their_kill": completed,
        "failures": failures,
    }


def review_faults(folder: Path, kills: int, rng: random.Random) -> dict[str, Any]:
    """Review commands, one process each, on the store of the uninterrupted ingest."""
    db = folder / "reference.db"
    with sqlite3.connect(db) as conn:
        events = [row[0] for row in conn.execute("SELECT event_id FROM events ORDER BY pk")]

    def command(n: int) -> list[str]:
        reason = f"decision {n}"
        return [
            *CLI,
            "review",
            "confirm",
            events[n % len(events)],
            "--by",
            "soak",
            "--why",
            reason,
            "--db",
            str(db),
        ]

    started = time.monotonic()
    subprocess.run(command(0), check=True, capture_output=True)
    seconds = time.monotonic() - started
    failures: list[str] = []
    exited, done = {"decision 0"}, 0
    for n in range(1, 3 * kills + 1):
        if done >= kills:
            break
        killed, result = kill_at(command(n), rng.uniform(0, 1.2 * seconds))
        done += killed
        if result is not None and result.returncode == 0:
            exited.add(f"decision {n}")
        with sqlite3.connect(db) as conn:
            kept = [row[0] for row in conn.execute("SELECT reason FROM corrections")]
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                failures.append(f"review kill {done}: integrity_check failed")
        if not exited <= set(kept):
            failures.append(f"review kill {done}: lost {sorted(exited - set(kept))[:3]}")
        if len(kept) != len(set(kept)):
            failures.append(f"review kill {done}: a decision stored twice")
    return {
        "commands": n,
        "command_s": round(seconds, 1),
        "kills": done,
        "decisions_exited": len(exited),
        "failures": failures,
    }


def faults(kills: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        ingest = ingest_faults(Path(tmp), kills, rng)
        review = review_faults(Path(tmp), kills, rng)
    return {"seed": seed, "ingest": ingest, "review": review}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="Minutes of load (default 10).")
    parser.add_argument("--rate", type=float, default=40.0, help="Requests a second (default 40).")
    parser.add_argument("--documents", type=int, default=300, help="Generated ledger (default 300).")
    parser.add_argument("--no-ingest", action="store_true", help="Soak without the ingest (a control).")
    parser.add_argument("--faults", action="store_true", help="Kill ingest and review instead of soaking.")
    parser.add_argument("--kills", type=int, default=100, help="Kills of each kind (default 100).")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # as Ctrl-C: the server is stopped too
    if args.faults:
        out = faults(args.kills, args.seed)
        ok = not out["ingest"]["failures"] and not out["review"]["failures"]
    else:
        out = soak(
            minutes=args.minutes, rate=args.rate, documents=args.documents, ingest_runs=not args.no_ingest
        )
        ok = out["errors"] == 0 and out["ingest"]["failed_rounds"] == 0
        ok = ok and out["server_rss_mb"]["errors_in_comparison"] == 0
        ok = ok and "error" not in out["ledger_before"] and "error" not in out["ledger_after"]
    print(json.dumps(out, indent=2) if args.json else summary(out, faults=args.faults))
    return 0 if ok else 1


def summary(out: dict[str, Any], *, faults: bool) -> str:
    if faults:
        ingest, review = out["ingest"], out["review"]
        return (
            f"ingest: {ingest['kills']} kills ({ingest['runs_that_finished_before_their_kill']} runs "
            f"finished first), {len(ingest['failures'])} failures {ingest['failures'][:3]}\n"
            f"review: {review['kills']} kills in {review['commands']} commands, "
            f"{len(review['failures'])} failures {review['failures'][:3]}"
        )
    rss = out["server_rss_mb"]
    return (
        f"{out['minutes']} min at {out['target_rate_per_s']}/s: {out['requests']} requests, "
        f"{out['errors']} errors, p50 {out['latency_ms']['p50']} ms, p99 {out['latency_ms']['p99']} ms\n"
        f"server RSS: start {rss['start']} MiB, end {rss['end']} MiB, max {rss['max']} MiB; after the "
        f"ingest stopped {rss['soaked_after_ingest_stopped']} MiB, a fresh server on the same ledger "
        f"{rss['fresh_server_same_ledger']} MiB\n"
        f"ingest: {out['ingest']['rounds']} rounds, {out['ingest']['documents_stored']} documents, "
        f"{out['ingest']['failed_rounds']} failed; ledger {out['ledger_before']} -> {out['ledger_after']}\n"
        f"server listens on {out['server_listens_on']}"
    )


if __name__ == "__main__":
    sys.exit(main())
