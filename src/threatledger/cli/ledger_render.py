"""Rich tables for the ledger commands (``--json`` bypasses these). User text is never read as markup."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from threatledger.query.timeline import quote
from threatledger.store.records import (
    AuditEntry,
    Correction,
    EntityDetail,
    EventView,
    IncidentDetail,
    IncidentSummary,
    IngestStats,
    OpenCase,
    SearchHit,
    Source,
    StoreStats,
)

QUOTE_WIDTH = 160


def text(value: object) -> Text:
    """A table cell holding user data as plain text."""
    return Text("" if value is None else str(value))


def source_label(source: Source) -> Text:
    label = Text(source.document_id, style="cyan")
    if source.title:
        label.append(f" \u2014 {source.title}", style="dim")
    label.append(f" [{source.start}:{source.end}]", style="dim")
    return label


def incidents_table(rows: Sequence[IncidentSummary]) -> Table:
    table = Table(title=f"{len(rows)} incidents", show_lines=False)
    for name in ("id", "dates", "types", "events", "docs", "participants", "summary"):
        table.add_column(name, overflow="fold")
    for row in rows:
        dates = (
            row.first_date
            if row.first_date == row.last_date
            else f"{row.first_date or '?'} \u2013 {row.last_date or '?'}"
        )
        table.add_row(
            text(row.id),
            text(dates),
            text(", ".join(row.types)),
            text(row.events),
            text(row.documents),
            text(", ".join(row.participants)),
            text(row.summary),
        )
    return table


def _roles(event: EventView) -> Text:
    out = Text()
    for role in ("agent", "sponsor", "target", "place"):
        names = event.names(role)
        if names:
            out.append(f"{role}: ", style="bold")
            out.append("; ".join(names) + "\n")
    return out


def _event_cell(event: EventView) -> Text:
    cell = Text(quote(event, width=QUOTE_WIDTH) + "\n")
    cell.append_text(source_label(event.source))
    for other in event.also_reported_in:
        cell.append("\nalso: ", style="dim")
        cell.append_text(source_label(other))
    if event.review:
        cell.append(f"\nreviewed: {event.review}", style="yellow")
    return cell


def timeline_table(detail: IncidentDetail) -> Table:
    table = Table(title="Timeline", show_lines=True)
    for name in ("date", "event", "status", "roles", "source"):
        table.add_column(name, overflow="fold")
    for event in detail.timeline:
        label = event.type + (" (hypothetical)" if event.negated_or_hypothetical else "")
        table.add_row(
            text(event.date or "undated"),
            Text(label + f"\n{event.id}", style="bold"),
            text(event.status),
            _roles(event),
            _event_cell(event),
        )
    return table


def accountability_table(detail: IncidentDetail) -> Table:
    table = Table(title="Accountability", show_lines=True)
    for name in ("person", "status", "steps"):
        table.add_column(name, overflow="fold")
    for account in detail.accountability:
        steps = Text()
        for step in account.steps:
            steps.append(f"{step.date or 'undated'} {step.step} ", style="bold")
            steps.append_text(source_label(step.source))
            steps.append("\n")
        table.add_row(text(account.name), Text(account.status, style="magenta"), steps)
    return table


def incident_view(detail: IncidentDetail) -> Group:
    head = Text(detail.summary, style="bold")
    head.append(
        f"\n{detail.id} \u00b7 {len(detail.timeline)} events \u00b7 {len(detail.documents)} documents",
        style="dim",
    )
    if detail.merged_from:
        head.append("\nmerged from: " + ", ".join(detail.merged_from), style="dim")
    parts: list[Panel | Table] = [Panel(head), timeline_table(detail)]
    if detail.accountability:
        parts.append(accountability_table(detail))
    return Group(*parts)


def entity_view(entity: EntityDetail) -> Group:
    head = Text(f"{entity.name}", style="bold")
    head.append(
        f"  {entity.type}  {entity.country or ''}\n{entity.id} \u00b7 {entity.documents} documents",
        style="dim",
    )
    head.append("\nnames: " + "; ".join(entity.names))
    table = Table(title="Incidents")
    for name in ("id", "first date", "roles", "summary"):
        table.add_column(name, overflow="fold")
    for incident in entity.incidents:
        table.add_row(
            text(incident["id"]),
            text(incident["first_date"]),
            text(", ".join(incident["roles"])),
            text(incident["summary"]),
        )
    return Group(Panel(head), table)


def search_table(hits: Sequence[SearchHit]) -> Table:
    table = Table(title=f"{len(hits)} hits")
    for name in ("kind", "document", "incident", "snippet"):
        table.add_column(name, overflow="fold")
    for hit in hits:
        doc = Text(hit.document_id, style="cyan")
        if hit.title:
            doc.append(f"\n{hit.title}", style="dim")
        table.add_row(text(hit.kind), doc, text(hit.incident_id or ""), text(hit.snippet))
    return table


def stats_table(stats: StoreStats) -> Table:
    table = Table(title="Ledger", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    for label, value in (
        ("documents", stats.documents),
        ("near-duplicates linked", stats.near_duplicates),
        ("extractions", stats.extractions),
        ("entities", stats.entities),
        ("events", stats.events),
        ("incidents", stats.incidents),
        ("review corrections", stats.corrections),
        ("schema version", stats.schema_version),
    ):
        table.add_row(label, str(value))
    for event_type, count in stats.events_by_type.items():
        table.add_row(Text(f"  {event_type}", style="dim"), str(count))
    return table


def open_cases_table(cases: Sequence[OpenCase]) -> Table:
    table = Table(title=f"{len(cases)} open cases", show_lines=True)
    for name in ("gap", "since", "person", "incident", "detail", "source"):
        table.add_column(name, overflow="fold")
    for case in cases:
        table.add_row(
            Text(case.kind.replace("_", " "), style="bold"),
            text(case.since),
            text(case.person or "\u2014"),
            Text(f"{case.incident_id}\n{case.summary}"),
            text(case.detail),
            source_label(case.source) if case.source else text(""),
        )
    return table


def corrections_table(rows: Sequence[Correction]) -> Table:
    table = Table(title=f"{len(rows)} corrections")
    for name in ("#", "when", "who", "action", "target", "field", "old", "new", "why"):
        table.add_column(name, overflow="fold")
    for c in rows:
        table.add_row(
            str(c.id),
            text(c.created_at),
            text(c.author),
            text(c.action),
            text(c.target_id),
            text(c.field or ""),
            text(c.old_value),
            text(c.new_value),
            text(c.reason),
        )
    return table


def audit_table(rows: Sequence[AuditEntry]) -> Table:
    table = Table(title="Audit log")
    for name in ("#", "when", "who", "action", "target", "detail"):
        table.add_column(name, overflow="fold")
    for entry in rows:
        table.add_row(
            str(entry.id),
            text(entry.at),
            text(entry.actor),
            text(entry.action),
            text(f"{entry.target_kind} {entry.target_id}"),
            text(", ".join(f"{k}={v}" for k, v in sorted(entry.detail.items()))),
        )
    return table


def ingest_summary(stats: IngestStats) -> str:
    """One line for the end of an ingest."""
    return (
        f"Stored {stats.documents} documents ({stats.near_duplicates} near-duplicates linked), "
        f"re-extracted {stats.reextracted}, skipped {stats.skipped} already stored, {stats.failed} failed: "
        f"{stats.events} events; {stats.incidents_new} new incidents, "
        f"{stats.incidents_joined} joined existing "
        f"ones; {stats.entities_new} new entities, {stats.entities_matched} matched."
    )


def print_renderable(console: Console, renderable: Table | Group | Text) -> None:
    console.print(renderable)
