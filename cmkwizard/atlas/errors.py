"""Exceptions raised by the Atlas client, and a plain-language explanation of any of them.

``str()`` of every exception here is safe to show and log: it is built from the method, path and
Atlas' own error fields, never from credentials.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from cmkwizard.atlas.error_codes import guide_for

if TYPE_CHECKING:
    import httpx


@dataclass(frozen=True)
class FieldViolation:
    field: str
    description: str


@dataclass(frozen=True)
class ErrorExplanation:
    what: str
    meaning: str
    next_step: str
    code: str | None = None


class AtlasError(Exception):
    """Base of every error the Atlas client raises."""


class AtlasApiError(AtlasError):
    """Atlas answered with an error status (from its ``ApiError`` envelope when it sent one)."""

    def __init__(
        self,
        status: int,
        error_code: str | None,
        detail: str | None = None,
        *,
        reason: str | None = None,
        parameters: Sequence[Any] = (),
        bad_request_fields: Sequence[FieldViolation] = (),
        method: str | None = None,
        path: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.error_code = error_code
        self.detail = detail
        self.reason = reason
        self.parameters = tuple(parameters)
        self.bad_request_fields = tuple(bad_request_fields)
        self.method = method
        self.path = path
        # Seconds Atlas asked to wait (its Retry-After header, sent with 429 and 503); None when it named none.
        self.retry_after = retry_after
        super().__init__(self._message())

    def _message(self) -> str:
        request = f"{self.method} {self.path}: " if self.method and self.path else ""
        code = f" {self.error_code}" if self.error_code else ""
        detail = f": {self.detail}" if self.detail else ""
        fields = "".join(f"; {v.field}: {v.description}" for v in self.bad_request_fields)
        return f"{request}HTTP {self.status}{code}{detail}{fields}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.status}, {self.error_code!r}, {self.method} {self.path})"

    @property
    def meaning(self) -> str:
        return guide_for(self.status, self.error_code).meaning

    @property
    def next_step(self) -> str:
        return guide_for(self.status, self.error_code).next_step

    @property
    def retryable(self) -> bool:
        """Whether the same call may succeed later with nothing changed (rate limit, outage, propagation)."""
        return guide_for(self.status, self.error_code).transient


class AtlasAuthError(AtlasApiError):
    """The credentials were refused (401/403), or no OAuth token could be obtained."""


class AtlasConnectionError(AtlasError):
    """No usable answer from Atlas: connection failure or timeout, after any retries."""

    def __init__(self, method: str, url: str, cause: str, *, may_have_reached_server: bool) -> None:
        self.method = method
        self.url = url
        self.cause = cause
        self.may_have_reached_server = may_have_reached_server
        super().__init__(f"{method} {url}: {cause}")


class AtlasResponseError(AtlasError):
    """Atlas answered with success but a body the client cannot read.

    ``field`` names the damaged part (``awsKms``, ``results[2].stateName``, ``(body)``) when one is known;
    ``operation`` is the Atlas operation that answered, once the client has added it.
    """

    def __init__(self, message: str, *, field: str | None = None, operation: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.operation = operation

    def during(self, operation: str, method: str, path: str) -> AtlasResponseError:
        """This error, told as the answer to ``operation`` (``getGroupEncryptionAtRest``) at ``method path``."""
        return AtlasResponseError(f"{method} {path} ({operation}): {self}", field=self.field, operation=operation)


def loads_json(content: bytes) -> Any:
    """Decode a JSON body; ValueError for anything that is not JSON, absurd nesting included."""
    try:
        return json.loads(content)
    except RecursionError:
        raise ValueError("JSON nested too deeply to read") from None


def error_from_response(response: httpx.Response, method: str, path: str) -> AtlasApiError:
    """The typed exception for an error response, whether or not it carries the JSON envelope."""
    body = _json_object(response)
    if body is None:
        text = " ".join(response.text.split())[:200]
        content_type = response.headers.get("Content-Type", "no content type")
        detail = f"non-JSON error body ({content_type})" + (f": {text}" if text else "")
        body = {"detail": detail, "reason": response.reason_phrase}
    error_type = AtlasAuthError if response.status_code in (401, 403) else AtlasApiError
    bad_request = body.get("badRequestDetail")
    violations = bad_request.get("fields") if isinstance(bad_request, dict) else None
    parameters = body.get("parameters")
    return error_type(
        response.status_code,
        _text(body.get("errorCode")),
        _text(body.get("detail")),
        reason=_text(body.get("reason")),
        parameters=parameters if isinstance(parameters, list) else (),
        bad_request_fields=[
            FieldViolation(str(f.get("field", "")), str(f.get("description", "")))
            for f in (violations if isinstance(violations, list) else ())
            if isinstance(f, dict)
        ],
        method=method,
        path=path,
        retry_after=retry_after_seconds(response),
    )


def retry_after_seconds(response: httpx.Response) -> float | None:
    """The wait a ``Retry-After`` header asks for, in seconds; None when absent or unreadable.

    Atlas sends a number of seconds; the header may also be an HTTP date (RFC 9110), counted from the
    response's own ``Date`` so that a skewed local clock does not matter.
    """
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return _seconds_until(value, response.headers.get("Date"))
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _seconds_until(http_date: str, sent: str | None) -> float | None:
    try:
        until = parsedate_to_datetime(http_date)
        now = parsedate_to_datetime(sent) if sent else datetime.now(UTC)
    except (TypeError, ValueError):
        return None
    if until.tzinfo is None or now.tzinfo is None:  # HTTP dates are always GMT; anything else is not one
        return None
    return max(0.0, (until - now).total_seconds())


def error_code_of(response: httpx.Response) -> str | None:
    body = _json_object(response)
    return _text(body.get("errorCode")) if body else None


def describe_error(error: BaseException) -> ErrorExplanation:
    """What happened, what it means and what to do, for any exception the client can raise."""
    if isinstance(error, AtlasApiError):
        return ErrorExplanation(str(error), error.meaning, error.next_step, error.error_code)
    if isinstance(error, AtlasConnectionError):
        return _describe_connection_error(error)
    if isinstance(error, AtlasResponseError):
        next_step = (
            "Refresh to read it again; if Atlas keeps sending it, report the operation and field named above"
            if error.field
            else "Check the Atlas base URL points at the Atlas Administration API, not a proxy or login page"
        )
        return ErrorExplanation(str(error), "Atlas sent a response this tool cannot read", next_step)
    # Only the Atlas client's own messages are known to hold no secret; another error shows its type alone.
    what = f"{type(error).__name__}: {error}" if isinstance(error, AtlasError) else type(error).__name__
    return ErrorExplanation(
        what,
        "An unexpected error occurred while talking to Atlas",
        "Try again; if it repeats, report it together with the steps that led to it",
    )


def _describe_connection_error(error: AtlasConnectionError) -> ErrorExplanation:
    if "CERTIFICATE_VERIFY_FAILED" in error.cause:
        meaning = "The TLS certificate presented for Atlas could not be verified"
        next_step = "If a corporate proxy inspects TLS, point SSL_CERT_FILE at its CA bundle"
    elif error.may_have_reached_server:
        meaning = "Atlas did not answer in time; the request may still have been carried out"
        next_step = "Refresh the status to see whether the change was made before trying again"
    else:
        meaning = "Could not connect to Atlas"
        next_step = "Check the network, any HTTPS proxy settings and the Atlas base URL"
    return ErrorExplanation(str(error), meaning, next_step, None)


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = loads_json(response.content)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
