"""The simulated Atlas at the HTTP level: versioned media types, pagination, error envelopes, lookups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cmkwizard.sandbox.atlas_sim import SimStore, create_app
from cmkwizard.sandbox.atlas_sim.errors import ApiError
from cmkwizard.sandbox.atlas_sim.ratelimit import RateLimits
from cmkwizard.sandbox.atlas_sim.scenarios import CloudFixtures, seed_scenario
from cmkwizard.sandbox.atlas_sim.verifier import Verifiers
from cmkwizard.sandbox.clock import SandboxClock
from tests.sandbox.sim_fixtures import (
    BASE_URL,
    ScriptedAws,
    ScriptedAzure,
    Sim,
    assert_error,
    call,
    sim_fixture,
    versioned,
)

sim = sim_fixture("fresh")
large = sim_fixture("large")


async def test_response_carries_the_requested_version(sim: Sim) -> None:
    response = await call(sim.client(), "GET", f"{sim.group}/clusters", version="2024-08-05")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.atlas.2024-08-05+json"


async def test_version_the_operation_does_not_have_is_not_acceptable(sim: Sim) -> None:
    response = await sim.client().get(f"{sim.group}/encryptionAtRest", headers=versioned("2024-10-23"))

    body = assert_error(response, 406, "INVALID_VERSION_DATE")
    assert "application/vnd.atlas.2023-01-01+json" in body["detail"]


async def test_cluster_reads_take_2024_08_05_and_updates_2024_10_23(sim: Sim) -> None:
    client = sim.client()
    wrong_read = await client.get(f"{sim.group}/clusters/orders", headers=versioned("2024-10-23"))
    wrong_write = await client.patch(
        f"{sim.group}/clusters/orders", json={"paused": False}, headers=versioned("2024-08-05-x", body=True)
    )

    assert_error(wrong_read, 406, "INVALID_VERSION_DATE")
    assert_error(wrong_write, 406, "INVALID_VERSION_DATE")


async def test_sunset_version_is_gone() -> None:
    store = SimStore()
    clock = SandboxClock(speed=0, start=datetime(2027, 4, 1, tzinfo=UTC))
    seed = seed_scenario(store, "fresh", CloudFixtures(), now=clock.now())
    app = create_app(store, Verifiers(ScriptedAws(), ScriptedAzure()), clock)
    creds = store.credentials
    import httpx

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app),
        base_url=BASE_URL,
        auth=httpx.DigestAuth(creds.public_key, creds.private_key),
    ) as client:
        response = await client.patch(
            f"/api/atlas/v2/groups/{seed.project_id}/clusters/orders",
            json={"encryptionAtRestProvider": "NONE"},
            headers=versioned("2024-08-05", body=True),
        )
        current = await client.patch(
            f"/api/atlas/v2/groups/{seed.project_id}/clusters/orders",
            json={"backupEnabled": True},
            headers=versioned("2024-10-23", body=True),
        )

    body = assert_error(response, 410, "VERSION_GONE")
    assert "2027-03-01" in body["detail"] and "2024-10-23" in body["detail"]
    assert current.status_code == 200


async def test_request_without_a_version_gets_the_default_2023_01_01(sim: Sim) -> None:
    client = sim.client()
    project = await client.get(sim.group, headers={"Accept": "application/json"})
    clusters = await client.get(f"{sim.group}/clusters", headers={"Accept": "application/json"})

    assert project.status_code == 200
    assert project.headers["content-type"] == "application/vnd.atlas.2023-01-01+json"
    assert clusters.status_code == 200
    assert clusters.headers["content-type"] == "application/vnd.atlas.2023-01-01+json"


async def test_list_pages_with_absolute_links(large: Sim) -> None:
    client = large.client()
    first = await call(client, "GET", f"{large.group}/clusters", version="2024-08-05", params={"itemsPerPage": 200})
    last = await call(
        client, "GET", f"{large.group}/clusters", version="2024-08-05", params={"itemsPerPage": 200, "pageNum": 3}
    )

    page = first.json()
    assert page["totalCount"] == 500 and len(page["results"]) == 200
    links = {link["rel"]: link["href"] for link in page["links"]}
    assert links["next"] == (f"{BASE_URL}{large.group}/clusters?includeCount=true&itemsPerPage=200&pageNum=2")
    assert "previous" not in links
    final = last.json()
    assert len(final["results"]) == 100
    assert {link["rel"] for link in final["links"]} == {"self", "previous"}
    names = [c["name"] for c in page["results"]] + [c["name"] for c in final["results"]]
    assert names[0] == "cluster-001" and names[-1] == "cluster-500"


async def test_default_page_is_100_and_count_can_be_left_out(large: Sim) -> None:
    response = await call(
        large.client(), "GET", f"{large.group}/clusters", version="2024-08-05", params={"includeCount": "false"}
    )

    page = response.json()
    assert len(page["results"]) == 100
    assert "totalCount" not in page
    next_link = next(link["href"] for link in page["links"] if link["rel"] == "next")
    assert "includeCount=false" in next_link and "pageNum=2" in next_link


async def test_page_size_outside_1_to_500_is_refused(sim: Sim) -> None:
    client = sim.client()
    for value in ("0", "501", "many"):
        response = await client.get(
            f"{sim.group}/clusters", params={"itemsPerPage": value}, headers=versioned("2024-08-05")
        )
        body = assert_error(response, 400, "VALIDATION_ERROR")
        assert body["badRequestDetail"]["fields"][0]["field"] == "itemsPerPage"


async def test_pages_keep_other_query_parameters(sim: Sim) -> None:
    response = await call(
        sim.client(),
        "GET",
        f"{sim.group}/events",
        params={"eventType": "CLUSTER_CREATED", "itemsPerPage": 1},
    )

    self_link = next(link["href"] for link in response.json()["links"] if link["rel"] == "self")
    assert self_link.startswith(f"{BASE_URL}{sim.group}/events?eventType=CLUSTER_CREATED&")


async def test_system_status_lists_the_roles_of_the_key(sim: Sim) -> None:
    body = (await call(sim.client(), "GET", "/api/atlas/v2")).json()

    assert body["appName"] == "MongoDB Atlas"
    assert {"groupId": sim.seed.project_id, "roleName": "GROUP_OWNER"} in body["apiKey"]["roles"]
    assert {"orgId": sim.seed.org_id, "roleName": "ORG_MEMBER"} in body["apiKey"]["roles"]


async def test_orgs_and_projects_can_be_found_by_name(sim: Sim) -> None:
    client = sim.client()
    orgs = (await call(client, "GET", "/api/atlas/v2/orgs", params={"name": "sandbox"})).json()
    none = (await call(client, "GET", "/api/atlas/v2/orgs", params={"name": "other"})).json()
    org_projects = (
        await call(client, "GET", f"/api/atlas/v2/orgs/{sim.seed.org_id}/groups", params={"name": "CMK-SANDBOX"})
    ).json()
    projects = (await call(client, "GET", "/api/atlas/v2/groups")).json()
    by_name = (await call(client, "GET", "/api/atlas/v2/groups/byName/cmk-sandbox")).json()
    org = (await call(client, "GET", f"/api/atlas/v2/orgs/{sim.seed.org_id}")).json()

    assert [o["id"] for o in orgs["results"]] == [sim.seed.org_id] and none["results"] == []
    assert org["name"] == "Sandbox-Org"
    assert {p["name"] for p in org_projects["results"]} == {"cmk-sandbox", "cmk-sandbox-staging"}
    assert projects["totalCount"] == 2
    assert by_name["id"] == sim.seed.project_id and by_name["clusterCount"] == 5


async def test_project_lookups_that_fail(sim: Sim) -> None:
    client = sim.client()
    missing = await call(client, "GET", "/api/atlas/v2/groups/byName/no-such-project")
    sim.store.add_project(sim.seed.org_id, "cmk-sandbox", sim.clock.now())
    ambiguous = await call(client, "GET", "/api/atlas/v2/groups/byName/cmk-sandbox")
    malformed = await call(client, "GET", "/api/atlas/v2/groups/not-a-project-id")
    unknown = await call(client, "GET", "/api/atlas/v2/groups/0123456789abcdef01234567")
    unknown_org = await call(client, "GET", "/api/atlas/v2/orgs/0123456789abcdef01234567")

    assert_error(missing, 404, "GROUP_NAME_NOT_FOUND")
    assert_error(ambiguous, 409, "MULTIPLE_GROUPS")
    assert_error(malformed, 400, "INVALID_GROUP_ID")
    assert assert_error(unknown, 404, "GROUP_NOT_FOUND")["parameters"] == ["0123456789abcdef01234567"]
    assert_error(unknown_org, 404, "ORG_NOT_FOUND")


async def test_unknown_path_and_method(sim: Sim) -> None:
    client = sim.client()
    missing = await client.get("/api/atlas/v2/nothing/here", headers=versioned())
    wrong_method = await client.delete(f"{sim.group}/encryptionAtRest", headers=versioned())

    assert_error(missing, 404, "RESOURCE_NOT_FOUND")
    body = assert_error(wrong_method, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in body["detail"] and "PATCH" in body["detail"]
    assert wrong_method.headers["allow"] == "GET, PATCH"


async def test_strict_request_bodies(sim: Sim) -> None:
    client = sim.client()
    ear = f"{sim.group}/encryptionAtRest"
    headers = versioned(body=True)

    malformed = await client.patch(ear, content=b'{"awsKms": {', headers=headers)
    not_object = await client.patch(ear, content=b"[1, 2]", headers=headers)
    unknown = await client.patch(ear, json={"awsKms": {"keyId": "x"}}, headers=headers)
    wrong_type = await client.patch(ear, json={"awsKms": {"enabled": "yes"}}, headers=headers)
    read_only = await client.patch(ear, json={"awsKms": {"valid": True}}, headers=headers)
    enum = await client.patch(ear, json={"awsKms": {"region": "us-east-1"}}, headers=headers)
    media = await client.patch(ear, content=b"awsKms=1", headers={**headers, "Content-Type": "text/plain"})

    assert_error(malformed, 400, "MALFORMED_JSON")
    assert_error(not_object, 400, "INVALID_JSON_ATTRIBUTE")
    assert assert_error(unknown, 400, "INVALID_ATTRIBUTE")["parameters"] == ["awsKms.keyId"]
    assert assert_error(wrong_type, 400, "INVALID_JSON_ATTRIBUTE")["parameters"] == ["awsKms.enabled"]
    assert assert_error(read_only, 400, "ATTRIBUTE_READ_ONLY")["parameters"] == ["awsKms.valid"]
    body = assert_error(enum, 400, "INVALID_ENUM_VALUE")
    assert body["parameters"] == ["us-east-1", "awsKms.region"]
    assert body["badRequestDetail"]["fields"][0]["field"] == "awsKms.region"
    assert_error(media, 415, "UNSUPPORTED_MEDIA_TYPE")


async def test_pretty_and_envelope_parameters(sim: Sim) -> None:
    client = sim.client()
    pretty = await client.get(sim.group, params={"pretty": "true"}, headers=versioned())
    wrapped = await client.get(
        f"{sim.group}/clusters/none", params={"envelope": "true"}, headers=versioned("2024-08-05")
    )

    assert pretty.text.startswith('{\n  "clusterCount"')
    assert wrapped.status_code == 200
    assert wrapped.json()["status"] == 404
    assert wrapped.json()["content"]["errorCode"] == "CLUSTER_NOT_FOUND"


async def test_successes_carry_the_rate_limit_headers_the_spec_declares(sim: Sim) -> None:
    client = sim.client()
    first = await call(client, "GET", f"{sim.group}/cloudProviderAccess")
    second = await call(client, "GET", f"{sim.group}/cloudProviderAccess")
    cluster = await call(client, "GET", f"{sim.group}/clusters/orders", version="2024-08-05")
    created = await call(client, "POST", f"{sim.group}/cloudProviderAccess", json={"providerName": "AWS"})
    deleted = await call(client, "DELETE", f"{sim.group}/cloudProviderAccess/AWS/{created.json()['roleId']}")

    assert first.headers["RateLimit-Limit"] == "2000" and first.headers["RateLimit-Remaining"] == "1999"
    assert second.headers["RateLimit-Remaining"] == "1998"
    assert cluster.headers["RateLimit-Limit"] == "10000"
    assert deleted.status_code == 204 and int(deleted.headers["RateLimit-Remaining"]) < 2000
    refused = await call(client, "GET", f"{sim.group}/cloudProviderAccess/0123456789abcdef01234567")
    assert refused.status_code == 404 and "RateLimit-Limit" not in refused.headers


def test_an_empty_bucket_refuses_with_retry_after_until_it_refills() -> None:
    limits = RateLimits()
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    for remaining in (2, 1, 0):
        assert limits.take("/groups/{groupId}", "g", 3, start)["RateLimit-Remaining"] == str(remaining)

    with pytest.raises(ApiError) as refused:
        limits.take("/groups/{groupId}", "g", 3, start)

    assert (refused.value.status, refused.value.error_code) == (429, "RATE_LIMITED_TOKEN_BUCKET")
    assert refused.value.headers["Retry-After"] == "60" and refused.value.headers["RateLimit-Remaining"] == "0"
    assert limits.take("/groups/{groupId}", "other project", 3, start)["RateLimit-Remaining"] == "2"
    later = start + timedelta(seconds=60)
    assert limits.take("/groups/{groupId}", "g", 3, later)["RateLimit-Remaining"] == "0"


CLUSTER_READ_VERSIONS = ("2023-01-01", "2023-02-01", "2024-08-05")
CLUSTER_WRITE_VERSIONS = (*CLUSTER_READ_VERSIONS, "2024-10-23")


@pytest.mark.parametrize("version", CLUSTER_READ_VERSIONS)
async def test_cluster_reads_answer_in_every_version_the_spec_lists(sim: Sim, version: str) -> None:
    client = sim.client()
    listed = await call(client, "GET", f"{sim.group}/clusters", version=version)  # each body checked against the spec
    names = [c["name"] for c in listed.json()["results"]]
    one = [await call(client, "GET", f"{sim.group}/clusters/{name}", version=version) for name in names]

    assert listed.headers["content-type"] == f"application/vnd.atlas.{version}+json"
    assert [r.json()["encryptionAtRestProvider"] for r in one] == [
        c.encryption_provider for c in sim.project.clusters.values()
    ]


@pytest.mark.parametrize("version", CLUSTER_WRITE_VERSIONS)
async def test_cluster_updates_take_every_version_the_spec_lists(sim: Sim, version: str) -> None:
    backup = "providerBackupEnabled" if version == "2023-01-01" else "backupEnabled"
    cluster = sim.project.clusters["orders"]
    wanted = not cluster.backup_enabled

    response = await call(
        client := sim.client(), "PATCH", f"{sim.group}/clusters/orders", version=version, json={backup: wanted}
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == f"application/vnd.atlas.{version}+json"
    assert response.json()[backup] is wanted and cluster.backup_enabled is wanted
    echoed_names = ["name", "clusterType", "encryptionAtRestProvider", "paused", "pitEnabled"]
    if version == "2023-01-01":
        echoed_names += ["numShards", "replicationFactor"]
    echoed = {name: response.json()[name] for name in echoed_names}
    again = await call(client, "PATCH", f"{sim.group}/clusters/orders", version=version, json=echoed)
    changed = await client.patch(
        f"{sim.group}/clusters/orders", json={"clusterType": "SHARDED"}, headers=versioned(version, body=True)
    )
    assert again.status_code == 200, again.text
    assert_error(changed, 400, "INVALID_ATTRIBUTE")


async def test_cluster_versions_the_spec_does_not_list_are_not_acceptable(sim: Sim) -> None:
    client = sim.client()
    read = await client.get(f"{sim.group}/clusters/orders", headers=versioned("2024-10-23"))
    unknown = await client.get(f"{sim.group}/clusters", headers=versioned("2025-01-01"))

    body = assert_error(read, 406, "INVALID_VERSION_DATE")
    assert all(f"application/vnd.atlas.{v}+json" in body["detail"] for v in CLUSTER_READ_VERSIONS)
    assert_error(unknown, 406, "INVALID_VERSION_DATE")


async def test_legacy_version_shows_one_provider_and_folds_identical_shards(large: Sim) -> None:
    clusters = (await call(large.client(), "GET", f"{large.group}/clusters", version="2023-01-01")).json()
    first = clusters["results"][0]
    record = large.project.clusters[first["name"]]

    assert first["providerSettings"]["instanceSizeName"] == record.shards[0][0].instance_size
    assert first["numShards"] == len(record.shards)
    assert sum(spec["numShards"] for spec in first["replicationSpecs"]) == len(record.shards)
