"""Controls the sandbox adds to the simulator's loopback-only ``/_sandbox/`` API.

``POST /_sandbox/outage`` with ``{"region": "us-east-1", "down": true}`` makes AWS KMS in that region
unreachable for everyone, Atlas and the wizard alike (``"down": false`` ends the outage); the answer
lists the regions now down, and so does ``GET /_sandbox/outage``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Set

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

OUTAGE_PATH = "/_sandbox/outage"
_USAGE = 'send {"region": "<AWS region, e.g. us-east-1 or US_EAST_1>", "down": true|false}'


def outage_route(switch: Callable[[str, bool], None], regions_down: Callable[[], Set[str]]) -> Route:
    """The route that calls ``switch(region, down)`` (POST) and answers with ``regions_down()``."""

    async def set_outage(request: Request) -> Response:
        try:
            body = json.loads(await request.body() or b"{}")
        except json.JSONDecodeError as exc:
            return _problem(f"the body is not JSON ({exc}); {_USAGE}")
        if not isinstance(body, dict) or not isinstance(body.get("region"), str):
            return _problem(f"region is missing; {_USAGE}")
        down = body.get("down", True)
        if not isinstance(down, bool):
            return _problem(f"down must be true or false, got {down!r}; {_USAGE}")
        try:
            switch(body["region"], down)
        except ValueError as exc:
            return _problem(str(exc))
        return JSONResponse({"region": body["region"], "down": down, "regionsDown": sorted(regions_down())})

    async def outage(request: Request) -> Response:
        if request.method == "GET":
            return JSONResponse({"regionsDown": sorted(regions_down())})
        return await set_outage(request)

    return Route(OUTAGE_PATH, outage, methods=["GET", "POST"])


def _problem(message: str) -> Response:
    return JSONResponse({"error": message}, status_code=400)
