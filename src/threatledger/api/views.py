"""JSON-ready views of the ledger, shared by the API routes and the web pages. Only Store methods here."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from threatledger.api.encode import plain
from threatledger.api.errors import NotFoundError, RequestError, status_of
from threatledger.api.ledger import LedgerIndex
from threatledger.errors import StoreError
from threatledger.query.filters import make_filter
from threatledger.store import IncidentFilter, Store
from threatledger.store.records import EntityDetail, IncidentDetail

MAX_OFFSET = 10_000
ENTITY_INCIDENTS_WITH_STEPS = 20  # legal steps are read for a person's first 20 incidents
_WORD = re.compile(r"\w", re.UNICODE)


def page(items: Sequence[Any], *, limit: int, offset: int, more: bool | None = None) -> dict[str, Any]:
    """One page of ``items`` (already sliced when ``more`` is given)."""
    if more is None:
        more = len(items) > offset + limit
        items = items[offset : offset + limit]
    return {
        "ok": True,
        "items": list(items),
        "limit": limit,
        "offset": offset,
        "next_offset": offset + limit if more else None,
    }


def parse_filter(**values: str | None) -> IncidentFilter:
    """The incident filter of a query string; a bad type, status or date is a 422."""
    if values.get("text"):
        check_search(str(values["text"]))
    try:
        return make_filter(**values)
    except StoreError as exc:
        raise RequestError(exc.message, hint=exc.hint) from exc


def list_incidents(store: Store, filters: IncidentFilter, *, limit: int, offset: int) -> dict[str, Any]:
    rows = store.incidents(filters, limit=offset + limit + 1)
    return page([plain(r) for r in rows], limit=limit, offset=offset)


def incident_detail(store: Store, incident_id: str) -> IncidentDetail:
    try:
        return store.incident(incident_id)
    except StoreError as exc:
        if status_of(exc) == 404:
            raise NotFoundError(exc.message, hint=exc.hint) from exc
        raise


def incident_view(store: Store, incident_id: str) -> dict[str, Any]:
    """Timeline (each event with its roles, status and source span), roles, accountability, corrections."""
    detail = incident_detail(store, incident_id)
    out: dict[str, Any] = plain(detail)
    out["roles"] = incident_roles(detail)
    decisions = [
        c for target in (detail.id, *(e.id for e in detail.timeline)) for c in store.corrections(target)
    ]
    out["corrections"] = plain(sorted(decisions, key=lambda c: c.id))
    return {"ok": True, "incident": out}


def incident_roles(detail: IncidentDetail) -> dict[str, list[dict[str, Any]]]:
    """Everyone in each role over the whole timeline, once each."""
    roles: dict[str, dict[str, dict[str, Any]]] = {}
    for event in detail.timeline:
        for role, args in event.roles.items():
            for arg in args:
                key = arg.entity_id or arg.name
                roles.setdefault(role, {}).setdefault(
                    key, {"name": arg.entity_name or arg.name, "entity_id": arg.entity_id}
                )
    return {role: list(found.values()) for role, found in sorted(roles.items())}


def entity_details(store: Store, key: str) -> list[EntityDetail]:
    details = store.entity(key)
    if not details:
        raise NotFoundError(f"no entity {key!r}", hint="Search entities with /api/entities?q=NAME.")
    return details


def entity_view(store: Store, key: str) -> dict[str, Any]:
    """Each entity the key may mean, with its incidents by role and its legal steps."""
    return {"ok": True, "items": [_entity_item(store, d) for d in entity_details(store, key)]}


def _entity_item(store: Store, detail: EntityDetail) -> dict[str, Any]:
    by_role: dict[str, list[dict[str, Any]]] = {}
    for incident in detail.incidents:
        for role in incident["roles"]:
            by_role.setdefault(role, []).append(incident)
    accounts: list[dict[str, Any]] = []
    if detail.type != "PERSON":  # only people are charged, tried and sentenced
        return {**plain(detail), "by_role": by_role, "accountability": accounts}
    involved = [i for i in detail.incidents if {"agent", "target"} & set(i["roles"])]
    for incident in involved[:ENTITY_INCIDENTS_WITH_STEPS]:
        for account in incident_detail(store, incident["id"]).accountability:
            if account.entity_id == detail.id:
                accounts.append({**plain(account), "summary": incident["summary"]})
    return {**plain(detail), "by_role": by_role, "accountability": accounts}


def entity_list(
    index: LedgerIndex, *, q: str | None, type: str | None, limit: int, offset: int
) -> dict[str, Any]:
    needle = (q or "").casefold()
    rows = [
        e.to_dict()
        for e in index.entities.values()
        if (not needle or needle in e.name.casefold()) and (not type or e.type == type.upper())
    ]
    rows.sort(key=lambda r: (-r["incidents"], r["name"].casefold()))
    return page(rows, limit=limit, offset=offset)


def check_search(q: str) -> str:
    if not _WORD.search(q):
        raise RequestError(f"nothing to search for in {q!r}", hint="Give at least one word.")
    return q


def search_view(store: Store, q: str, *, limit: int) -> dict[str, Any]:
    hits = store.search(check_search(q), limit=limit)
    return {"ok": True, "query": q, "items": plain(hits)}
