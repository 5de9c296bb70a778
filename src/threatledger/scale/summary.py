"""What a batch or a load did, in one summary line (and as JSON for scripts)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """One batch run: where the results went, how many documents, how many failed, how long it took."""

    engine: str
    out_dir: str
    documents: int
    failed: int
    files: int
    workers: int
    seconds: float

    @property
    def docs_per_s(self) -> float:
        return self.documents / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "docs_per_s": round(self.docs_per_s, 3)}

    def line(self) -> str:
        return (
            f"{self.documents} documents ({self.failed} failed) extracted by {self.workers} "
            f"{self.engine} worker(s) in {self.seconds:.1f} s ({self.docs_per_s:.2f} docs/s); "
            f"{self.files} Parquet file(s) in {self.out_dir}"
        )


@dataclass(slots=True)
class LoadSummary:
    """One load of batch results into a store."""

    rows: int = 0
    failed: int = 0
    bad_rows: int = 0
    bad_files: int = 0  # result files that could not be read (a batch killed while writing)
    seconds: float = 0.0
    stats: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    alerts: int = 0
    webhook_failures: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        stored = self.stats.get("documents", 0)
        skipped = self.stats.get("skipped", 0)
        return (
            f"{self.rows} result rows read in {self.seconds:.1f} s: {stored} documents stored, "
            f"{skipped} already known, {self.failed} failed extractions, {self.bad_rows} unreadable rows; "
            f"{self.stats.get('events', 0)} events, {self.stats.get('incidents_new', 0)} new incidents, "
            f"{self.stats.get('incidents_joined', 0)} joined"
            + (f"; {self.bad_files} unreadable result files" if self.bad_files else "")
        )
