"""Which reader an input needs: by file suffix, or by sniffing its first bytes."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import BinaryIO, Literal

Format = Literal["text", "html", "jsonl"]

SNIFF_BYTES = 65536
SUFFIXES: dict[str, Format] = {
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
_HTML_TAG = re.compile(
    r"<(?:!doctype\s+html|html|head|body|meta|title|article|main|section|div|p|h[1-6])[\s>/]",
    re.IGNORECASE,
)


def format_from_suffix(path: Path) -> Format | None:
    """The format a file's suffix names, or None when the suffix is not one we read."""
    return SUFFIXES.get(path.suffix.lower())


def sniff_format(head: bytes) -> Format:
    """Guess the format from the first bytes: a JSON object on the first line, HTML markup, or text."""
    start = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if start.startswith("{") and _first_line_is_object(start, complete=len(head) < SNIFF_BYTES):
        return "jsonl"
    if start.startswith("<") and _HTML_TAG.search(start[:2048]):
        return "html"
    return "text"


def _first_line_is_object(text: str, *, complete: bool) -> bool:
    line, newline, _ = text.partition("\n")
    if not newline and not complete:
        return True  # a first record longer than the sniffed head
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, RecursionError):
        return False


class PeekedStream:
    """A binary stream whose first bytes were read ahead (``head``) to sniff its format."""

    def __init__(self, stream: BinaryIO, *, size: int = SNIFF_BYTES) -> None:
        self.head = stream.read(size)
        self._buffer = io.BytesIO(self.head)
        self._stream = stream

    def read(self, size: int, /) -> bytes:
        """Up to ``size`` bytes, from the head first."""
        data = self._buffer.read(size)
        if len(data) < size:
            data += self._stream.read(size - len(data))
        return data

    def readline(self, limit: int, /) -> bytes:
        """One line, at most ``limit`` bytes, from the head first."""
        line = self._buffer.readline(limit)
        if line.endswith(b"\n") or len(line) >= limit:
            return line
        return line + self._stream.readline(limit - len(line))
