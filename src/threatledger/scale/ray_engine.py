"""The Ray engine: Ray Data reads the shards, an actor pool extracts, Ray Data writes Parquet.

JSON Lines shards are read with ``read_text`` (one row per line, parsed by the actor, so a malformed
line or an odd field type costs one row, never the job) and Parquet shards with ``read_parquet`` (each
row turned into the same JSON record). ``map_batches`` runs :class:`ExtractBatch`, a callable class:
one actor per worker, each loading the spaCy pipeline once. Each actor asks for at most
:data:`ACTOR_CPUS` CPU: with a whole CPU per actor a 2-core node has none left for the read tasks and
the job hangs (ray-project/ray#44687).

Without ``address`` a local Ray is started (``include_dashboard=False``, usage stats off, and
:data:`FOOTER_ACTORS_ENV` at most one Parquet footer reader per CPU: Ray Data 2.60's ``read_parquet``
otherwise starts 32 footer-reading actors, 32 Python processes, before it reads a single row, which on 2
cores took most of a small job's time). With one, the job runs on that cluster, whose nodes must have
threatledger and its spaCy model installed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from threatledger.errors import ExtractionError
from threatledger.scale.records import document_from_line, extract_rows
from threatledger.scale.results import check_out_dir, count_results, result_files, rows_table
from threatledger.scale.shards import Shards
from threatledger.scale.summary import BatchSummary

ACTOR_CPUS = 0.5
BLOCKS_PER_WORKER = 4
RAY_HINT = "see the Ray logs (/tmp/ray/session_latest/logs on the head node), or run without --engine"
# Imported by jsonschema when present (the dev extra pulls it in) and slow to import: it compiles a
# grammar, ~6 s on a small VM, enough for Ray's dashboard agent to miss the raylet's fixed 15 s wait for
# its port file, which kills the local node. Ray's own processes never need it, so they do without.
SLOW_OPTIONAL_IMPORTS = ("rfc3987_syntax",)
# Ray Data (datasource V2) reads Parquet footers with a pool of actors, 32 by default, each a Python
# process importing Ray and pyarrow; a local Ray gets one per CPU (unless the variable is set already).
FOOTER_ACTORS_ENV = "RAY_DATA_PARQUET_FOOTER_NUM_ACTORS"


class ExtractBatch:
    """The map_batches callable: load the pipeline once per actor, then one result row per record."""

    def __init__(self, *, max_bytes: int, batch_size: int = 16) -> None:
        from threatledger.nlp.pipeline import shared_pipeline

        shared_pipeline()
        self.max_bytes = max_bytes
        self.batch_size = batch_size

    def __call__(self, batch: Any) -> Any:
        records = batch.column("record").to_pylist()
        paths = batch.column("path").to_pylist()
        results = (
            document_from_line(record, source=str(path), max_bytes=self.max_bytes)
            for record, path in zip(records, paths, strict=True)
        )
        return rows_table(list(extract_rows(results, batch_size=self.batch_size)))


def parquet_records(batch: Any) -> Any:
    """Parquet rows -> the ``record`` (one JSON object) and ``path`` columns the actor reads."""
    import pyarrow as pa

    rows = batch.to_pylist()
    paths = [str(row.pop("path", "")) for row in rows]
    records = [json.dumps(row, ensure_ascii=False, default=str) for row in rows]
    return pa.table({"record": pa.array(records, pa.string()), "path": pa.array(paths, pa.string())})


def run_ray(
    shards: Shards,
    out_dir: Path,
    *,
    address: str | None = None,
    workers: int = 2,
    batch_size: int = 16,
    max_bytes: int,
    num_cpus: int | None = None,
) -> BatchSummary:
    """Extract every record of ``shards`` on Ray into Parquet files in ``out_dir``."""
    check_out_dir(out_dir)
    start = time.perf_counter()
    with ray_session(address, num_cpus=num_cpus if num_cpus is not None else workers):
        dataset = read_dataset(shards, blocks=max(BLOCKS_PER_WORKER * workers, len(shards)))
        extracted = extract_dataset(dataset, workers=workers, batch_size=batch_size, max_bytes=max_bytes)
        _write(extracted, out_dir)
    documents, failed = count_results(out_dir)
    return BatchSummary(
        engine="ray",
        out_dir=str(out_dir),
        documents=documents,
        failed=failed,
        files=len(result_files(out_dir)),
        workers=workers,
        seconds=time.perf_counter() - start,
    )


def read_dataset(shards: Shards, *, blocks: int) -> Any:
    """One dataset of ``record``/``path`` rows over every shard, split into about ``blocks`` blocks."""
    import ray.data

    parts = []
    if shards.jsonl:
        lines = ray.data.read_text(list(shards.jsonl), include_paths=True, override_num_blocks=blocks)
        parts.append(lines.rename_columns({"text": "record"}))
    if shards.parquet:
        rows = ray.data.read_parquet(list(shards.parquet), include_paths=True, override_num_blocks=blocks)
        parts.append(rows.map_batches(parquet_records, batch_format="pyarrow", num_cpus=ACTOR_CPUS))
    return parts[0] if len(parts) == 1 else parts[0].union(*parts[1:])


def extract_dataset(dataset: Any, *, workers: int, batch_size: int, max_bytes: int) -> Any:
    """``map_batches`` over a pool of ``workers`` :class:`ExtractBatch` actors of :data:`ACTOR_CPUS` CPU."""
    import ray.data

    return dataset.map_batches(
        ExtractBatch,
        fn_constructor_kwargs={"max_bytes": max_bytes, "batch_size": batch_size},
        batch_size=batch_size,
        batch_format="pyarrow",
        compute=ray.data.ActorPoolStrategy(size=workers),
        num_cpus=ACTOR_CPUS,
    )


def _write(dataset: Any, out_dir: Path) -> None:
    try:
        dataset.write_parquet(str(out_dir.resolve()))
    except Exception as exc:  # a Ray job fails with many exception types; name it and point at the logs
        raise ExtractionError(f"the Ray job failed: {type(exc).__name__}: {exc}", hint=RAY_HINT) from exc


@contextlib.contextmanager
def ray_session(address: str | None, *, num_cpus: int) -> Iterator[None]:
    """Connect to the cluster at ``address``, or start a local Ray on ``num_cpus`` CPUs; stop what was
    started here on the way out (a Ray already initialised in this process is used and left running)."""
    import ray
    from ray.data import DataContext

    if ray.is_initialized():
        yield
        return
    with contextlib.ExitStack() as stack:
        if not address:  # the local Ray's processes and this driver (which plans the reads) see it
            stubs = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="threatledger-ray-")))
            stack.enter_context(local_ray_environment(stubs, num_cpus=num_cpus))
        _init_ray(address, num_cpus=num_cpus)
        DataContext.get_current().enable_progress_bars = False
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        try:
            yield
        finally:
            ray.shutdown()


def _init_ray(address: str | None, *, num_cpus: int) -> None:
    import ray

    try:
        if address:
            ray.init(address=address, logging_level=logging.WARNING)
            return
        ray.init(
            include_dashboard=False,
            num_cpus=num_cpus,
            logging_level=logging.WARNING,
            _node_ip_address="127.0.0.1",  # a local Ray listens on loopback only
        )
    except Exception as exc:  # ray.init raises ConnectionError, RuntimeError, or a bare Exception
        raise ExtractionError(f"cannot start Ray ({address or 'local'}): {exc}", hint=RAY_HINT) from exc


@contextlib.contextmanager
def local_ray_environment(stubs: Path, *, num_cpus: int = 1) -> Iterator[None]:
    """The environment the local Ray processes inherit: usage stats off (no call home), at most
    ``num_cpus`` Parquet footer-reading actors (:data:`FOOTER_ACTORS_ENV`, unless set already), and the
    slow optional imports of :data:`SLOW_OPTIONAL_IMPORTS` hidden from them by stubs written into
    ``stubs`` (which must outlive the Ray session). The environment is restored on the way out."""
    names = ("RAY_USAGE_STATS_ENABLED", "PYTHONPATH", FOOTER_ACTORS_ENV)
    saved = {name: os.environ.get(name) for name in names}
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    if saved[FOOTER_ACTORS_ENV] is None:
        os.environ[FOOTER_ACTORS_ENV] = str(max(1, num_cpus))
    if _write_stubs(stubs):
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, (str(stubs), saved["PYTHONPATH"])))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _write_stubs(folder: Path) -> list[str]:
    """A package per slow optional import that raises ImportError (its importers treat it as absent)."""
    hidden = [name for name in SLOW_OPTIONAL_IMPORTS if find_spec(name) is not None]
    for name in hidden:
        (folder / name).mkdir(exist_ok=True)
        (folder / name / "__init__.py").write_text(
            f'raise ImportError("{name} is hidden from Ray workers")\n'
        )
    return hidden
