"""``threatledger extract``: articles in, one JSON object per document out (the scorer's format)."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import IO, Any

import click

from threatledger.model import Document, Extraction


def _failure_record(source: str, document_id: str | None, error: Any) -> dict[str, Any]:
    return {
        "doc": {"id": document_id or source, "source": source},
        "entities": [],
        "events": [],
        "incidents": [],
        "error": error.to_dict(),
    }


def _report_failure(source: str, error: Any) -> None:
    click.echo(f"Error {error} (input: {source})", err=True)
    if getattr(error, "hint", None):
        click.echo(f"Hint: {error.hint}", err=True)


def describe(extraction: Extraction) -> list[str]:
    """A few readable lines about one document: its incidents and their events."""
    title = extraction.document.title or extraction.document.id
    lines = [f"{extraction.document.id}: {title}"]
    by_id = {e.id: e for e in extraction.events}
    for incident in extraction.incidents:
        lines.append(f"  incident {incident.id}: {incident.summary}")
        for event_id in incident.event_ids:
            event = by_id[event_id]
            who = ", ".join(a.name for a in event.target) or "-"
            flag = " (negated/hypothetical)" if event.negated_or_hypothetical else ""
            lines.append(
                f"    {event.date or '----':10} {event.type:17} {event.status:9} target: {who}{flag}"
            )
    return lines


def run_extract(
    inputs: list[str], out: IO[str], *, published: date | None, n_process: int, verbose: bool = False
) -> Counter[str]:
    """Read, extract and write; returns counts of documents, failures, events, incidents."""
    from threatledger.extract import extract_documents
    from threatledger.ingest import DocumentFailure, read_inputs

    counts: Counter[str] = Counter()

    def documents() -> Iterator[Document]:
        for item in read_inputs(inputs, published=published):
            if isinstance(item, DocumentFailure):
                counts["failed"] += 1
                _report_failure(item.source, item.error)
                out.write(json.dumps(_failure_record(item.source, item.document_id, item.error)) + "\n")
            else:
                yield item

    for extraction in extract_documents(documents(), n_process=n_process):
        _count(counts, extraction)
        if verbose:
            click.echo("\n".join(describe(extraction)), err=True)
        out.write(json.dumps(extraction.to_dict(), ensure_ascii=False) + "\n")
    return counts


def _count(counts: Counter[str], extraction: Extraction) -> None:
    counts["documents"] += 1
    counts["events"] += len(extraction.events)
    counts["entities"] += len(extraction.entities)
    counts["incidents"] += len(extraction.incidents)
    for event in extraction.events:
        counts[f"type:{event.type}"] += 1


def print_summary(counts: Counter[str]) -> None:
    click.echo(
        f"{counts['documents']} documents extracted, {counts['failed']} failed: "
        f"{counts['events']} events, {counts['entities']} entities, {counts['incidents']} incidents",
        err=True,
    )
    types = sorted(((k[5:], v) for k, v in counts.items() if k.startswith("type:")), key=lambda kv: -kv[1])
    if types:
        click.echo("events by type: " + ", ".join(f"{k} {v}" for k, v in types), err=True)


@click.command("extract")
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default="-",
    help="Write JSON Lines here (default: stdout).",
)
@click.option(
    "--published",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Publication date for documents that do not give one (YYYY-MM-DD).",
)
@click.option(
    "--n-process", type=int, default=None, help="Parser processes (default: THREATLEDGER_N_PROCESS or 1)."
)
@click.option("--summary/--no-summary", default=True, help="Print a summary on stderr at the end.")
@click.option("--show", is_flag=True, help="Print each document's incidents and events on stderr.")
@click.pass_context
def extract_command(
    ctx: click.Context,
    inputs: tuple[str, ...],
    output: str,
    published: Any,
    n_process: int | None,
    summary: bool,
    show: bool,
) -> None:
    """Extract events, entities and incidents from INPUT files, directories, JSON Lines or - (stdin)."""
    from threatledger.settings import get_settings

    procs = n_process or get_settings().n_process
    pub = published.date() if published else None
    if output == "-":
        counts = run_extract(list(inputs), sys.stdout, published=pub, n_process=procs, verbose=show)
    else:
        with open(output, "w", encoding="utf-8") as out:
            counts = run_extract(list(inputs), out, published=pub, n_process=procs, verbose=show)
    if summary:
        print_summary(counts)
    if counts["failed"]:
        ctx.exit(1)


def register(cli: click.Group) -> None:
    cli.add_command(extract_command)
