"""Scale benchmark: batch throughput per engine against bare spaCy, and an end-to-end run.

Usage::

    .venv/bin/python benchmarks/scale.py [--docs 60] [--words 800] [--skip-ray]
        [--e2e-docs 2000] [--e2e-words WORDS] [--e2e-workers 2] [--fast-load] [--json]

On the same generated articles (benchmarks/speed.py's generator, split into shards), each measured in its
own subprocess, one after the other:

* bare spaCy ``nlp.pipe`` with 1 and with 2 processes (the baselines);
* ``threatledger batch`` with the local engine and 1 and 2 worker processes, and with ``--engine ray``
  on a local Ray of 2 CPUs (2 actors of 0.5 CPU).

Each figure is given three ways: docs/s over the whole wall time (interpreter start, model load and, for
Ray, starting the cluster included); docs/s in the steady state, the fixed cost being measured by the same
command on a handful of documents and taken off; and documents per CPU-second of the whole process tree in
the steady state (sampled from /proc), the per-core throughput, which other load on the machine barely
moves. The ratios put each engine against bare spaCy with as many processes (1 worker / 1 process;
2 workers and Ray / 2 processes).

Then the end-to-end run on ``--e2e-docs`` articles of about ``--e2e-words`` words (default: ``--words``;
the same generator, so a short article is the lead and the first few sentences of a long one):
``batch`` (local, ``--e2e-workers`` workers) -> ``load`` into a new SQLite store -> ``incidents``, with the
wall time, the peak memory (summed over the process tree), the CPU time and the load average (1 minute,
sampled while it ran) of each step. ``--docs 0`` leaves the throughput runs out (an end-to-end run alone).
It reports; it does not gate: the exit status is 0 unless the script itself crashes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from speed import BARE_SCRIPT, MODEL, Measurement, generate_articles, threatledger_command, tree_rss_bytes

SHARDS = 4
CALIBRATION_DOCS = 4
BATCH_SIZE = 16
RAY_TARGET = 0.80
MIB = 1024 * 1024
LOAD_EVERY_S = 5.0
E2E_SHARDS = 8


@dataclass
class Throughput:
    """One engine on the throughput documents: wall and steady-state docs/s, and memory."""

    name: str
    processes: int
    ok: bool
    docs: int
    wall_s: float | None = None
    fixed_s: float | None = None
    wall_docs_per_s: float | None = None
    steady_docs_per_s: float | None = None
    tree_peak_rss_mb: float | None = None
    cpu_s: float | None = None
    docs_per_cpu_s: float | None = None
    error: str | None = None


def write_shards(articles: list[dict[str, Any]], folder: Path, shards: int = SHARDS) -> list[str]:
    """The articles as ``shards`` JSON Lines files, round robin."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"part-{i:03d}.jsonl" for i in range(shards)]
    handles = [path.open("w", encoding="utf-8") for path in paths]
    try:
        for index, article in enumerate(articles):
            handles[index % shards].write(json.dumps(article, ensure_ascii=False) + "\n")
    finally:
        for handle in handles:
            handle.close()
    return [str(path) for path in paths]


def bench_env() -> dict[str, str]:
    return dict(os.environ, RAY_USAGE_STATS_ENABLED="0", THREATLEDGER_BATCH_SIZE=str(BATCH_SIZE))


def run_tree(name: str, cmd: list[str], *, n_docs: int) -> Measurement:
    """Run ``cmd``, sampling its process tree: wall time, peak summed RSS and CPU time (``cpu_s``)."""
    result = Measurement(name=name)
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=bench_env(), text=True)
        loads: list[float] = []
        cpu_s, peak = sample_tree(proc, loads=loads)
        out.seek(0)
        err.seek(0)
        result.details = {
            "stdout_tail": out.read()[-4000:],
            "stderr_tail": err.read()[-2000:],
            "cpu_s": cpu_s,
            "load_average": load_summary(loads),
        }
    result.wall_s = time.perf_counter() - start
    result.rc = proc.returncode
    result.tree_peak_rss_mb = peak / MIB
    result.docs_per_s = n_docs / result.wall_s if result.wall_s > 0 else None
    return result


def sample_tree(
    proc: subprocess.Popen[str], interval: float = 0.2, *, loads: list[float] | None = None
) -> tuple[float, int]:
    """Until ``proc`` ends: the CPU seconds its tree used (each process's last sample, so a process loses
    at most its last ``interval``) and the peak of the tree's summed resident memory, in bytes. With
    ``loads``, the machine's 1-minute load average is appended to it every LOAD_EVERY_S seconds."""
    ticks: dict[int, int] = {}
    peak = 0
    next_load = time.monotonic()
    while proc.poll() is None:
        for pid in tree_pids(proc.pid):
            ticks[pid] = max(ticks.get(pid, 0), cpu_ticks(pid))
        peak = max(peak, tree_rss_bytes(proc.pid))
        if loads is not None and time.monotonic() >= next_load:
            loads.append(os.getloadavg()[0])
            next_load += LOAD_EVERY_S
        time.sleep(interval)
    return sum(ticks.values()) / os.sysconf("SC_CLK_TCK"), peak


def load_summary(loads: list[float]) -> dict[str, float] | None:
    """Min, mean and max of the sampled 1-minute load averages; None without samples."""
    if not loads:
        return None
    return {
        "min": round(min(loads), 2),
        "mean": round(sum(loads) / len(loads), 2),
        "max": round(max(loads), 2),
        "samples": len(loads),
    }


def tree_pids(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    pids, stack = [], [root]
    while stack:
        pid = stack.pop()
        pids.append(pid)
        stack.extend(children.get(pid, []))
    return pids


def cpu_ticks(pid: int) -> int:
    """utime + stime of one process, in clock ticks (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0


def bare_command(path: str, processes: int) -> list[str]:
    return [sys.executable, "-c", BARE_SCRIPT, path, MODEL, str(processes), str(BATCH_SIZE)]


def batch_command(shards: list[str], out: Path, engine: str, workers: int) -> list[str]:
    cmd = [str(threatledger_command()), "batch", *shards, "--out", str(out), "--workers", str(workers)]
    return [*cmd, "--json", "--engine", engine]


def measure(name: str, processes: int, commands: tuple[list[str], list[str]], n_docs: int) -> Throughput:
    """The full command and the calibration command (same fixed cost, CALIBRATION_DOCS documents):
    steady-state docs/s and docs per CPU-second come from the difference of the two."""
    fixed = run_tree(f"{name}_fixed", commands[1], n_docs=CALIBRATION_DOCS)
    run = run_tree(name, commands[0], n_docs=n_docs)
    printed = _last_json(run.details.get("stdout_tail", ""))
    ok = run.rc == 0 and n_docs in (printed.get("documents"), printed.get("docs"))
    error = None if ok else f"exit {run.rc}: {run.details.get('stderr_tail', '')[-400:]}"
    result = Throughput(
        name,
        processes,
        ok,
        n_docs,
        run.wall_s,
        tree_peak_rss_mb=run.tree_peak_rss_mb,
        cpu_s=run.details["cpu_s"],
        error=error,
    )
    if ok and fixed.rc == 0 and run.wall_s and fixed.wall_s:
        result.wall_docs_per_s = run.docs_per_s
        result.fixed_s = fixed.wall_s
        busy, cpu = run.wall_s - fixed.wall_s, run.details["cpu_s"] - fixed.details["cpu_s"]
        result.steady_docs_per_s = (n_docs - CALIBRATION_DOCS) / busy if busy > 0 else None
        result.docs_per_cpu_s = (n_docs - CALIBRATION_DOCS) / cpu if cpu > 0 else None
    return result


def _last_json(text: str) -> dict[str, Any]:
    """The JSON object a command printed last (an indented one too); {} when there is none."""
    start = text.rfind("\n{")
    candidates = [text[start + 1 :]] if start >= 0 else []
    candidates.append(text[text.find("{") :] if "{" in text else "")
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    return {}


def ratio(engine: Throughput, bare: Throughput, field: str) -> float | None:
    mine, base = getattr(engine, field), getattr(bare, field)
    return mine / base if mine and base else None


def throughput_section(articles: list[dict[str, Any]], tmp: Path, *, ray: bool) -> dict[str, Any]:
    shards = write_shards(articles, tmp / "shards")
    [calibration] = write_shards(articles[:CALIBRATION_DOCS], tmp / "calibration", shards=1)
    joined = tmp / "all.jsonl"
    joined.write_text("".join(Path(s).read_text(encoding="utf-8") for s in shards), encoding="utf-8")
    n = len(articles)
    bare = {
        p: measure(f"bare_spacy_{p}", p, (bare_command(str(joined), p), bare_command(calibration, p)), n)
        for p in (1, 2)
    }
    engines = [("local", 1), ("local", 2), *([("ray", 2)] if ray else [])]
    runs = [
        measure(
            f"{e}_{w}",
            w,
            (
                batch_command(shards, tmp / f"{e}_{w}", e, w),
                batch_command([calibration], tmp / f"{e}_{w}-cal", e, w),
            ),
            n,
        )
        for e, w in engines
    ]
    fields = ("wall_docs_per_s", "steady_docs_per_s", "docs_per_cpu_s")
    ratios = {r.name: {f: ratio(r, bare[r.processes], f) for f in fields} for r in runs}
    return {"bare": [asdict(b) for b in bare.values()], "runs": [asdict(r) for r in runs], "ratios": ratios}


def e2e_section(n_docs: int, words: int, tmp: Path, *, fast_load: bool, workers: int = 2) -> dict[str, Any]:
    """batch (local, ``workers`` workers) -> load -> incidents on ``n_docs`` new articles of about
    ``words`` words, each step measured."""
    start = time.perf_counter()
    articles = generate_articles(n_docs, words=words, seed=1)
    text_words = [len(a["text"].split()) for a in articles]
    shards = write_shards(articles, tmp / "e2e", shards=E2E_SHARDS)
    del articles
    generated_s = time.perf_counter() - start
    uptime_start = uptime()
    steps = e2e_steps(shards, n_docs, tmp, fast_load=fast_load, workers=workers)
    batch = _last_json(steps[0].details.get("stdout_tail", ""))
    loaded = _last_json(steps[1].details.get("stdout_tail", ""))
    store = tmp / "e2e.db"
    return {
        "docs": n_docs,
        "words": words,
        "words_per_article": {
            "mean": round(sum(text_words) / len(text_words), 1) if text_words else None,
            "min": min(text_words, default=None),
            "max": max(text_words, default=None),
        },
        "engine": f"local, {workers} workers",
        "store": "SQLite, " + ("bulk mode (--fast)" if fast_load else "full resolution"),
        "shards": E2E_SHARDS,
        "generate_s": generated_s,
        "fast_load": fast_load,
        "steps": [_step(s) for s in steps],
        "wall_s": sum(s.wall_s or 0.0 for s in steps),
        "cpu_s": sum(s.details.get("cpu_s") or 0.0 for s in steps),
        "peak_tree_rss_mb": max((s.tree_peak_rss_mb or 0.0) for s in steps),
        "batch": {k: batch.get(k) for k in ("documents", "failed", "docs_per_s", "seconds")},
        "load_stats": loaded.get("stats", {}),
        "load_rows": {k: loaded.get(k) for k in ("rows", "failed", "bad_rows", "seconds")},
        "results_mb": round(_folder_bytes(tmp / "e2e-out") / MIB, 1),
        "store_mb": round(store.stat().st_size / MIB, 1) if store.exists() else None,
        "uptime_start": uptime_start,
        "uptime_end": uptime(),
    }


def e2e_steps(
    shards: list[str], n_docs: int, tmp: Path, *, fast_load: bool, workers: int = 2
) -> list[Measurement]:
    exe, db, out = str(threatledger_command()), str(tmp / "e2e.db"), tmp / "e2e-out"
    load = [exe, "load", str(out), "--db", db, "--json", *(["--fast"] if fast_load else [])]
    incidents = [exe, "incidents", "--db", db, "--limit", "50", "--json"]
    return [
        run_tree("batch", batch_command(shards, out, "local", workers), n_docs=n_docs),
        run_tree("load", load, n_docs=n_docs),
        run_tree("incidents", incidents, n_docs=n_docs),
    ]


def uptime() -> str:
    """What ``uptime`` says now (the load averages), or the load averages alone without the command."""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        done = subprocess.run(["uptime"], capture_output=True, text=True, timeout=10)
        if done.returncode == 0:
            return done.stdout.strip()
    return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


def _step(step: Measurement) -> dict[str, Any]:
    return {
        "name": step.name,
        "rc": step.rc,
        "wall_s": step.wall_s,
        "tree_peak_rss_mb": step.tree_peak_rss_mb,
        "cpu_s": step.details.get("cpu_s"),
        "load_average": step.details.get("load_average"),
        "stderr_tail": step.details.get("stderr_tail", "")[-300:],
    }


def _fmt(value: float | None, spec: str = ".2f") -> str:
    return "n/a" if value is None else format(value, spec)


def print_report(report: dict[str, Any]) -> None:
    print(f"{os.cpu_count()} CPUs, load average at start {report['load_average']}")
    if "throughput" in report:
        print_throughput(report)
    e2e = report.get("e2e")
    if e2e:
        print_e2e(e2e)
    print(f"  load average at the end: {report.get('load_average_end')}")


def print_throughput(report: dict[str, Any]) -> None:
    t = report["throughput"]
    print(f"{report['docs']} articles of ~{report['words']} words, {SHARDS} shards, batch size {BATCH_SIZE}")
    for row in t["bare"] + t["runs"]:
        if not row["ok"]:
            print(f"  {row['name']:<13} FAILED: {row['error']}")
            continue
        print(
            f"  {row['name']:<13} {row['wall_s']:6.1f} s wall, {row['wall_docs_per_s']:5.2f} docs/s; steady "
            f"{_fmt(row['steady_docs_per_s'])} docs/s (fixed {_fmt(row['fixed_s'], '.1f')} s); "
            f"{_fmt(row['docs_per_cpu_s'])} docs/CPU-s; peak {_fmt(row['tree_peak_rss_mb'], '.0f')} MB"
        )
    for name, r in t["ratios"].items():
        print(
            f"  ratio {name:<8} {_fmt(r['wall_docs_per_s'])} wall, {_fmt(r['steady_docs_per_s'])} steady, "
            f"{_fmt(r['docs_per_cpu_s'])} per CPU-second (vs bare spaCy with as many processes)"
        )


def print_e2e(e2e: dict[str, Any]) -> None:
    rate = e2e["docs"] / e2e["wall_s"] if e2e["wall_s"] else 0.0
    per_cpu = e2e["docs"] / e2e["cpu_s"] if e2e["cpu_s"] else 0.0
    words = e2e["words_per_article"]
    print(
        f"end to end on {e2e['docs']} generated articles of {words['mean']} words on average "
        f"({words['min']}-{words['max']}), {e2e['shards']} shards; batch {e2e['engine']}, "
        f"load into {e2e['store']}"
    )
    for s in e2e["steps"]:
        docs_per_cpu = e2e["docs"] / s["cpu_s"] if s["cpu_s"] else None
        print(
            f"  {s['name']:<10} {_fmt(s['wall_s'], '8.1f')} s wall, {_fmt(s['cpu_s'], '7.0f')} CPU s "
            f"({_fmt(docs_per_cpu)} docs/CPU-s), peak {_fmt(s['tree_peak_rss_mb'], '.0f')} MB, "
            f"load average {s['load_average']}"
        )
    print(
        f"  total      {e2e['wall_s']:8.1f} s wall ({rate:.2f} docs/s), {e2e['cpu_s']:7.0f} CPU s "
        f"({per_cpu:.2f} docs/CPU-s); peak {e2e['peak_tree_rss_mb']:.0f} MB"
    )
    print(f"  batch {e2e['batch']}; load {e2e['load_rows']} {e2e['load_stats']}")
    print(f"  results {e2e['results_mb']} MB, store {e2e['store_mb']} MB")
    print(f"  uptime at start: {e2e['uptime_start']}")
    print(f"  uptime at end:   {e2e['uptime_end']}")
    for step in e2e["steps"]:
        if step["rc"] != 0:
            print(f"  {step['name']} FAILED (exit {step['rc']}): {step['stderr_tail']}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="threatledger batch engines vs. bare spaCy, and end to end.")
    parser.add_argument(
        "--docs", type=int, default=60, help="articles for the throughput runs (0 skips them; default 60)"
    )
    parser.add_argument(
        "--e2e-docs", type=int, default=2000, help="articles end to end (0 skips; default 2000)"
    )
    parser.add_argument("--words", type=int, default=800, help="words per article (default 800)")
    parser.add_argument(
        "--e2e-words", type=int, default=None, help="words per article end to end (default: --words)"
    )
    parser.add_argument(
        "--e2e-workers", type=int, default=2, help="local batch workers end to end (default 2)"
    )
    parser.add_argument("--skip-ray", action="store_true", help="leave the Ray engine out")
    parser.add_argument("--fast-load", action="store_true", help="load with --fast (bulk mode) end to end")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report: dict[str, Any] = {
        "docs": args.docs,
        "words": args.words,
        "cpus": os.cpu_count(),
        "load_average": round(os.getloadavg()[0], 2),
        "ray_target": RAY_TARGET,
    }
    with tempfile.TemporaryDirectory(prefix="threatledger-scale-") as tmp:
        if args.docs > 0:
            articles = generate_articles(args.docs, words=args.words, seed=0)
            report["throughput"] = throughput_section(articles, Path(tmp), ray=not args.skip_ray)
        if args.e2e_docs > 0:
            report["e2e"] = e2e_section(
                args.e2e_docs,
                args.e2e_words or args.words,
                Path(tmp),
                fast_load=args.fast_load,
                workers=args.e2e_workers,
            )
    report["load_average_end"] = round(os.getloadavg()[0], 2)
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
