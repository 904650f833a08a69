"""Test harness for the Atlas simulator: scripted cloud verifiers, clients per credential, spec checks.

Import explicitly (``from tests.sandbox.sim_fixtures import ...``); the fixtures are registered by the test
modules that use them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from cmkwizard.sandbox.atlas_sim import SimStore, SimTimings, create_app
from cmkwizard.sandbox.atlas_sim.auth import Authenticator
from cmkwizard.sandbox.atlas_sim.scenarios import CloudFixtures, SeedResult, seed_scenario
from cmkwizard.sandbox.atlas_sim.verifier import Refusal, Verifiers
from cmkwizard.sandbox.clock import SandboxClock
from tests.support.openapi import atlas_spec

BASE_URL = "http://atlas.test"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TIMINGS = SimTimings(
    cluster_update=120,
    endpoint_provisioning=180,
    endpoint_deletion=60,
    endpoint_recreation=60,
    approval_reflection=30,
    key_validation=30,
)


def check_against_spec(response: httpx.Response) -> None:
    """Validate a response (and, for a success, its request) against the Atlas spec."""
    spec = atlas_spec()
    request = response.request
    try:
        operation = spec.operation(request.method, request.url.path)
    except AssertionError:
        return  # not an Atlas operation (an unknown path answered with 404)
    if str(response.status_code) not in operation["responses"]:
        return  # a status the spec does not document for this operation (406, 410, 415)
    checks = [lambda: spec.validate_response(request, response)]
    if response.is_success:
        checks.append(lambda: spec.validate_request(request))
    for check in checks:
        check()


class _Scripted:
    """Every check passes unless a test scripts a refusal for it; calls are recorded."""

    def __init__(self) -> None:
        self.refusals: dict[str, Refusal] = {}
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def refuse(self, check: str, error_code: str, detail: str = "refused by the test", status: int = 400) -> None:
        self.refusals[check] = Refusal(status, error_code, detail)

    def accept(self, check: str) -> None:
        self.refusals.pop(check, None)

    def _answer(self, check: str, *args: Any) -> None:
        self.calls.append((check, args))
        refusal = self.refusals.get(check)
        if refusal is not None:
            raise refusal

    def count(self, check: str) -> int:
        return sum(1 for name, _ in self.calls if name == check)


class ScriptedAws(_Scripted):
    def check_assume_role(self, role_arn: str, atlas_principal_arn: str, external_id: str) -> None:
        self._answer("check_assume_role", role_arn, atlas_principal_arn, external_id)

    def check_key_access(self, role_arn: str, key_id: str, region: str) -> None:
        self._answer("check_key_access", role_arn, key_id, region)


class ScriptedAzure(_Scripted):
    def __init__(self) -> None:
        super().__init__()
        self.connections: dict[tuple[str, str], str] = {}

    def check_service_principal(self, tenant_id: str, service_principal_id: str, atlas_azure_app_id: str) -> None:
        self._answer("check_service_principal", tenant_id, service_principal_id, atlas_azure_app_id)

    def check_key_access(self, key_identifier: str, key_vault_name: str, service_principal_id: str | None) -> None:
        self._answer("check_key_access", key_identifier, key_vault_name, service_principal_id)

    def register_endpoint_connection(self, key_vault_name: str, connection_name: str, region: str) -> None:
        self._answer("register_endpoint_connection", key_vault_name, connection_name, region)
        self.connections[(key_vault_name, connection_name)] = "Pending"

    def endpoint_connection_status(self, key_vault_name: str, connection_name: str) -> str:
        return self.connections.get((key_vault_name, connection_name), "Disconnected")

    def set_all(self, status: str) -> None:
        for key in self.connections:
            self.connections[key] = status


@dataclass
class Monotonic:
    """A hand-driven monotonic clock for nonce and token expiry."""

    value: float = 1000.0

    def __call__(self) -> float:
        return self.value


@dataclass
class Sim:
    store: SimStore
    clock: SandboxClock
    aws: ScriptedAws
    azure: ScriptedAzure
    monotonic: Monotonic
    app: Any
    seed: SeedResult
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    @property
    def group(self) -> str:
        return f"/api/atlas/v2/groups/{self.seed.project_id}"

    @property
    def project(self) -> Any:
        return self.store.projects[self.seed.project_id]

    def client(self, who: str = "owner", **kwargs: Any) -> httpx.AsyncClient:
        creds = self.store.credentials
        auth: httpx.Auth | None = {
            "owner": httpx.DigestAuth(creds.public_key, creds.private_key),
            "readonly": httpx.DigestAuth(creds.readonly_public_key, creds.readonly_private_key),
            "anonymous": None,
        }[who]
        kwargs.setdefault("auth", auth)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(self.app), base_url=BASE_URL, **kwargs)
        self.clients.append(client)
        return client


def make_sim(scenario: str = "fresh", fixtures: CloudFixtures | None = None) -> Sim:
    store = SimStore(TIMINGS)
    clock = SandboxClock(speed=0.0, start=START)
    seed = seed_scenario(store, scenario, fixtures or CloudFixtures(), now=clock.now())
    aws, azure, monotonic = ScriptedAws(), ScriptedAzure(), Monotonic()
    app = create_app(store, Verifiers(aws, azure), clock, authenticator=Authenticator(store, monotonic=monotonic))
    return Sim(store, clock, aws, azure, monotonic, app, seed)


def sim_fixture(scenario: str, fixtures: CloudFixtures | None = None) -> Callable[[], AsyncIterator[Sim]]:
    """A pytest fixture giving a fresh simulator seeded with ``scenario`` for each test."""

    @pytest.fixture
    async def fixture() -> AsyncIterator[Sim]:
        sim = make_sim(scenario, fixtures)
        yield sim
        for client in sim.clients:
            await client.aclose()

    return fixture


def versioned(version: str = "2023-01-01", body: bool = False) -> dict[str, str]:
    headers = {"Accept": f"application/vnd.atlas.{version}+json"}
    if body:
        headers["Content-Type"] = headers["Accept"]
    return headers


async def call(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    *,
    version: str = "2023-01-01",
    json: Any = None,
    params: Any = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """One Atlas request with versioned media types; the exchange is checked against the spec."""
    sent = {**versioned(version, body=json is not None), **(headers or {})}
    response = await client.request(method, path, json=json, params=params, headers=sent)
    check_against_spec(response)
    return response


def assert_error(response: httpx.Response, status: int, error_code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["error"] == status
    assert body["errorCode"] == error_code, body
    assert body["reason"] and body["detail"]
    return body
