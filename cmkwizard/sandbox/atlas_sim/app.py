"""The simulator as an ASGI app: authentication, routing, versioning, then the operation's handler."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cmkwizard.sandbox.atlas_sim import errors
from cmkwizard.sandbox.atlas_sim.auth import Authenticator
from cmkwizard.sandbox.atlas_sim.bodies import HEX_ID, parse_json
from cmkwizard.sandbox.atlas_sim.context import Call, Reply
from cmkwizard.sandbox.atlas_sim.control import LoopbackOnly, control_routes
from cmkwizard.sandbox.atlas_sim.errors import ApiError
from cmkwizard.sandbox.atlas_sim.faults import FaultMiddleware, FaultRules
from cmkwizard.sandbox.atlas_sim.media import media_type
from cmkwizard.sandbox.atlas_sim.operations import API_PREFIX, Operation, match
from cmkwizard.sandbox.atlas_sim.pagination import bool_param
from cmkwizard.sandbox.atlas_sim.ratelimit import RateLimits
from cmkwizard.sandbox.atlas_sim.store import Principal, Project, SimStore
from cmkwizard.sandbox.atlas_sim.verifier import Refusal, Verifiers
from cmkwizard.sandbox.clock import SandboxClock

log = logging.getLogger(__name__)

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class AdminApi:
    """Serves ``/api/atlas/v2/**``: every request is authenticated, routed, versioned, then handled."""

    def __init__(
        self, store: SimStore, verifiers: Verifiers, clock: SandboxClock, authenticator: Authenticator
    ) -> None:
        self.store = store
        self.verifiers = verifiers
        self.clock = clock
        self.authenticator = authenticator
        self.rate_limits = RateLimits()

    async def handle(self, request: Request) -> Response:
        try:
            status, body, version, headers = await self._handle(request)
        except (ApiError, Refusal) as raised:
            err = raised if isinstance(raised, ApiError) else ApiError.from_refusal(raised)
            return _render(request, err.status, err.body(), "application/json", err.headers)
        except Exception:  # an unforeseen failure is Atlas' 500, never a dropped request
            log.exception("unexpected error in the Atlas simulator for %s %s", request.method, request.url.path)
            err = errors.unexpected_error()
            return _render(request, err.status, err.body(), "application/json", {})
        return _render(request, status, body, media_type(version), headers)

    async def _handle(self, request: Request) -> tuple[int, Any, str, dict[str, str]]:
        principal = self.authenticator.authenticate(request)
        operation, params, allowed = match(request.method, request.url.path)
        if operation is None:
            if allowed:
                raise ApiError(
                    405,
                    "METHOD_NOT_ALLOWED",
                    f"{request.method} is not supported on {request.url.path}; use {', '.join(allowed)}.",
                    [request.method, request.url.path],
                    headers={"Allow": ", ".join(allowed)},
                )
            raise errors.resource_not_found(request.url.path)
        version = operation.versions.resolve(request.headers.get("accept"), self.clock.now())
        body = await _request_body(request)
        scope = params.get("groupId") or principal.id
        headers = self.rate_limits.take(operation.path, scope, operation.rate_limit, self.clock.now())
        reply = await run_in_threadpool(self._execute, operation, request, principal, params, body, version)
        return reply.status, reply.body, version, headers

    def _execute(
        self,
        operation: Operation,
        request: Request,
        principal: Principal,
        params: dict[str, str],
        body: Any,
        version: str,
    ) -> Reply:
        with self.store.lock:
            project = self._authorized_project(operation, principal, params)
            call = Call(
                store=self.store,
                verifiers=self.verifiers,
                now=self.clock.now(),
                principal=principal,
                params=params,
                query=request.query_params,
                url=request.url,
                body=body,
                version=version,
                project_or_none=project,
            )
            return operation.handler(call)

    def _authorized_project(self, operation: Operation, principal: Principal, params: dict[str, str]) -> Project | None:
        if "orgId" in params and not HEX_ID.match(params["orgId"]):
            raise errors.invalid_id("orgId", params["orgId"])
        group_id = params.get("groupId")
        if group_id is None:
            return None
        if not HEX_ID.match(group_id):
            raise errors.invalid_id("groupId", group_id)
        project = self.store.projects.get(group_id)
        if project is None:
            raise errors.group_not_found(group_id)
        needed = operation.access
        if needed is not None and principal.project_role not in needed.roles:
            raise errors.role_too_low(needed.label, status=needed.status)
        return project


async def _request_body(request: Request) -> Any:
    if request.method not in _BODY_METHODS:
        return None
    raw = await request.body()
    if not raw.strip():
        return None
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not (content_type == "application/json" or content_type.startswith("application/vnd.atlas.")):
        raise ApiError(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            f"Unsupported Content-Type {content_type or 'none'}; send application/vnd.atlas.<version>+json.",
            [content_type],
        )
    return parse_json(raw)


def _render(request: Request, status: int, body: Any, content_type: str, headers: dict[str, str]) -> Response:
    """Apply the ``envelope`` and ``pretty`` query parameters every Atlas operation accepts."""
    query = request.query_params
    try:
        envelope = bool_param(query, "envelope", False)
        pretty = bool_param(query, "pretty", False)
    except ApiError:
        envelope = pretty = False
    if status == 204 and not envelope:
        return Response(status_code=204, headers=headers)
    if envelope:
        body, status = {"content": body, "status": status}, 200
    text = json.dumps(body, indent=2 if pretty else None)
    return Response(text, status_code=status, media_type=content_type, headers=headers)


def create_app(
    store: SimStore,
    verifiers: Verifiers,
    clock: SandboxClock,
    *,
    extra_routes: Sequence[BaseRoute] = (),
    faults: FaultRules | None = None,
    authenticator: Authenticator | None = None,
) -> Starlette:
    """The simulated Atlas Admin API v2, OAuth token endpoints, and the loopback-only ``/_sandbox/`` controls.

    ``extra_routes`` lets the sandbox runner add its own controls (they should live under ``/_sandbox/`` to be
    loopback-only). The fault rules are reachable as ``app.state.faults``.
    """
    faults = faults or FaultRules()
    authenticator = authenticator or Authenticator(store)
    api = AdminApi(store, verifiers, clock, authenticator)
    all_methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    routes: list[BaseRoute] = [
        Route("/api/oauth/token", authenticator.token_endpoint, methods=["POST"]),
        Route("/api/oauth/revoke", authenticator.revoke_endpoint, methods=["POST"]),
        Route(API_PREFIX, api.handle, methods=all_methods),
        Route(API_PREFIX + "/{rest:path}", api.handle, methods=all_methods),
        *control_routes(store, clock, faults),
        *extra_routes,
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(FaultMiddleware, rules=faults), Middleware(LoopbackOnly)],
    )
    app.state.faults = faults
    app.state.store = store
    app.state.clock = clock
    return app
