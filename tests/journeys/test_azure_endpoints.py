"""Azure private endpoints when the vault's side says no: a rejected connection, a removed one that Atlas
recreates, and vault settings that private endpoints pin."""

from __future__ import annotations

import pytest

from cmkwizard.atlas.models import ENDPOINT_ACTIVE, ENDPOINT_FAILED
from cmkwizard.journeys.base import StepError, StepState
from cmkwizard.journeys.onboard_azure import ONBOARD_AZURE
from cmkwizard.journeys.private_endpoints import explain_endpoint
from cmkwizard.sandbox.azure_fake import APPROVED, DISCONNECTED, REJECTED
from cmkwizard.sandbox.cloud_seed import KEY_VAULT_NAME
from tests.journeys.azure_world import azure_world_fixture  # noqa: F401  (the `azure` fixture)
from tests.journeys.test_onboard_azure import full_inputs


async def endpoint_waiting_for_approval(azure):
    """Onboarded up to the endpoint, whose connection waits on the vault (no approval rights used)."""
    inputs = await full_inputs(azure)
    inputs.approve_endpoints = False
    await ONBOARD_AZURE.run(azure.run(inputs), azure.world.events.append, stop_after="clusters")
    with pytest.raises(StepError):
        await ONBOARD_AZURE.apply_step(azure.run(inputs), "private_endpoints", azure.world.events.append)
    [endpoint] = (await azure.world.state()).endpoints_for("AZURE")
    return inputs, endpoint.private_endpoint_connection_name


async def test_a_connection_rejected_on_the_vault_is_shown_with_atlas_reason_and_what_to_do(azure):
    inputs, name = await endpoint_waiting_for_approval(azure)
    azure.fake.set_endpoint_connection_status(KEY_VAULT_NAME, name, REJECTED, "not approved by the vault's owner")

    with pytest.raises(StepError) as failed:
        await ONBOARD_AZURE.apply_step(azure.run(inputs), "private_endpoints", azure.world.events.append)

    told = " ".join([str(failed.value), failed.value.meaning, failed.value.next_step])
    assert f"US_EAST_2: FAILED (The private endpoint connection {name} was rejected on key vault" in told
    assert "remove it and create it again" in told
    state = await azure.world.state()
    [endpoint] = state.endpoints_for("AZURE")
    assert endpoint.status == ENDPOINT_FAILED and "rejected" in explain_endpoint(endpoint)
    view = ONBOARD_AZURE.step("private_endpoints").assess(state, inputs)
    assert view.state is StepState.BLOCKED and "Remove the FAILED endpoints" in (view.reason or "")


async def test_a_removed_connection_is_followed_through_recreation_and_its_new_connection_approved(azure):
    inputs, name = await endpoint_waiting_for_approval(azure)
    azure.fake.set_endpoint_connection_status(KEY_VAULT_NAME, name, DISCONNECTED, "removed on the vault")
    inputs.approve_endpoints = True
    azure.world.events.clear()

    await ONBOARD_AZURE.apply_step(azure.run(inputs), "private_endpoints", azure.world.events.append)

    [endpoint] = (await azure.world.state()).endpoints_for("AZURE")
    new_name = endpoint.private_endpoint_connection_name
    assert endpoint.status == ENDPOINT_ACTIVE and new_name != name
    assert azure.fake.endpoint_connection(KEY_VAULT_NAME, new_name).status == APPROVED
    messages = [e.message for e in azure.world.events]
    assert any("PENDING_RECREATION, the connection was rejected or removed" in m for m in messages)
    assert any(f"approving connection {new_name}" in m for m in messages)


async def test_the_vault_settings_pinned_by_private_endpoints_are_refused_before_atlas_is_asked(azure):
    inputs = await full_inputs(azure)
    await ONBOARD_AZURE.run(azure.run(inputs), azure.world.events.append)
    inputs.set_resource_group("another-group")
    await ONBOARD_AZURE.apply_step(azure.run(inputs, with_azure=False), "key")
    azure.world.exchanges.clear()

    view = ONBOARD_AZURE.step("enable").assess(await azure.world.state(), inputs)
    assert view.state is StepState.BLOCKED
    assert "resourceGroupName cannot change while the project has Azure private endpoints" in view.summary
    assert f"Choose a key in key vault {KEY_VAULT_NAME}" in (view.reason or "")
    with pytest.raises(StepError):
        await ONBOARD_AZURE.apply_step(azure.run(inputs, with_azure=False), "enable")
    assert azure.world.writes() == []
