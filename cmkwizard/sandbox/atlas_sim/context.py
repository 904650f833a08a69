"""What an operation handler gets: the request's parts, the caller, the project, the time and the clouds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.datastructures import URL, QueryParams

from cmkwizard.sandbox.atlas_sim.errors import ApiError
from cmkwizard.sandbox.atlas_sim.store import Principal, Project, SimStore
from cmkwizard.sandbox.atlas_sim.verifier import Verifiers


@dataclass
class Call:
    store: SimStore
    verifiers: Verifiers
    now: datetime
    principal: Principal
    params: dict[str, str]
    query: QueryParams
    url: URL
    body: Any
    version: str
    project_or_none: Project | None = None

    @property
    def project(self) -> Project:
        if self.project_or_none is None:
            raise RuntimeError("this operation is not scoped to a project")
        return self.project_or_none

    @property
    def group_id(self) -> str:
        return self.project.id


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any = None


Handler = Callable[[Call], Reply]


def ok(body: Any) -> Reply:
    return Reply(200, body)


def no_content() -> Reply:
    return Reply(204)


def require_body(call: Call) -> Any:
    if call.body is None:
        raise ApiError(400, "MALFORMED_JSON", "Received JSON is malformed: the request has no body.")
    return call.body
