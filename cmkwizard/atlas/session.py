"""Sending Atlas calls: versioned headers, retries, tracing, error mapping and pagination.

Retries follow what is safe for the call. A 429 is always retried (Atlas refused the request, so
nothing happened), after at least the ``Retry-After`` it names. 5xx answers, timeouts and broken
connections are retried only for idempotent calls, or when the request never left this machine;
a create that may have reached Atlas is never sent twice. When the retries give up, the last
refusal is raised with the wait Atlas named (``AtlasApiError.retry_after``) for the caller to honour.
"""

from __future__ import annotations

import json
import random
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from cmkwizard import __version__
from cmkwizard.atlas.body import Body
from cmkwizard.atlas.endpoints import Endpoint
from cmkwizard.atlas.errors import (
    AtlasConnectionError,
    AtlasError,
    AtlasResponseError,
    error_code_of,
    error_from_response,
    loads_json,
)
from cmkwizard.redaction import redact

USER_AGENT = f"cmkwizard/{__version__}"
ITEMS_PER_PAGE = 500
# Far beyond any project (500 items a page); stops a server that keeps answering "next" forever.
MAX_PAGES = 1000
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
# These failures happen before any byte of the request reaches Atlas.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 30.0
    max_total_wait: float = 120.0

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter: uniform in [0, min(max_delay, base_delay * 2^(attempt-1))]."""
        return random.uniform(0.0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


@dataclass(frozen=True)
class Exchange:
    """One attempt of one call, as handed to the tracer. ``request_body`` is already redacted."""

    method: str
    path: str
    query: str
    media_type: str
    request_body: Any
    status: int | None  # None when no response arrived
    duration_ms: float
    error_code: str | None  # Atlas' errorCode, or the transport failure's name when no response arrived
    attempt: int


Tracer = Callable[[Exchange], None]
Sleep = Callable[[float], Awaitable[object]]


class AtlasSession:
    def __init__(
        self,
        base_url: str,
        auth: httpx.Auth | None,
        *,
        transport: httpx.AsyncBaseTransport | None,
        timeout: float,
        retry: RetryPolicy,
        tracer: Tracer | None,
        sleep: Sleep,
        verify: bool | ssl.SSLContext,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.request_count = 0
        self._retry = retry
        self._tracer = tracer
        self._sleep = sleep
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            auth=auth,
            transport=transport,
            timeout=timeout,
            verify=verify,
            headers={"User-Agent": USER_AGENT},
            event_hooks={"request": [self._count]},
        )

    async def _count(self, _request: httpx.Request) -> None:
        self.request_count += 1

    async def aclose(self) -> None:
        await self._http.aclose()

    async def call(
        self,
        endpoint: Endpoint,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Any:
        """Send one call (with retries) and return its decoded JSON body, or ``None`` when empty."""
        response = await self._send(endpoint, path, params, body)
        if not response.content:
            return None
        try:
            return loads_json(response.content)
        except ValueError:
            content_type = response.headers.get("Content-Type", "no content type")
            raise AtlasResponseError(
                f"HTTP {response.status_code} with a body that is not JSON ({content_type})"
            ) from None

    async def pages(
        self, endpoint: Endpoint, path: str, params: Mapping[str, Any] | None = None
    ) -> AsyncIterator[list[Any]]:
        """Each page's ``results``, following ``links[rel=next]`` until there is none."""
        query: dict[str, Any] = {**(params or {}), "itemsPerPage": ITEMS_PER_PAGE, "pageNum": 1}
        for _ in range(MAX_PAGES):
            page = await self.call(endpoint, path, params=query)
            results = results_of(page)
            yield results
            next_href = _next_link(page)
            if next_href is not None:
                # Only the path and query are taken: credentials never follow a link to another host.
                try:
                    next_url = httpx.URL(next_href)
                except httpx.InvalidURL:
                    raise AtlasResponseError(
                        f"links: the next page's link is not a URL: {next_href[:200]!r}", field="links"
                    ) from None
                path, query = next_url.path, dict(next_url.params.multi_items())
            elif "links" not in page and len(results) >= ITEMS_PER_PAGE:
                query = {**query, "pageNum": _page_number(query) + 1}
            else:
                return
        raise AtlasResponseError(f"Atlas kept returning pages after {MAX_PAGES}", field="links")

    async def _send(
        self, endpoint: Endpoint, path: str, params: Mapping[str, Any] | None, body: Mapping[str, Any] | None
    ) -> httpx.Response:
        headers = {"Accept": endpoint.media_type}
        content = None
        if body is not None:
            headers["Content-Type"] = endpoint.media_type
            content = json.dumps(body).encode()
        attempt, waited = 0, 0.0
        while True:
            attempt += 1
            request = self._http.build_request(endpoint.method, path, params=params, headers=headers, content=content)
            started = time.perf_counter()
            try:
                response = await self._http.send(request)
            except httpx.TransportError as exc:
                self._trace(request, endpoint, body, None, started, type(exc).__name__, attempt)
                failure: AtlasError = _connection_error(request, exc)
                retry_allowed = endpoint.idempotent or isinstance(exc, _NOT_SENT)
                delay = self._retry.backoff(attempt)
            else:
                code = error_code_of(response) if response.is_error else None
                self._trace(request, endpoint, body, response.status_code, started, code, attempt)
                if response.is_success:
                    return response
                refusal = error_from_response(response, endpoint.method, request.url.path)
                status = response.status_code
                # A 429 means Atlas refused the call, so even a create can be sent again.
                retry_allowed = status in RETRYABLE_STATUSES and (endpoint.idempotent or status == 429)
                delay = max(refusal.retry_after or 0.0, self._retry.backoff(attempt))
                failure = refusal
            out_of_budget = attempt >= self._retry.max_attempts or waited + delay > self._retry.max_total_wait
            if not retry_allowed or out_of_budget:
                raise failure
            await self._sleep(delay)
            waited += delay

    def _trace(
        self,
        request: httpx.Request,
        endpoint: Endpoint,
        body: Mapping[str, Any] | None,
        status: int | None,
        started: float,
        error_code: str | None,
        attempt: int,
    ) -> None:
        if self._tracer is None:
            return
        self._tracer(
            Exchange(
                method=endpoint.method,
                path=request.url.path,
                query=request.url.query.decode(),
                media_type=endpoint.media_type,
                request_body=None if body is None else redact(body),
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
                error_code=error_code,
                attempt=attempt,
            )
        )


def _connection_error(request: httpx.Request, exc: httpx.TransportError) -> AtlasConnectionError:
    cause = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        cause = f"timed out ({type(exc).__name__})"
    return AtlasConnectionError(
        request.method,
        str(request.url.copy_with(query=None)),
        cause,
        may_have_reached_server=not isinstance(exc, _NOT_SENT),
    )


def results_of(page: Any) -> list[Any]:
    """The ``results`` array of a list response."""
    body = Body(page)
    if "results" not in body.data:
        raise AtlasResponseError("the response has no results list", field="results")
    return body.items("results")


def _next_link(page: dict[str, Any]) -> str | None:
    for link in Body(page).objects("links"):
        href = link.text("href")
        if link.data.get("rel") == "next" and href is not None:
            return href
    return None


def _page_number(query: Mapping[str, Any]) -> int:
    number = str(query.get("pageNum", 1))
    if not number.isdigit():
        raise AtlasResponseError(f"links: the next page's link asks for page {number[:40]!r}", field="links")
    return int(number)
