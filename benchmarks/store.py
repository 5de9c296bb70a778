"""Store benchmark: SQLite and PostgreSQL side by side, in one run.

Usage::

    .venv/bin/python benchmarks/store.py [--events 1000000] [--queries 200] [--seed 0] [--json]

For each back end, in its own subprocess (so peak memory is its own):

* bulk-load ``--events`` generated events (documents of about ten events each, from a deterministic
  generator of :class:`~threatledger.model.Extraction` records: fictional people, real cities and
  agencies, dates from 1995 on) through ``Store.add_extractions(..., resolve=False)``, the bulk path
  (``COPY`` on PostgreSQL, ``executemany`` on SQLite) in transactions of ``LOAD_BATCH`` documents, then
  ``ANALYZE``;
* time ``--queries`` incident timelines (``Store.incident``) and ``--queries`` actor + date-range
  filters (``Store.incidents(IncidentFilter(actor=..., date_from=..., date_to=...), limit=50)``), the
  actor and the two-year range taken from a random stored event (so busy actors, such as a city's
  police, are asked about as often as they act), and report p50/p95/max.

Then, when ``../shared/corpus/dev/dev.jsonl`` (or ``--dev PATH``) exists, it is extracted once and
ingested twice into a fresh store of each back end through ``add_extraction``; the counts after the
first and the second ingest must be identical (and the second must store nothing). The file is read at
run time only.

SQLite lives in a temporary folder. PostgreSQL is ``THREATLEDGER_BENCH_PG_URL`` (the benchmark works
in a schema of its own and drops it), or else a throwaway server started here as ``.ci/run`` does
(``initdb`` and ``pg_ctl start`` as the postgres user on a free loopback port), stopped at the end.

It reports; it does not gate: the exit status is 0 unless the script itself crashes.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from threatledger.model import Argument, Document, Entity, Event, Extraction, Incident, Mention, Provenance
from threatledger.model import content_id as cid

ROOT = Path(__file__).resolve().parent.parent
DEV_SET = ROOT.parent / "shared" / "corpus" / "dev" / "dev.jsonl"
EXTRACTOR = "threatledger.bench.v1"
LOAD_BATCH = 5000  # documents per add_extractions call (one transaction each)
TARGET_P95_MS = 20.0

# ---------------------------------------------------------------------------------------------------
# Generator: documents of about ten events, each a step of one case
# ---------------------------------------------------------------------------------------------------

FIRST = (
    "Anton Mira Osman Lena Pavel Selin Tomas Yara Ilya Nadia Ruslan Elena Karim Sofia Marek Leyla Viktor "
    "Hana Dario Ines Reza Maryam Dmitri Olga Farid Shirin Yusuf Amira Sergei Katya Habib Zahra Omid Nasrin "
    "Artem Irina Jamal Samira Boris Vera Kamal Laleh Hamid Parisa Oleg Daria Said Noor Timur Alina Arash "
    "Soraya Igor Lidia Majid Roya Andrei Mina Bijan Yelena"
).split()
LAST = (
    "Keszler Dargatov Vorsanek Amadova Kereth Halloun Brandner Ferrant Selvaniak Brouwer Salmanov Ostrava "
    "Marquand Veltri Oduya Lindgren Petrakis Szabo Reinholt Castell Tehrani Rostami Farahani Karimi "
    "Golshiri Nazari Bahrami Mousavi Jafari Sadeghi Volkov Sokolov Lebedev Morozov Novikov Fedorov Orlov "
    "Zaitsev Belov Gusev Haddad Khoury Nasser Saleh Mansour Aziz Rahimi Hosseini Ahmadi Rezaei Moradi "
    "Kazemi Ebrahimi Ghorbani Hashemi Shahidi Tavakoli Yazdani Zand Abbasi Asadi Bagheri Daneshvar "
    "Esfandiari Fallahi Ghaffari Heydari Jalali Kamali Latifi Madani Nikpour Parvizi Qasemi Sharifi "
    "Taheri Vahidi Zamani Akbari Amini Behzadi Davoudi Eskandari Firouzi Hakimi Javadi Khalili Mahmoudi "
    "Najafi Pakzad Rahmani Saberi Torabi Vaziri Yousefi Zarei Petrov Ivanov Smirnov Kuznetsov Popov "
    "Vasiliev Pavlov Semenov Golubev Vinogradov Bogdanov Vorobiev Kiselev Makarov Andreev Kovalev Ilyin"
).split()
CITIES = tuple(
    tuple(c.strip().rsplit(" ", 1))
    for c in (
        "Vienna AT, Berlin DE, Hamburg DE, Munich DE, Paris FR, Lyon FR, London GB, Manchester GB,"
        " Brussels BE, Antwerp BE, Amsterdam NL, Rotterdam NL, The Hague NL, Copenhagen DK, Aarhus DK,"
        " Stockholm SE, Oslo NO, Helsinki FI, Prague CZ, Warsaw PL, Madrid ES, Barcelona ES, Rome IT,"
        " Milan IT, Zurich CH, Geneva CH, Istanbul TR, Ankara TR, Dubai AE, Erbil IQ, Baghdad IQ,"
        " Toronto CA, New York US, Washington US, Los Angeles US, Tbilisi GE, Vilnius LT, Riga LV,"
        " Sofia BG, Athens GR"
    ).split(",")
)
SPONSORS = tuple(
    tuple(line.split(" | "))
    for line in """Islamic Revolutionary Guard Corps | IR | Tehran
Quds Force | IR | Tehran
Ministry of Intelligence and Security | IR | Tehran
Main Intelligence Directorate | RU | Moscow
Federal Security Service | RU | Moscow
Ministry of State Security | CN | Beijing
Reconnaissance General Bureau | KP | Pyongyang
General Intelligence Presidency | SA | Riyadh""".splitlines()
)
VIOLENT = ("PLOT", "PLOT", "ATTACK", "KILLING", "THREAT", "CYBERATTACK")
LEGAL_STEPS = ("ARREST", "SEARCH_RAID", "CHARGE", "TRIAL", "CONVICTION", "SENTENCE", "RELEASE")
ASIDES = ("SANCTION", "DIPLOMATIC_ACTION", "EXTRADITION", "TRANSFER", "ARREST", "CHARGE")
# type | trigger | role=slot ... | sentence; slots: suspect, victim, sponsor, city, police, prosecutors,
# court, capital
_TEMPLATE_LINES = """\
PLOT | plotted | agent=suspect target=victim sponsor=sponsor place=city
    {suspect} plotted to kill {victim} in {city} for the {sponsor}, prosecutors said.
ATTACK | attacked | agent=suspect target=victim place=city
    {suspect} attacked {victim} with a knife outside a cafe in {city}.
KILLING | shot dead | agent=suspect target=victim place=city
    {victim} was shot dead in {city}, and police named {suspect} as the gunman.
THREAT | threatened | agent=suspect target=victim place=city
    {suspect} threatened {victim} in messages sent to {city}.
CYBERATTACK | broke into | agent=sponsor target=victim place=city
    Hackers of the {sponsor} broke into the phone of {victim} in {city}.
ARREST | arrested | agent=police target=suspect
    The {police} arrested {suspect} at a railway station.
SEARCH_RAID | searched | target=suspect place=city
    Officers searched the flat of {suspect} in {city} and seized phones and cash.
CHARGE | charged | agent=prosecutors target=suspect
    {prosecutors} charged {suspect} with attempted murder.
TRIAL | trial | target=suspect place=city
    The trial of {suspect} opened before the regional court in {city}.
CONVICTION | convicted | agent=court target=suspect
    The {court} convicted {suspect} of attempted murder.
SENTENCE | sentenced | agent=court target=suspect
    The {court} sentenced {suspect} to 14 years in prison.
RELEASE | released | target=suspect place=capital
    {suspect} was released and flown to {capital} in a prisoner exchange.
TRANSFER | transferred | target=suspect place=capital
    {suspect} was transferred to {capital} to serve the sentence.
EXTRADITION | extradition | agent=court target=suspect
    The {court} approved the extradition of {suspect}.
SANCTION | sanctions | target=sponsor
    The European Union imposed sanctions on the {sponsor} over the case.
DIPLOMATIC_ACTION | expelled | place=city
    The government in {city} expelled two diplomats over the {sponsor} plot.
"""
_PAIRS = list(zip(*[iter(_TEMPLATE_LINES.splitlines())] * 2, strict=True))
TEMPLATES: dict[str, tuple[str, str, dict[str, str]]] = {
    head.split(" | ")[0]: (
        sentence.strip(),
        head.split(" | ")[1],
        dict(pair.split("=") for pair in head.split(" | ")[2].split()),
    )
    for head, sentence in _PAIRS
}
SLOT_TYPES = {
    "suspect": "PERSON",
    "victim": "PERSON",
    "sponsor": "ORG",
    "police": "ORG",
    "prosecutors": "ORG",
    "court": "ORG",
    "city": "PLACE",
    "capital": "PLACE",
}


def _new_case(rng: random.Random) -> dict[str, Any]:
    city, _ = rng.choice(CITIES)
    sponsor, _, capital = rng.choice(SPONSORS)
    suspects = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randint(1, 3))]
    start = date(1995, 1, 1) + timedelta(days=rng.randrange(30 * 365))
    return {
        "city": city,
        "sponsor": sponsor,
        "capital": capital,
        "suspects": suspects,
        "start": start,
        "victim": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "violent": rng.choice(VIOLENT),
        "police": f"{city} police",
        "prosecutors": f"Prosecutors in {city}",
        "court": f"court in {city}",
    }


def _event_types(rng: random.Random, n: int, suspects: int) -> list[str]:
    """A case's steps as one article tells them after the violence: each suspect's legal steps so far,
    in order, with a sanction, an expulsion or an extradition here and there."""
    stage = rng.randrange(len(LEGAL_STEPS))
    steps = [step for step in LEGAL_STEPS[: stage + 1] for _ in range(suspects)]
    for _ in range(rng.randint(0, 2)):
        steps.insert(rng.randrange(len(steps) + 1), rng.choice(ASIDES))
    while len(steps) < n - 1:
        steps.append(rng.choice(LEGAL_STEPS[: stage + 1] + ASIDES))
    return steps[: n - 1]


def _document(i: int, rng: random.Random, case: dict[str, Any]) -> Extraction:
    doc_id = f"bench-{i:07d}"
    n = max(2, min(18, round(rng.gauss(10, 2.5))))
    types = [case["violent"], *_event_types(rng, n, len(case["suspects"]))]
    day, sentences, plans, kinds = case["start"], [], [], {}
    for k, event_type in enumerate(types):
        template, trigger, roles = TEMPLATES[event_type]
        values = {**case, "suspect": case["suspects"][k % len(case["suspects"])]}
        sentence = template.format(**values).replace("the The ", "The ")
        sentences.append(f"{sentence[:-1]} on {day.day} {day:%B %Y}.")
        plans.append((event_type, trigger, {r: values[s] for r, s in roles.items()}, day.isoformat()))
        kinds.update((values[slot], SLOT_TYPES[slot]) for slot in roles.values() if values[slot] not in kinds)
        day += timedelta(days=rng.randint(1, 200))
    text = " ".join(s[0].upper() + s[1:] for s in sentences)
    document = Document(
        doc_id,
        text,
        title=f"{case['violent'].title()} in {case['city']}",
        url=f"https://news.example/{doc_id}",
        published=day,
        outlet="Bench Wire",
    )
    entities = _entities(doc_id, text, kinds)
    events = _events(doc_id, text, sentences, plans, {e.name: e.id for e in entities})
    summary = f"{case['violent'].title()} against {case['victim']} in {case['city']}"
    incident = Incident(cid("inc", doc_id), summary, tuple(e.id for e in events))
    return Extraction(document, entities, events, [incident], EXTRACTOR)


def _entities(doc_id: str, text: str, kinds: dict[str, str]) -> list[Entity]:
    entities = []
    for name, kind in kinds.items():
        at, mentions = text.find(name), []
        while at >= 0:
            mentions.append(Mention(name, Provenance(doc_id, at, at + len(name), EXTRACTOR)))
            at = text.find(name, at + len(name))
        entities.append(Entity(cid("e", doc_id, name), name, kind, tuple(mentions)))
    return entities


def _events(
    doc_id: str,
    text: str,
    sentences: list[str],
    plans: list[tuple[str, str, dict[str, str], str]],
    ids: dict[str, str],
) -> list[Event]:
    events, offset = [], 0
    for sentence, (event_type, trigger, roles, day) in zip(sentences, plans, strict=True):
        start = text.index(sentence[1:], offset) - 1
        offset = start + len(sentence)
        t = start + sentence.index(trigger)
        args = {r: (Argument(name, ids.get(name), name),) for r, name in roles.items()}
        events.append(
            Event(
                cid("ev", doc_id, event_type, t),
                event_type,
                trigger,
                text[start:offset],
                Provenance(doc_id, t, t + len(trigger), EXTRACTOR),
                start,
                offset,
                date=day,
                status="confirmed" if event_type in LEGAL_STEPS else "alleged",
                **args,
            )
        )
    return events


def generate_extractions(events: int, *, seed: int = 0) -> Iterator[Extraction]:
    """Documents until ``events`` events are generated (the last one trimmed), deterministically."""
    rng, cases, made, i = random.Random(seed), [], 0, 0
    while made < events:
        if cases and rng.random() < 0.3:
            case = rng.choice(cases)  # a later article about a case already told
        else:
            case = _new_case(rng)
            cases = [*cases[-999:], case]
        extraction = _document(i, rng, case)
        if made + len(extraction.events) > events:
            keep = extraction.events[: events - made]
            incident = Incident(
                extraction.incidents[0].id, extraction.incidents[0].summary, tuple(e.id for e in keep)
            )
            extraction = Extraction(extraction.document, extraction.entities, keep, [incident], EXTRACTOR)
        made += len(extraction.events)
        i += 1
        yield extraction


# ---------------------------------------------------------------------------------------------------
# One back end, in its own process: load, then time the queries
# ---------------------------------------------------------------------------------------------------


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50, p95 and max of latencies in milliseconds (nearest rank)."""
    ordered = sorted(samples_ms)
    if not ordered:
        return {"n": 0, "p50": 0.0, "p95": 0.0, "max": 0.0}

    def rank(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, max(0, int(p * len(ordered) + 0.999999) - 1))], 2)

    return {"n": len(ordered), "p50": rank(0.50), "p95": rank(0.95), "max": round(ordered[-1], 2)}


def load(store: Any, events: int, seed: int) -> dict[str, float]:
    """Bulk-load the generated events; the time in the store and in the generator are kept apart."""
    from threatledger.store import IngestStats

    stats, in_store, started = IngestStats(), 0.0, time.perf_counter()
    generated = generate_extractions(events, seed=seed)
    while batch := list(islice(generated, LOAD_BATCH)):
        t = time.perf_counter()
        stats.add(store.add_extractions(batch, resolve=False))
        in_store += time.perf_counter() - t
    t = time.perf_counter()
    store.db.execute("VACUUM ANALYZE" if store.db.dialect == "postgresql" else "ANALYZE")
    analyze = time.perf_counter() - t
    total = time.perf_counter() - started
    return {
        "documents": stats.documents,
        "events": stats.events,
        "incidents": stats.incidents_new,
        "load_s": round(in_store + analyze, 1),
        "generate_s": round(total - in_store - analyze, 1),
        "analyze_s": round(analyze, 1),
        "events_per_s": round(stats.events / (in_store + analyze)),
    }


def query_samples(store: Any, n: int, seed: int) -> tuple[list[str], list[tuple[str, str, str, str]]]:
    """``n`` incident ids, and ``n`` (actor, from, to, actor's type): the agent and date of a random event,
    the range a year either side."""
    rng = random.Random(seed + 1)
    top = int(store.db.execute("SELECT MAX(pk) FROM events").fetchone()[0])
    incidents: list[str] = []
    actors: list[tuple[str, str, str, str]] = []
    while len(incidents) < n or len(actors) < n:
        row = store.db.execute(
            "SELECT ev.cur_incident_id, ev.cur_date, a.name, e.type FROM events ev LEFT JOIN event_args a"
            " ON a.event_pk = ev.pk AND a.role = 'agent' LEFT JOIN entities e ON e.id = a.cur_entity_id"
            " WHERE ev.pk = ?",
            (rng.randint(1, top),),
        ).fetchone()
        if row is None:
            continue
        incidents.append(row[0])
        if row[2] and row[1]:
            year, rest = int(row[1][:4]), row[1][4:]
            actors.append((row[2], f"{year - 1}{rest}", f"{year + 1}{rest}", row[3] or ""))
    return incidents[:n], actors[:n]


def time_queries(store: Any, n: int, seed: int) -> dict[str, dict[str, float]]:
    from threatledger.store import IncidentFilter

    incidents, actors = query_samples(store, n, seed)
    for incident_id, (actor, start, end, _) in list(zip(incidents, actors, strict=True))[:10]:  # warm up
        store.incident(incident_id)
        store.incidents(IncidentFilter(actor=actor, date_from=start, date_to=end), limit=50)
    timeline: list[float] = []
    by_kind: dict[str, list[float]] = {"all": [], "PERSON": [], "body": []}
    found = 0
    for incident_id in incidents:
        t = time.perf_counter()
        store.incident(incident_id)
        timeline.append((time.perf_counter() - t) * 1000)
    for actor, start, end, kind in actors:
        t = time.perf_counter()
        found += len(store.incidents(IncidentFilter(actor=actor, date_from=start, date_to=end), limit=50))
        elapsed = (time.perf_counter() - t) * 1000
        by_kind["all"].append(elapsed)
        by_kind["PERSON" if kind == "PERSON" else "body"].append(elapsed)
    return {
        "timeline_ms": percentiles(timeline),
        "actor_dates_ms": {**percentiles(by_kind["all"]), "mean_hits": round(found / max(1, len(actors)), 1)},
        "actor_dates_person_ms": percentiles(by_kind["PERSON"]),
        "actor_dates_body_ms": percentiles(by_kind["body"]),
    }


def store_size_mb(store: Any, backend: str, path: Path | None) -> float:
    if backend == "sqlite" and path is not None:
        size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    else:
        size = int(
            store.db.execute(
                "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema()"
                " AND c.relkind = 'r'"
            ).fetchone()[0]
        )
    return round(size / 2**20, 1)


def server_peak_mb(store: Any) -> float | None:
    """Peak RSS of the PostgreSQL backend serving this connection, where /proc shows it (same machine)."""
    pid = store.db.execute("SELECT pg_backend_pid()").fetchone()[0]
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    line = next((x for x in status.splitlines() if x.startswith("VmHWM:")), None)
    return round(int(line.split()[1]) / 1024, 1) if line else None


def run_backend(backend: str, url: str, events: int, queries: int, seed: int) -> dict[str, Any]:
    """Load and query one back end (run in a subprocess by :func:`main`)."""
    from threatledger.store import open_store

    path = Path(url) if backend == "sqlite" else None
    with open_store(url) as store:
        result: dict[str, Any] = {"backend": backend, **load(store, events, seed)}
        result.update(time_queries(store, queries, seed))
        result["store_mb"] = store_size_mb(store, backend, path)
        result["server_peak_rss_mb"] = server_peak_mb(store) if backend == "postgresql" else None
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result["load_average"] = [round(x, 1) for x in os.getloadavg()]
    return result


# ---------------------------------------------------------------------------------------------------
# The dev set, ingested twice
# ---------------------------------------------------------------------------------------------------


def check_dev_set(dev: Path, urls: dict[str, str]) -> dict[str, Any]:
    """Extract the dev set once; ingest it twice into each back end; the counts must not change."""
    from threatledger.extract import extract_documents
    from threatledger.ingest import DocumentFailure, read_inputs
    from threatledger.store import open_store

    documents = [d for d in read_inputs([str(dev)]) if not isinstance(d, DocumentFailure)]
    extractions = list(extract_documents(documents))
    out: dict[str, Any] = {}
    for backend, url in urls.items():
        with open_store(url) as store:
            first = [store.add_extraction(x) for x in extractions]
            before = store.stats().to_dict()
            second = [store.add_extraction(x) for x in extractions]
            after = store.stats().to_dict()
        out[backend] = {
            "counts": {k: before[k] for k in ("documents", "events", "incidents", "entities")},
            "identical": before == after and sum(s.documents for s in second) == 0,
            "stored_first": sum(s.documents for s in first),
        }
    return out


# ---------------------------------------------------------------------------------------------------
# PostgreSQL: the given server, or a throwaway one
# ---------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(command: str) -> None:
    argv = ["su", "postgres", "-s", "/bin/sh", "-c", command] if os.geteuid() == 0 else ["sh", "-c", command]
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)


@contextmanager
def throwaway_postgres() -> Iterator[str | None]:
    """A fresh PostgreSQL on a free loopback port, as ``.ci/run`` starts one; None if there is none."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    if not found:
        yield None
        return
    bin_dir, folder, port = found[-1], tempfile.mkdtemp(prefix="threatledger-bench-pg."), free_port()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data = f"{folder}/data"
    try:
        _as_postgres(f"{bin_dir}/initdb -D {data} -A trust -U postgres")
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
        _as_postgres(f"{bin_dir}/pg_ctl -D {data} -o '{options}' -l {folder}/log -w start")
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        if Path(data, "postmaster.pid").exists():
            _as_postgres(f"{bin_dir}/pg_ctl -D {data} -m fast stop")
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def pg_schema(server: str) -> Iterator[str]:
    """A fresh schema on the server, dropped afterwards; yields a URL whose tables land in it."""
    import psycopg

    schema = "tl_bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{server}{'&' if '?' in server else '?'}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


@contextmanager
def postgres_server() -> Iterator[str | None]:
    url = os.environ.get("THREATLEDGER_BENCH_PG_URL")
    if url:
        yield url
        return
    with throwaway_postgres() as started:
        yield started


# ---------------------------------------------------------------------------------------------------
# The run: each back end in a subprocess, the dev set, one table
# ---------------------------------------------------------------------------------------------------


def _worker(args: list[str]) -> dict[str, Any]:
    """Run this script with ``args`` in a subprocess; its last line of output is its JSON result."""
    done = subprocess.run([sys.executable, __file__, *args], check=False, capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_all(args: argparse.Namespace) -> dict[str, Any]:
    report: dict[str, Any] = {
        "events": args.events,
        "queries": args.queries,
        "seed": args.seed,
        "target_p95_ms": TARGET_P95_MS,
        "backends": {},
        "dev_set": None,
    }
    common = ["--events", str(args.events), "--queries", str(args.queries), "--seed", str(args.seed)]
    with tempfile.TemporaryDirectory(prefix="threatledger-bench.") as folder, postgres_server() as server:
        urls = {"sqlite": f"{folder}/bench.db"}
        for backend in args.backends:
            if backend == "postgresql" and server is None:
                report["backends"][backend] = {"error": "no PostgreSQL (set THREATLEDGER_BENCH_PG_URL)"}
                continue
            if backend == "postgresql":
                with pg_schema(str(server)) as url:
                    report["backends"][backend] = _worker(["--worker", backend, "--url", url, *common])
            else:
                report["backends"][backend] = _worker(["--worker", backend, "--url", urls[backend], *common])
        report["dev_set"] = _dev_set(args, folder, server)
    return report


def _dev_set(args: argparse.Namespace, folder: str, server: str | None) -> dict[str, Any] | str:
    if not args.dev.exists():
        return f"skipped: {args.dev} not found"
    urls = {"sqlite": f"{folder}/dev.db"}
    if server is None or "postgresql" not in args.backends:
        return _worker(["--worker", "dev", "--dev", str(args.dev), "--urls", json.dumps(urls)])
    with pg_schema(server) as url:
        urls["postgresql"] = url
        return _worker(["--worker", "dev", "--dev", str(args.dev), "--urls", json.dumps(urls)])


def _cell(result: dict[str, Any], *keys: str) -> str:
    value: Any = result
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    if value is None:
        return "-"
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


ROWS = (
    ("events loaded", ("events",)),
    ("documents", ("documents",)),
    ("load time, s (store + ANALYZE)", ("load_s",)),
    ("  of which (VACUUM) ANALYZE, s", ("analyze_s",)),
    ("events/s", ("events_per_s",)),
    ("generator time, s", ("generate_s",)),
    ("incident timeline p50, ms", ("timeline_ms", "p50")),
    ("incident timeline p95, ms", ("timeline_ms", "p95")),
    ("actor + dates p50, ms", ("actor_dates_ms", "p50")),
    ("actor + dates p95, ms", ("actor_dates_ms", "p95")),
    ("  actor a person: p95, ms", ("actor_dates_person_ms", "p95")),
    ("  actor a body: p95, ms", ("actor_dates_body_ms", "p95")),
    ("actor + dates, incidents found", ("actor_dates_ms", "mean_hits")),
    ("peak RSS, loader, MB", ("peak_rss_mb",)),
    ("peak RSS, server backend, MB", ("server_peak_rss_mb",)),
    ("store size, MB", ("store_mb",)),
)


def render(report: dict[str, Any]) -> str:
    backends = report["backends"]
    names = list(backends)
    lines = [f"{'':34}" + "".join(f"{n:>16}" for n in names)]
    for label, keys in ROWS:
        lines.append(f"{label:34}" + "".join(f"{_cell(backends[n], *keys):>16}" for n in names))
    for name in names:
        if "error" in backends[name]:
            lines.append(f"{name}: {backends[name]['error']}")
    dev = report["dev_set"]
    if isinstance(dev, dict) and "error" not in dev:
        for name, check in dev.items():
            lines.append(
                f"dev set ingested twice, {name}: counts {check['counts']}, "
                f"identical: {'yes' if check['identical'] else 'NO'}"
            )
    else:
        lines.append(f"dev set: {dev}")
    lines.append(
        f"target: p95 <= {TARGET_P95_MS:g} ms (reported, not gated); machine: {os.cpu_count()} CPUs,"
        f" load average at the end of each run: "
        + ", ".join(f"{n} {backends[n].get('load_average', '-')}" for n in names)
    )
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Store benchmark: SQLite and PostgreSQL side by side.")
    parser.add_argument("--events", type=int, default=1_000_000, help="events to bulk-load (default 1M)")
    parser.add_argument("--queries", type=int, default=200, help="queries of each kind (default 200)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backends", type=lambda s: s.split(","), default=["sqlite", "postgresql"])
    parser.add_argument("--dev", type=Path, default=DEV_SET, help="the dev set to ingest twice")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--urls", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker == "dev":
        print(json.dumps(check_dev_set(args.dev, json.loads(args.urls))))
    elif args.worker:
        print(json.dumps(run_backend(args.worker, args.url, args.events, args.queries, args.seed)))
    else:
        report = run_all(args)
        print(json.dumps(report, indent=2) if args.json else render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
