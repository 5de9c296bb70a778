"""Document views: an article's metadata, its extracted spans, and its text cut into marked segments.

The Store interface has no reader for a document's text yet; a store that offers ``document(id)``
(returning a :class:`~threatledger.model.Document`) gets its full text shown. Otherwise the page shows
the sentences that events were read from, at their offsets, with the gaps marked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from threatledger.api.errors import NotFoundError
from threatledger.api.ledger import LedgerIndex
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
    rows = [_summary(r) for r in index.documents.values()]
    rows.sort(key=lambda r: (r["published"] or "", r["id"]), reverse=True)
    return page(rows, limit=limit, offset=offset)


def _summary(record: dict[str, Any]) -> dict[str, Any]:
    return {
        **record["doc"],
        "events": len(record["events"]),
        "entities": len(record["entities"]),
        "near_duplicate_of": record.get("near_duplicate_of"),
    }


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
    record = index.documents.get(document_id)
    if record is None:
        raise NotFoundError(f"no document {document_id!r}", hint="List documents with /api/documents.")
    text = document_text(store, document_id)
    highlight = _highlight(record, event_id, start, end)
    pieces = _known_pieces(record) if text is None else [(0, text)]
    if highlight is not None and not _covered(pieces, highlight.span):
        highlight = None
    return {
        "ok": True,
        "document": _summary(record),
        "full_text": text is not None,
        "highlight": None if highlight is None else {"start": highlight.span[0], "end": highlight.span[1]},
        "segments": segments(pieces, highlight),
        "events": [_event_span(e) for e in record["events"]],
        "mentions": _mentions(record),
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


def segments(pieces: list[tuple[int, str]], highlight: Highlight | None) -> list[dict[str, Any]]:
    """Text segments with ``mark`` None, "highlight" or "trigger"; a gap between pieces is a segment too."""
    out: list[dict[str, Any]] = []
    end_of_last = 0
    for start, text in pieces:
        if start > end_of_last:  # one unknown character between sentences is a space
            gap = " " if start - end_of_last == 1 else f" {GAP} "
            out.append({"text": gap, "mark": "gap", "start": end_of_last, "end": start})
        out.extend(_cut(start, text, highlight))
        end_of_last = start + len(text)
    first = next((s for s in out if s["mark"] in ("highlight", "trigger")), None)
    if first is not None:
        first["anchor"] = True
    return out


def _cut(offset: int, text: str, highlight: Highlight | None) -> list[dict[str, Any]]:
    bounds = {offset, offset + len(text)}
    if highlight is not None:
        for a, b in (highlight.span, highlight.trigger or highlight.span):
            bounds.update(x for x in (a, b) if offset < x < offset + len(text))
    cuts = sorted(bounds)
    return [
        {"text": text[a - offset : b - offset], "mark": _mark(a, b, highlight), "start": a, "end": b}
        for a, b in zip(cuts, cuts[1:], strict=False)
        if b > a
    ]


def _mark(a: int, b: int, highlight: Highlight | None) -> str | None:
    if highlight is None:
        return None
    trigger = highlight.trigger
    if trigger is not None and trigger[0] <= a and b <= trigger[1]:
        return "trigger"
    if highlight.span[0] <= a and b <= highlight.span[1]:
        return "highlight"
    return None
