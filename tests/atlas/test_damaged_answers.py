"""Every client call that reads an answer turns a damaged 200 into AtlasResponseError naming the operation and field."""

from __future__ import annotations

import pytest

from cmkwizard.atlas import AtlasApiError, AtlasResponseError, describe_error
from cmkwizard.atlas.models import AwsKmsPatch
from tests.atlas.fake_atlas import GROUP_ID, ROLE_ID, Canned

GROUP = f"/groups/{GROUP_ID}"
ROLE_ARN = "arn:aws:iam::123456789012:role/atlas-kms"

CALLS = {
    "whoami": ("GET", "", lambda c: c.whoami(), "getSystemStatus"),
    "list_orgs": ("GET", "/orgs", lambda c: c.list_orgs(), "listOrgs"),
    "list_projects": ("GET", "/groups", lambda c: c.list_projects(name="pay"), "listGroups"),
    "get_role": (
        "GET",
        f"{GROUP}/cloudProviderAccess/{ROLE_ID}",
        lambda c: c.get_cloud_provider_access_role(GROUP_ID, ROLE_ID),
        "getGroupCloudProviderAccess",
    ),
    "create_aws_role": ("POST", f"{GROUP}/cloudProviderAccess", lambda c: c.create_aws_role(GROUP_ID), None),
    "authorize_aws_role": (
        "PATCH",
        f"{GROUP}/cloudProviderAccess/{ROLE_ID}",
        lambda c: c.authorize_aws_role(GROUP_ID, ROLE_ID, ROLE_ARN),
        "authorizeGroupCloudProviderAccessRole",
    ),
    "update_encryption_at_rest": (
        "PATCH",
        f"{GROUP}/encryptionAtRest",
        lambda c: c.update_encryption_at_rest(GROUP_ID, aws_kms=AwsKmsPatch(enabled=True)),
        "updateGroupEncryptionAtRest",
    ),
    "create_private_endpoint": (
        "POST",
        f"{GROUP}/encryptionAtRest/AWS/privateEndpoints",
        lambda c: c.create_private_endpoint(GROUP_ID, "AWS", "US_EAST_1"),
        "createGroupEncryptionAtRestPrivateEndpoint",
    ),
    "get_cluster": ("GET", f"{GROUP}/clusters/C0", lambda c: c.get_cluster(GROUP_ID, "C0"), "getGroupCluster"),
    "snapshots": (
        "GET",
        f"{GROUP}/clusters/C0/backup/snapshots",
        lambda c: c.list_snapshots(GROUP_ID, "C0"),
        "listGroupClusterBackupSnapshots",
    ),
    "sharded_snapshots": (
        "GET",
        f"{GROUP}/clusters/C0/backup/snapshots/shardedClusters",
        lambda c: c.list_sharded_snapshots(GROUP_ID, "C0"),
        "listGroupClusterBackupSnapshotShardedClusters",
    ),
    "alert_configs": (
        "GET",
        f"{GROUP}/alertConfigs",
        lambda c: c.list_alert_configs(GROUP_ID),
        "listGroupAlertConfigs",
    ),
    "events": ("GET", f"{GROUP}/events", lambda c: c.list_events(GROUP_ID), "listGroupEvents"),
}
LISTS = {"list_orgs", "list_projects", "snapshots", "sharded_snapshots", "alert_configs", "events"}


@pytest.mark.parametrize("name", CALLS)
async def test_a_null_where_an_object_belongs(name, fake_atlas, digest_client):
    method, path, call, operation = CALLS[name]
    operation = operation or "createGroupCloudProviderAccess"
    body = {"results": [None]} if name in LISTS else None
    fake_atlas.answer_next(method, path, Canned(200, body if body is not None else b""))

    with pytest.raises(AtlasResponseError) as caught:
        await call(digest_client)

    assert caught.value.operation == operation
    assert caught.value.field == ("results[0]" if name in LISTS else "(body)")
    assert str(caught.value).startswith(f"{method} /api/atlas/v2{path} ({operation}): ")


@pytest.mark.parametrize("name", CALLS)
async def test_a_field_of_the_wrong_type(name, fake_atlas, digest_client):
    method, path, call, _ = CALLS[name]
    item = {"id": 5, "roleId": 5, "providerName": "AWS", "apiKey": {"publicKey": 5}, "name": 5, "awsKms": {"region": 5}}
    fake_atlas.answer_next(method, path, Canned(200, {"results": [item]} if name in LISTS else item))

    with pytest.raises(AtlasResponseError) as caught:
        await call(digest_client)

    assert "is a number where a string was expected" in str(caught.value)
    explanation = describe_error(caught.value)
    assert explanation.meaning == "Atlas sent a response this tool cannot read"
    assert "report the operation and field" in explanation.next_step


async def test_a_role_of_an_unknown_provider_is_named(fake_atlas, digest_client):
    path = f"{GROUP}/cloudProviderAccess/{ROLE_ID}"
    fake_atlas.answer_next("GET", path, Canned(200, {"providerName": "GCP", "roleId": ROLE_ID}))

    with pytest.raises(AtlasResponseError, match=r"providerName is 'GCP'; only AWS and AZURE"):
        await digest_client.get_cloud_provider_access_role(GROUP_ID, ROLE_ID)


async def test_a_deeply_nested_error_body_is_still_an_api_error(fake_atlas, digest_client):
    fake_atlas.answer_next("GET", f"{GROUP}/clusters/C0", Canned(404, "[" * 100_000, content_type="application/json"))

    with pytest.raises(AtlasApiError) as caught:
        await digest_client.get_cluster(GROUP_ID, "C0")

    assert caught.value.status == 404
