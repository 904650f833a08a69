"""The seeded scenarios: what each one holds, and that every read of it conforms to the spec."""

from __future__ import annotations

import time
import uuid

import pytest

from cmkwizard.sandbox.atlas_sim import SimStore
from cmkwizard.sandbox.atlas_sim.scenarios import SCENARIOS, CloudFixtures, seed_scenario
from tests.sandbox.sim_fixtures import call, make_sim

FIXTURES = CloudFixtures(
    aws_account_id="210987654321",
    aws_role_arn="arn:aws:iam::210987654321:role/atlas-cmk",
    aws_key_arn="arn:aws:kms:eu-west-1:210987654321:key/mrk-0a1b2c3d4e5f60718293a4b5c6d7e8f9",
    aws_key_region="EU_WEST_1",
    azure_key_vault_name="fixture-kv",
    azure_key_identifier="https://fixture-kv.vault.azure.net/keys/cmk/00112233445566778899aabbccddeeff",
    azure_service_principal_id="5b0f3c1e-2d4a-4b6c-8e9f-0a1b2c3d4e5f",
    azure_tenant_id="6c1a4d2f-3e5b-4c7d-9f0a-1b2c3d4e5f6a",
)


@pytest.mark.parametrize("scenario", SCENARIOS)
async def test_every_read_of_every_scenario_conforms_to_the_spec(scenario: str) -> None:
    sim = make_sim(scenario, FIXTURES)
    for seeded in sim.seed.azure_endpoints:
        sim.azure.connections[(seeded.key_vault_name, seeded.connection_name)] = "Approved"
    async with sim.client() as client:
        reads = [
            ("/api/atlas/v2", "2023-01-01"),
            ("/api/atlas/v2/orgs", "2023-01-01"),
            ("/api/atlas/v2/groups", "2023-01-01"),
            (sim.group, "2023-01-01"),
            (f"{sim.group}/cloudProviderAccess", "2023-01-01"),
            (f"{sim.group}/encryptionAtRest", "2023-01-01"),
            (f"{sim.group}/encryptionAtRest/AWS/privateEndpoints", "2023-01-01"),
            (f"{sim.group}/encryptionAtRest/AZURE/privateEndpoints", "2023-01-01"),
            (f"{sim.group}/clusters", "2024-08-05"),
            (f"{sim.group}/alertConfigs", "2023-01-01"),
            (f"{sim.group}/events", "2023-01-01"),
        ]
        for name in sim.seed.cluster_names[:5]:
            reads += [
                (f"{sim.group}/clusters/{name}", "2024-08-05"),
                (f"{sim.group}/clusters/{name}/backup/snapshots", "2023-01-01"),
                (f"{sim.group}/clusters/{name}/backup/snapshots/shardedClusters", "2023-01-01"),
            ]
        for path, version in reads:
            response = await call(client, "GET", path, version=version)
            assert response.status_code == 200, (path, response.text)


def test_seeded_ids_let_the_cloud_side_be_built() -> None:
    store = SimStore()
    result = seed_scenario(store, "encrypted-aws", FIXTURES)

    (role,) = result.aws_roles
    assert uuid.UUID(role.external_id) and role.iam_role_arn == FIXTURES.aws_role_arn
    assert result.atlas_aws_principal_arn == store.atlas_aws_principal_arn
    assert result.encryption_provider == "AWS" and result.project_name == "cmk-sandbox"
    aws = store.projects[result.project_id].encryption.aws
    assert (aws.customer_master_key_id, aws.region) == (FIXTURES.aws_key_arn, "EU_WEST_1")
    snapshots = store.projects[result.project_id].snapshots
    assert {s.master_key_uuid for s in snapshots} == {"0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"}
    assert result.second_project_id in store.projects


def test_scenarios_differ_where_the_journeys_need_them_to() -> None:
    seeded = {}
    for name in SCENARIOS:
        store = SimStore()
        result = seed_scenario(store, name, FIXTURES)
        seeded[name] = (result, store.projects[result.project_id])

    assert seeded["fresh"][1].encryption.enabled_provider is None and seeded["fresh"][0].aws_roles == ()
    azure_result, azure_project = seeded["encrypted-azure"]
    assert azure_project.encryption.azure.key_identifier == FIXTURES.azure_key_identifier
    assert azure_project.azure_principals[azure_result.azure_principal_ids[0]].service_principal_id == (
        FIXTURES.azure_service_principal_id
    )
    legacy = seeded["legacy-credentials"][1].encryption.aws
    assert legacy.access_key_id and legacy.role_id is None
    assert "mrk-" in seeded["outage"][1].encryption.aws.customer_master_key_id
    large_result, large_project = seeded["large"]
    assert len(large_project.clusters) == 500 and len(large_project.endpoints) == 40
    assert len(large_result.azure_endpoints) == 40
    with pytest.raises(ValueError, match="unknown sandbox scenario"):
        seed_scenario(SimStore(), "nope", FIXTURES)


async def test_large_project_lists_quickly() -> None:
    sim = make_sim("large")
    async with sim.client() as client:
        await call(client, "GET", "/api/atlas/v2")
        started = time.monotonic()
        for page in (1, 2, 3, 4, 5):
            response = await client.get(
                f"{sim.group}/clusters",
                params={"itemsPerPage": 100, "pageNum": page},
                headers={"Accept": "application/vnd.atlas.2024-08-05+json"},
            )
            assert response.status_code == 200
        elapsed = time.monotonic() - started

    assert elapsed < 2.0, f"listing 500 clusters took {elapsed:.2f}s"
