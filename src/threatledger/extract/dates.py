"""Dates: find the DATE span that belongs to an event and normalise it against the publication date.

The precision is the text's: "2018" stays a year, "in August" a month, "on Tuesday" a day. Weekdays mean
the latest such day on or before publication; "last year" is a year. Absolute forms go through dateparser.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

import dateparser
from spacy.tokens import Span, Token

from threatledger.extract.doccache import date_entities, doc_text, sentences_before

MONTHS = {
    m: i + 1
    for i, m in enumerate(
        "january february march april may june july august september october november december".split()
    )
}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
WEEKDAYS = {d: i for i, d in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())}
NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "a": 1,
    "an": 1,
}
YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
DAY = re.compile(r"\b([0-3]?\d)(?:st|nd|rd|th)?\b")
DURATION = re.compile(r"\b(years?|months?|days?|weeks?|hours?|minutes?)\b")


def _month_in(text: str) -> int | None:
    for word in re.findall(r"[a-z]+", text):
        if word in MONTHS and (len(word) > 3 or word in ("may",)):
            return MONTHS[word]
        if word in MONTHS and word != "may":
            return MONTHS[word]
    return None


def _year_before(month: int, day: int | None, pub: date) -> int:
    """The year of a month (and day) given without one: the latest on or before publication."""
    if (month, day or 1) > (pub.month, pub.day):
        return pub.year - 1
    return pub.year


def _relative(text: str, pub: date) -> str | None:
    t = text.lower()
    if t in ("today", "this morning", "tonight", "this evening") or t.startswith("today"):
        return pub.isoformat()
    if t.startswith("yesterday"):
        return (pub - timedelta(days=1)).isoformat()
    for name, idx in WEEKDAYS.items():
        if name in t:
            back = (pub.weekday() - idx) % 7
            if t.startswith("last ") and back == 0:
                back = 7
            return (pub - timedelta(days=back)).isoformat()
    if "last year" in t or "previous year" in t:
        return str(pub.year - 1)
    if "this year" in t or "earlier this year" in t:
        return str(pub.year)
    if "last month" in t:
        return f"{pub.year - (pub.month == 1)}-{(pub.month - 2) % 12 + 1:02d}"
    if "this month" in t:
        return f"{pub.year}-{pub.month:02d}"
    if "last week" in t or "this week" in t or "earlier this week" in t:
        back = 7 if "last" in t else 0
        return (pub - timedelta(days=back)).isoformat()[:7]
    return _ago(t, pub)


def _ago(t: str, pub: date) -> str | None:
    m = re.search(r"\b(\w+) (years?|months?) (ago|earlier|before)\b", t)
    if m and m.group(3) == "ago":
        n = NUMBERS.get(m.group(1)) or (int(m.group(1)) if m.group(1).isdigit() else None)
        if n is None:
            return None
        if m.group(2).startswith("year"):
            return str(pub.year - n)
        total = pub.year * 12 + pub.month - 1 - n
        return f"{total // 12}-{total % 12 + 1:02d}"
    return None


@lru_cache(maxsize=4096)
def normalise_date(text: str, pub: date | None) -> str | None:
    """ISO date at the precision the text supports, or None."""
    t = text.strip().lower()
    year_m = YEAR.search(t)
    month = _month_in(t)
    if year_m is None and DURATION.search(t) and not re.search(r"\b(ago|last|this|earlier)\b", t):
        return None
    if year_m is None and pub is not None:
        rel = _relative(t, pub)
        if rel is not None:
            return rel
    if month is not None:
        stripped = YEAR.sub(" ", t)
        day_m = DAY.search(stripped)
        day = int(day_m.group(1)) if day_m and 1 <= int(day_m.group(1)) <= 31 else None
        if year_m is not None:
            year = int(year_m.group(1))
        elif pub is not None:
            year = _year_before(month, day, pub)
        else:
            return None
        return f"{year}-{month:02d}-{day:02d}" if day else f"{year}-{month:02d}"
    if year_m is not None:
        return year_m.group(1)
    if re.search(r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}", t):
        return _dateparser(text, pub)
    return None


def _dateparser(text: str, pub: date | None) -> str | None:
    settings: dict[str, object] = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False}
    if pub is not None:
        from datetime import datetime

        settings["RELATIVE_BASE"] = datetime(pub.year, pub.month, pub.day)
    parsed = dateparser.parse(text, languages=["en"], settings=settings)
    return parsed.date().isoformat() if parsed else None


def _distance(a: Token, b: Token) -> int:
    """Steps between two tokens in the dependency tree."""
    up_a = [a, *a.ancestors]
    up_b = [b, *b.ancestors]
    index_b = {t.i: k for k, t in enumerate(up_b)}
    for k, token in enumerate(up_a):
        if token.i in index_b:
            return k + index_b[token.i]
    return 99


def _with_year(span: Span) -> Span:
    """Extend "February 2" over a following ", 2021" that the NER left out."""
    doc = span.doc
    end = span.end
    if end + 1 < len(doc) and doc[end].text == "," and YEAR.fullmatch(doc[end + 1].text):
        return doc[span.start : end + 2]
    if end < len(doc) and YEAR.fullmatch(doc[end].text) and not YEAR.search(span.text):
        return doc[span.start : end + 1]
    return span


def _with_determiner(span: Span) -> Span:
    """Extend "year later" / "previous year" over the "a" / "the" / "two" the NER left out."""
    doc = span.doc
    before = doc[span.start - 1] if span.start > 0 else None
    if (
        before is not None
        and before.dep_ in ("det", "nummod")
        and span.start <= before.head.i < span.end
        and before.lower_ in {"a", "an", "the", *NUMBERS}
    ):
        return doc[span.start - 1 : span.end]
    return span


def date_spans(sent: Span) -> list[Span]:
    """DATE spans of the sentence; "February 2" followed by ", 2021" is joined into one span."""
    spans = [_with_determiner(_with_year(ent)) for ent in date_entities(sent)]
    out: list[Span] = []
    for span in spans:
        if out and span.start < out[-1].end:
            continue
        if (
            out
            and all(t.is_punct for t in span.doc[out[-1].end : span.start])
            and span.start - out[-1].end <= 1
            and YEAR.fullmatch(span.text.strip())
        ):
            out[-1] = span.doc[out[-1].start : span.end]
        else:
            out.append(span)
    return out


RELATIVE_TO_CONTEXT = re.compile(
    r"\b(?:(\w+) (years?|months?) (later|earlier|before|after)|the (following|previous|next) (year|month)"
    r"|(?:hours|days|minutes|weeks) (?:later|afterwards|after)|shortly afterwards|within (?:hours|days))\b"
)


def _in_main_clause(span: Span) -> bool:
    """Whether a date belongs to its sentence's main clause, not to reported speech or a relative clause
    ("prosecutors said he was recruited in 2021" does not set the story's time)."""
    token = span.root
    while token.head.i != token.i:
        if token.dep_ in ("ccomp", "relcl", "acl", "parataxis"):
            return False
        token = token.head
    return True


def _narrative_year(sent: Span, before: int) -> int | None:
    """The year the story is telling at a point: the latest year written in a main clause earlier in the
    sentence or in the three sentences before it."""
    earlier = sentences_before(sent)[-NARRATIVE_SENTENCES:]
    here = [span for span in date_spans(sent) if span.end <= before]
    for span_list in [here] + [date_spans(s) for s in reversed(earlier)]:
        for span in reversed(span_list):
            found = YEAR.findall(span.text)
            if found and not DEICTIC.search(span.text.lower()) and _in_main_clause(span):
                return int(found[-1])
    return None


NARRATIVE_SENTENCES = 5
DEICTIC = re.compile(r"\b(last|this|next|ago|yesterday|today|tomorrow)\b")


def _in_year(text: str, year: int | None, pub: date | None) -> str | None:
    """A month or day written without a year, in the year the narrative is in (when that is not after
    publication); anything else as written."""
    value = normalise_date(text, pub)
    t = text.lower()
    if year is None or value is None or YEAR.search(t) or DEICTIC.search(t) or _month_in(t) is None:
        return value
    moved = f"{year}{value[4:]}"
    return moved if pub is None or moved[:7] <= pub.isoformat()[:7] else value


def _main_date(sent: Span, pub: date | None, before: int | None = None) -> str | None:
    """The date of a sentence's main clause: its DATE span nearest the root in the parse."""
    found = []
    for span in date_spans(sent):
        if before is not None and span.end > before:
            continue
        if RELATIVE_TO_CONTEXT.search(span.text.lower()):
            continue
        value = _in_year(span.text, _narrative_year(sent, span.start), pub)
        if value:
            found.append((_distance(sent.root, span.root), -span.start, value))
    return min(found)[2] if found else None


def _anchor(trigger: Token, before: int, pub: date | None) -> str | None:
    """The date a relative one counts from: an explicit date earlier in the sentence, else the date of
    the main clause of the latest sentence before it that has one (within a few)."""
    here = _main_date(trigger.sent, pub, before)
    if here is not None:
        return here
    for sent in sentences_before(trigger.sent)[-NARRATIVE_SENTENCES:][::-1]:
        found = _main_date(sent, pub)
        if found:
            return found
    return None


def _shift(anchor: str, text: str) -> str | None:
    m = RELATIVE_TO_CONTEXT.search(text)
    if m is None:
        return None
    if m.group(2) or m.group(4):
        unit = m.group(2) or m.group(5)
        count = 1 if m.group(4) else NUMBERS.get(m.group(1), int(m.group(1)) if m.group(1).isdigit() else 0)
        sign = 1 if (m.group(3) in ("later", "after") or m.group(4) in ("following", "next")) else -1
        if not count or not unit.startswith("year"):
            return anchor[:4] if unit.startswith("year") else None
        return str(int(anchor[:4]) + sign * count)
    return anchor  # hours, days or weeks later: the anchor's day is the best the text supports


def _span_value(trigger: Token, span: Span, pub: date | None) -> str | None:
    text = span.text.lower()
    if RELATIVE_TO_CONTEXT.search(text):
        anchor = _anchor(trigger, span.start, pub)
        return _shift(anchor, text) if anchor else None
    return _in_year(span.text, _narrative_year(trigger.sent, span.start), pub)


def _line_opening(sent: Span) -> Span:
    """The first sentence of the line the sentence is on: a timeline's "21 January 2019 -" is often cut
    off as a sentence of its own."""
    doc = sent.doc
    opening = sent
    for earlier in reversed(sentences_before(sent)):
        if "\n" in doc_text(doc)[earlier.end_char : opening.start_char] or "\n" in earlier.text:
            break
        opening = earlier
    return opening


def _timeline_date(sent: Span, pub: date | None) -> str | None:
    """A timeline entry ("21 January 2019 - The EU imposes ...") dates every event on its line."""
    sent = _line_opening(sent)
    spans = date_spans(sent)
    first = spans[0] if spans else None
    if first is None or first.end >= len(sent.doc) or sent.doc[first.end].text not in ("-", "–", "—", ":"):
        return None
    lead = sent.doc[sent.start : first.start]
    if not all(t.is_space or t.like_num for t in lead):
        return None
    return normalise_date(sent.doc[sent.start : first.end].text, pub)  # "21" is often left out of the span


def event_date(trigger: Token, pub: date | None, *, max_distance: int = 6) -> str | None:
    """The normalised date of the event whose trigger this is, from its own sentence."""
    candidates = []
    for span in date_spans(trigger.sent):
        value = _span_value(trigger, span, pub)
        if value is not None:
            candidates.append((_distance(trigger, span.root), span.start, value))
    near = [c for c in candidates if c[0] <= max_distance]
    if near:
        return min(near)[2]
    return _timeline_date(trigger.sent, pub)


def news_date(lede: Span | None, pub: date | None) -> str | None:
    """The date of the news a story reports: the main date of its lede, else the publication month."""
    found = _main_date(lede, pub) if lede is not None else None
    if found is None and pub is not None:
        return pub.isoformat()[:7]
    return found
