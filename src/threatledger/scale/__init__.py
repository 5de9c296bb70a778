"""Scale: batch extraction into Parquet (local processes or Ray), loading results into a store, and
the live path (feeds polled, new articles fetched, extracted, stored and matched against watchlists).

The heavy dependencies (pyarrow, ray, feedparser) are imported only when a function needs them.
"""

from threatledger.scale.load import load_results
from threatledger.scale.shards import Shards, find_shards
from threatledger.scale.summary import BatchSummary, LoadSummary

__all__ = ["BatchSummary", "LoadSummary", "Shards", "find_shards", "load_results", "run_batch"]


def run_batch(
    inputs: list[str],
    out_dir: str,
    *,
    engine: str = "local",
    address: str | None = None,
    workers: int = 1,
    batch_size: int = 16,
    max_bytes: int | None = None,
) -> BatchSummary:
    """Extract every record of the JSON Lines / Parquet ``inputs`` into Parquet results in ``out_dir``."""
    from pathlib import Path

    from threatledger.settings import get_settings

    shards = find_shards(inputs)
    limit = max_bytes if max_bytes is not None else get_settings().max_document_bytes
    if engine == "ray":
        from threatledger.scale.ray_engine import run_ray

        return run_ray(
            shards, Path(out_dir), address=address, workers=workers, batch_size=batch_size, max_bytes=limit
        )
    from threatledger.scale.local import run_local

    return run_local(shards, Path(out_dir), workers=workers, batch_size=batch_size, max_bytes=limit)
