"""Name normalisation shared by entity resolution and queries: case, accents, punctuation, titles."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'"})
_POSSESSIVE = re.compile(r"'s\b")
_NON_WORD = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")
_VOWELS = re.compile(r"[aeiouy]")
_REPEATS = re.compile(r"(.)\1+")
_ACRONYM_STOP = frozenset({"of", "the", "and", "for", "in", "on", "de", "al", "e"})


@lru_cache(maxsize=1 << 16)
def normalize_name(name: str) -> str:
    """Fold a name for comparison: lower case, no accents or punctuation, no leading article.
    Memoised: bulk loads fold the same few thousand names again and again.

    >>> normalize_name("The People's Mojahedin Organization of Iran")
    'people mojahedin organization of iran'
    """
    text = unicodedata.normalize("NFKD", name.translate(_APOSTROPHES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = _POSSESSIVE.sub("", text).replace("'", "").replace("-", " ")
    text = _SPACES.sub(" ", _NON_WORD.sub(" ", text)).strip()
    for article in ("the ", "a ", "an "):
        if text.startswith(article) and len(text) > len(article):
            text = text[len(article) :]
    return text


def strip_titles(name: str, prefixes: frozenset[str]) -> str:
    """Drop leading titles, roles and demonyms from a person's name, keeping at least one word.

    A leading word is dropped when it is one of ``prefixes`` or written in lower case (names are
    capitalised): "former national security adviser Walter Brennock" -> "Walter Brennock". A name with
    no capitalised word after the first is a description and is kept whole.
    """
    words = name.split()
    if not any(w[:1].isupper() for w in words[1:]):
        return name  # a description ("hired gunmen"), not a name with a title
    while len(words) > 1:
        head = words[0]
        if normalize_name(head) in prefixes or head[:1].islower():
            words.pop(0)
            continue
        break
    return " ".join(words)


def is_proper_name(name: str, prefixes: frozenset[str]) -> bool:
    """Whether a person's name names someone ("Osman Kereth") rather than describes ("old man", "Cleric").

    The last word must be capitalised and not a title or role word.
    """
    words = name.split()
    return bool(words) and words[-1][:1].isupper() and normalize_name(words[-1]) not in prefixes


def skeleton(token: str) -> str:
    """A coarse sound key of one word: repeated letters folded, vowels after the first letter dropped.

    Spelling variants of transliterated names share it: "assadollah" and "asadullah" -> "asdlh".
    """
    if not token:
        return ""
    folded = _REPEATS.sub(r"\1", token)
    return folded[0] + _VOWELS.sub("", folded[1:])


def block_keys(norm: str) -> tuple[str, ...]:
    """Keys under which a normalised name is indexed for fuzzy candidates: the sound key of its last word.

    Spelling variants keep their surname's key (Asadi/Assadi); a first name ("Mohammad") would make
    blocks too large to score.
    """
    words = norm.split()
    return ("l:" + skeleton(words[-1]),) if words else ()


def acronym(name: str) -> str | None:
    """The initials of a multi-word name, skipping small words: "Federal Bureau of Investigation" -> "fbi"."""
    words = [w for w in normalize_name(name).split() if w not in _ACRONYM_STOP]
    if len(words) < 2:
        return None
    return "".join(w[0] for w in words)


def looks_like_acronym(name: str) -> bool:
    """True for an all-capital short token such as "IRGC" or "MOIS"."""
    bare = name.replace(".", "").replace("-", "").strip()
    return 2 <= len(bare) <= 8 and bare.isalpha() and bare.isupper()
