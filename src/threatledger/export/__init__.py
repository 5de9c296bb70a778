"""Exports of the ledger to the formats other tools read, from one model (see docs/formats.md).

``stix`` (STIX 2.1 bundle), ``ftm`` (FollowTheMoney entities), ``csv`` (ACLED-style events or GTD-style
incidents), ``graphml`` (actors and incidents) are written from the incidents a filter selects;
``ledger`` writes the whole ledger for ``import``; ``jsonl`` writes one document a line in the scorer's
format.
"""

from __future__ import annotations

from typing import IO

from threatledger.errors import ExportError
from threatledger.export.base import Exporter
from threatledger.export.collect import LedgerView, collect
from threatledger.export.csv_tables import CsvExporter
from threatledger.export.ftm import FtmExporter
from threatledger.export.graphml import GraphmlExporter
from threatledger.export.ledger_jsonl import (
    ImportStats,
    export_ledger,
    export_scorer_documents,
    import_ledger,
)
from threatledger.export.stix import StixExporter
from threatledger.store.base import Store
from threatledger.store.records import IncidentDetail, IncidentFilter

__all__ = [
    "CSV_TABLES",
    "FORMATS",
    "INCIDENT_FORMATS",
    "ImportStats",
    "export_incidents",
    "export_ledger",
    "export_scorer_documents",
    "import_ledger",
    "make_exporter",
]

INCIDENT_FORMATS = ("stix", "ftm", "csv", "graphml")
FORMATS = (*INCIDENT_FORMATS, "jsonl", "ledger")
CSV_TABLES = ("acled", "gtd")


def make_exporter(
    fmt: str, out: IO[str], view: LedgerView, *, table: str = "acled"
) -> Exporter[IncidentDetail]:
    """The exporter of an incident format, writing to ``out``."""
    if fmt == "stix":
        return StixExporter(out, view)
    if fmt == "ftm":
        return FtmExporter(out, view)
    if fmt == "csv":
        if table not in CSV_TABLES:
            raise ExportError(f"unknown table {table!r}", hint="Use --table acled or --table gtd.")
        return CsvExporter(out, view, table=table)
    if fmt == "graphml":
        return GraphmlExporter(out, view)
    raise ExportError(f"unknown export format {fmt!r}", hint="One of: " + ", ".join(FORMATS) + ".")


def export_incidents(
    store: Store, fmt: str, out: IO[str], *, filters: IncidentFilter | None = None, table: str = "acled"
) -> int:
    """Write the incidents ``filters`` select in ``fmt``; return how many there were."""
    view = collect(store, filters)
    exporter = make_exporter(fmt, out, view, table=table)
    for incident in view.incidents:
        exporter.write(incident)
    exporter.finalize()
    return len(view.incidents)
