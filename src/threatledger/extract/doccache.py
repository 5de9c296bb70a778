"""Per-doc lookups computed once: the sentences and the DATE spans of each sentence.

``doc.sents`` and ``Span.ents`` rebuild their spans on every access; extraction asks for them often,
so they are kept in ``doc.user_data``.
"""

from __future__ import annotations

from typing import cast

from spacy.tokens import Doc, Span

_SENTS = "threatledger.sents"
_SENT_INDEX = "threatledger.sent_index"
_TEXT = "threatledger.text"
_DATES = "threatledger.dates"


def sentences(doc: Doc) -> list[Span]:
    """The doc's sentences, in order."""
    if _SENTS not in doc.user_data:
        doc.user_data[_SENTS] = list(doc.sents)
    return cast(list[Span], doc.user_data[_SENTS])


def doc_text(doc: Doc) -> str:
    """The doc's text (``Doc.text`` joins every token again on each access)."""
    if _TEXT not in doc.user_data:
        doc.user_data[_TEXT] = doc.text
    return cast(str, doc.user_data[_TEXT])


def sentences_before(sent: Span) -> list[Span]:
    """The doc's sentences before ``sent``, in order (a slice: no scan of the doc)."""
    doc = sent.doc
    if _SENT_INDEX not in doc.user_data:
        doc.user_data[_SENT_INDEX] = {s.start: k for k, s in enumerate(sentences(doc))}
    index = cast(dict[int, int], doc.user_data[_SENT_INDEX]).get(sent.start)
    if index is None:
        return [s for s in sentences(doc) if s.end <= sent.start]
    return sentences(doc)[:index]


def date_entities(sent: Span) -> list[Span]:
    """The DATE and TIME entities of one sentence."""
    doc = sent.doc
    if _DATES not in doc.user_data:
        by_sentence: dict[int, list[Span]] = {}
        for ent in doc.ents:
            if ent.label_ in ("DATE", "TIME"):
                by_sentence.setdefault(ent.sent.start, []).append(ent)
        doc.user_data[_DATES] = by_sentence
    return cast(dict[int, list[Span]], doc.user_data[_DATES]).get(sent.start, [])
