"""Encryption at rest private endpoints in the simulated Atlas: preconditions and their life cycles."""

from __future__ import annotations

from cmkwizard.sandbox.atlas_sim.errors import (
    UNVERIFIED_ENDPOINT_WITHOUT_PRIVATE_NETWORKING,
    UNVERIFIED_SECOND_ENDPOINT_IN_REGION,
)
from tests.sandbox.sim_fixtures import Sim, assert_error, call, sim_fixture

aws = sim_fixture("encrypted-aws")
azure = sim_fixture("encrypted-azure")
large = sim_fixture("large")


def _endpoints(sim: Sim, provider: str) -> str:
    return f"{sim.group}/encryptionAtRest/{provider}/privateEndpoints"


async def _private_networking(sim: Sim, config: str) -> None:
    response = await call(
        sim.client(), "PATCH", f"{sim.group}/encryptionAtRest", json={config: {"requirePrivateNetworking": True}}
    )
    assert response.status_code == 200


async def _create(sim: Sim, provider: str, region: str):
    return await call(
        sim.client(), "POST", _endpoints(sim, provider), json={"cloudProvider": provider, "regionName": region}
    )


async def _get(sim: Sim, provider: str, endpoint_id: str) -> dict:
    return (await call(sim.client(), "GET", f"{_endpoints(sim, provider)}/{endpoint_id}")).json()


async def _awaiting_approval(sim: Sim, region: str) -> dict:
    """An Azure endpoint provisioned and read once, so its connection waits for approval on the key vault."""
    await _private_networking(sim, "azureKeyVault")
    endpoint = (await _create(sim, "AZURE", region)).json()
    sim.clock.advance(180)
    await _get(sim, "AZURE", endpoint["id"])
    return endpoint


async def test_endpoints_need_private_networking_on_that_provider(aws: Sim) -> None:
    off = await _create(aws, "AWS", "US_EAST_1")
    other_provider = await _create(aws, "AZURE", "US_EAST_2")

    assert (
        "requirePrivateNetworking" in assert_error(off, 400, UNVERIFIED_ENDPOINT_WITHOUT_PRIVATE_NETWORKING)["detail"]
    )
    assert_error(other_provider, 400, "ENCRYPTION_AT_REST_NOT_ENABLED")


async def test_aws_endpoint_becomes_active_after_provisioning(aws: Sim) -> None:
    await _private_networking(aws, "awsKms")

    created = await _create(aws, "AWS", "US_EAST_1")

    assert created.status_code == 202
    endpoint = created.json()
    assert endpoint["status"] == "INITIATING" and endpoint["regionName"] == "US_EAST_1"
    assert endpoint["privateEndpointConnectionName"].startswith("vpce-")
    aws.clock.advance(179)
    assert (await _get(aws, "AWS", endpoint["id"]))["status"] == "INITIATING"
    aws.clock.advance(1)
    assert (await _get(aws, "AWS", endpoint["id"]))["status"] == "ACTIVE"


async def test_one_endpoint_per_region_and_only_known_regions(aws: Sim) -> None:
    await _private_networking(aws, "awsKms")
    await _create(aws, "AWS", "US_EAST_1")

    duplicate = await _create(aws, "AWS", "US_EAST_1")
    unknown = await _create(aws, "AWS", "EUROPE_WEST")
    global_region = await _create(aws, "AWS", "GLOBAL")
    missing = await call(aws.client(), "POST", _endpoints(aws, "AWS"), json={"cloudProvider": "AWS"})
    mismatch = await call(
        aws.client(), "POST", _endpoints(aws, "AWS"), json={"cloudProvider": "AZURE", "regionName": "US_EAST_2"}
    )
    bad_provider = await call(aws.client(), "GET", f"{aws.group}/encryptionAtRest/GCP/privateEndpoints")

    assert assert_error(duplicate, 409, UNVERIFIED_SECOND_ENDPOINT_IN_REGION)["parameters"][0] == ("US_EAST_1")
    assert_error(unknown, 400, "INVALID_ENUM_VALUE")
    assert_error(global_region, 400, "INVALID_ENUM_VALUE")
    assert_error(missing, 400, "MISSING_ATTRIBUTE")
    assert_error(mismatch, 400, "INVALID_ATTRIBUTE")
    assert_error(bad_provider, 400, "INVALID_ENUM_VALUE")


async def test_delete_is_refused_while_initiating_then_goes_through_deleting(aws: Sim) -> None:
    await _private_networking(aws, "awsKms")
    endpoint = (await _create(aws, "AWS", "US_WEST_2")).json()
    path = f"{_endpoints(aws, 'AWS')}/{endpoint['id']}"
    client = aws.client()

    too_early = await call(client, "DELETE", path)
    aws.clock.advance(180)
    deleted = await call(client, "DELETE", path)
    deleting = await _get(aws, "AWS", endpoint["id"])
    aws.clock.advance(60)
    gone = await call(client, "GET", path)

    refusal = assert_error(too_early, 400, "ENCRYPTION_AT_REST_PRIVATE_ENDPOINT_DELETE_BLOCKED_DURING_PROVISIONING")
    assert refusal["parameters"] == [[endpoint["id"]]]
    assert endpoint["id"] in refusal["detail"]
    assert deleted.status_code == 204
    assert deleting["status"] == "DELETING"
    assert_error(gone, 404, "RESOURCE_NOT_FOUND")
    events = (
        await call(
            client, "GET", f"{aws.group}/events", params={"eventType": "ENCRYPTION_AT_REST_PRIVATE_ENDPOINT_DELETED"}
        )
    ).json()
    assert events["totalCount"] == 1


async def test_azure_endpoint_waits_for_approval_on_the_key_vault(azure: Sim) -> None:
    await _private_networking(azure, "azureKeyVault")
    endpoint = (await _create(azure, "AZURE", "US_EAST_2")).json()
    vault = azure.project.encryption.azure.key_vault_name

    azure.clock.advance(180)
    pending = await _get(azure, "AZURE", endpoint["id"])
    assert pending["status"] == "PENDING_ACCEPTANCE"
    assert azure.azure.calls[-1] == (
        "register_endpoint_connection",
        (vault, endpoint["privateEndpointConnectionName"], "US_EAST_2"),
    )

    azure.azure.set_all("Approved")
    assert (await _get(azure, "AZURE", endpoint["id"]))["status"] == "PENDING_ACCEPTANCE"  # Atlas notices later
    azure.clock.advance(30)
    assert (await _get(azure, "AZURE", endpoint["id"]))["status"] == "ACTIVE"


async def test_rejected_azure_connection_fails_with_a_message(azure: Sim) -> None:
    endpoint = await _awaiting_approval(azure, "EUROPE_WEST")

    azure.azure.set_all("Rejected")
    failed = await _get(azure, "AZURE", endpoint["id"])

    assert failed["status"] == "FAILED"
    assert "rejected" in failed["errorMessage"] and endpoint["privateEndpointConnectionName"] in failed["errorMessage"]


async def test_removed_azure_connection_is_recreated(azure: Sim) -> None:
    endpoint = await _awaiting_approval(azure, "UK_SOUTH")
    azure.azure.set_all("Approved")
    azure.clock.advance(30)
    await _get(azure, "AZURE", endpoint["id"])
    await _get(azure, "AZURE", endpoint["id"])

    azure.azure.connections.clear()  # the connection was deleted on the vault
    recreating = await _get(azure, "AZURE", endpoint["id"])
    azure.clock.advance(60)
    again = await _get(azure, "AZURE", endpoint["id"])

    assert recreating["status"] == "PENDING_RECREATION"
    assert again["status"] == "INITIATING"
    assert again["privateEndpointConnectionName"] != endpoint["privateEndpointConnectionName"]


async def test_large_project_lists_forty_endpoints_over_pages(large: Sim) -> None:
    for seeded in large.seed.azure_endpoints:
        large.azure.connections[(seeded.key_vault_name, seeded.connection_name)] = "Approved"
    client = large.client()

    first = (await call(client, "GET", _endpoints(large, "AZURE"), params={"itemsPerPage": 25})).json()
    second = (await call(client, "GET", _endpoints(large, "AZURE"), params={"itemsPerPage": 25, "pageNum": 2})).json()

    assert first["totalCount"] == 40
    statuses = {e["status"] for e in first["results"] + second["results"]}
    assert statuses == {"ACTIVE"}
    assert len({e["regionName"] for e in first["results"] + second["results"]}) == 40
