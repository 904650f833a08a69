"""Two wizards on the same project at once: each run acts on what the other just did, never beside it."""

from __future__ import annotations

import asyncio

import httpx

from cmkwizard.atlas.models import ENDPOINT_ACTIVE, PROVIDER_AWS
from cmkwizard.journeys.onboard_aws import ONBOARD_AWS
from tests.journeys.test_onboard_aws import CHOSEN_CLUSTERS, full_inputs


async def test_two_onboardings_at_once_make_one_role_and_one_endpoint(world):
    first, second = world.run(await full_inputs(world)), world.run(await full_inputs(world))

    await asyncio.gather(ONBOARD_AWS.run(first, world.events.append), ONBOARD_AWS.run(second, world.events.append))

    state = await world.state()
    assert len(state.access.aws_roles) == 1
    role = state.access.aws_roles[0]
    assert first.inputs.role_id == second.inputs.role_id == role.role_id
    assert role.authorized and role.used_for_encryption
    kms = state.encryption.aws_kms
    assert kms.enabled and kms.valid is True
    assert {state.cluster(n).encryption_at_rest_provider for n in CHOSEN_CLUSTERS} == {PROVIDER_AWS}
    endpoints = [(e.region_name, e.status) for e in state.endpoints_for(PROVIDER_AWS)]
    assert endpoints == [("US_EAST_1", ENDPOINT_ACTIVE)]


class OtherWizardFirst(httpx.AsyncBaseTransport):
    """Sends the other wizard's request just before this run's first request matching ``method`` and ``path``."""

    def __init__(self, inner: httpx.AsyncBaseTransport, method: str, path: str, other) -> None:
        self.inner, self.method, self.path, self.other = inner, method, path, other
        self.done = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.done and request.method == self.method and request.url.path.endswith(self.path):
            self.done = True
            await self.other()
        return await self.inner.handle_async_request(request)


async def test_a_role_created_by_another_wizard_a_moment_before_ours_is_the_one_kept(world):
    other = world.client()
    others: list[str] = []

    async def other_wizard_creates_a_role() -> None:
        others.append((await other.create_aws_role(world.project_id)).role_id)

    run = world.run(await full_inputs(world))
    transport = OtherWizardFirst(
        httpx.ASGITransport(app=world.sandbox.atlas_app), "POST", "/cloudProviderAccess", other_wizard_creates_a_role
    )
    run.client = world.client(transport=transport)

    await ONBOARD_AWS.run(run, world.events.append, stop_after="role")

    roles = (await world.state()).access.aws_roles
    assert [r.role_id for r in roles] == others == [run.inputs.role_id]
    removed = [e for e in world.journal().entries() if "remove Atlas role" in e.get("what", "")]
    assert len(removed) == 1 and others[0] in removed[0]["what"]
