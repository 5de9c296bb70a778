"""The ledger commands: ``ingest``, ``incidents``, ``show``, ``entity``, ``search``, ``stats``,
``open-cases`` and ``review`` (``export`` lives in :mod:`threatledger.cli.exports`). Each is a thin layer
over :mod:`threatledger.store`; every one takes ``--db``. ``ingest`` (like ``load`` and ``watch``) raises
the watchlist alerts on the documents the store takes as new."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console

from threatledger.cli import ledger_render as render
from threatledger.errors import StoreError
from threatledger.model import EVENT_TYPES, STATUSES, Document, Extraction
from threatledger.store import Store, open_store
from threatledger.store.records import IngestStats, Record

if TYPE_CHECKING:
    from threatledger.alerts import Alerter

F = TypeVar("F", bound=Callable[..., Any])


def _default_db() -> str:
    from threatledger.settings import get_settings

    return get_settings().db_url


def db_option(func: F) -> F:
    """``--db URL``: a file path, sqlite:///PATH or postgresql://... (default from THREATLEDGER_DB)."""
    return click.option(
        "--db",
        "db",
        default=_default_db,
        show_default="./threatledger.db or THREATLEDGER_DB",
        help="The store: a file path, sqlite:///PATH or postgresql://USER@HOST/DB.",
    )(func)


def rules_option(func: F) -> F:
    """``--rules FILE``: the watchlist rules (default: NAME.alerts.json next to --db)."""
    return click.option(
        "--rules",
        type=click.Path(dir_okay=False),
        default=None,
        help="The alert rules file (default: NAME.alerts.json next to --db).",
    )(func)


def open_alerter(db: str, rules: str | None) -> Alerter | None:
    """The alerts of this run: the rules of ``rules`` (default: next to ``db``); None without rules.
    Alerts of rules without an ``out`` file go to the stdout of now (not a progress display's proxy)."""
    from threatledger.alerts import Alerter, default_rules_path

    return Alerter.open(rules or default_rules_path(db), stdout=sys.stdout)


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of tables.")(
        func
    )


def echo_json(value: Any) -> None:
    """Print records (or lists of them) as indented JSON."""

    def plain(item: Any) -> Any:
        return item.to_dict() if isinstance(item, Record) else item

    data = [plain(v) for v in value] if isinstance(value, list) else plain(value)
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True))


def console() -> Console:
    return Console(soft_wrap=False, highlight=False)


def reading(db: str) -> Store:
    """Open an existing store for a query command."""
    return open_store(db, create=False)


# ingest


def load_extractor() -> Callable[..., Iterator[Extraction]]:
    """The extractor entry point, imported only when there is something to extract (it loads spaCy)."""
    from threatledger.extract import run_extraction

    return run_extraction


def _documents(
    inputs: tuple[str, ...],
    published: date | None,
    store: Store,
    reextract: bool,
    stats: IngestStats,
    err: Console,
) -> list[Document]:
    from threatledger.ingest import DocumentFailure
    from threatledger.ingest.url import read_locations  # scale (issue 6): http(s) inputs are fetched

    documents = []
    for item in read_locations(list(inputs), published=published):
        if isinstance(item, DocumentFailure):
            stats.failed += 1
            err.print(f"Error {item.error} (input: {item.source})", markup=False)
        elif not reextract and store.has_document(item.content_hash):
            stats.skipped += 1
        else:
            documents.append(item)
    return documents


def _store_all(
    store: Store,
    documents: list[Document],
    n_process: int,
    stats: IngestStats,
    err: Console,
    debug: bool,
    alerter: Alerter | None = None,
) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    if not documents:
        return
    with Progress(*columns, console=err) as progress:
        task = progress.add_task("Ingesting", total=len(documents))
        for extraction in load_extractor()(documents, n_process=n_process):
            source = extraction.document.source or extraction.document.id
            if extraction.error is not None:
                err.print(
                    f"Error [{extraction.error.get('code', 'E300')}] {extraction.error.get('message', '')}"
                    f" (input: {source})",
                    markup=False,
                )
            try:
                stored = store.add_extraction(extraction)
            except StoreError:
                raise
            except Exception as exc:  # one bad document never stops the batch
                if debug:
                    raise
                stats.failed += 1
                err.print(f"Error: could not store {source}: {exc}", markup=False)
            else:
                stats.add(stored)
                if alerter is not None and stored.documents == 1:
                    alerter.new(store, [extraction])
            progress.advance(task)


@click.command("ingest")
@click.argument("inputs", nargs=-1, required=True)
@db_option
@click.option(
    "--published",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Publication date for documents that do not give one (YYYY-MM-DD).",
)
@click.option(
    "--n-process", type=int, default=None, help="Parser processes (default: THREATLEDGER_N_PROCESS or 1)."
)
@click.option(
    "--reextract",
    is_flag=True,
    help="Extract stored documents again; a newer extractor's records replace the old, which are kept.",
)
@rules_option
@json_option
@click.pass_context
def ingest_command(
    ctx: click.Context,
    inputs: tuple[str, ...],
    db: str,
    published: Any,
    n_process: int | None,
    reextract: bool,
    rules: str | None,
    as_json: bool,
) -> None:
    """Extract INPUT files, directories, JSON Lines or - (stdin) and add them to the ledger.

    Watchlist rules (`threatledger alert add`) fire on the documents the store takes as new, once: an
    article ingested again raises nothing. Alerts of rules without --out are JSON lines on stdout.
    """
    from threatledger.settings import get_settings

    err = Console(stderr=True, highlight=False)
    stats = IngestStats()
    alerter = open_alerter(db, rules)
    with open_store(db) as store:
        documents = _documents(inputs, published.date() if published else None, store, reextract, stats, err)
        _store_all(
            store,
            documents,
            n_process or get_settings().n_process,
            stats,
            err,
            bool((ctx.obj or {}).get("debug")),
            alerter,
        )
        if alerter is not None:
            alerter.finish(store)
    if as_json:
        echo_json(stats)
    else:
        click.echo(render.ingest_summary(stats))
    if alerter is not None:
        err.print(alerter.delivery.line(), markup=False)
        for message in alerter.delivery.errors:
            err.print(f"Error: {message}", markup=False)


# queries


@click.command("incidents")
@db_option
@click.option("--actor", help="An agent of some event (name, alias or entity id).")
@click.option("--sponsor", help="A sponsor of some event.")
@click.option("--target", help="A target of some event.")
@click.option(
    "--type", "event_type", type=click.Choice(EVENT_TYPES, case_sensitive=False), help="An event type."
)
@click.option("--country", help="ISO code or name of a country tied to a participant or place.")
@click.option("--from", "date_from", help="Some event on or after this date (YYYY[-MM[-DD]]).")
@click.option("--to", "date_to", help="Some event on or before this date (YYYY[-MM[-DD]]).")
@click.option("--status", type=click.Choice(STATUSES, case_sensitive=False), help="An event status.")
@click.option("--text", help="Words in an event sentence or article.")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@json_option
def incidents_command(
    db: str,
    actor: str | None,
    sponsor: str | None,
    target: str | None,
    event_type: str | None,
    country: str | None,
    date_from: str | None,
    date_to: str | None,
    status: str | None,
    text: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """List incidents, the most recent first; every filter must hold for some event of an incident."""
    from threatledger.query.filters import make_filter

    filters = make_filter(
        actor=actor,
        sponsor=sponsor,
        target=target,
        type=event_type,
        country=country,
        date_from=date_from,
        date_to=date_to,
        status=status,
        text=text,
    )
    with reading(db) as store:
        rows = store.incidents(filters, limit=limit)
    if as_json:
        echo_json(rows)
    else:
        console().print(render.incidents_table(rows))


@click.command("show")
@click.argument("incident")
@db_option
@json_option
def show_command(incident: str, db: str, as_json: bool) -> None:
    """Show INCIDENT: its timeline with quoted sources and each person's legal steps."""
    with reading(db) as store:
        detail = store.incident(incident)
    if as_json:
        echo_json(detail)
    else:
        console().print(render.incident_view(detail))


@click.command("entity")
@click.argument("name")
@db_option
@json_option
def entity_command(name: str, db: str, as_json: bool) -> None:
    """Show the entity NAME (a name, alias, surname or entity id) and its incidents."""
    with reading(db) as store:
        found = store.entity(name)
    if not found:
        raise StoreError(
            f"no entity named {name!r}", hint="Try a surname, an acronym, or `threatledger search`."
        )
    if as_json:
        echo_json(found)
        return
    out = console()
    for detail in found:
        out.print(render.entity_view(detail))


@click.command("search")
@click.argument("text")
@db_option
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True)
@json_option
def search_command(text: str, db: str, limit: int, as_json: bool) -> None:
    """Full-text search of event sentences and articles: every word of TEXT must occur."""
    with reading(db) as store:
        hits = store.search(text, limit=limit)
    if as_json:
        echo_json(hits)
    else:
        console().print(render.search_table(hits))


@click.command("stats")
@db_option
@json_option
def stats_command(db: str, as_json: bool) -> None:
    """Counts of documents, entities, events and incidents in the ledger."""
    with reading(db) as store:
        stats = store.stats()
    if as_json:
        echo_json(stats)
    else:
        console().print(render.stats_table(stats))


@click.command("open-cases")
@db_option
@json_option
def open_cases_command(db: str, as_json: bool) -> None:
    """Accountability gaps: charged but at large, convicted but released or transferred, no one charged."""
    with reading(db) as store:
        cases = store.open_cases()
    if as_json:
        echo_json(cases)
    else:
        console().print(render.open_cases_table(cases))


def register(cli: click.Group) -> None:
    """Add the ledger commands to the ``threatledger`` group."""
    from threatledger.cli.ledger_review import review_group

    for command in (
        ingest_command,
        incidents_command,
        show_command,
        entity_command,
        search_command,
        stats_command,
        open_cases_command,
        review_group,
    ):
        cli.add_command(command)
