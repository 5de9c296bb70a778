"""Scale benchmark: batch throughput per engine against bare spaCy, and an end-to-end run.

Usage::

    .venv/bin/python benchmarks/scale.py [--docs 60] [--e2e-docs 2000] [--words 800] [--skip-ray] [--json]

On the same generated articles (benchmarks/speed.py's generator, split into shards), each measured in its
own subprocess, one after the other:

* bare spaCy ``nlp.pipe`` with 1 and with 2 processes (the baselines);
* ``threatledger batch`` with the local engine and 1 and 2 worker processes, and with ``--engine ray``
  on a local Ray of 2 CPUs (2 actors of 0.5 CPU).

Each figure is given twice: over the whole wall time (interpreter start, model load and, for Ray, starting
the cluster included) and in the steady state, where the fixed cost is measured by the same command on a
handful of documents and taken off (bare spaCy reports its piping time itself). The ratios put each engine
against bare spaCy with as many processes (1 worker / 1 process; 2 workers and Ray / 2 processes).

Then the end-to-end run on ``--e2e-docs`` articles: ``batch`` (local, 2 workers) -> ``load`` into a new
SQLite store -> ``incidents``, with the wall time and the peak memory (summed over the process tree) of
each step. It reports; it does not gate: the exit status is 0 unless the script itself crashes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from speed import BARE_SCRIPT, MODEL, Measurement, generate_articles, run_measured, threatledger_command

SHARDS = 4
CALIBRATION_DOCS = 4
BATCH_SIZE = 16
RAY_TARGET = 0.80


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


def measure_bare(shards: list[str], n_docs: int, processes: int) -> Throughput:
    """Bare spaCy on the texts of all shards (concatenated into one file for the script)."""
    joined = Path(shards[0]).parent / "all.jsonl"
    joined.write_text("".join(Path(s).read_text(encoding="utf-8") for s in shards), encoding="utf-8")
    cmd = [sys.executable, "-c", BARE_SCRIPT, str(joined), MODEL, str(processes), str(BATCH_SIZE)]
    run = run_measured(f"bare_spacy_{processes}", cmd, env=bench_env(), n_docs=n_docs)
    details = _last_json(run.details.get("stdout_tail", ""))
    result = _throughput(run, processes, n_docs, ok=run.rc == 0 and details.get("docs") == n_docs)
    if result.ok and details.get("pipe_s"):
        result.fixed_s = (run.wall_s or 0.0) - details["pipe_s"]
        result.steady_docs_per_s = n_docs / details["pipe_s"]
    return result


def batch_command(shards: list[str], out: Path, engine: str, workers: int) -> list[str]:
    cmd = [
        str(threatledger_command()),
        "batch",
        *shards,
        "--out",
        str(out),
        "--workers",
        str(workers),
        "--json",
    ]
    return [*cmd, "--engine", engine]


def measure_batch(
    shards: list[str], calibration: list[str], n_docs: int, engine: str, workers: int, tmp: Path
) -> Throughput:
    """``threatledger batch`` on the shards, and on the calibration shard for the fixed cost."""
    name = f"{engine}_{workers}"
    fixed = run_measured(
        f"{name}_fixed",
        batch_command(calibration, tmp / f"{name}-cal", engine, workers),
        env=bench_env(),
        n_docs=CALIBRATION_DOCS,
    )
    run = run_measured(
        name, batch_command(shards, tmp / name, engine, workers), env=bench_env(), n_docs=n_docs
    )
    summary = _last_json(run.details.get("stdout_tail", ""))
    result = _throughput(run, workers, n_docs, ok=run.rc == 0 and summary.get("documents") == n_docs)
    if result.ok and fixed.rc == 0 and fixed.wall_s is not None and run.wall_s is not None:
        result.fixed_s = fixed.wall_s
        busy = run.wall_s - fixed.wall_s
        result.steady_docs_per_s = (n_docs - CALIBRATION_DOCS) / busy if busy > 0 else None
    return result


def _throughput(run: Measurement, processes: int, n_docs: int, *, ok: bool) -> Throughput:
    error = None if ok else (run.error or f"exit {run.rc}: {run.details.get('stderr_tail', '')[-400:]}")
    return Throughput(
        name=run.name,
        processes=processes,
        ok=ok,
        docs=n_docs,
        wall_s=run.wall_s,
        wall_docs_per_s=run.docs_per_s if ok else None,
        tree_peak_rss_mb=run.tree_peak_rss_mb,
        error=error,
    )


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
    calibration = write_shards(articles[:CALIBRATION_DOCS], tmp / "calibration", shards=1)
    n = len(articles)
    bare = {p: measure_bare(shards, n, p) for p in (1, 2)}
    runs = [measure_batch(shards, calibration, n, "local", w, tmp) for w in (1, 2)]
    if ray:
        runs.append(measure_batch(shards, calibration, n, "ray", 2, tmp))
    ratios = {
        r.name: {f: ratio(r, bare[r.processes], f) for f in ("wall_docs_per_s", "steady_docs_per_s")}
        for r in runs
    }
    return {"bare": [asdict(b) for b in bare.values()], "runs": [asdict(r) for r in runs], "ratios": ratios}


def e2e_section(n_docs: int, words: int, tmp: Path, *, fast_load: bool) -> dict[str, Any]:
    """batch (local, 2 workers) -> load -> incidents on ``n_docs`` new articles, each step measured."""
    start = time.perf_counter()
    shards = write_shards(generate_articles(n_docs, words=words, seed=1), tmp / "e2e", shards=8)
    generated_s = time.perf_counter() - start
    steps = e2e_steps(shards, n_docs, tmp, fast_load=fast_load)
    batch = _last_json(steps[0].details.get("stdout_tail", ""))
    loaded = _last_json(steps[1].details.get("stdout_tail", ""))
    return {
        "docs": n_docs,
        "generate_s": generated_s,
        "fast_load": fast_load,
        "steps": [_step(s) for s in steps],
        "wall_s": sum(s.wall_s or 0.0 for s in steps),
        "peak_tree_rss_mb": max((s.tree_peak_rss_mb or 0.0) for s in steps),
        "batch": {k: batch.get(k) for k in ("documents", "failed", "docs_per_s")},
        "load_stats": loaded.get("stats", {}),
    }


def e2e_steps(shards: list[str], n_docs: int, tmp: Path, *, fast_load: bool) -> list[Measurement]:
    exe, db, out = str(threatledger_command()), str(tmp / "e2e.db"), tmp / "e2e-out"
    load = [exe, "load", str(out), "--db", db, "--json", *(["--fast"] if fast_load else [])]
    incidents = [exe, "incidents", "--db", db, "--limit", "50", "--json"]
    return [
        run_measured("batch", batch_command(shards, out, "local", 2), env=bench_env(), n_docs=n_docs),
        run_measured("load", load, env=bench_env(), n_docs=n_docs),
        run_measured("incidents", incidents, env=bench_env(), n_docs=n_docs),
    ]


def _step(step: Measurement) -> dict[str, Any]:
    return {
        "name": step.name,
        "rc": step.rc,
        "wall_s": step.wall_s,
        "tree_peak_rss_mb": step.tree_peak_rss_mb,
        "peak_rss_mb": step.peak_rss_mb,
        "stderr_tail": step.details.get("stderr_tail", "")[-300:],
    }


def _fmt(value: float | None, spec: str = ".2f") -> str:
    return "n/a" if value is None else format(value, spec)


def print_report(report: dict[str, Any]) -> None:
    t = report["throughput"]
    print(
        f"{report['docs']} articles of ~{report['words']} words, {SHARDS} shards, batch size {BATCH_SIZE}, "
        f"{os.cpu_count()} CPUs (load average at start {report['load_average']})"
    )
    for row in t["bare"] + t["runs"]:
        if not row["ok"]:
            print(f"  {row['name']:<13} FAILED: {row['error']}")
            continue
        print(
            f"  {row['name']:<13} {row['wall_s']:7.1f} s wall  {row['wall_docs_per_s']:6.2f} docs/s wall  "
            f"{_fmt(row['steady_docs_per_s'])} docs/s steady (fixed {_fmt(row['fixed_s'], '.1f')} s)  "
            f"peak {_fmt(row['tree_peak_rss_mb'], '.0f')} MB"
        )
    for name, r in t["ratios"].items():
        print(
            f"  ratio {name:<8} {_fmt(r['wall_docs_per_s'])} wall, {_fmt(r['steady_docs_per_s'])} steady "
            "(vs bare spaCy with as many processes)"
        )
    e2e = report.get("e2e")
    if e2e:
        steps = ", ".join(
            f"{s['name']} {_fmt(s['wall_s'], '.1f')} s / {_fmt(s['tree_peak_rss_mb'], '.0f')} MB"
            for s in e2e["steps"]
        )
        rate = e2e["docs"] / e2e["wall_s"] if e2e["wall_s"] else 0.0
        print(
            f"  end to end on {e2e['docs']} articles: {e2e['wall_s']:.1f} s, {rate:.2f} docs/s ({steps}); "
            f"peak {e2e['peak_tree_rss_mb']:.0f} MB; batch {e2e['batch']}; load {e2e['load_stats']}"
        )
    print(f"  load average at the end: {report.get('load_average_end')}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="threatledger batch engines vs. bare spaCy, and end to end.")
    parser.add_argument("--docs", type=int, default=60, help="articles for the throughput runs (default 60)")
    parser.add_argument(
        "--e2e-docs", type=int, default=2000, help="articles end to end (0 skips; default 2000)"
    )
    parser.add_argument("--words", type=int, default=800, help="words per article (default 800)")
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
        articles = generate_articles(args.docs, words=args.words, seed=0)
        report["throughput"] = throughput_section(articles, Path(tmp), ray=not args.skip_ray)
        if args.e2e_docs > 0:
            report["e2e"] = e2e_section(args.e2e_docs, args.words, Path(tmp), fast_load=args.fast_load)
    report["load_average_end"] = round(os.getloadavg()[0], 2)
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
