"""Datelines ("BERGEN (Wire desk) - ...", "BERGEN, May 3 -"): the place a story was filed from.

A dateline's name is a place, never an actor of the sentence the parser joins it to.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

DATELINE_ENDS = ("(", ",", "-", "—", "–")


def opens_dateline(token: Token) -> bool:
    """The token is (the last word of) the place name of a dateline."""
    doc = token.doc
    start = token.i
    while start > 0 and doc[start - 1].is_upper and "\n" not in doc[start - 1].text_with_ws:
        start -= 1
    return is_dateline(doc[start : token.i + 1])


def is_dateline(span: Span) -> bool:
    """ "BERGEN (Wire desk) - ..." or "BERGEN, May 3 -": an upper-case name opening a line, then a bracket,
    a comma or a dash."""
    doc = span.doc
    at_line_start = span.start == 0 or "\n" in doc[span.start - 1].text_with_ws
    after = doc[span.end].text if span.end < len(doc) else ""
    spaced = after not in ("-", "—", "–") or bool(doc[span.end - 1].whitespace_)  # not "NATO-led"
    return at_line_start and span.text.isupper() and after in DATELINE_ENDS and spaced
