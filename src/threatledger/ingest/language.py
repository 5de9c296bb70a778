"""A cheap check that a text is English, so the English pipeline is not fed other languages.

Two tests on the first ~2000 characters: most letters must be Latin, and among the words the share
of common English function words must be plausible. A low share alone is not enough when the text
shows no sign of another language (a list of names stays English), unless it is very low.
"""

from __future__ import annotations

import re

from threatledger.errors import LanguageError

SAMPLE_CHARS = 2000
MIN_WORDS = 20
MIN_LETTERS = 30
MIN_LATIN_SHARE = 0.5
LOW_ENGLISH_SHARE = 0.15
MIN_ENGLISH_SHARE = 0.05


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ENGLISH_WORDS: frozenset[str] = _words("""
a about above after again against all almost along already also although always am among an and
another any are around as at back be because been before being below between both but by can could
did do does doing down during each either even ever every few for from further had has have having
he her here hers herself him himself his how however i if in into is it its itself just last least
less many may me might more most much must my myself near neither no nor not now of off on once one
only onto or other others our ours out over own per same several shall she should since so some such
than that the their theirs them themselves then there these they this those though through throughout
thus to too toward towards two under until up upon us very was we were what when where whether which
while who whom whose why will with within without would yet you your said says told new three first
later week year years
""")

# Frequent words of French, German, Spanish, Italian, Portuguese, Dutch, Polish, Turkish, Indonesian
# and the Scandinavian languages that are not English words.
FOREIGN_WORDS: frozenset[str] = (
    _words("""
le la les des du de un une et est que qui dans pour pas sur au aux avec il elle ils sont ont été par
ce cette ses leur mais ou où nous vous der die das und ist nicht ein eine einen dem den von zu mit
sich auf für im sie es wird wurde sind hat haben auch bei nach aus dass wie el los las del y en una
con para se su sus lo como más pero fue ha di che è e della delle alla nel da gli o os do da dos
das em um uma não com foi ao het een van dat niet zijn te voor met aan er ook om werd wordt door
naar bij w z na się nie że jest jak po za od ve bir bu ile için olarak olan gibi daha çok yang dan
ini itu dengan untuk dari dalam tidak akan pada adalah och att det som är för på av till har inte
ett og til af
""")
    - ENGLISH_WORDS
)

_WORD = re.compile(r"[^\W\d_]+")


def check_language(text: str, *, source: str) -> None:
    """Raise LanguageError when the start of the text is clearly not English."""
    sample = text[:SAMPLE_CHARS]
    if latin_share(sample) < MIN_LATIN_SHARE:
        raise _language_error(source, "is not written in the Latin alphabet")
    words = _WORD.findall(sample.lower())
    if len(words) < MIN_WORDS:
        return
    english = sum(word in ENGLISH_WORDS for word in words) / len(words)
    foreign = sum(word in FOREIGN_WORDS for word in words) / len(words)
    if english < MIN_ENGLISH_SHARE or (english < LOW_ENGLISH_SHARE and foreign > english):
        raise _language_error(source, "does not read as English")


def latin_share(sample: str) -> float:
    """Share of the letters that are Latin; 1.0 when there are too few letters to judge."""
    letters = [char for char in sample if char.isalpha()]
    if len(letters) < MIN_LETTERS:
        return 1.0
    return sum(1 for char in letters if _is_latin(char)) / len(letters)


def _is_latin(char: str) -> bool:
    code = ord(char)
    return code < 0x250 or 0x1E00 <= code < 0x1F00


def _language_error(source: str, reason: str) -> LanguageError:
    return LanguageError(
        f"{source} {reason}; only English text is supported",
        hint="translate the article into English first, or leave it out of the batch "
        "(the check looks for common English words)",
    )
