"""The local engine: read the shards in this process; parse *and* extract in ``workers`` processes; write
the results with :class:`~threatledger.scale.results.ResultWriter`, in input order.

With one worker everything runs here. With more, each worker process loads the pipeline once and turns
chunks of documents into result rows (small JSON strings to send back). That scales better than
spaCy's ``n_process``, which parses in the workers but leaves extraction, and unpickling every parsed
Doc, to this one process: measured on 2 cores, 2 ``n_process`` workers were slower than one.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from pathlib import Path

from threatledger.ingest.base import DocumentFailure, ReadResult
from threatledger.model import Document
from threatledger.scale.records import Row, extract_rows, failure_row
from threatledger.scale.results import ResultWriter, check_out_dir
from threatledger.scale.shards import Shards, read_shards
from threatledger.scale.summary import BatchSummary

CHUNKS_IN_FLIGHT_PER_WORKER = 2


def run_local(
    shards: Shards, out_dir: Path, *, workers: int = 1, batch_size: int = 16, max_bytes: int
) -> BatchSummary:
    """Extract every record of ``shards`` into Parquet files in ``out_dir`` with ``workers`` processes."""
    check_out_dir(out_dir)
    start = time.perf_counter()
    writer = ResultWriter(out_dir)
    try:
        for row in local_rows(
            read_shards(shards, max_bytes=max_bytes), workers=workers, batch_size=batch_size
        ):
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


def local_rows(results: Iterable[ReadResult], *, workers: int, batch_size: int) -> Iterator[Row]:
    """One result row per input, in order: here for one worker, else from a pool of worker processes
    with at most :data:`CHUNKS_IN_FLIGHT_PER_WORKER` chunks of ``batch_size`` inputs each in flight.
    Failures become rows here (only Documents travel to the workers)."""
    if workers <= 1:
        yield from extract_rows(results, batch_size=batch_size)
        return
    items = (failure_row(r) if isinstance(r, DocumentFailure) else r for r in results)
    pending: deque[Future[list[Row]]] = deque()
    with ProcessPoolExecutor(max_workers=workers, initializer=_load_pipeline) as pool:
        while chunk := list(islice(items, batch_size)):
            pending.append(pool.submit(_extract_chunk, chunk, batch_size))
            if len(pending) >= workers * CHUNKS_IN_FLIGHT_PER_WORKER:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _load_pipeline() -> None:
    """Pool initializer: load the pipeline once per worker process."""
    from threatledger.nlp.pipeline import shared_pipeline

    shared_pipeline()


def _extract_chunk(chunk: list[Document | Row], batch_size: int) -> list[Row]:
    """Rows for a chunk of Documents and ready rows, in the chunk's order."""
    extracted = iter(extract_rows([d for d in chunk if isinstance(d, Document)], batch_size=batch_size))
    return [next(extracted) if isinstance(item, Document) else item for item in chunk]
