"""The sandbox's own control API under ``/_sandbox/`` (not part of Atlas): faults, the clock, a state dump.

It needs no credentials, so it answers loopback clients only.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from cmkwizard.sandbox.atlas_sim.faults import CONTROL_PREFIX, FaultRules
from cmkwizard.sandbox.atlas_sim.store import SimStore, iso
from cmkwizard.sandbox.clock import SandboxClock

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


class LoopbackOnly:
    """Refuses ``/_sandbox/`` requests that do not come from this machine."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path", "").startswith(CONTROL_PREFIX + "/"):
            client = scope.get("client") or ("", 0)
            if client[0] not in LOOPBACK_HOSTS:
                await _problem(403, "the sandbox control API answers loopback clients only")(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _problem(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status)


async def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except json.JSONDecodeError as exc:
        raise ValueError(f"the body is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


def control_routes(store: SimStore, clock: SandboxClock, faults: FaultRules) -> list[BaseRoute]:
    async def add_fault(request: Request) -> Response:
        try:
            body = await _json_object(request)
            rule = faults.add(
                str(body.get("method", "*")),
                str(body["path"]),
                str(body["kind"]),
                int(body.get("count", 1)),
                retry_after=int(body.get("retryAfter", 1)),
                seconds=float(body.get("seconds", 0.5)),
            )
        except KeyError as exc:
            return _problem(
                400, f"missing field {exc.args[0]}; send path, kind and optionally method, count, retryAfter, seconds"
            )
        except (TypeError, ValueError) as exc:
            return _problem(400, str(exc))
        return JSONResponse(rule.describe(), status_code=201)

    async def list_faults(request: Request) -> Response:
        return JSONResponse(faults.describe())

    async def clear_faults(request: Request) -> Response:
        faults.clear()
        return Response(status_code=204)

    async def advance_clock(request: Request) -> Response:
        try:
            seconds = float((await _json_object(request))["seconds"])
            clock.advance(seconds)
        except KeyError:
            return _problem(400, 'send {"seconds": <number of simulated seconds>}')
        except (TypeError, ValueError) as exc:
            return _problem(400, str(exc))
        return JSONResponse({"now": iso(clock.now())})

    async def state(request: Request) -> Response:
        dump = await run_in_threadpool(store.dump)
        return JSONResponse({"now": iso(clock.now()), "faults": faults.describe(), **dump})

    return [
        Route(f"{CONTROL_PREFIX}/faults", add_fault, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/faults", list_faults, methods=["GET"]),
        Route(f"{CONTROL_PREFIX}/faults", clear_faults, methods=["DELETE"]),
        Route(f"{CONTROL_PREFIX}/clock/advance", advance_clock, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/state", state, methods=["GET"]),
    ]
