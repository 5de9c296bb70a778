"""Read files, directories and standard input into Documents: :func:`read_inputs` is the entry point.

A file is read by its suffix (``.txt``, ``.html``, ``.jsonl`` and kin) or, when the suffix is unknown,
by sniffing its first bytes; ``-`` is always sniffed. A ``NAME.meta.json`` sidecar next to a text or
HTML file supplies its metadata.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import BinaryIO

from threatledger.errors import IngestError, InputNotFoundError
from threatledger.ingest.base import DocumentFailure, ReadResult
from threatledger.ingest.detect import SUFFIXES, Format, PeekedStream, format_from_suffix, sniff_format
from threatledger.ingest.document import (
    ReadOptions,
    attempt,
    document_from_html,
    document_from_text,
    too_large,
)
from threatledger.ingest.jsonl import read_jsonl
from threatledger.ingest.meta import SIDECAR_SUFFIX, Metadata, read_sidecar
from threatledger.ingest.text import decode_text, first_line_title
from threatledger.model import Document
from threatledger.settings import get_settings

STDIN = "-"


def read_inputs(
    inputs: Sequence[str], *, published: date | None = None, max_bytes: int | None = None
) -> Iterator[ReadResult]:
    """Yield a Document or a DocumentFailure for every document of every input, in order.

    ``published`` is the date for documents whose metadata has none; ``max_bytes`` caps one document
    (default: the ``max_document_bytes`` setting). One bad document never stops the others.
    """
    items = [inputs] if isinstance(inputs, str) else inputs
    limit = get_settings().max_document_bytes if max_bytes is None else max_bytes
    options = ReadOptions(published=published, max_bytes=limit)
    for item in items:
        yield from _read_input(item, options)


def _read_input(item: str, options: ReadOptions) -> Iterator[ReadResult]:
    if item == STDIN:
        yield from _read_stdin(options)
        return
    path = Path(item)
    try:
        is_dir, exists = path.is_dir(), path.exists()
    except OSError as exc:
        yield _unreadable(item, exc)
        return
    if not item or not exists:
        yield DocumentFailure(
            item,
            InputNotFoundError(
                f"no such file or directory: {item!r}",
                hint=f"check the path, or pass {STDIN} to read from standard input",
            ),
        )
    elif is_dir:
        yield from _read_directory(path, options)
    else:
        yield from _read_file(path, options)


def _read_directory(root: Path, options: ReadOptions) -> Iterator[ReadResult]:
    paths = sorted(_walk(root))
    if not paths:
        yield DocumentFailure(
            str(root),
            InputNotFoundError(
                f"{root} holds no file to read", hint=f"put files ending in {', '.join(SUFFIXES)} in it"
            ),
        )
    for path in paths:
        yield from _read_file(path, options)


def _walk(root: Path) -> Iterator[Path]:
    """Every readable file under ``root``, skipping hidden files and folders, sidecars, and anything that
    is not a regular file (opening a named pipe called ``a.txt`` would wait for a writer forever)."""
    for folder, folders, names in os.walk(root):
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in names:
            path = Path(folder, name)
            if name.startswith(".") or name.endswith(SIDECAR_SUFFIX) or not format_from_suffix(path):
                continue
            if _is_regular(path):
                yield path


def _is_regular(path: Path) -> bool:
    """A regular file, or a path that cannot be looked at (a broken link): reading it reports why."""
    try:
        return path.is_file() or not path.exists()
    except OSError:
        return True


def _read_file(path: Path, options: ReadOptions) -> Iterator[ReadResult]:
    source = str(path)
    try:
        with path.open("rb") as raw:
            stream = PeekedStream(raw)
            fmt = format_from_suffix(path) or sniff_format(stream.head)
            if fmt == "jsonl":
                yield from read_jsonl(stream, source=source, options=options)
                return
            result = _read_file_document(path, stream, fmt, size=_regular_size(raw), options=options)
    except OSError as exc:
        yield _unreadable(source, exc)
        return
    yield result


def _read_file_document(
    path: Path, stream: PeekedStream, fmt: Format, *, size: int | None, options: ReadOptions
) -> ReadResult:
    source = str(path)
    try:
        meta = read_sidecar(path, source=source).merged_over(Metadata(id=path.stem))
    except IngestError as exc:
        return DocumentFailure(source=source, error=exc, document_id=path.stem)
    return attempt(
        source, meta.id, lambda: _read_document(stream, fmt, meta, source=source, size=size, options=options)
    )


def _read_stdin(options: ReadOptions) -> Iterator[ReadResult]:
    binary: BinaryIO | None = getattr(sys.stdin, "buffer", None)
    if binary is None:
        yield DocumentFailure(
            STDIN,
            InputNotFoundError(
                "there is no standard input to read", hint="pipe a document in, or pass file paths"
            ),
        )
        return
    try:
        stream = PeekedStream(binary)
        fmt = sniff_format(stream.head)
        if fmt == "jsonl":
            yield from read_jsonl(stream, source=STDIN, options=options)
            return
        result = attempt(
            STDIN,
            None,
            lambda: _read_document(stream, fmt, Metadata(), source=STDIN, size=None, options=options),
        )
    except OSError as exc:
        yield _unreadable(STDIN, exc)
        return
    yield result


def _read_document(
    stream: PeekedStream, fmt: Format, meta: Metadata, *, source: str, size: int | None, options: ReadOptions
) -> Document:
    """One text or HTML document; ``size`` (when known) is checked before anything is read."""
    if size is not None and size > options.max_bytes:
        raise too_large(source, size, options.max_bytes)
    data = stream.read(options.max_bytes + 1)
    if len(data) > options.max_bytes:
        raise too_large(source, None, options.max_bytes)
    text = decode_text(data, source=source)
    if fmt == "html":
        return document_from_html(text, meta, source=source, options=options)
    meta = meta.merged_over(Metadata(title=first_line_title(text)))
    return document_from_text(text, meta, source=source, options=options)


def _regular_size(raw: BinaryIO) -> int | None:
    """The size of a regular file; None for pipes and devices, whose size is unknown."""
    info = os.fstat(raw.fileno())
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def _unreadable(source: str, exc: OSError) -> DocumentFailure:
    return DocumentFailure(
        source,
        IngestError(
            f"cannot read {source}: {exc.strerror or exc}",
            hint="check that the path exists and that you may read it",
        ),
    )
