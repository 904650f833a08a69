"""Injected faults: rate limiting, server errors, latency and dropped connections, each for N requests.

A rule matches a request by method ("*" for any) and a regular expression searched in the path. Faults
act before authentication, as a gateway in front of Atlas would. A connection is dropped either before
Atlas acted ("drop": the request never reached it) or after ("drop-after": Atlas handled the request,
made its change, and the answer was lost on the way back), the case a client cannot tell apart.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import threading
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cmkwizard.sandbox.atlas_sim.errors import ApiError
from cmkwizard.sandbox.atlas_sim.ratelimit import rate_limited

KINDS = ("429", "500", "503", "latency", "drop", "drop-after")
CONTROL_PREFIX = "/_sandbox"


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised inside the app after the response has started, so the server closes the connection mid-response.

    It is an httpx transport error so that a client using ``httpx.ASGITransport`` in-process sees the same
    kind of failure as one talking to uvicorn over a socket.
    """


@dataclass
class FaultRule:
    id: int
    method: str
    path: re.Pattern[str]
    kind: str
    remaining: int
    retry_after: int = 1
    seconds: float = 0.5

    def matches(self, method: str, path: str) -> bool:
        return self.remaining > 0 and self.method in ("*", method) and self.path.search(path) is not None

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "method": self.method,
            "path": self.path.pattern,
            "kind": self.kind,
            "remaining": self.remaining,
            "retryAfter": self.retry_after,
            "seconds": self.seconds,
        }


class FaultRules:
    """Thread-safe list of fault rules; the first matching rule with uses left applies to a request."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(
        self,
        method: str,
        path_regex: str,
        kind: str,
        count: int = 1,
        *,
        retry_after: int = 1,
        seconds: float = 0.5,
    ) -> FaultRule:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {', '.join(KINDS)}")
        if count < 1:
            raise ValueError(f"a fault applies to at least one request, got count={count}")
        if retry_after < 0 or seconds < 0:
            raise ValueError("retry_after and seconds must not be negative")
        try:
            pattern = re.compile(path_regex)
        except re.error as exc:
            raise ValueError(f"invalid path regular expression {path_regex!r}: {exc}") from None
        with self._lock:
            rule = FaultRule(next(self._ids), method.upper(), pattern, kind, count, retry_after, seconds)
            self._rules.append(rule)
            return rule

    def take(self, method: str, path: str) -> FaultRule | None:
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path):
                    rule.remaining -= 1
                    return rule
            return None

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [rule.describe() for rule in self._rules if rule.remaining > 0]


def fault_error(rule: FaultRule, path: str) -> ApiError:
    if rule.kind == "429":
        return rate_limited(path, rule.retry_after, capacity=100, refill=10)
    if rule.kind == "503":
        return ApiError(
            503,
            "SERVICE_UNAVAILABLE",
            "Service unavailable; retry later.",
            headers={"Retry-After": str(rule.retry_after)},
        )
    return ApiError(500, "UNEXPECTED_ERROR", "Unexpected error.")


async def _discard(message: Message) -> None:
    """Swallows the app's answer: the request was handled, nothing of the answer leaves."""


async def _drop(send: Send) -> None:
    """Start an answer that promises a body, then break the connection before any of it is sent."""
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"4096")]})
    raise ConnectionDropped("the sandbox dropped the connection (injected fault)")


class FaultMiddleware:
    def __init__(self, app: ASGIApp, rules: FaultRules) -> None:
        self.app = app
        self.rules = rules

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        rule = self.rules.take(scope["method"], path)
        if rule is None:
            await self.app(scope, receive, send)
        elif rule.kind == "latency":
            await asyncio.sleep(rule.seconds)
            await self.app(scope, receive, send)
        elif rule.kind == "drop":
            await _drop(send)
        elif rule.kind == "drop-after":
            await self.app(scope, receive, _discard)
            await _drop(send)
        else:
            await fault_error(rule, path).response()(scope, receive, send)
