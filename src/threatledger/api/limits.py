"""A cap on request bodies, checked before a byte of an oversized body is kept in memory."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from threatledger.api.errors import TooLargeRequestError

HINT = "Split the article, or raise THREATLEDGER_MAX_DOCUMENT_BYTES."


class BodyLimitMiddleware:
    """Refuse (413) a body over ``max_bytes``, by its Content-Length or as it streams in."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            raise self._error(int(declared))
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise self._error(seen)
            return message

        await self.app(scope, counted, send)

    def _error(self, size: int) -> TooLargeRequestError:
        return TooLargeRequestError(
            f"request body of {size:,} bytes is over the limit of {self.max_bytes:,}", hint=HINT
        )
