"""Sandbox projects reached in-process; waits advance the sandbox clock instead of sleeping.

Starting a sandbox takes about a second, so "fresh" tests share one and each gets a project of its own
(seeded with the scenario API) and an IAM role name of its own. Other scenarios get their own sandbox.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from cmkwizard.atlas import AtlasClient, Exchange
from cmkwizard.atlas.auth import digest_auth
from cmkwizard.aws.adapters import AwsAccount
from cmkwizard.journal import Journal
from cmkwizard.journeys.aws_inputs import OnboardAwsInputs
from cmkwizard.journeys.base import CloudSession, Journey, JourneyRun, ProgressEvent
from cmkwizard.journeys.onboard_aws import ONBOARD_AWS
from cmkwizard.sandbox import Sandbox
from cmkwizard.sandbox.atlas_sim.scenarios import CloudFixtures, seed_scenario
from cmkwizard.sandbox.cloud_seed import ROLE_NAME
from cmkwizard.state import ProjectState, read_project_state


@dataclass
class World:
    """One sandbox project and everything a journey run needs to act on it."""

    sandbox: Sandbox
    project_id: str
    role_name: str
    journal_dir: Path
    exchanges: list[Exchange] = field(default_factory=list)
    events: list[ProgressEvent] = field(default_factory=list)
    clients: list[AtlasClient] = field(default_factory=list)

    async def sleep(self, seconds: float) -> None:
        self.sandbox.clock.advance(seconds)
        await asyncio.sleep(0)

    def client(self, *, read_only: bool = False, transport: httpx.AsyncBaseTransport | None = None) -> AtlasClient:
        """A client of the simulator, in-process unless ``transport`` (wrapping the in-process one) is given."""
        info = self.sandbox.info
        public, private = (
            (info.readonly_public_key, info.readonly_private_key) if read_only else (info.public_key, info.private_key)
        )
        client = AtlasClient(
            "http://atlas.sandbox",
            digest_auth(public, private),
            transport=transport or httpx.ASGITransport(app=self.sandbox.atlas_app),
            tracer=self.exchanges.append,
            sleep=self.sleep,
        )
        self.clients.append(client)
        return client

    def aws(self) -> AwsAccount:
        return AwsAccount(region="us-east-1", endpoint_url=self.sandbox.info.aws_endpoint_url)

    def journal(self) -> Journal:
        return Journal.for_project(self.project_id, clock=self.sandbox.clock, directory=self.journal_dir)

    def run(self, inputs: OnboardAwsInputs, *, with_aws: bool = True) -> JourneyRun[OnboardAwsInputs]:
        """A run of the AWS onboarding, as after starting the wizard again: a new client and the journal on disk."""
        return self.start(ONBOARD_AWS, inputs, with_aws=with_aws)

    def start(self, journey: Journey[Any], inputs: Any, *, with_aws: bool = True) -> JourneyRun[Any]:
        """A run of `journey` (its unfinished one, else a new one), with a new client and the journal on disk."""
        return journey.start(
            client=self.client(),
            project_id=self.project_id,
            inputs=inputs,
            journal=self.journal(),
            cloud=CloudSession("AWS", self.aws()) if with_aws else None,
            sleep=self.sleep,
            clock=self.sandbox.clock,
        )

    def writes(self) -> list[Exchange]:
        """Every request sent so far that could change something (anything but a read)."""
        return [e for e in self.exchanges if e.method != "GET"]

    async def state(self) -> ProjectState:
        return await read_project_state(self.client(), self.project_id, clock=self.sandbox.clock)

    def boto(self, service: str, region: str = "us-east-1"):
        return self.sandbox.moto.client(service, region)


@pytest.fixture(scope="session")
def shared_sandbox() -> Iterator[Sandbox]:
    with Sandbox(scenario="fresh", speed=0.0) as sandbox:
        yield sandbox


@pytest.fixture
async def world(
    request: pytest.FixtureRequest, shared_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[World]:
    """A "fresh" project unless a test parametrizes ``world`` indirectly with another scenario.

    The sandbox clock stands still (speed 0): only the journeys' waits move it.
    """
    scenario = getattr(request, "param", "fresh")
    with contextlib.ExitStack() as stack:
        if scenario == "fresh":
            sandbox = shared_sandbox
            fixtures = CloudFixtures(aws_account_id=sandbox.info.aws_account_id)
            project_id = seed_scenario(sandbox.store, scenario, fixtures, now=sandbox.clock.now()).project_id
            role_name = f"{ROLE_NAME}-{project_id[-8:]}"
        else:
            sandbox = stack.enter_context(Sandbox(scenario=scenario, speed=0.0))
            project_id, role_name = sandbox.info.project_id, ROLE_NAME
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", sandbox.info.aws_access_key_id)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", sandbox.info.aws_secret_access_key)
        world = World(sandbox, project_id, role_name, tmp_path / "journal")
        yield world
        for client in world.clients:
            await client.aclose()
