"""Batch results on disk: a folder of Parquet files, one row per document (see :mod:`.records`).

:class:`ResultWriter` writes them on one machine (``write()`` / ``finalize()``); the Ray engine writes
the same schema with Ray Data. :func:`read_results` reads either back, file by file, row by row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from threatledger.errors import IngestError, InputNotFoundError, StoreError
from threatledger.scale.records import RESULT_COLUMNS, Row

ROWS_PER_GROUP = 1_000
ROWS_PER_FILE = 50_000


def result_schema() -> Any:
    """The Arrow schema of result rows: four nullable strings."""
    import pyarrow as pa

    return pa.schema([(name, pa.string()) for name in RESULT_COLUMNS])


def rows_table(rows: list[Row]) -> Any:
    """An Arrow table of result rows, always with :func:`result_schema` (even when a column is all null)."""
    import pyarrow as pa

    return pa.Table.from_pylist(rows, schema=result_schema())


def check_out_dir(out_dir: Path) -> None:
    """Refuse a folder that already holds files: loading it would mix two batches."""
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise StoreError(
            f"the output folder {out_dir} exists and is not empty",
            hint="pass a new folder to --out, or remove the old results first",
        )
    out_dir.mkdir(parents=True, exist_ok=True)


@dataclass
class ResultWriter:
    """Write result rows into ``part-NNNNN.parquet`` files of at most ``rows_per_file`` rows."""

    out_dir: Path
    rows_per_file: int = ROWS_PER_FILE
    rows: int = 0
    failed: int = 0
    files: list[Path] = field(default_factory=list)
    _buffer: list[Row] = field(default_factory=list)
    _writer: Any = None
    _in_file: int = 0

    def write(self, row: Row) -> None:
        self.rows += 1
        self.failed += row["error"] is not None
        self._buffer.append(row)
        if len(self._buffer) >= ROWS_PER_GROUP:
            self._flush()

    def finalize(self) -> None:
        self._flush()
        self._close_file()

    def _flush(self) -> None:
        import pyarrow.parquet as pq

        while self._buffer:
            if self._writer is None or self._in_file >= self.rows_per_file:
                self._close_file()
                path = self.out_dir / f"part-{len(self.files):05d}.parquet"
                self._writer = pq.ParquetWriter(path, result_schema(), compression="zstd")
                self.files.append(path)
            room = self.rows_per_file - self._in_file
            chunk, self._buffer = self._buffer[:room], self._buffer[room:]
            self._writer.write_table(rows_table(chunk))
            self._in_file += len(chunk)

    def _close_file(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._in_file = 0


def result_files(out_dir: str | Path) -> list[Path]:
    """The Parquet files of a results folder, sorted; none raises InputNotFoundError."""
    folder = Path(out_dir)
    files = (
        sorted(p for p in folder.rglob("*.parquet") if not p.name.startswith(".")) if folder.is_dir() else []
    )
    if not files:
        raise InputNotFoundError(
            f"no Parquet results in {out_dir}", hint="run `threatledger batch ... --out DIR` first"
        )
    return files


BadFileHook = Callable[[Path, Exception], None]


def read_results(
    out_dir: str | Path,
    *,
    columns: tuple[str, ...] = RESULT_COLUMNS,
    on_bad_file: BadFileHook | None = None,
) -> Iterator[Row]:
    """Every result row of a results folder, file by file. A file that cannot be read (a batch killed
    before it wrote the file's footer) goes to ``on_bad_file`` and the others are still read; without
    the hook it is an InputError naming the file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    for path in result_files(out_dir):
        try:
            batches = pq.ParquetFile(path).iter_batches(batch_size=ROWS_PER_GROUP, columns=list(columns))
            for batch in batches:
                yield from batch.to_pylist()
        except (pa.ArrowException, OSError) as exc:
            if on_bad_file is None:
                raise unreadable_file(path, exc) from exc
            on_bad_file(path, exc)


def unreadable_file(path: Path, exc: Exception) -> IngestError:
    return IngestError(
        f"{path} is not a readable Parquet result file ({exc})",
        hint="A batch killed before it finished leaves such a file: run `threatledger batch` again for "
        "its input into a new --out folder, or remove the file to load the others.",
    )


def count_results(out_dir: str | Path) -> tuple[int, int]:
    """The number of result rows and of rows with an error."""
    rows = failed = 0
    for row in read_results(out_dir, columns=("error",)):
        rows += 1
        failed += row["error"] is not None
    return rows, failed
