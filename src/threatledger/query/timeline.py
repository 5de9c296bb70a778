"""Incident timelines: events in date order, each with its quoted source sentence."""

from __future__ import annotations

from collections.abc import Iterable

from threatledger.store.records import EventView

UNDATED = "9999"


def event_order(event: EventView) -> tuple[str, str, str, int]:
    """Sort key: the event's date (undated last), then publication, document and position."""
    source = event.source
    return (event.date or UNDATED, source.published or "", source.document_id, source.start)


def sort_timeline(events: Iterable[EventView]) -> tuple[EventView, ...]:
    """Events in date order; ties keep the order of publication and of the text."""
    return tuple(sorted(events, key=event_order))


def quote(event: EventView, *, width: int = 0) -> str:
    """The event's source sentence in quotation marks, cut to ``width`` characters when given."""
    text = " ".join(event.sentence.split())
    if width and len(text) > width:
        text = text[: max(width - 1, 1)].rstrip() + "\u2026"
    return f"\u201c{text}\u201d"
