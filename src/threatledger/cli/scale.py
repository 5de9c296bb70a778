"""The scale commands: ``batch`` and ``load`` (the batch path), ``watch`` (the live path) and ``alert``
(watchlists). Thin layers over :mod:`threatledger.scale` and :mod:`threatledger.alerts`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from threatledger.cli.ledger import db_option, echo_json, json_option, open_alerter, rules_option


def _workers(workers: int | None, engine: str) -> int:
    from threatledger.settings import get_settings

    if workers is not None:
        return workers
    return 2 if engine == "ray" else get_settings().n_process


@click.command("batch")
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="A new folder for the Parquet results.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="local: spaCy worker processes here; ray: Ray Data with an actor per worker.",
)
@click.option(
    "--address", default=None, help="The Ray cluster (e.g. ray://head:10001); default: a local Ray."
)
@click.option(
    "--workers",
    type=click.IntRange(1),
    default=None,
    help="Processes (local; default THREATLEDGER_N_PROCESS) or actors (ray; default 2).",
)
@click.option(
    "--batch-size", type=click.IntRange(1), default=16, show_default=True, help="Documents per batch."
)
@json_option
def batch_command(
    inputs: tuple[str, ...],
    out_dir: str,
    engine: str,
    address: str | None,
    workers: int | None,
    batch_size: int,
    as_json: bool,
) -> None:
    """Extract JSON Lines / Parquet INPUT shards (files or folders) into Parquet results in --out.

    One row per document: its id, source, the whole extraction as JSON, or the error. Load the results
    into a store with `threatledger load DIR --db URL`.
    """
    from threatledger.scale import run_batch

    if address and engine != "ray":
        raise click.UsageError("--address needs --engine ray")
    summary = run_batch(
        list(inputs),
        out_dir,
        engine=engine,
        address=address,
        workers=_workers(workers, engine),
        batch_size=batch_size,
    )
    if as_json:
        echo_json(summary.to_dict())
    else:
        click.echo(summary.line())


@click.command("load")
@click.argument("results", type=click.Path(exists=True, file_okay=False))
@db_option
@click.option(
    "--chunk", type=click.IntRange(1), default=200, show_default=True, help="Documents per transaction."
)
@click.option(
    "--fast",
    is_flag=True,
    help="Bulk mode (COPY / executemany): exact names only, no cross-document incident merging.",
)
@rules_option
@json_option
def load_command(results: str, db: str, chunk: int, fast: bool, rules: str | None, as_json: bool) -> None:
    """Load the Parquet RESULTS folder of `threatledger batch` into the store.

    Watchlist rules fire on the documents the store takes as new (alerts of rules without --out are
    JSON lines on stdout, before the summary).
    """
    from threatledger.scale import load_results
    from threatledger.store import open_store

    alerter = open_alerter(db, rules)
    with open_store(db) as store:
        hook = None if alerter is None else (lambda new: alerter.new(store, new))
        summary = load_results(store, results, chunk=chunk, resolve=not fast, on_new=hook)
        if alerter is not None:
            delivery = alerter.finish(store)
            summary.alerts, summary.webhook_failures = delivery.matches, delivery.webhook_failures
            summary.errors.extend(delivery.errors)
    if as_json:
        echo_json(summary.to_dict())
    else:
        click.echo(summary.line())
        if alerter is not None:
            click.echo(alerter.delivery.line(), err=True)
        for message in summary.errors:
            click.echo(f"Error: {message}", err=True)
    if summary.bad_files:  # the rest is stored; the exit status says something was not
        raise SystemExit(1)


@click.command("watch")
@click.argument("feeds_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--every", default="10m", show_default=True, help="Time between cycles: 30s, 10m, 1h.")
@click.option("--once", is_flag=True, help="Run one cycle and exit.")
@db_option
@click.option(
    "--allow-private", is_flag=True, help="Also fetch from private, loopback and link-local addresses."
)
@click.option(
    "--rules",
    type=click.Path(dir_okay=False),
    default=None,
    help="The alert rules file (default: next to --db).",
)
@click.option(
    "--state",
    type=click.Path(dir_okay=False),
    default=None,
    help="Where the seen URLs are kept (default: NAME.watch.json next to --db).",
)
@json_option
def watch_command(
    feeds_file: str,
    every: str,
    once: bool,
    db: str,
    allow_private: bool,
    rules: str | None,
    state: str | None,
    as_json: bool,
) -> None:
    """Poll the RSS/Atom feeds listed in FEEDS_FILE (one URL a line), ingest new articles, raise alerts.

    Alerts of rules without --out are printed on stdout as JSON lines; cycle summaries go to stderr.
    """
    from threatledger.alerts import default_rules_path
    from threatledger.ingest.feed import read_feed_list
    from threatledger.scale.watch import SeenState, WatchOptions, default_state_path, parse_interval, watch
    from threatledger.store import open_store

    try:
        interval = None if once else parse_interval(every)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--every") from exc
    feeds = read_feed_list(feeds_file)
    options = WatchOptions(
        allow_private=allow_private, rules_path=Path(rules) if rules else default_rules_path(db)
    )
    seen = SeenState.load(state or default_state_path(db))

    def report(cycle: Any) -> None:
        click.echo(json.dumps(cycle.to_dict(), sort_keys=True) if as_json else cycle.line(), err=True)
        for message in [] if as_json else cycle.errors:
            click.echo(f"Error: {message}", err=True)

    with open_store(db) as store:
        try:
            watch(feeds, store, seen, options, every=interval, on_cycle=report)
        except KeyboardInterrupt:
            click.echo("Stopped.", err=True)


@click.group("alert")
def alert_group() -> None:
    """Watchlists: rules on an entity, event type, country or status change; matches on new articles go
    to a JSON Lines file (or stdout) and a webhook after each ingest or watch cycle."""


def rules_db_options(func: Any) -> Any:
    return db_option(rules_option(func))


def _book(db: str, rules: str | None) -> Any:
    from threatledger.alerts import RuleBook, default_rules_path

    return RuleBook.load(rules or default_rules_path(db))


@alert_group.command("add")
@click.option("--entity", help="A person, organisation or state, by name or alias.")
@click.option("--type", "event_type", help="An event type, e.g. ARREST.")
@click.option("--country", help="A country (ISO code or name) tied to a participant or place.")
@click.option("--status-change", help="A person's legal status changing FROM:TO, e.g. charged:released.")
@click.option("--webhook", help="POST each match (JSON) to this http(s) URL.")
@click.option(
    "--out", type=click.Path(dir_okay=False), help="Append matches to this JSON Lines file (default: stdout)."
)
@rules_db_options
@json_option
def alert_add_command(
    entity: str | None,
    event_type: str | None,
    country: str | None,
    status_change: str | None,
    webhook: str | None,
    out: str | None,
    db: str,
    rules: str | None,
    as_json: bool,
) -> None:
    """Add a watchlist rule."""
    from threatledger.alerts import make_rule

    rule = make_rule(
        entity=entity, type=event_type, country=country, status_change=status_change, webhook=webhook, out=out
    )
    book = _book(db, rules)
    added = book.add(rule)
    book.save()
    if as_json:
        echo_json(rule.to_dict())
    else:
        click.echo(f"{'Added' if added else 'Already there'}: {rule.describe()}  ({book.path})")


@alert_group.command("list")
@rules_db_options
@json_option
def alert_list_command(db: str, rules: str | None, as_json: bool) -> None:
    """List the watchlist rules."""
    book = _book(db, rules)
    if as_json:
        echo_json([rule.to_dict() for rule in book.rules])
        return
    if not book.rules:
        click.echo(f"No rules in {book.path}.")
    for rule in book.rules:
        click.echo(rule.describe())


@alert_group.command("remove")
@click.argument("rule_id")
@rules_db_options
def alert_remove_command(rule_id: str, db: str, rules: str | None) -> None:
    """Remove the rule RULE_ID (or a unique prefix of it)."""
    book = _book(db, rules)
    rule = book.remove(rule_id)
    book.save()
    click.echo(f"Removed: {rule.describe()}")


def register(cli: click.Group) -> None:
    """Add the scale commands to the ``threatledger`` group."""
    for command in (batch_command, load_command, watch_command, alert_group):
        cli.add_command(command)
