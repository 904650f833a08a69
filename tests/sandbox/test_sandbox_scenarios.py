"""Each scenario starts with the Atlas state and the cloud resources it promises, consistent with each other."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from botocore.exceptions import ClientError

from cmkwizard.sandbox import Sandbox
from cmkwizard.sandbox.cloud_seed import (
    ASYMMETRIC_KEY_ALIAS,
    DISABLED_KEY_ALIAS,
    KEY_ALIAS,
    MULTI_REGION_KEY_ALIAS,
    ROLE_NAME,
)
from tests.sandbox.sandbox_fixtures import AtlasApi, owner_api


@asynccontextmanager
async def started(scenario: str) -> AsyncIterator[tuple[Sandbox, AtlasApi]]:
    with Sandbox(scenario, speed=0.0) as sandbox:
        async with owner_api(sandbox) as atlas:
            yield sandbox, atlas


def _key_state(sandbox: Sandbox, alias: str, region: str = "us-east-1") -> dict:
    return sandbox.moto.client("kms", region).describe_key(KeyId=alias)["KeyMetadata"]


async def test_fresh_offers_keys_of_every_kind_and_no_encryption() -> None:
    async with started("fresh") as (sandbox, atlas):
        encryption = await atlas.encryption(sandbox.info.project_id)
        assert encryption["awsKms"]["enabled"] is False and encryption["azureKeyVault"]["enabled"] is False

        assert _key_state(sandbox, KEY_ALIAS)["KeyState"] == "Enabled"
        assert _key_state(sandbox, DISABLED_KEY_ALIAS)["KeyState"] == "Disabled"
        assert _key_state(sandbox, ASYMMETRIC_KEY_ALIAS)["KeySpec"] == "RSA_2048"
        primary = _key_state(sandbox, MULTI_REGION_KEY_ALIAS)
        replica = _key_state(sandbox, MULTI_REGION_KEY_ALIAS, "us-west-2")
        assert primary["MultiRegionConfiguration"]["MultiRegionKeyType"] == "PRIMARY"
        assert replica["MultiRegionConfiguration"]["MultiRegionKeyType"] == "REPLICA"
        assert primary["KeyId"] == replica["KeyId"] and ":us-west-2:" in replica["Arn"]
        with pytest.raises(ClientError, match="NoSuchEntity"):
            sandbox.moto.client("iam").get_role(RoleName=ROLE_NAME)


async def test_encrypted_aws_uses_the_seeded_role_and_key_and_is_valid() -> None:
    async with started("encrypted-aws") as (sandbox, atlas):
        encryption = await atlas.encryption(sandbox.info.project_id)

        assert encryption["awsKms"]["valid"] is True
        assert encryption["awsKms"]["customerMasterKeyID"] == _key_state(sandbox, KEY_ALIAS)["Arn"]
        roles = (await atlas.request("GET", f"/groups/{sandbox.info.project_id}/cloudProviderAccess")).json()
        role = sandbox.moto.client("iam").get_role(RoleName=ROLE_NAME)["Role"]
        assert roles["awsIamRoles"][0]["iamAssumedRoleArn"] == role["Arn"]
        condition = role["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]["StringEquals"]
        assert condition["sts:ExternalId"] == roles["awsIamRoles"][0]["atlasAssumedRoleExternalId"]


async def test_encrypted_azure_key_is_valid_in_the_fake_vault() -> None:
    async with started("encrypted-azure") as (sandbox, atlas):
        vault = (await atlas.encryption(sandbox.info.project_id))["azureKeyVault"]

        assert vault["valid"] is True
        assert sandbox.azure.state.has_vault(vault["keyVaultName"])


async def test_outage_invalidates_the_key_until_failover_to_the_replica_region() -> None:
    async with started("outage") as (sandbox, atlas):
        project = sandbox.info.project_id
        assert (await atlas.encryption(project))["awsKms"]["valid"] is False
        replica = _key_state(sandbox, MULTI_REGION_KEY_ALIAS, "us-west-2")["Arn"]

        failover = await atlas.request(
            "PATCH",
            f"/groups/{project}/encryptionAtRest",
            {"awsKms": {"customerMasterKeyID": replica, "region": "US_WEST_2"}},
        )

        assert failover.status_code == 200, failover.text
        sandbox.clock.advance(sandbox.store.timings.key_validation)
        encryption = await atlas.encryption(project)
        assert encryption["awsKms"]["valid"] is True and encryption["awsKms"]["region"] == "US_WEST_2"


async def test_legacy_credentials_keep_the_old_iam_user_configuration() -> None:
    async with started("legacy-credentials") as (sandbox, atlas):
        aws = (await atlas.encryption(sandbox.info.project_id))["awsKms"]

        assert aws["enabled"] is True and aws["accessKeyID"].startswith("AKIA")
        assert aws["customerMasterKeyID"] == _key_state(sandbox, KEY_ALIAS)["Arn"]


async def test_large_seeds_500_clusters_quickly() -> None:
    begin = time.monotonic()
    async with started("large") as (sandbox, atlas):
        assert time.monotonic() - begin < 10
        path = f"/groups/{sandbox.info.project_id}/clusters?itemsPerPage=500&includeCount=true"
        clusters = await atlas.request("GET", path, version="2024-08-05")

        assert clusters.status_code == 200, clusters.text
        assert clusters.json()["totalCount"] == 500
        assert (await atlas.encryption(sandbox.info.project_id))["azureKeyVault"]["valid"] is True
