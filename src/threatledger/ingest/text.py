"""Turn raw bytes into document text, and check that the text is worth reading.

The text is only normalised in two ways (a leading UTF-8 BOM is dropped, ``\\r\\n`` becomes ``\\n``)
because every character offset the pipeline records later points into it.
"""

from __future__ import annotations

import unicodedata

from threatledger.errors import BinaryInputError, EmptyDocumentError, EncodingError
from threatledger.ingest.language import check_language

SAMPLE_CHARS = 8192
BINARY_SHARE = 0.3
TITLE_MAX_CHARS = 150
EMPTY_HINT = "check the input, or leave it out of the batch"
_TEXT_CONTROL_BYTES = frozenset(b"\t\n\v\f\r\x1b")
_CONTROL_BYTES = frozenset(range(32)) - _TEXT_CONTROL_BYTES | {0x7F}
_TEXT_CONTROL_CHARS = frozenset("\t\n\v\f\r\x1b")


def decode_text(data: bytes, *, source: str) -> str:
    """Decode UTF-8 bytes into normalised text; binary or non-UTF-8 input raises an IngestError."""
    if looks_binary(data):
        raise BinaryInputError(
            f"{source} looks like binary data, not text",
            hint="pass text, HTML or JSON Lines; if it is UTF-16 text, re-encode it as UTF-8",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EncodingError(
            f"{source} is not valid UTF-8 (bad byte at offset {exc.start})",
            hint="re-encode the file as UTF-8, e.g. iconv -f WINDOWS-1252 -t UTF-8",
        ) from exc
    return normalise_text(text)


def normalise_text(text: str) -> str:
    """Drop a leading BOM and turn CRLF line ends into LF; nothing else changes."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def check_text(text: str, *, source: str) -> None:
    """Raise an IngestError when the text is empty, binary-looking, not UTF-8 or not English."""
    if not text.strip():
        raise EmptyDocumentError(f"{source} has no text", hint=EMPTY_HINT)
    check_encodable(text, source=source, name="text")
    if _has_binary_chars(text):
        raise BinaryInputError(
            f"{source} contains control characters, not readable text",
            hint="pass the article's text; strip NUL and other control characters first",
        )
    check_language(text, source=source)


def check_encodable(value: str, *, source: str, name: str) -> None:
    """Raise EncodingError when ``value`` holds a lone surrogate (from a JSON escape such as ``\\ud800``):
    UTF-8 cannot hold one, so the document could be neither hashed nor stored."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise EncodingError(
            f"{source}: the {name} holds a lone surrogate (\\u{ord(value[exc.start]):04x}) "
            f"at character {exc.start}",
            hint="escape characters outside the BMP as a surrogate pair, or write them as UTF-8",
        ) from exc


def first_line_title(text: str) -> str | None:
    """The first non-blank line, when it is short enough to be a headline."""
    for line in text.split("\n"):
        line = line.strip()
        if line:
            return line if len(line) <= TITLE_MAX_CHARS else None
    return None


def looks_binary(data: bytes) -> bool:
    """A NUL byte, or many control bytes among the first :data:`SAMPLE_CHARS`: binary data, not text
    (files, standard input and fetched bodies all get this check)."""
    if b"\x00" in data:
        return True
    sample = data[:SAMPLE_CHARS]
    if not sample:
        return False
    controls = sum(1 for byte in sample if byte in _CONTROL_BYTES)
    return controls / len(sample) > BINARY_SHARE


def _has_binary_chars(text: str) -> bool:
    if "\x00" in text:
        return True
    sample = text[:SAMPLE_CHARS]
    controls = sum(
        1 for char in sample if char not in _TEXT_CONTROL_CHARS and unicodedata.category(char) == "Cc"
    )
    return controls / len(sample) > BINARY_SHARE
