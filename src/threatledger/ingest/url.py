"""Fetch web pages into Documents, safely: :func:`fetch_document` is the entry point.

Every hop is checked before it is requested: only ``http`` and ``https``; the host's resolved addresses
must all be public (no private, loopback, link-local, shared, reserved or multicast address) unless
``allow_private`` is set; at most five redirects; a timeout on connecting and on reading; a deadline for
the whole fetch (``THREATLEDGER_FETCH_DEADLINE``, 15 s), checked before every hop and after every piece
of the body; a cap on the body's size, read as a stream. The request goes to the address that was
checked (the host name travels in the ``Host`` header and in TLS's SNI), so a second DNS answer cannot
swap in a private address.
"""

from __future__ import annotations

import ipaddress
import socket
import time
import zlib
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from threatledger.errors import BinaryInputError, FetchError, ParseError, ThreatledgerError
from threatledger.ingest.base import DocumentFailure, ReadResult
from threatledger.ingest.document import ReadOptions, document_from_html, document_from_text, too_large
from threatledger.ingest.meta import Metadata
from threatledger.ingest.text import first_line_title, looks_binary
from threatledger.model import Document
from threatledger.settings import get_settings

__all__ = ["FetchPolicy", "Fetched", "fetch_document", "fetch_url", "is_url", "read_locations"]

SCHEMES = ("http", "https")
USER_AGENT = "threatledger/0.1 (+https://github.com/threatledger)"
HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain",)
PRIVATE_HINT = "only public addresses are fetched; pass --allow-private to fetch from your own network"
CODINGS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
MAX_CODINGS = 2
PIECE = 64 * 1024
NAT64 = ipaddress.ip_network("64:ff9b::/96")
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """The limits of one fetch: private addresses, timeout in seconds, body size, redirects."""

    allow_private: bool = False
    timeout: float = 10.0  # each connect, read and write
    max_bytes: int | None = None  # None: the max_document_bytes setting
    max_redirects: int = 5
    deadline: float | None = None  # the whole fetch, redirects included; None: the fetch_deadline setting

    @property
    def body_limit(self) -> int:
        return self.max_bytes if self.max_bytes is not None else get_settings().max_document_bytes

    @property
    def total_seconds(self) -> float:
        return self.deadline if self.deadline is not None else get_settings().fetch_deadline


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetched body: the final URL after redirects, the bytes, and the media type and charset."""

    url: str
    content: bytes
    media_type: str
    charset: str | None

    def text(self) -> str:
        """The body decoded with its charset, else UTF-8, else Windows-1252 (never fails)."""
        for encoding in (self.charset, "utf-8"):
            if encoding:
                try:
                    return self.content.decode(encoding)
                except (LookupError, UnicodeDecodeError):
                    continue
        return self.content.decode("cp1252", errors="replace")


def is_url(item: str) -> bool:
    """Whether an input names a web page (http or https) rather than a file."""
    return item.lower().startswith(("http://", "https://"))


def fetch_document(
    url: str,
    *,
    allow_private: bool = False,
    published: date | None = None,
    policy: FetchPolicy | None = None,
) -> Document:
    """Fetch ``url`` and read its main text (trafilatura for HTML) into a Document.

    Raises FetchError (refused, unreachable, HTTP error, too many redirects), TooLargeError or another
    IngestError for a page without readable English text.
    """
    policy = policy or FetchPolicy(allow_private=allow_private)
    fetched = fetch_url(url, policy=policy)
    if looks_binary(fetched.content):
        raise BinaryInputError(
            f"{url} sent binary data, not a page ({fetched.media_type or 'no type'})",
            hint="pass article pages (text/html) or plain text",
        )
    options = ReadOptions(published=published, max_bytes=policy.body_limit)
    meta = Metadata(url=fetched.url)
    if fetched.media_type in HTML_TYPES or (not fetched.media_type and b"<" in fetched.content[:512]):
        return document_from_html(fetched.text(), meta, source=url, options=options)
    if fetched.media_type in TEXT_TYPES:
        text = fetched.text().replace("\r\n", "\n")
        meta = meta.merged_over(Metadata(title=first_line_title(text)))
        return document_from_text(text, meta, source=url, options=options)
    raise ParseError(
        f"{url} is {fetched.media_type or 'of an unknown type'}, not an HTML page or text",
        hint="pass article pages (text/html) or plain text",
    )


def read_locations(
    inputs: Sequence[str], *, published: date | None = None, allow_private: bool = False
) -> Iterator[ReadResult]:
    """Like :func:`threatledger.ingest.read_inputs`, with http(s) inputs fetched by :func:`fetch_document`."""
    from threatledger.ingest.readers import read_inputs

    for item in inputs:
        if not is_url(item):
            yield from read_inputs([item], published=published)
            continue
        try:
            yield fetch_document(item, allow_private=allow_private, published=published)
        except ThreatledgerError as exc:
            yield DocumentFailure(source=item, error=exc)


def fetch_url(
    url: str, *, policy: FetchPolicy | None = None, accept: str = "text/html, */*;q=0.5"
) -> Fetched:
    """GET ``url`` under ``policy``, checking every hop; the body of the final 2xx response."""
    policy = policy or FetchPolicy()
    expires = time.monotonic() + policy.total_seconds
    current = url
    with httpx.Client(
        timeout=httpx.Timeout(policy.timeout), follow_redirects=False, trust_env=False
    ) as client:
        for _ in range(policy.max_redirects + 1):
            check_deadline(current, policy, expires)
            with closing(_send(client, current, policy, accept)) as response:
                location = response.headers.get("location")
                if response.is_redirect and location:
                    current = urljoin(current, location)
                    continue
                return _read_body(response, current, policy, expires)
    raise FetchError(
        f"{url} redirects more than {policy.max_redirects} times",
        hint="check the URL in a browser; it may loop",
    )


def _send(client: httpx.Client, url: str, policy: FetchPolicy, accept: str) -> httpx.Response:
    """Send a GET for ``url`` to the address that was checked; the response is not yet read."""
    scheme, host, port = check_url(url)
    address = checked_address(host, port, allow_private=policy.allow_private, url=url)
    parts = urlsplit(url)
    literal = f"[{address}]" if ":" in address else address
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    pinned = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    headers = {
        "Host": parts.netloc.rsplit("@", 1)[-1],
        "User-Agent": USER_AGENT,
        "Accept": accept,
        "Accept-Encoding": ", ".join(CODINGS),
    }
    sni = host.encode("idna").decode("ascii") if not host.isascii() else host
    request = client.build_request("GET", pinned, headers=headers, extensions={"sni_hostname": sni})
    try:
        return client.send(request, stream=True)
    except httpx.ConnectTimeout as exc:
        seconds = client.timeout.connect
        raise FetchError(
            f"cannot fetch {url}: the server did not accept a connection within {seconds:g} s",
            hint="the site may be down or dropping connections; try again later",
        ) from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"cannot fetch {url}: {exc}", hint="check the URL and your connection") from exc


def check_url(url: str) -> tuple[str, str, int]:
    """The scheme, host and port of an http(s) URL; anything else raises FetchError."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError(
            f"cannot read the URL {url!r}: {exc}", hint="pass an http:// or https:// URL"
        ) from exc
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise FetchError(
            f"refusing to fetch {url!r}: the scheme {scheme or '(none)'!r} is not http or https",
            hint="pass an http:// or https:// URL",
        )
    if not parts.hostname:
        raise FetchError(f"the URL {url!r} names no host", hint="pass a URL such as https://example.org/a")
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80)


def checked_address(host: str, port: int, *, allow_private: bool, url: str) -> str:
    """The first address ``host`` resolves to, once every address it resolves to has been checked."""
    addresses = resolve_host(host, port)
    if not addresses:
        raise FetchError(f"cannot resolve the host of {url}", hint="check the URL")
    if not allow_private:
        for address in addresses:
            if not is_public_address(address):
                raise FetchError(
                    f"refusing to fetch {url}: {host} is {address}, not public", hint=PRIVATE_HINT
                )
    return addresses[0]


def resolve_host(host: str, port: int) -> list[str]:
    """Every address the host resolves to (a literal address resolves to itself)."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"cannot resolve {host}: {exc}", hint="check the URL and your connection") from exc
    return list(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos))


def is_public_address(address: str) -> bool:
    """Whether an address is on the public internet. An IPv6 address that embeds an IPv4 address
    (IPv4-mapped, IPv4-compatible, 6to4, Teredo, NAT64) is as public as the IPv4 address it reaches."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in NAT64_LOCAL:
            return False
        ip = embedded_ipv4(ip) or ip
    return ip.is_global and not ip.is_multicast


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries, if it is of a form that carries one."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in NAT64 or int(ip) >> 32 == 0:  # NAT64 well-known prefix; IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _read_body(response: httpx.Response, url: str, policy: FetchPolicy, expires: float) -> Fetched:
    if response.status_code >= 300:
        raise FetchError(
            f"cannot fetch {url}: HTTP {response.status_code} {response.reason_phrase}",
            hint="check that the page exists and is public",
        )
    limit = policy.body_limit
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and not response.headers.get("content-encoding") and int(declared) > limit:
        raise too_large(url, int(declared), limit)
    body = bytearray()
    try:
        for chunk in decoded_chunks(response, url):
            body.extend(chunk)
            if len(body) > limit:
                raise too_large(url, None, limit)
            check_deadline(url, policy, expires)
    except httpx.HTTPError as exc:
        raise FetchError(f"cannot read {url}: {exc}", hint="try again later") from exc
    media_type, _, params = response.headers.get("content-type", "").partition(";")
    return Fetched(
        url=url, content=bytes(body), media_type=media_type.strip().lower(), charset=_charset(params)
    )


def check_deadline(url: str, policy: FetchPolicy, expires: float) -> None:
    """Raise FetchError once the whole fetch has taken longer than its deadline. A read in progress is
    bounded by the per-read timeout, so a fetch ends at most one read timeout after the deadline."""
    if time.monotonic() > expires:
        raise FetchError(
            f"cannot fetch {url}: it took longer than {policy.total_seconds:g} s",
            hint="the server is too slow; try again later, or raise THREATLEDGER_FETCH_DEADLINE",
        )


def decoded_chunks(response: httpx.Response, url: str) -> Iterator[bytes]:
    """The body with its content codings undone a bounded piece at a time: a compression bomb never
    inflates more than :data:`PIECE` bytes at once. An unknown coding, or too many, is refused."""
    header = response.headers.get("content-encoding", "")
    codings = [c.strip().lower() for c in header.split(",") if c.strip() and c.strip().lower() != "identity"]
    if len(codings) > MAX_CODINGS or any(c not in CODINGS for c in codings):
        raise FetchError(f"cannot fetch {url}: unsupported content coding {header!r}", hint="report the site")
    chunks: Iterator[bytes] = response.iter_raw()
    for coding in reversed(codings):
        chunks = _inflate(chunks, coding, url)
    return chunks


def _inflate(chunks: Iterator[bytes], coding: str, url: str) -> Iterator[bytes]:
    inflater = None
    try:
        for chunk in chunks:
            if inflater is None:
                raw_deflate = coding == "deflate" and chunk[:1] != b"\x78"  # zlib-wrapped or bare deflate
                inflater = zlib.decompressobj(-zlib.MAX_WBITS if raw_deflate else CODINGS[coding])
            data = inflater.decompress(chunk, PIECE)
            while data:
                yield data
                data = (
                    inflater.decompress(inflater.unconsumed_tail, PIECE) if inflater.unconsumed_tail else b""
                )
        if inflater is not None:
            yield inflater.flush()
    except zlib.error as exc:
        raise FetchError(f"cannot decode the {coding} body of {url}: {exc}", hint="report the site") from exc


def _charset(params: str) -> str | None:
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return None
