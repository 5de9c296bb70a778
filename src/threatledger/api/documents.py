"""Document views: an article's metadata, its extracted spans, and its text cut into marked segments.

The store returns a document's whole text (``Store.document``); every extracted span in it is marked
(entity mentions, event triggers), and the span asked for (an event's sentence and trigger, or any
offsets) is highlighted. A store that cannot give the text gets the sentences events were read from, at
their offsets, with the gaps marked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from threatledger.api.errors import NotFoundError
from threatledger.api.ledger import LedgerIndex, document_summary
from threatledger.api.views import page
from threatledger.errors import ThreatledgerError
from threatledger.store import Store

GAP = "[\u2026]"
Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Highlight:
    """The span to highlight (a sentence or any span) and, inside it, the trigger to stress."""

    span: Span
    trigger: Span | None = None


def document_list(index: LedgerIndex, *, limit: int, offset: int) -> dict[str, Any]:
    rows = [dict(summary) for summary in index.documents.values()]
    rows.sort(key=lambda r: (r["published"] or "", r["id"]), reverse=True)
    return page(rows, limit=limit, offset=offset)


def document_text(store: Store, document_id: str) -> str | None:
    """The full text, where the store can give it."""
    reader = getattr(store, "document", None)
    if not callable(reader):
        return None
    try:
        document = reader(document_id)
    except ThreatledgerError:
        return None
    text = document.get("text") if isinstance(document, dict) else getattr(document, "text", None)
    return text if isinstance(text, str) else None


def document_view(
    store: Store,
    index: LedgerIndex,
    document_id: str,
    *,
    event_id: str | None = None,
    start: int | None = None,
    end: int | None = None,
) -> dict[str, Any]:
    """The document, its spans (events and entity mentions) and its text as segments to render."""
    record = store.export_document(document_id) if document_id in index.documents else None
    if record is None:
        raise NotFoundError(f"no document {document_id!r}", hint="List documents with /api/documents.")
    text = document_text(store, document_id)
    highlight = _highlight(record, event_id, start, end)
    pieces = _known_pieces(record) if text is None else [(0, text)]
    if highlight is not None and not _covered(pieces, highlight.span):
        highlight = None
    events = [_event_span(e) for e in record["events"]]
    mentions = _mentions(record)
    return {
        "ok": True,
        "document": document_summary(record),
        "full_text": text is not None,
        "text": text,
        "highlight": None if highlight is None else {"start": highlight.span[0], "end": highlight.span[1]},
        "segments": segments(pieces, highlight, spans=_marked_spans(events, mentions)),
        "events": events,
        "mentions": mentions,
    }


def _event_span(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": event["id"],
        "type": event["type"],
        "status": event["status"],
        "negated_or_hypothetical": event["negated_or_hypothetical"],
        "incident_id": event["incident"],
        "trigger": {"text": event["trigger"], **_span(event["provenance"])},
        "sentence": event["sentence"],
    }


def _span(value: dict[str, Any]) -> dict[str, int]:
    return {"start": int(value["start"]), "end": int(value["end"])}


def _mentions(record: dict[str, Any]) -> list[dict[str, Any]]:
    out = [
        {"entity_id": e["entity_id"], "name": e["canonical"], "type": e["type"], **m}
        for e in record["entities"]
        for m in e["mentions"]
    ]
    return sorted(out, key=lambda m: (m["start"], m["end"]))


def _highlight(
    record: dict[str, Any], event_id: str | None, start: int | None, end: int | None
) -> Highlight | None:
    if event_id is not None:
        for event in record["events"]:
            if event["id"] == event_id:
                sentence, trigger = event["sentence"], event["provenance"]
                return Highlight((sentence["start"], sentence["end"]), (trigger["start"], trigger["end"]))
        return None
    if start is not None and end is not None and 0 <= start < end:
        return Highlight((start, end))
    return None


def _known_pieces(record: dict[str, Any]) -> list[tuple[int, str]]:
    """The event sentences at their offsets, overlapping ones merged."""
    pieces: list[tuple[int, str]] = []
    for sentence in sorted({(s["start"], s["text"]) for s in (e["sentence"] for e in record["events"])}):
        start, text = sentence
        if pieces and start < pieces[-1][0] + len(pieces[-1][1]):
            last_start, last_text = pieces[-1]
            tail = text[last_start + len(last_text) - start :]
            pieces[-1] = (last_start, last_text + tail)
        else:
            pieces.append((start, text))
    return pieces


def _covered(pieces: list[tuple[int, str]], span: Span) -> bool:
    return any(start <= span[0] and span[1] <= start + len(text) for start, text in pieces)


@dataclass(frozen=True, slots=True)
class Marked:
    """An extracted span to mark in the text: an entity mention or an event trigger."""

    start: int
    end: int
    kind: str  # "mention" or "event"
    info: dict[str, Any]


_TYPE_CLASS = re.compile(r"[^a-z0-9_-]")  # what a type may bring into a class name or a tooltip
_LABEL = re.compile(r"[^A-Z0-9_]")


def _marked_spans(events: list[dict[str, Any]], mentions: list[dict[str, Any]]) -> list[Marked]:
    found = [
        Marked(
            int(e["trigger"]["start"]),
            int(e["trigger"]["end"]),
            "event",
            {
                "id": e["id"],
                "type": e["type"],
                "incident_id": e["incident_id"],
                "label": _LABEL.sub("", str(e["type"]).upper()),
            },
        )
        for e in events
    ]
    found += [
        Marked(
            int(m["start"]),
            int(m["end"]),
            "mention",
            {
                "entity_id": m["entity_id"],
                "name": m["name"],
                "type": m["type"],
                "kind": _TYPE_CLASS.sub("", str(m["type"]).lower()) or "other",
            },
        )
        for m in mentions
    ]
    return [m for m in found if 0 <= m.start < m.end]


def segments(
    pieces: list[tuple[int, str]], highlight: Highlight | None, *, spans: list[Marked] | None = None
) -> list[dict[str, Any]]:
    """Text segments with ``mark`` None, "highlight" or "trigger"; a gap between pieces is a segment too.
    Each segment also names the outermost entity mention (``mention``; ``mentions``: the types of every
    entity mentioned there) and event trigger (``event``) that cover it, if any: every extracted span is
    cut out of the text."""
    out: list[dict[str, Any]] = []
    end_of_last = 0
    for start, text in pieces:
        if start > end_of_last:  # one unknown character between sentences is a space
            gap = " " if start - end_of_last == 1 else f" {GAP} "
            out.append({"text": gap, "mark": "gap", "start": end_of_last, "end": start})
        out.extend(_cut(start, text, highlight, spans or []))
        end_of_last = start + len(text)
    first = next((s for s in out if s["mark"] in ("highlight", "trigger")), None)
    if first is not None:
        first["anchor"] = True
    return out


def _cut(offset: int, text: str, highlight: Highlight | None, spans: list[Marked]) -> list[dict[str, Any]]:
    stop = offset + len(text)
    bounds = {offset, stop}
    if highlight is not None:
        for a, b in (highlight.span, highlight.trigger or highlight.span):
            bounds.update(x for x in (a, b) if offset < x < stop)
    inside = [m for m in spans if m.start < stop and offset < m.end]
    for m in inside:
        bounds.update(x for x in (m.start, m.end) if offset < x < stop)
    cuts = sorted(bounds)
    out: list[dict[str, Any]] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if b <= a:
            continue
        mentions = _covering(inside, "mention", a, b)
        events = _covering(inside, "event", a, b)
        segment: dict[str, Any] = {
            "text": text[a - offset : b - offset],
            "mark": _mark(a, b, highlight),
            "start": a,
            "end": b,
            "mention": mentions[0] if mentions else None,
            "mentions": [m["kind"].upper() for m in mentions],  # the types, for the page's tooltip
            "event": events[0] if events else None,
        }
        last = out[-1] if out else None
        if last is not None and all(last[k] == segment[k] for k in ("mark", "mention", "mentions", "event")):
            last["text"] += segment["text"]  # a nested mention of the same entity: one span
            last["end"] = b
        else:
            out.append(segment)
    return out


def _covering(spans: list[Marked], kind: str, a: int, b: int) -> list[dict[str, Any]]:
    """The spans of ``kind`` covering [a, b), outermost first, one per entity (or event)."""
    covering = sorted(
        (m for m in spans if m.kind == kind and m.start <= a and b <= m.end),
        key=lambda m: (m.start - m.end, m.start),
    )
    found: dict[str, dict[str, Any]] = {}
    for m in covering:
        found.setdefault(str(m.info.get("entity_id") or m.info.get("id")), m.info)
    return list(found.values())


def _mark(a: int, b: int, highlight: Highlight | None) -> str | None:
    if highlight is None:
        return None
    trigger = highlight.trigger
    if trigger is not None and trigger[0] <= a and b <= trigger[1]:
        return "trigger"
    if highlight.span[0] <= a and b <= highlight.span[1]:
        return "highlight"
    return None


def runs(segments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Segments grouped for rendering: each run of highlighted segments (the asked span) is one run with
    ``highlight`` set, so the page wraps it in one element; the others are runs of one segment."""
    out: list[dict[str, Any]] = []
    for segment in segments:
        lit = segment["mark"] in ("highlight", "trigger")
        if lit and out and out[-1]["highlight"]:
            out[-1]["parts"].append(segment)
        else:
            out.append({"highlight": lit, "anchor": bool(segment.get("anchor")), "parts": [segment]})
    return out
