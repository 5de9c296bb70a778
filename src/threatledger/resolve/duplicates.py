"""Near-duplicate documents: a wire story republished with small edits is linked, not counted twice.

Candidates come from MinHash signatures over word shingles, bucketed by locality-sensitive hashing
(bands of the signature stored as keys); a candidate is confirmed by a rapidfuzz ratio over the
normalised texts.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
from rapidfuzz import fuzz

SHINGLE_WORDS = 4
NUM_PERM = 64
BANDS = 16
NEAR_DUPLICATE_MIN = 0.9
SAME_NAMES_MIN = 0.8
SAME_SENTENCE_MIN = 85.0
_WORD = re.compile(r"\w+")
_NAME = re.compile(r"\b[A-Z][\w'-]+")
_rng = np.random.default_rng(20240601)
_A = _rng.integers(1, 1 << 63, size=NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)  # odd
_B = _rng.integers(0, 1 << 63, size=NUM_PERM, dtype=np.uint64)


def normalize_text(text: str) -> str:
    """Lower-cased words joined by single spaces: what near-duplicate comparison looks at."""
    return " ".join(_WORD.findall(text.lower()))


def _hash64(value: str) -> int:
    return int.from_bytes(hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest(), "big")


def shingles(text: str, *, k: int = SHINGLE_WORDS) -> set[int]:
    """Hashes of the word k-grams of a text (the whole text when it is shorter than k words)."""
    words = normalize_text(text).split()
    if len(words) <= k:
        return {_hash64(" ".join(words))}
    return {_hash64(" ".join(words[i : i + k])) for i in range(len(words) - k + 1)}


def minhash(text: str) -> tuple[int, ...]:
    """A MinHash signature of ``NUM_PERM`` values over the text's shingles."""
    values = np.fromiter(shingles(text), dtype=np.uint64)
    with np.errstate(over="ignore"):  # multiply-shift hashing: products wrap modulo 2**64 on purpose
        mixed = (_A[:, None] * values[None, :] + _B[:, None]) >> np.uint64(32)
    return tuple(int(v) for v in mixed.min(axis=1))


def band_keys(signature: tuple[int, ...], *, bands: int = BANDS) -> list[str]:
    """One bucket key per band of the signature: documents sharing any key are candidates."""
    rows = len(signature) // bands
    return [
        f"{b}:"
        + hashlib.blake2b(repr(signature[b * rows : (b + 1) * rows]).encode(), digest_size=8).hexdigest()
        for b in range(bands)
    ]


def text_similarity(a: str, b: str) -> float:
    """Similarity of two texts in [0, 1], over their normalised words."""
    return float(fuzz.ratio(normalize_text(a), normalize_text(b))) / 100.0


def names_of(text: str) -> set[str]:
    """The capitalised words of a text: the people, places and bodies a story is about."""
    return set(_NAME.findall(text))


def name_overlap(a: str, b: str) -> float:
    """Jaccard overlap of the capitalised words of two texts (1.0 when neither has any)."""
    na, nb = names_of(a), names_of(b)
    return len(na & nb) / len(na | nb) if na | nb else 1.0


def near_duplicate_score(a: str, b: str) -> float:
    """Similarity of two texts if they tell the same story with small edits, else 0.

    The words must nearly all agree, and so must the names: two stories written from one template
    about different people ("X was charged in Y") are not one story.
    """
    if name_overlap(a, b) < SAME_NAMES_MIN:
        return 0.0
    similarity = text_similarity(a, b)
    return similarity if similarity >= NEAR_DUPLICATE_MIN else 0.0


def is_near_duplicate(a: str, b: str) -> bool:
    """Whether two document texts are the same story with small edits."""
    return near_duplicate_score(a, b) > 0


def same_sentence(a: str, b: str) -> bool:
    """Whether two event sentences report the same thing (a wire edit changes a few words)."""
    return fuzz.ratio(normalize_text(a), normalize_text(b)) >= SAME_SENTENCE_MIN
