"""Incident filters: checked and normalised from user input (CLI options, API query strings)."""

from __future__ import annotations

import re

from threatledger.errors import StoreError
from threatledger.model import EVENT_TYPES, STATUSES
from threatledger.store.records import IncidentFilter

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def check_date(value: str | None, *, option: str) -> str | None:
    """A ``YYYY[-MM[-DD]]`` date or None; anything else is a usage error."""
    if value is None:
        return None
    value = value.strip()
    if not _DATE.match(value):
        raise StoreError(f"{option} {value!r} is not a date", hint="Use YYYY, YYYY-MM or YYYY-MM-DD.")
    return value


def date_upper_bound(value: str) -> str:
    """The last day a partial date covers, for ``<=`` comparisons of ISO strings: 2021 -> 2021-12-31."""
    if len(value) == 4:
        return value + "-12-31"
    if len(value) == 7:
        return value + "-31"
    return value


def make_filter(
    *,
    actor: str | None = None,
    sponsor: str | None = None,
    target: str | None = None,
    type: str | None = None,
    country: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    status: str | None = None,
    text: str | None = None,
) -> IncidentFilter:
    """Build an :class:`IncidentFilter`, checking event types, statuses and dates."""
    if type is not None and type.upper() not in EVENT_TYPES:
        raise StoreError(f"unknown event type {type!r}", hint="One of: " + ", ".join(EVENT_TYPES) + ".")
    if status is not None and status.lower() not in STATUSES:
        raise StoreError(f"unknown status {status!r}", hint="One of: " + ", ".join(STATUSES) + ".")
    return IncidentFilter(
        actor=actor or None,
        sponsor=sponsor or None,
        target=target or None,
        type=type.upper() if type else None,
        country=country or None,
        date_from=check_date(date_from, option="--from"),
        date_to=check_date(date_to, option="--to"),
        status=status.lower() if status else None,
        text=text or None,
    )
