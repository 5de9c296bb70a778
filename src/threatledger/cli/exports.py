"""The ``export`` and ``import`` commands: thin layers over :mod:`threatledger.export`.

``export --format stix|ftm|csv|graphml`` writes the incidents the filters of ``incidents`` select;
``--format ledger`` the whole ledger, for ``import``; ``--format jsonl`` (the default) one document a line
in the scorer's format.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

import click

from threatledger.cli.ledger import db_option, reading
from threatledger.model import EVENT_TYPES, STATUSES
from threatledger.store import open_store

FORMAT_HELP = (
    "stix: a STIX 2.1 bundle; ftm: FollowTheMoney entities (JSON lines); csv: an ACLED-style event table"
    " or a GTD-style incident table (--table); graphml: actors and incidents for Gephi; ledger: the whole"
    " ledger, for `threatledger import`; jsonl: one document a line in the scorer's format."
)


def filter_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The filters of ``incidents``, for the incident formats."""
    options = [
        click.option("--actor", help="An agent of some event (name, alias or entity id)."),
        click.option("--sponsor", help="A sponsor of some event."),
        click.option("--target", help="A target of some event."),
        click.option(
            "--type",
            "event_type",
            type=click.Choice(EVENT_TYPES, case_sensitive=False),
            help="An event type.",
        ),
        click.option("--country", help="ISO code or name of a country tied to a participant or place."),
        click.option("--from", "date_from", help="Some event on or after this date (YYYY[-MM[-DD]])."),
        click.option("--to", "date_to", help="Some event on or before this date (YYYY[-MM[-DD]])."),
        click.option("--status", type=click.Choice(STATUSES, case_sensitive=False), help="An event status."),
        click.option("--text", help="Words in an event sentence or article."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@contextmanager
def output_stream(path: str) -> Iterator[IO[str]]:
    """The file at ``path`` opened for writing, or stdout for ``-``."""
    if path == "-":
        yield sys.stdout
        return
    with open(path, "w", encoding="utf-8", newline="") as handle:
        yield handle


@click.command("export")
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["stix", "ftm", "csv", "graphml", "ledger", "jsonl"]),
    default="jsonl",
    show_default=True,
    help=FORMAT_HELP,
)
@click.option(
    "--table",
    type=click.Choice(["acled", "gtd"]),
    default="acled",
    show_default=True,
    help="With --format csv: acled (one row per event) or gtd (one row per incident).",
)
@filter_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    default="-",
    help="Write here (default: stdout).",
)
def export_command(db: str, fmt: str, table: str, output: str, **filters: str | None) -> None:
    """Export the ledger to STIX 2.1, FollowTheMoney, CSV, GraphML or JSON Lines, with sources kept."""
    from threatledger import export
    from threatledger.query.filters import make_filter

    chosen = {k: v for k, v in filters.items() if v}
    if fmt in ("jsonl", "ledger") and chosen:
        raise click.UsageError(f"--format {fmt} exports everything; filters are for stix, ftm, csv, graphml.")
    with reading(db) as store, output_stream(output) as out:
        if fmt == "jsonl":
            count, what = export.export_scorer_documents(store, out), "documents"
        elif fmt == "ledger":
            count, what = export.export_ledger(store, out), "ledger entries"
        else:
            incident_filter = make_filter(type=filters.pop("event_type", None), **filters)
            count = export.export_incidents(store, fmt, out, filters=incident_filter, table=table)
            what = "incidents"
    click.echo(f"Exported {count} {what}.", err=True)


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@db_option
def import_command(file: str, db: str) -> None:
    """Import a ledger FILE written by `export --format ledger` into an empty store."""
    from threatledger.export import import_ledger

    with staged_store(db) as target, open_store(target) as store:
        if file == "-":
            stats = import_ledger(sys.stdin, store, name="stdin")
        else:
            with open(file, encoding="utf-8") as handle:
                stats = import_ledger(handle, store, name=file)
    for message in stats.errors:
        click.echo(f"Error {message}", err=True)
    click.echo(
        f"Imported {stats.extractions} extractions and {stats.corrections} corrections"
        f"{f'; {stats.failed} lines failed' if stats.failed else ''}.",
        err=True,
    )
    if stats.failed:
        raise SystemExit(1)


STAGING_SUFFIX = ".importing"


@contextmanager
def staged_store(db: str) -> Iterator[str]:
    """Where an import writes: a new SQLite file is built beside its final path and moved there only when
    the import has run to its end, so a killed import never leaves a half ledger that looks whole (the
    next run starts again from a clean file). An existing store, or PostgreSQL, is written in place."""
    from pathlib import Path

    from threatledger.store import parse_sqlite_url

    if "://" in db and not db.startswith("sqlite://"):
        yield db
        return
    path, _ = parse_sqlite_url(db)
    final = Path(path)
    if path == ":memory:" or final.exists():
        yield db
        return
    staging = final.with_name(final.name + STAGING_SUFFIX)
    for leftover in (staging, *(Path(f"{staging}{end}") for end in ("-wal", "-shm", "-journal"))):
        leftover.unlink(missing_ok=True)  # what an import killed before left behind
    try:
        yield str(staging)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    for end in ("-wal", "-shm"):  # a closed WAL store has folded these back; move any that remain
        if Path(f"{staging}{end}").exists():
            Path(f"{staging}{end}").replace(f"{final}{end}")
    staging.replace(final)


def register(cli: click.Group) -> None:
    """Add ``export`` and ``import`` to the ``threatledger`` group."""
    cli.add_command(export_command)
    cli.add_command(import_command)
