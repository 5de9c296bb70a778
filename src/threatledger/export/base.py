"""What every exporter shares: the :class:`Exporter` protocol, and the rules that make output golden:
ids derived from our ids, timestamps derived from the data, and the mapping of our dates.

An exporter is built on an open text stream and a :class:`~threatledger.export.collect.LedgerView`, is
handed each incident with ``write()``, and writes whatever it holds back (a STIX bundle, a graph) in
``finalize()``. Streams stay the caller's to close.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from threatledger.store.records import EventView, IncidentDetail

T_contra = TypeVar("T_contra", contravariant=True)

# uuid5 namespace of every id we derive for other formats (STIX ids, FtM ids): fixed for good.
NAMESPACE = uuid.UUID("6d1f3c2e-4b7a-5e0f-9a8b-2c4d6e8f0a1b")
# The timestamp of a fact whose sources give no date at all.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Exporter(Protocol[T_contra]):
    """Writes records of one kind to a stream: ``write()`` each, then ``finalize()`` once."""

    def write(self, item: T_contra) -> None: ...

    def finalize(self) -> None: ...


def derived_uuid(*parts: object) -> str:
    """A stable UUID (version 5) from our ids: the same parts always give the same UUID."""
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(str(p) for p in parts)))


def day_of(value: str | None) -> datetime:
    """The first instant of a ``YYYY[-MM[-DD]]`` date, in UTC; :data:`EPOCH` when there is none."""
    if not value:
        return EPOCH
    year, month, day = (value.split("-") + ["01", "01"])[:3]
    try:
        return datetime(int(year), int(month), int(day), tzinfo=UTC)
    except ValueError:
        return EPOCH


def precision_of(value: str | None) -> str:
    """How much of a date is known: ``day``, ``month``, ``year`` or ``none``."""
    if not value:
        return "none"
    return {4: "year", 7: "month"}.get(len(value), "day")


def live_events(incident: IncidentDetail) -> list[EventView]:
    """The events of an incident that happened as told: negated and hypothetical ones give no links."""
    return [e for e in incident.timeline if not e.negated_or_hypothetical]


def event_documents(event: EventView) -> list[str]:
    """The documents that report an event: its own, then the near-duplicates that repeat it."""
    return list(dict.fromkeys([event.source.document_id, *(s.document_id for s in event.also_reported_in)]))
