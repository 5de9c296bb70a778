"""One error shape for every route: ``{"ok": false, "error": ..., "code": "E...", "status": N}``.

Errors of the HTTP layer join the tree of :mod:`threatledger.errors` under :class:`ApiError` (E600)::

    ThreatledgerError
    └── ApiError (E600, 400)
        ├── UnauthorizedError (E601, 401)
        ├── WritesDisabledError (E603, 403)
        ├── NotFoundError (E604, 404)
        ├── MethodError (E605, 405)
        ├── TooLargeRequestError (E613, 413)
        ├── RequestError (E622, 422)
        └── InternalError (E650, 500)

Errors of the library keep their own code; their HTTP status follows from the kind of error
(:func:`status_of`). A failure nobody raised on purpose answers 500 with code E650 and no detail.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from threatledger.errors import IngestError, ModelError, StoreError, ThreatledgerError

logger = logging.getLogger(__name__)


class ApiError(ThreatledgerError):
    """An error of the HTTP layer; ``status`` is the HTTP status it answers with."""

    code = "E600"
    status = 400


class UnauthorizedError(ApiError):
    code = "E601"
    status = 401


class WritesDisabledError(ApiError):
    code = "E603"
    status = 403


class NotFoundError(ApiError):
    code = "E604"
    status = 404


class MethodError(ApiError):
    code = "E605"
    status = 405


class TooLargeRequestError(ApiError):
    code = "E613"
    status = 413


class RequestError(ApiError):
    code = "E622"
    status = 422


class InternalError(ApiError):
    code = "E650"
    status = 500


_BY_STATUS: dict[int, type[ApiError]] = {
    401: UnauthorizedError,
    403: WritesDisabledError,
    404: NotFoundError,
    405: MethodError,
    413: TooLargeRequestError,
    422: RequestError,
    500: InternalError,
}


def status_of(exc: ThreatledgerError) -> int:
    """The HTTP status of a library error: bad input is 422, a missing record 404, a store failure 503."""
    if isinstance(exc, ApiError):
        return exc.status
    if isinstance(exc, IngestError | ModelError):
        return 422
    if isinstance(exc, StoreError):
        if exc.message.startswith("no "):
            return 404
        return 503 if "locked" in exc.message else 500
    return 500


def as_user_error(exc: StoreError) -> ThreatledgerError:
    """A StoreError raised on user input (a review value, an id): 404 for a missing record, else 422;
    a failure of the store itself stays what it is."""
    if status_of(exc) == 404:
        return NotFoundError(exc.message, hint=exc.hint)
    if "locked" in exc.message or exc.message.startswith("the store "):
        return exc
    return RequestError(exc.message, hint=exc.hint)


def error_body(message: str, code: str, status: int, hint: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error": message, "code": code, "status": status}
    if hint:
        body["hint"] = hint
    return body


def _wants_html(request: Request) -> bool:
    """A browser asking for a page (not the API) gets the error as a page, with the same status."""
    accept = request.headers.get("accept", "")
    return not request.url.path.startswith("/api/") and "text/html" in accept


def render_error(request: Request, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    if _wants_html(request):
        from threatledger.web.templating import render_page

        page = render_page(request, "error.html", {"error": body}, status_code=body["status"])
        if headers:
            page.headers.update(headers)
        return page
    return JSONResponse(body, status_code=body["status"], headers=headers)


async def handle_threatledger_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, ThreatledgerError):
        return await handle_unexpected(request, exc)
    status = status_of(exc)
    if status >= 500:
        logger.error("%s %s failed: %s", request.method, request.url.path, exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return render_error(request, error_body(exc.message, exc.code, status, exc.hint), headers)


async def handle_http_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, StarletteHTTPException):
        return await handle_unexpected(request, exc)
    kind = _BY_STATUS.get(exc.status_code, ApiError)
    message = exc.detail if isinstance(exc.detail, str) else "request failed"
    if exc.status_code == 404:
        message = f"no page at {request.url.path}"
    headers = dict(exc.headers) if exc.headers else None
    return render_error(request, error_body(message, kind.code, exc.status_code), headers)


async def handle_validation_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, RequestValidationError):
        return await handle_unexpected(request, exc)
    problems = [_problem(e) for e in exc.errors()]
    body = error_body("invalid request: " + "; ".join(problems), RequestError.code, 422)
    body["detail"] = problems
    return render_error(request, body)


def _problem(error: Any) -> str:
    where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path"))
    return f"{where or 'request'}: {error.get('msg', 'invalid')}"


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    logger.exception("%s %s failed", request.method, request.url.path)
    body = error_body("internal error", InternalError.code, 500, "The server log has the details.")
    return render_error(request, body)
