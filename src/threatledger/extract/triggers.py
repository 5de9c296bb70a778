"""Find event triggers in a doc: lexicon words whose frame holds in context, and multi-word phrases."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

from threatledger.extract.frames import apply_frame
from threatledger.extract.lexicon import trigger_phrases, trigger_words


@dataclass(frozen=True, slots=True)
class Trigger:
    """A token that reports an event of ``kind``; ``span`` is the words shown as the trigger."""

    kind: str
    token: Token
    span: Span


@cache
def _matcher(vocab: Vocab) -> Matcher:
    matcher = Matcher(vocab)
    for n, (kind, pattern) in enumerate(trigger_phrases()):
        matcher.add(f"{kind}|{n}", [pattern])
    return matcher


def _head_of(span: Span) -> Token:
    verbs = [t for t in span if t.pos_ in ("VERB", "AUX")]
    return verbs[0] if verbs else span.root


def find_triggers(doc: Doc) -> list[Trigger]:
    """Every trigger in the doc, in text order, at most one per token."""
    found: dict[int, Trigger] = {}
    for match_id, start, end in _matcher(doc.vocab)(doc):
        kind = doc.vocab.strings[match_id].split("|")[0]
        span = doc[start:end]
        token = _head_of(span)
        if token.i not in found or len(found[token.i].span) < len(span):
            found[token.i] = Trigger(kind, token, span)
    covered = {t.i for trig in found.values() for t in trig.span}
    words = trigger_words()
    for token in doc:
        if token.i in covered:
            continue
        entry = words.get(token.lemma_.lower()) or words.get(token.lower_)
        if entry is None:
            continue
        noun_like = token.pos_ in ("NOUN", "PROPN") and "NOUN" in entry.pos
        if token.pos_ not in entry.pos and not noun_like:
            continue
        framed = apply_frame(entry.frame, token, entry.type)
        if framed is not None:
            found[token.i] = Trigger(framed, token, doc[token.i : token.i + 1])
    return [found[i] for i in sorted(found)]
