"""Private endpoints: statuses explained, FAILED replaced, removal waiting out Atlas' refusal."""

from __future__ import annotations

import pytest

from cmkwizard.journeys.aws_inputs import OnboardAwsInputs
from cmkwizard.journeys.base import StepError, StepState
from cmkwizard.journeys.onboard_aws import ONBOARD_AWS
from cmkwizard.journeys.private_endpoints import explain_endpoint, remove_private_endpoint
from cmkwizard.sandbox.cloud_seed import KEY_ALIAS
from cmkwizard.state import read_project_state

FAILURE = "The VPC endpoint service rejected the connection: quota of interface endpoints reached"


async def enabled_project(world, regions=("us-east-1",)) -> OnboardAwsInputs:
    inputs = OnboardAwsInputs(manage_trust_policy=True, attach_key_policy=True, clusters=())
    inputs.set_role_arn(world.role_name, world.sandbox.info.aws_account_id)
    inputs.set_key(world.boto("kms").describe_key(KeyId=KEY_ALIAS)["KeyMetadata"]["Arn"])
    inputs.set_private_endpoint_regions(regions)
    await ONBOARD_AWS.run(world.run(inputs), stop_after="enable")
    return inputs


def seed_endpoint(world, region: str, status: str, error: str | None = None):
    endpoint = world.sandbox.store.add_endpoint(
        world.project_id, "AWS", region, status, world.sandbox.clock.now(), "vpce-0123456789abcdef0"
    )
    endpoint.error_message = error
    return endpoint


async def test_failed_endpoint_is_explained_and_blocks_until_replacement_is_chosen(world):
    inputs = await enabled_project(world)
    seed_endpoint(world, "US_EAST_1", "FAILED", FAILURE)
    step = ONBOARD_AWS.step("private_endpoints")

    view = step.assess(await world.state(), inputs)
    assert view.state is StepState.BLOCKED
    assert FAILURE in view.summary and "create it again" in view.summary
    with pytest.raises(StepError) as caught:
        await step.apply(world.run(inputs), world.events.append)
    assert FAILURE in caught.value.meaning

    inputs.replace_failed_endpoints = True
    await step.apply(world.run(inputs), world.events.append)

    endpoints = (await world.state()).endpoints_for("AWS")
    assert [(e.region_name, e.status) for e in endpoints] == [("US_EAST_1", "ACTIVE")]
    assert any("removing the private endpoint" in e.message for e in world.events)


async def test_removal_waits_while_atlas_is_still_provisioning(world):
    inputs = await enabled_project(world)
    await ONBOARD_AWS.step("private_endpoints").apply(world.run(inputs), world.events.append)
    client = world.client()
    [endpoint] = await client.list_private_endpoints(world.project_id, "AWS")
    # A second region, just created and still INITIATING: Atlas refuses to delete it yet.
    fresh = await client.create_private_endpoint(world.project_id, "AWS", "US_WEST_2")
    assert fresh.status == "INITIATING"

    await remove_private_endpoint(world.run(OnboardAwsInputs()), world.events.append, "AWS", fresh, step_key="x")

    remaining = await client.list_private_endpoints(world.project_id, "AWS")
    assert [e.id for e in remaining] == [endpoint.id]
    refusals = [e for e in world.events if "refuses to remove" in e.message]
    assert refusals and refusals[0].waiting_until is not None
    assert "INITIATING" in refusals[0].message


async def test_a_second_run_never_creates_a_duplicate_endpoint(world):
    inputs = await enabled_project(world, regions=("us-east-1", "us-west-2"))
    step = ONBOARD_AWS.step("private_endpoints")
    await step.apply(world.run(inputs), world.events.append)
    await step.apply(world.run(inputs), world.events.append)

    state = await world.state()
    assert sorted((e.region_name, e.status) for e in state.endpoints_for("AWS")) == [
        ("US_EAST_1", "ACTIVE"),
        ("US_WEST_2", "ACTIVE"),
    ]
    assert step.assess(state, inputs).state is StepState.DONE
    assert state.encryption.aws_kms.enabled and state.encryption.aws_kms.require_private_networking


async def test_pending_recreation_is_explained_with_what_happens_next(world):
    await enabled_project(world)
    seed_endpoint(world, "EU_WEST_1", "PENDING_RECREATION")
    state = await world.state()

    [recreating] = [e for e in state.endpoints_for("AWS") if e.region_name == "EU_WEST_1"]

    assert "Atlas is recreating it" in explain_endpoint(recreating)
    assert "INITIATING" in explain_endpoint(recreating)


async def test_without_project_owner_the_endpoints_step_says_why_it_cannot_go_on(world):
    inputs = await enabled_project(world)

    state = await read_project_state(world.client(read_only=True), world.project_id)
    view = ONBOARD_AWS.step("private_endpoints").assess(state, inputs)

    assert view.state is StepState.BLOCKED
    assert "Project Owner" in view.reason


async def test_private_endpoints_are_offered_until_the_operator_decides(world):
    inputs = OnboardAwsInputs(manage_trust_policy=True, attach_key_policy=True, clusters=())
    inputs.set_role_arn(world.role_name, world.sandbox.info.aws_account_id)
    inputs.set_key(world.boto("kms").describe_key(KeyId=KEY_ALIAS)["KeyMetadata"]["Arn"])
    await ONBOARD_AWS.run(world.run(inputs), stop_after="enable")
    state = await world.state()

    assert ONBOARD_AWS.current(state, inputs).key == "private_endpoints"
    assert "Choose the regions" in ONBOARD_AWS.step("private_endpoints").assess(state, inputs).reason

    inputs.set_private_endpoint_regions([])
    assert ONBOARD_AWS.step("private_endpoints").assess(state, inputs).state is StepState.SKIPPED
    assert ONBOARD_AWS.current(state, inputs).key == "summary"
