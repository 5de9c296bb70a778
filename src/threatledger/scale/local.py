"""The local engine: read the shards in this process, parse with spaCy's ``n_process`` worker processes,
write the results with :class:`~threatledger.scale.results.ResultWriter`."""

from __future__ import annotations

import time
from pathlib import Path

from threatledger.scale.records import extract_rows
from threatledger.scale.results import ResultWriter, check_out_dir
from threatledger.scale.shards import Shards, read_shards
from threatledger.scale.summary import BatchSummary


def run_local(
    shards: Shards, out_dir: Path, *, workers: int = 1, batch_size: int = 16, max_bytes: int
) -> BatchSummary:
    """Extract every record of ``shards`` into Parquet files in ``out_dir`` with ``workers`` processes."""
    check_out_dir(out_dir)
    start = time.perf_counter()
    writer = ResultWriter(out_dir)
    try:
        results = read_shards(shards, max_bytes=max_bytes)
        for row in extract_rows(results, n_process=workers, batch_size=batch_size):
            writer.write(row)
    finally:
        writer.finalize()
    return BatchSummary(
        engine="local",
        out_dir=str(out_dir),
        documents=writer.rows,
        failed=writer.failed,
        files=len(writer.files),
        workers=workers,
        seconds=time.perf_counter() - start,
    )
