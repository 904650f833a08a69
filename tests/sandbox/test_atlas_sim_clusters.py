"""Clusters and snapshots in the simulated Atlas: eligibility checks, time-driven states, the outage rule."""

from __future__ import annotations

from cmkwizard.sandbox.atlas_sim.lifecycle import settle_store
from cmkwizard.sandbox.atlas_sim.verifier import Verifiers
from tests.sandbox.sim_fixtures import Sim, assert_error, call, sim_fixture

fresh = sim_fixture("fresh")
encrypted = sim_fixture("encrypted-aws")
azure = sim_fixture("encrypted-azure")


async def _set_provider(sim: Sim, cluster: str, provider: str):
    return await call(
        sim.client(),
        "PATCH",
        f"{sim.group}/clusters/{cluster}",
        version="2024-10-23",
        json={"encryptionAtRestProvider": provider},
    )


async def _state(sim: Sim, cluster: str) -> str:
    response = await call(sim.client(), "GET", f"{sim.group}/clusters/{cluster}", version="2024-08-05")
    return response.json()["stateName"]


async def test_cluster_reads_show_tiers_providers_and_states(fresh: Sim) -> None:
    clusters = (await call(fresh.client(), "GET", f"{fresh.group}/clusters", version="2024-08-05")).json()["results"]
    by_name = {c["name"]: c for c in clusters}

    assert set(by_name) == {"orders", "analytics", "playground", "archive", "payments-azure"}
    analytics = by_name["analytics"]
    assert analytics["clusterType"] == "SHARDED" and len(analytics["replicationSpecs"]) == 2
    regions = [rc["regionName"] for rc in analytics["replicationSpecs"][0]["regionConfigs"]]
    assert regions == ["US_EAST_1", "US_WEST_2", "EU_WEST_1"]
    playground = by_name["playground"]["replicationSpecs"][0]["regionConfigs"][0]
    assert playground["providerName"] == "TENANT" and playground["electableSpecs"]["instanceSize"] == "M0"
    assert by_name["archive"]["paused"] is True
    assert {c["encryptionAtRestProvider"] for c in clusters} == {"NONE"}
    assert {c["stateName"] for c in clusters} == {"IDLE"}


async def test_unknown_cluster_names_the_cluster_and_project(fresh: Sim) -> None:
    response = await call(fresh.client(), "GET", f"{fresh.group}/clusters/nope", version="2024-08-05")

    body = assert_error(response, 404, "CLUSTER_NOT_FOUND")
    assert body["parameters"] == ["nope", fresh.seed.project_id]


async def test_cluster_encryption_needs_the_project_provider_first(fresh: Sim) -> None:
    assert_error(await _set_provider(fresh, "orders", "AWS"), 400, "ENCRYPTION_AT_REST_NOT_ENABLED")
    assert fresh.project.clusters["orders"].state == "IDLE"


async def test_shared_tier_and_paused_clusters_are_refused(encrypted: Sim) -> None:
    tenant = await _set_provider(encrypted, "playground", "AWS")
    paused = await _set_provider(encrypted, "archive", "AWS")

    assert "M0" in assert_error(tenant, 400, "CANNOT_USE_ENCRYPTION_AT_REST_TENANT")["detail"]
    assert_error(paused, 409, "CANNOT_UPDATE_PAUSED_CLUSTER")

    resumed = await call(
        encrypted.client(), "PATCH", f"{encrypted.group}/clusters/archive", version="2024-10-23", json={"paused": False}
    )
    assert resumed.status_code == 200 and resumed.json()["paused"] is False


async def test_provider_must_match_the_project(azure: Sim) -> None:
    azure.project.clusters["orders"].encryption_provider = "NONE"

    assert_error(await _set_provider(azure, "orders", "AWS"), 400, "ENCRYPTION_AT_REST_PROVIDER_NOT_SUPPORTED")
    assert_error(await _set_provider(azure, "orders", "OCI"), 400, "INVALID_ENUM_VALUE")


async def test_enabling_moves_to_updating_then_idle_with_the_clock(encrypted: Sim) -> None:
    await _set_provider(encrypted, "orders", "NONE")
    encrypted.clock.advance(120)
    assert await _state(encrypted, "orders") == "IDLE"

    response = await _set_provider(encrypted, "orders", "AWS")

    assert response.status_code == 200
    assert response.json()["stateName"] == "UPDATING" and response.json()["encryptionAtRestProvider"] == "AWS"
    encrypted.clock.advance(119)
    assert await _state(encrypted, "orders") == "UPDATING"
    encrypted.clock.advance(1)
    assert await _state(encrypted, "orders") == "IDLE"


async def test_unchanged_values_start_no_update(encrypted: Sim) -> None:
    response = await _set_provider(encrypted, "orders", "AWS")

    assert response.json()["stateName"] == "IDLE"


async def test_enabling_needs_a_usable_key(encrypted: Sim) -> None:
    await _set_provider(encrypted, "orders", "NONE")
    encrypted.aws.refuse("check_key_access", "AWS_KMS_CUSTOMER_MASTER_KEY_NOT_ENABLED")

    assert_error(await _set_provider(encrypted, "orders", "AWS"), 400, "ENCRYPTION_AT_REST_SETTINGS_INVALID")


async def test_nodes_restarting_during_an_outage_stay_down_until_the_key_returns(encrypted: Sim) -> None:
    client = encrypted.client()
    await call(client, "PATCH", f"{encrypted.group}/clusters/orders", version="2024-10-23", json={"pitEnabled": True})
    encrypted.aws.refuse("check_key_access", "ENCRYPTION_AT_REST_SETTINGS_INVALID", "us-east-1 is unreachable")
    encrypted.clock.advance(120)

    assert await _state(encrypted, "orders") == "REPAIRING"
    assert await _state(encrypted, "analytics") == "IDLE"  # running nodes keep serving
    encrypted.clock.advance(600)
    assert await _state(encrypted, "orders") == "REPAIRING"
    encrypted.aws.accept("check_key_access")
    assert await _state(encrypted, "orders") == "IDLE"


async def test_writable_echoes_pass_but_unsimulated_and_read_only_changes_fail(encrypted: Sim) -> None:
    client = encrypted.client()
    path = f"{encrypted.group}/clusters/orders"
    current = (await call(client, "GET", path, version="2024-08-05")).json()

    echoed = await call(
        client,
        "PATCH",
        path,
        version="2024-10-23",
        json={"clusterType": current["clusterType"], "mongoDBMajorVersion": "8.0", "backupEnabled": False},
    )
    resharded = await call(client, "PATCH", path, version="2024-10-23", json={"clusterType": "SHARDED"})
    read_only = await call(client, "PATCH", path, version="2024-10-23", json={"stateName": "IDLE"})
    whole_body = await call(client, "PATCH", path, version="2024-10-23", json=current)

    assert echoed.status_code == 200 and echoed.json()["backupEnabled"] is False
    assert "clusterType" in assert_error(resharded, 400, "INVALID_ATTRIBUTE")["detail"]
    assert assert_error(read_only, 400, "ATTRIBUTE_READ_ONLY")["parameters"] == ["stateName"]
    assert_error(whole_body, 400, "ATTRIBUTE_READ_ONLY")


async def test_snapshots_reference_the_key_and_page(encrypted: Sim) -> None:
    client = encrypted.client()
    base = f"{encrypted.group}/clusters"
    page = (await call(client, "GET", f"{base}/orders/backup/snapshots", params={"itemsPerPage": 3})).json()
    sharded = (await call(client, "GET", f"{base}/analytics/backup/snapshots/shardedClusters")).json()
    none_sharded = (await call(client, "GET", f"{base}/orders/backup/snapshots/shardedClusters")).json()

    assert page["totalCount"] == 4 and len(page["results"]) == 3
    assert any(link["rel"] == "next" for link in page["links"])
    created = [s["createdAt"] for s in page["results"]]
    assert created == sorted(created, reverse=True)
    key_id = encrypted.project.encryption.aws.customer_master_key_id.rsplit("/", 1)[-1]
    assert {s["masterKeyUUID"] for s in page["results"]} == {key_id}
    assert all(s["expiresAt"] > s["createdAt"] for s in page["results"])
    assert sharded["totalCount"] == 4 and len(sharded["results"][0]["members"]) == 2
    sharded_one = sharded["results"][0]
    fetched_sharded = await call(client, "GET", f"{base}/analytics/backup/snapshots/shardedCluster/{sharded_one['id']}")
    assert fetched_sharded.json() == sharded_one
    assert none_sharded["results"] == []
    one = page["results"][0]
    fetched = (await call(client, "GET", f"{base}/orders/backup/snapshots/{one['id']}")).json()
    assert fetched == one
    missing = await call(client, "GET", f"{base}/nope/backup/snapshots")
    assert_error(missing, 404, "CLUSTER_NOT_FOUND")


async def test_settling_before_an_outage_keeps_finished_work_finished(encrypted: Sim) -> None:
    await _set_provider(encrypted, "orders", "NONE")
    await _set_provider(encrypted, "orders", "AWS")
    encrypted.clock.advance(130)

    settle_store(encrypted.store, Verifiers(encrypted.aws, encrypted.azure), encrypted.clock.now())
    encrypted.aws.refuse("check_key_access", "ENCRYPTION_AT_REST_SETTINGS_INVALID")

    assert await _state(encrypted, "orders") == "IDLE"
