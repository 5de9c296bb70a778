"""API load benchmark: a fixed request rate on loopback against ``threatledger serve``.

Usage::

    .venv/bin/python benchmarks/api_load.py [--db LEDGER | --ingest ARTICLES.jsonl] [--rate 100]
        [--duration 60] [--documents 300] [--json]

The ledger is an existing store (``--db``), one built here from articles with ``threatledger ingest``
(``--ingest``, e.g. the dev set), or by default one generated from fictional hand-built extractions
(no spaCy). The server runs in its own process (``threatledger serve`` on a free 127.0.0.1 port); the
load generator is open-loop: request *i* starts at ``i / rate`` seconds whatever the earlier ones are
doing, so a slow server shows as latency, not as a lower rate. The mix reads lists, incident pages,
entities, documents, search, stats and the graph, through the API and the web pages.

It reports p50/p90/p99/max latency and the errors (non-2xx answers and failed requests); it does not
gate: the exit status is 0 unless the script itself crashes. Target (issue 5): p99 <= 100 ms, 0 errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import IO, Any

import httpx

from threatledger.model import (
    Argument,
    Document,
    Entity,
    Event,
    Extraction,
    Incident,
    Mention,
    Provenance,
    content_id,
)

TARGET_P99_MS = 100.0
WARM_UP_S = 5.0  # unmeasured load first: worker threads, connections and caches start up
REQUEST_TIMEOUT_S = 10.0
DRAIN_S = 30.0  # requests still open this long after the last one started count as errors
ROLE_TYPES = {"agent": "PERSON", "target": "PERSON", "sponsor": "ORG", "place": "PLACE"}
EXTRACTOR = "benchmarks.api_load.v1"
FIRST_NAMES = (
    "Anton Mira Osman Lena Pavel Selin Tomas Yara Ilya Nadia Ruslan Elena Karim Sofia Marek Leyla".split()
)
FIRST_NAMES += "Viktor Hana Dario Ines".split()
AGENT_SURNAMES = ("Keszler", "Dargatov", "Vorsanek", "Amadova", "Kereth", "Halloun", "Brandner", "Ferrant",
                  "Selvaniak", "Brouwer", "Salmanov", "Ostrava", "Marquand", "Veltri", "Oduya")  # fmt: skip
TARGET_SURNAMES = ("Lindgren", "Petrakis", "Szabo", "Reinholt", "Castell", "Moravec", "Quintal", "Ambrose",
                   "Delacroix", "Hartwig", "Jovanek", "Kowalczyk", "Nyberg", "Orsini", "Tavares")  # fmt: skip
CITIES = ("Rotterdam", "Vienna", "Copenhagen", "Hamburg", "Brussels", "Prague", "Stockholm", "Lyon")
AGENCIES = ("Directorate of External Security", "Office for Foreign Operations", "State Protection Bureau")


# ---------------------------------------------------------------------------------------------------
# The ledger
# ---------------------------------------------------------------------------------------------------


def _event(doc_id: str, text: str, sentence: str, type: str, trigger: str, **roles: Any) -> Event:
    start = text.index(sentence)
    at = start + sentence.index(trigger)
    args: dict[str, Any] = {
        role: tuple(Argument(name, content_id("e", doc_id, ROLE_TYPES[role], name), name) for name in names)
        for role, names in roles.items()
        if role != "date"
    }
    event = Event(
        id=content_id("ev", doc_id, type, at),
        type=type,
        trigger=trigger,
        sentence=sentence,
        provenance=Provenance(doc_id, at, at + len(trigger), EXTRACTOR),
        sentence_start=start,
        sentence_end=start + len(sentence),
        date=roles.get("date"),
        status="alleged",
    )
    return replace(event, **args)


def generate_extraction(n: int) -> Extraction:
    """A fictional article (a plot and a charge) with its events: deterministic in ``n``."""
    agent = f"{FIRST_NAMES[n % 20]} {AGENT_SURNAMES[(n // 20) % 15]}"  # 300 agents, 300 targets
    target = f"{FIRST_NAMES[(n + 7) % 20]} {TARGET_SURNAMES[(n // 20) % 15]}"
    city, agency, year = CITIES[n % len(CITIES)], AGENCIES[n % len(AGENCIES)], 2015 + n % 10
    doc_id = f"load-{n:05d}"
    plot = f"{agent} plotted to kill the dissident {target} in {city} in {year} for the {agency}."
    charge = f"Prosecutors charged {agent} over the plot (case {n}) in {year + 1}."
    text = f"{plot} {charge} " + " ".join(f"word{n}x{i}" for i in range(60)) + "."
    events = [
        _event(doc_id, text, plot, "PLOT", "plotted", agent=(agent,), target=(target,), place=(city,),
               sponsor=(agency,), date=str(year)),
        _event(doc_id, text, charge, "CHARGE", "charged", target=(agent,), date=str(year + 1)),
    ]  # fmt: skip
    entities = [_entity(doc_id, text, name, type) for name, type in
                ((agent, "PERSON"), (target, "PERSON"), (agency, "ORG"), (city, "PLACE"))]  # fmt: skip
    incident = Incident(
        content_id("inc", doc_id), f"Plot against {target} ({n})", tuple(e.id for e in events)
    )
    document = Document(doc_id, text, title=f"Plot case {n}", published=date(year + 1, 1 + n % 12, 1))
    return Extraction(document, entities, events, [incident], extractor=EXTRACTOR)


def _entity(doc_id: str, text: str, name: str, type: str) -> Entity:
    at = text.index(name)
    mention = Mention(name, Provenance(doc_id, at, at + len(name), EXTRACTOR))
    return Entity(content_id("e", doc_id, type, name), name, type, (mention,))


def build_ledger(folder: Path, *, documents: int, ingest: str | None) -> str:
    """A generated ledger of ``documents`` articles, or one ingested from an articles JSONL."""
    db = str(folder / "load.db")
    if ingest:
        command = [sys.executable, "-m", "threatledger.cli.main", "ingest", ingest, "--db", db]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        return db
    from threatledger.store import open_store

    with open_store(db) as store:
        for n in range(documents):
            store.add_extraction(generate_extraction(n))
    return db


# ---------------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(db: str, port: int, log: IO[bytes]) -> subprocess.Popen[bytes]:
    """``threatledger serve`` in its own process, its output in ``log``; returns once it answers."""
    command = [sys.executable, "-m", "threatledger.cli.main", "serve", "--db", db, "--port", str(port),
               "--log-level", "warning"]  # fmt: skip
    server = subprocess.Popen(command, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the server exited: {log.read().decode(errors='replace')}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    server.wait()
    raise RuntimeError("the server did not answer within 60 s")


def request_mix(base: str) -> list[str]:
    """Paths to cycle through, from what the ledger holds."""
    incidents = httpx.get(f"{base}/api/incidents", params={"limit": 50}).json()["items"]
    entities = httpx.get(f"{base}/api/entities", params={"limit": 20}).json()["items"]
    documents = httpx.get(f"{base}/api/documents", params={"limit": 20}).json()["items"]
    paths = ["/api/incidents", "/api/incidents?type=PLOT&limit=20", "/api/stats", "/api/search?q=plot",
             "/api/graph?limit=50", "/", "/api/open-cases"]  # fmt: skip
    paths += [f"/api/incidents/{i['id']}" for i in incidents[:10]]
    paths += [f"/incidents/{i['id']}" for i in incidents[:5]]
    paths += [f"/api/entities/{e['id']}" for e in entities[:5]]
    paths += [f"/api/documents/{d['id']}" for d in documents[:5]]
    return paths


# ---------------------------------------------------------------------------------------------------
# The load
# ---------------------------------------------------------------------------------------------------


@dataclass
class Results:
    latencies_ms: list[float] = field(default_factory=list)
    by_path: dict[str, list[float]] = field(default_factory=dict)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    late_starts: int = 0

    def failed(self, what: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(what)


def route_of(path: str) -> str:
    """The route a path belongs to: ``/api/incidents/inc_1`` -> ``/api/incidents/{id}``."""
    bare, _, query = path.partition("?")
    parts = bare.split("/")
    if len(parts) > 2 and parts[-2] in ("incidents", "entities", "documents"):
        parts[-1] = "{id}"
    return "/".join(parts) + ("?" + query if query else "")


class Connections:
    """Keep-alive HTTP/1.1 connections to the server, reused between requests.

    A few lines of asyncio instead of an HTTP client library: httpx spends about as much CPU on a
    request as the server does, and on a small machine the load generator must not eat the server's
    share.
    """

    def __init__(self, host: str, port: int, *, limit: int = 200) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.open = asyncio.Semaphore(limit)

    async def get(self, path: str) -> int:
        """GET ``path``; the status code. A kept-alive connection the server closed is replaced once."""
        async with self.open:
            if self.idle:
                reader, writer = self.idle.pop()
                try:
                    return await self._send(reader, writer, path)
                except (asyncio.IncompleteReadError, ConnectionError):
                    pass  # closed by the server while idle: retry on a new connection
            reader, writer = await asyncio.open_connection(self.host, self.port)
            return await self._send(reader, writer, path)

    async def _send(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> int:
        try:
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode("ascii"))
            status = await read_response(reader)
        except BaseException:
            writer.close()
            raise
        self.idle.append((reader, writer))
        return status

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()


async def read_response(reader: asyncio.StreamReader) -> int:
    """Read one response (Content-Length or chunked body); its status code."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower()
    status = int(head[9:12])
    if "transfer-encoding: chunked" in head:
        while size := int((await reader.readline()).strip() or b"0", 16):
            await reader.readexactly(size + 2)
        await reader.readline()
        return status
    length = next((int(line[15:]) for line in head.split("\r\n") if line.startswith("content-length:")), 0)
    await reader.readexactly(length)
    return status


async def one_request(connections: Connections, path: str, results: Results) -> None:
    started = time.perf_counter()
    try:
        status = await asyncio.wait_for(connections.get(path), REQUEST_TIMEOUT_S)
    except (TimeoutError, OSError, ValueError, asyncio.IncompleteReadError) as exc:
        results.failed(f"{path}: {type(exc).__name__}")
        return
    elapsed = (time.perf_counter() - started) * 1000
    results.latencies_ms.append(elapsed)
    results.by_path.setdefault(route_of(path), []).append(elapsed)
    if status >= 400:
        results.failed(f"{path}: HTTP {status}")


async def run_load(base: str, paths: list[str], *, rate: float, duration: float) -> Results:
    """Open-loop load: ``rate`` requests a second for ``duration`` seconds, cycling through ``paths``."""
    results = Results()
    total = int(rate * duration)
    url = httpx.URL(base)
    connections = Connections(url.host, url.port or 80)
    tasks = []
    start = time.perf_counter()
    for i in range(total):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -0.01:
            results.late_starts += 1
        tasks.append(asyncio.create_task(one_request(connections, paths[i % len(paths)], results)))
    _, pending = await asyncio.wait(tasks, timeout=DRAIN_S) if tasks else (set(), set())
    for task in pending:
        task.cancel()
        results.failed("unfinished when the run ended")
    connections.close()
    return results


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def report(
    results: Results, *, rate: float, duration: float, wall_s: float, ledger: dict[str, Any]
) -> dict[str, Any]:
    lat = results.latencies_ms
    p99 = percentile(lat, 99)
    return {
        "requests": int(rate * duration),
        "answered": len(lat),
        "errors": results.errors,
        "error_samples": results.error_samples,
        "target_rate_per_s": rate,
        "achieved_rate_per_s": round(int(rate * duration) / wall_s, 1) if wall_s else None,
        "late_starts": results.late_starts,
        "latency_ms": {k: round(percentile(lat, q), 2) for k, q in (("p50", 50), ("p90", 90), ("p99", 99))}
        | {"max": round(max(lat), 2) if lat else None},
        "slowest_p50_ms": dict(
            sorted(
                ((k, round(percentile(v, 50), 1)) for k, v in results.by_path.items()), key=lambda kv: -kv[1]
            )[:5]
        ),
        "ledger": ledger,
        "target": {"p99_ms": TARGET_P99_MS, "errors": 0},
        "meets_target": bool(lat) and p99 <= TARGET_P99_MS and results.errors == 0,
    }


def benchmark(
    *,
    db: str | None,
    ingest: str | None,
    documents: int,
    rate: float,
    duration: float,
    warm_up: float = WARM_UP_S,
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, open(Path(tmp) / "server.log", "w+b") as log:
        ledger_db = db or build_ledger(Path(tmp), documents=documents, ingest=ingest)
        port = free_port()
        server = start_server(ledger_db, port, log)
        try:
            base = f"http://127.0.0.1:{port}"
            stats = httpx.get(f"{base}/api/stats").json()["stats"]
            paths = request_mix(base)
            if warm_up > 0:
                asyncio.run(run_load(base, paths, rate=rate, duration=warm_up))
            started = time.perf_counter()
            results = asyncio.run(run_load(base, paths, rate=rate, duration=duration))
            wall = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=10)
    ledger = {k: stats[k] for k in ("documents", "events", "incidents", "entities")}
    return report(results, rate=rate, duration=duration, wall_s=wall, ledger=ledger)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--db", help="An existing ledger to serve.")
    source.add_argument("--ingest", help="Build the ledger from this articles file (threatledger ingest).")
    parser.add_argument("--documents", type=int, default=300, help="Generated articles (default 300).")
    parser.add_argument("--rate", type=float, default=100.0, help="Requests a second (default 100).")
    parser.add_argument("--duration", type=float, default=60.0, help="Seconds of load (default 60).")
    parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # as Ctrl-C: the server is stopped too
    out = benchmark(
        db=args.db, ingest=args.ingest, documents=args.documents, rate=args.rate, duration=args.duration
    )
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    lat = out["latency_ms"]
    print(f"ledger: {out['ledger']}")
    print(
        f"{out['requests']} requests at {out['target_rate_per_s']}/s"
        f" (achieved {out['achieved_rate_per_s']}/s), {out['errors']} errors,"
        f" {out['late_starts']} late starts"
    )
    print(f"latency ms: p50 {lat['p50']}  p90 {lat['p90']}  p99 {lat['p99']}  max {lat['max']}")
    print(f"slowest paths (p50 ms): {out['slowest_p50_ms']}")
    print(f"target p99 <= {TARGET_P99_MS:.0f} ms and 0 errors: {'met' if out['meets_target'] else 'NOT met'}")
    for sample in out["error_samples"]:
        print(f"  error: {sample}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
