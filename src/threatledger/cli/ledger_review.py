"""``threatledger review``: confirm, reject or correct facts; merge or split entities and incidents.

Every decision needs ``--by`` (who) and ``--why``; it is kept as a correction over the original extraction
and written to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from threatledger.cli import ledger_render as render
from threatledger.cli.ledger import console, db_option, echo_json, json_option, reading
from threatledger.store import open_store
from threatledger.store.base import REVIEW_FIELDS
from threatledger.store.records import Correction

F = TypeVar("F", bound=Callable[..., Any])


def decision_options(func: F) -> F:
    """``--by`` and ``--why``, required on every review decision, plus ``--db`` and ``--json``."""
    func = click.option("--why", "reason", required=True, help="Why: the evidence for this decision.")(func)
    func = click.option("--by", "author", required=True, help="Who decides (name or handle).")(func)
    return json_option(db_option(func))


def report(correction: Correction, as_json: bool) -> None:
    if as_json:
        echo_json(correction)
        return
    what = f" {correction.field}" if correction.field else ""
    click.echo(
        f"Recorded correction #{correction.id}: {correction.action}{what} on {correction.target_kind} "
        f"{correction.target_id} ({correction.old_value!r} -> {correction.new_value!r}) "
        f"by {correction.author}."
    )


def decide(db: str, as_json: bool, method: str, *args: Any, **kwargs: Any) -> None:
    with open_store(db, create=False) as store:
        correction = getattr(store, method)(*args, **kwargs)
    report(correction, as_json)


@click.group("review")
def review_group() -> None:
    """Review the ledger: every decision is an overlay with who, when and why; originals are kept."""


@review_group.command("confirm")
@click.argument("event_id")
@decision_options
def confirm_command(event_id: str, db: str, as_json: bool, author: str, reason: str) -> None:
    """Confirm an event as extracted."""
    decide(db, as_json, "confirm_event", event_id, author=author, reason=reason)


@review_group.command("reject")
@click.argument("event_id")
@decision_options
def reject_command(event_id: str, db: str, as_json: bool, author: str, reason: str) -> None:
    """Reject an event: it leaves timelines, counts and exports, and stays in the store."""
    decide(db, as_json, "reject_event", event_id, author=author, reason=reason)


@review_group.command("correct")
@click.argument("event_id")
@click.argument("field", type=click.Choice(REVIEW_FIELDS))
@click.argument("value")
@decision_options
def correct_command(
    event_id: str, field: str, value: str, db: str, as_json: bool, author: str, reason: str
) -> None:
    """Correct an event's FIELD: type, date (or 'none'), status, negated_or_hypothetical, or a role
    (names separated by ';', empty to clear)."""
    decide(db, as_json, "correct_event", event_id, field, value, author=author, reason=reason)


@review_group.command("merge-entities")
@click.argument("source")
@click.argument("target")
@decision_options
def merge_entities_command(
    source: str, target: str, db: str, as_json: bool, author: str, reason: str
) -> None:
    """Merge entity SOURCE into TARGET (entity ids)."""
    decide(db, as_json, "merge_entities", source, target, author=author, reason=reason)


@review_group.command("split-entity")
@click.argument("entity_id")
@click.argument("names", nargs=-1, required=True)
@decision_options
def split_entity_command(
    entity_id: str, names: tuple[str, ...], db: str, as_json: bool, author: str, reason: str
) -> None:
    """Move NAMES of ENTITY_ID, and the roles filled under them, to a new entity."""
    decide(db, as_json, "split_entity", entity_id, list(names), author=author, reason=reason)


@review_group.command("merge-incidents")
@click.argument("source")
@click.argument("target")
@decision_options
def merge_incidents_command(
    source: str, target: str, db: str, as_json: bool, author: str, reason: str
) -> None:
    """Merge incident SOURCE into TARGET; SOURCE's id keeps pointing at TARGET."""
    decide(db, as_json, "merge_incidents", source, target, author=author, reason=reason)


@review_group.command("split-incident")
@click.argument("incident_id")
@click.argument("event_ids", nargs=-1, required=True)
@decision_options
def split_incident_command(
    incident_id: str, event_ids: tuple[str, ...], db: str, as_json: bool, author: str, reason: str
) -> None:
    """Move EVENT_IDS of INCIDENT_ID into a new incident."""
    decide(db, as_json, "split_incident", incident_id, list(event_ids), author=author, reason=reason)


@review_group.command("corrections")
@click.argument("target_id", required=False)
@db_option
@json_option
def corrections_command(target_id: str | None, db: str, as_json: bool) -> None:
    """List review corrections, all or those of TARGET_ID."""
    with reading(db) as store:
        rows = store.corrections(target_id)
    if as_json:
        echo_json(rows)
    else:
        console().print(render.corrections_table(rows))


@review_group.command("log")
@db_option
@click.option("--limit", type=click.IntRange(1), default=100, show_default=True)
@json_option
def log_command(db: str, limit: int, as_json: bool) -> None:
    """The audit log: every ingest and review change, the latest last."""
    with reading(db) as store:
        rows = store.audit_log(limit=limit)
    if as_json:
        echo_json(rows)
    else:
        console().print(render.audit_table(rows))
