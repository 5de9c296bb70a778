"""The input shards of a batch: JSON Lines and Parquet files, given as files or folders.

A folder stands for every ``.jsonl``, ``.ndjson`` and ``.parquet`` file under it (hidden ones skipped).
:func:`read_shards` reads them on one machine; the Ray engine reads them with Ray Data instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from threatledger.errors import InputNotFoundError, ParseError
from threatledger.ingest.base import DocumentFailure, ReadResult
from threatledger.scale.records import document_from_record

JSONL_SUFFIXES = (".jsonl", ".ndjson")
PARQUET_SUFFIXES = (".parquet", ".pq")
SHARD_HINT = "pass .jsonl or .parquet files, or folders holding them"
PARQUET_BATCH_ROWS = 256


@dataclass(frozen=True, slots=True)
class Shards:
    """The JSON Lines and the Parquet files of a batch, each list sorted."""

    jsonl: tuple[str, ...]
    parquet: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.jsonl) + len(self.parquet)


def find_shards(inputs: Sequence[str]) -> Shards:
    """Expand files and folders into shards; a missing input or an unknown suffix raises."""
    jsonl: list[str] = []
    parquet: list[str] = []
    for item in inputs:
        for path in _expand(Path(item)):
            suffix = path.suffix.lower()
            if suffix in JSONL_SUFFIXES:
                jsonl.append(str(path))
            elif suffix in PARQUET_SUFFIXES:
                parquet.append(str(path))
            else:
                raise ParseError(f"cannot batch {path}: not a .jsonl or .parquet file", hint=SHARD_HINT)
    if not jsonl and not parquet:
        raise InputNotFoundError(f"no shard to read in {', '.join(inputs)}", hint=SHARD_HINT)
    return Shards(tuple(sorted(set(jsonl))), tuple(sorted(set(parquet))))


def _expand(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InputNotFoundError(f"no such file or directory: {str(path)!r}", hint=SHARD_HINT)
    found = []
    for folder, folders, names in os.walk(path):
        folders[:] = [name for name in folders if not name.startswith(".")]
        found += [
            Path(folder, name)
            for name in names
            if not name.startswith(".") and Path(name).suffix.lower() in JSONL_SUFFIXES + PARQUET_SUFFIXES
        ]
    return found


def read_shards(shards: Shards, *, max_bytes: int) -> Iterator[ReadResult]:
    """Every record of every shard as a Document or a DocumentFailure, shard by shard."""
    from threatledger.ingest import read_inputs

    for path in shards.jsonl:
        yield from read_inputs([path], max_bytes=max_bytes)
    for path in shards.parquet:
        yield from read_parquet(path, max_bytes=max_bytes)


def read_parquet(path: str, *, max_bytes: int) -> Iterator[ReadResult]:
    """The rows of one Parquet file; ``PATH:ROW`` (from 1) names each. An unreadable file is one failure."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    number = 0
    try:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=PARQUET_BATCH_ROWS):
            for record in batch.to_pylist():
                number += 1
                yield document_from_record(record, source=f"{path}:{number}", max_bytes=max_bytes)
    except (OSError, pa.ArrowException) as exc:
        error = ParseError(f"cannot read the Parquet file {path}: {exc}", hint="check that it is Parquet")
        yield DocumentFailure(source=path, error=error)
