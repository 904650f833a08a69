"""Project encryption at rest in the simulated Atlas: what it refuses, what it records, how it reports validity."""

from __future__ import annotations

import uuid

from tests.sandbox.sim_fixtures import TIMINGS, Sim, assert_error, call, sim_fixture

fresh = sim_fixture("fresh")
encrypted = sim_fixture("encrypted-aws")
legacy = sim_fixture("legacy-credentials")

ROLE_ARN = "arn:aws:iam::123456789012:role/atlas-kms-role"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/2f5e7c1a-9b7d-4c3e-8a6f-1d2e3f4a5b6c"
NEW_KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


async def _authorized_role(sim: Sim) -> str:
    client = sim.client()
    role = (await call(client, "POST", f"{sim.group}/cloudProviderAccess", json={"providerName": "AWS"})).json()
    await call(
        client,
        "PATCH",
        f"{sim.group}/cloudProviderAccess/{role['roleId']}",
        json={"providerName": "AWS", "iamAssumedRoleArn": ROLE_ARN},
    )
    return role["roleId"]


def _aws(role_id: str, **overrides: object) -> dict:
    config = {"enabled": True, "customerMasterKeyID": KEY_ARN, "region": "US_EAST_1", "roleId": role_id}
    return {"awsKms": {**config, **overrides}}


async def _patch(sim: Sim, body: dict):
    return await call(sim.client(), "PATCH", f"{sim.group}/encryptionAtRest", json=body)


async def _events(sim: Sim, *types: str) -> list[str]:
    params = [("eventType", t) for t in types]
    response = await call(sim.client(), "GET", f"{sim.group}/events", params=params)
    return [e["eventTypeName"] for e in response.json()["results"]]


async def test_first_enable_needs_every_attribute(fresh: Sim) -> None:
    role_id = await _authorized_role(fresh)

    response = await _patch(fresh, {"awsKms": {"enabled": True, "customerMasterKeyID": KEY_ARN, "roleId": role_id}})

    body = assert_error(response, 400, "MISSING_ATTRIBUTE")
    assert body["parameters"] == ["awsKms.region"]
    assert fresh.project.encryption.aws is None


async def test_enable_needs_an_authorized_role(fresh: Sim) -> None:
    client = fresh.client()
    role = (await call(client, "POST", f"{fresh.group}/cloudProviderAccess", json={"providerName": "AWS"})).json()

    unauthorized = await _patch(fresh, _aws(role["roleId"]))
    unknown = await _patch(fresh, _aws("0123456789abcdef01234567"))

    assert_error(unauthorized, 400, "CLOUD_PROVIDER_ACCESS_ROLE_NOT_AUTHORIZED")
    assert_error(unknown, 404, "RESOURCE_NOT_FOUND")
    assert fresh.aws.count("check_key_access") == 0


async def test_global_is_not_a_kms_region(fresh: Sim) -> None:
    response = await _patch(fresh, _aws(await _authorized_role(fresh), region="GLOBAL"))

    assert_error(response, 400, "AWS_KMS_REGION_NOT_SUPPORTED")


async def test_key_atlas_cannot_use_is_refused_with_the_cloud_code(fresh: Sim) -> None:
    role_id = await _authorized_role(fresh)
    for code in ("NO_PERMISSION_TO_ENCRYPT_DECRYPT", "AWS_KMS_CUSTOMER_MASTER_KEY_NOT_ENABLED"):
        fresh.aws.refuse("check_key_access", code)
        assert_error(await _patch(fresh, _aws(role_id)), 400, code)
    fresh.aws.refuse("check_assume_role", "CANNOT_ASSUME_ROLE")
    assert_error(await _patch(fresh, _aws(role_id)), 400, "CANNOT_ASSUME_ROLE")
    assert fresh.project.encryption.aws is None


async def test_enable_records_the_rotation_alert_and_the_change(fresh: Sim) -> None:
    role_id = await _authorized_role(fresh)

    response = await _patch(fresh, _aws(role_id))

    assert response.status_code == 200
    aws = response.json()["awsKms"]
    assert aws["enabled"] is True and aws["region"] == "US_EAST_1"
    assert fresh.aws.calls[-1] == ("check_key_access", (ROLE_ARN, KEY_ARN, "US_EAST_1"))
    configs = (await call(fresh.client(), "GET", f"{fresh.group}/alertConfigs")).json()["results"]
    rotation = [c for c in configs if c["eventTypeName"] == "AWS_ENCRYPTION_KEY_NEEDS_ROTATION"]
    assert len(rotation) == 1
    assert rotation[0]["threshold"] == {"operator": "GREATER_THAN", "threshold": 90, "units": "DAYS"}
    assert await _events(fresh, "ENCRYPTION_AT_REST_CONFIGURATION_UPDATED") == [
        "ENCRYPTION_AT_REST_CONFIGURATION_UPDATED"
    ]
    roles = (await call(fresh.client(), "GET", f"{fresh.group}/cloudProviderAccess")).json()["awsIamRoles"]
    assert roles[0]["featureUsages"][0]["featureType"] == "ENCRYPTION_AT_REST"

    await _patch(fresh, {"awsKms": {"requirePrivateNetworking": True}})
    configs = (await call(fresh.client(), "GET", f"{fresh.group}/alertConfigs")).json()["results"]
    assert len(configs) == 1


async def test_rotation_sends_only_the_new_key_and_rolls_the_clusters(encrypted: Sim) -> None:
    response = await _patch(encrypted, {"awsKms": {"customerMasterKeyID": NEW_KEY_ARN}})

    assert response.status_code == 200
    assert response.json()["awsKms"]["customerMasterKeyID"] == NEW_KEY_ARN
    assert "AWS_ENCRYPTION_KEY_ROTATED" in await _events(encrypted, "AWS_ENCRYPTION_KEY_ROTATED")
    clusters = encrypted.project.clusters
    assert clusters["orders"].state == "UPDATING" and clusters["analytics"].state == "UPDATING"
    assert clusters["playground"].state == "IDLE"  # not encrypted, not touched
    encrypted.clock.advance(121)
    listed = (await call(encrypted.client(), "GET", f"{encrypted.group}/clusters", version="2024-08-05")).json()
    assert {c["stateName"] for c in listed["results"]} == {"IDLE"}


async def test_failover_changes_region_and_key_together(encrypted: Sim) -> None:
    replica = "arn:aws:kms:us-west-2:123456789012:key/mrk-0123456789abcdef0123456789abcdef"

    response = await _patch(encrypted, {"awsKms": {"region": "US_WEST_2", "customerMasterKeyID": replica}})

    assert response.json()["awsKms"]["region"] == "US_WEST_2"
    role_arn = encrypted.seed.aws_roles[0].iam_role_arn
    assert encrypted.aws.calls[-1] == ("check_key_access", (role_arn, replica, "US_WEST_2"))


async def test_disable_waits_for_every_cluster_then_removes_the_config(encrypted: Sim) -> None:
    client = encrypted.client()
    refused = await _patch(encrypted, {"awsKms": {"enabled": False}})
    body = assert_error(refused, 409, "CANNOT_DISABLE_ENCRYPTION_AT_REST")
    assert set(body["parameters"]) == {"orders", "analytics", "payments-azure"}

    for name in body["parameters"]:
        await call(
            client,
            "PATCH",
            f"{encrypted.group}/clusters/{name}",
            version="2024-10-23",
            json={"encryptionAtRestProvider": "NONE"},
        )
    disabled = await _patch(encrypted, {"awsKms": {"enabled": False}})

    assert disabled.status_code == 200
    assert disabled.json()["awsKms"] == {"enabled": False}
    assert encrypted.project.encryption.aws is None


async def test_disable_takes_only_enabled_false(encrypted: Sim) -> None:
    response = await _patch(encrypted, {"awsKms": {"enabled": False, "region": "US_EAST_1"}})

    assert_error(response, 400, "INVALID_ATTRIBUTE")


async def test_private_networking_stays_while_endpoints_exist(encrypted: Sim) -> None:
    client = encrypted.client()
    await _patch(encrypted, {"awsKms": {"requirePrivateNetworking": True}})
    for region in ("US_EAST_1", "US_WEST_2"):
        await call(
            client,
            "POST",
            f"{encrypted.group}/encryptionAtRest/AWS/privateEndpoints",
            json={"cloudProvider": "AWS", "regionName": region},
        )
    for name in ("orders", "analytics", "payments-azure"):
        encrypted.project.clusters[name].encryption_provider = "NONE"

    turned_off = await _patch(encrypted, {"awsKms": {"requirePrivateNetworking": False}})
    disabled = await _patch(encrypted, {"awsKms": {"enabled": False}})

    code = "CANNOT_DISABLE_ENCRYPTION_AT_REST_REQUIRE_PRIVATE_NETWORKING_WHILE_PRIVATE_ENDPOINTS_EXIST"
    assert assert_error(turned_off, 400, code)["parameters"] == ["US_EAST_1", "US_WEST_2"]
    assert assert_error(disabled, 400, "CANNOT_DISABLE_ENCRYPTION_AT_REST_DUE_TO_PRIVATE_ENDPOINTS")["parameters"] == []


async def test_switching_provider_needs_a_disable_first(encrypted: Sim) -> None:
    response = await _patch(
        encrypted,
        {
            "azureKeyVault": {
                "enabled": True,
                "azureEnvironment": "AZURE",
                "subscriptionID": str(uuid.uuid4()),
                "resourceGroupName": "rg",
                "keyVaultName": "kv-one",
                "keyIdentifier": f"https://kv-one.vault.azure.net/keys/k/{uuid.uuid4().hex}",
                "roleId": "0123456789abcdef01234567",
            }
        },
    )

    assert_error(response, 409, "CANNOT_CHANGE_ENCRYPTION_AT_REST_PROVIDER")


async def test_read_recomputes_validity_and_records_each_change_once(encrypted: Sim) -> None:
    client = encrypted.client()
    ear = f"{encrypted.group}/encryptionAtRest"
    encrypted.aws.refuse("check_key_access", "ENCRYPTION_AT_REST_SETTINGS_INVALID", "KMS in us-east-1 unreachable")

    down = [(await call(client, "GET", ear)).json()["awsKms"]["valid"] for _ in range(2)]
    encrypted.aws.accept("check_key_access")
    up = (await call(client, "GET", ear)).json()["awsKms"]["valid"]

    assert down == [False, False] and up is True
    health_events = await _events(
        encrypted,
        "ENCRYPTION_AT_REST_CONFIG_NO_LONGER_VALID",
        "ENCRYPTION_AT_REST_CONFIG_IS_VALID",
        "ENCRYPTION_AT_REST_KMS_NETWORK_ACCESS_DENIED",
        "ENCRYPTION_AT_REST_KMS_NETWORK_ACCESS_RESTORED",
    )
    assert sorted(health_events) == sorted(
        [
            "ENCRYPTION_AT_REST_KMS_NETWORK_ACCESS_DENIED",
            "ENCRYPTION_AT_REST_CONFIG_NO_LONGER_VALID",
            "ENCRYPTION_AT_REST_KMS_NETWORK_ACCESS_RESTORED",
            "ENCRYPTION_AT_REST_CONFIG_IS_VALID",
        ]
    )


async def test_permission_loss_is_invalid_without_a_network_event(encrypted: Sim) -> None:
    encrypted.aws.refuse("check_key_access", "NO_PERMISSION_TO_ENCRYPT_DECRYPT")

    body = (await call(encrypted.client(), "GET", f"{encrypted.group}/encryptionAtRest")).json()

    assert body["awsKms"]["valid"] is False
    assert await _events(encrypted, "ENCRYPTION_AT_REST_KMS_NETWORK_ACCESS_DENIED") == []


async def test_legacy_credentials_are_shown_and_can_move_to_a_role(legacy: Sim) -> None:
    before = (await call(legacy.client(), "GET", f"{legacy.group}/encryptionAtRest")).json()["awsKms"]
    assert before["accessKeyID"].startswith("AKIA") and "roleId" not in before and "secretAccessKey" not in before

    more_keys = await _patch(legacy, {"awsKms": {"accessKeyID": "AKIAABCDEFGHIJKLMNOP", "secretAccessKey": "s"}})
    assert_error(more_keys, 400, "INVALID_ATTRIBUTE")

    role_id = await _authorized_role(legacy)
    after = (await _patch(legacy, {"awsKms": {"roleId": role_id}})).json()["awsKms"]
    assert "accessKeyID" not in after and after["valid"] is False  # Atlas checks the key reached through the role
    legacy.clock.advance(TIMINGS.key_validation)
    validated = (await call(legacy.client(), "GET", f"{legacy.group}/encryptionAtRest")).json()["awsKms"]
    assert validated["valid"] is True
    assert legacy.project.encryption.aws.role_id == role_id


async def _azure_principal(sim: Sim) -> str:
    created = await call(
        sim.client(),
        "POST",
        f"{sim.group}/cloudProviderAccess",
        json={"providerName": "AZURE", "tenantId": str(uuid.uuid4()), "servicePrincipalId": str(uuid.uuid4())},
    )
    return created.json()["_id"]


def _azure(role_id: str, **overrides: object) -> dict:
    config = {
        "enabled": True,
        "azureEnvironment": "AZURE",
        "subscriptionID": "4d9f1c2e-3b4a-4c5d-8e6f-7a8b9c0d1e2f",
        "resourceGroupName": "cmk-rg",
        "keyVaultName": "cmk-vault",
        "keyIdentifier": "https://cmk-vault.vault.azure.net/keys/atlas/0123456789abcdef0123456789abcdef",
        "roleId": role_id,
    }
    return {"azureKeyVault": {**config, **overrides}}


async def test_azure_key_identifier_must_be_a_versioned_key_in_the_vault(fresh: Sim) -> None:
    role_id = await _azure_principal(fresh)

    unversioned = await _patch(fresh, _azure(role_id, keyIdentifier="https://cmk-vault.vault.azure.net/keys/atlas"))
    other_vault = await _patch(
        fresh,
        _azure(role_id, keyIdentifier="https://other.vault.azure.net/keys/atlas/0123456789abcdef0123456789abcdef"),
    )

    assert_error(unversioned, 400, "AZURE_KEY_VAULT_KEY_IDENTIFIER_INVALID_FORMAT")
    assert "cmk-vault" in assert_error(other_vault, 400, "AZURE_KEY_VAULT_KEY_IDENTIFIER_INVALID_FORMAT")["detail"]


async def test_azure_enable_and_rotate(fresh: Sim) -> None:
    role_id = await _azure_principal(fresh)
    fresh.azure.refuse("check_key_access", "AZURE_KEY_VAULT_KEY_NOT_FOUND")
    assert_error(await _patch(fresh, _azure(role_id)), 400, "AZURE_KEY_VAULT_KEY_NOT_FOUND")
    fresh.azure.accept("check_key_access")

    enabled = (await _patch(fresh, _azure(role_id))).json()["azureKeyVault"]
    new_version = "https://cmk-vault.vault.azure.net/keys/atlas/fedcba9876543210fedcba9876543210"
    rotated = (await _patch(fresh, {"azureKeyVault": {"keyIdentifier": new_version}})).json()["azureKeyVault"]

    assert enabled["enabled"] is True and enabled["valid"] is False and enabled["roleId"] == role_id
    assert rotated["keyIdentifier"] == new_version and rotated["valid"] is False
    fresh.clock.advance(TIMINGS.key_validation)
    validated = (await call(fresh.client(), "GET", f"{fresh.group}/encryptionAtRest")).json()["azureKeyVault"]
    assert validated["valid"] is True
    principal = fresh.project.azure_principals[role_id].service_principal_id
    assert fresh.azure.calls[-1] == ("check_key_access", (new_version, "cmk-vault", principal))
    assert await _events(fresh, "AZURE_ENCRYPTION_KEY_ROTATED") == ["AZURE_ENCRYPTION_KEY_ROTATED"]
    configs = (await call(fresh.client(), "GET", f"{fresh.group}/alertConfigs")).json()["results"]
    assert [c["eventTypeName"] for c in configs] == ["AZURE_ENCRYPTION_KEY_NEEDS_ROTATION"]


async def test_empty_patch_names_no_provider(fresh: Sim) -> None:
    assert_error(await _patch(fresh, {}), 400, "MISSING_ENCRYPTION_AT_REST_PROVIDER")


async def _valid(sim: Sim) -> bool:
    return (await call(sim.client(), "GET", f"{sim.group}/encryptionAtRest")).json()["awsKms"]["valid"]


async def test_valid_is_false_until_atlas_has_checked_a_new_or_changed_key(fresh: Sim) -> None:
    role_id = await _authorized_role(fresh)

    enabled = (await _patch(fresh, _aws(role_id))).json()["awsKms"]
    assert enabled["valid"] is False
    fresh.clock.advance(TIMINGS.key_validation - 1)
    assert await _valid(fresh) is False
    fresh.clock.advance(1)
    assert await _valid(fresh) is True
    assert await _events(fresh, "ENCRYPTION_AT_REST_CONFIGURATION_VALIDATION_SUCCEEDED") == [
        "ENCRYPTION_AT_REST_CONFIGURATION_VALIDATION_SUCCEEDED"
    ]

    rotated = (await _patch(fresh, {"awsKms": {"customerMasterKeyID": NEW_KEY_ARN}})).json()["awsKms"]
    assert rotated["valid"] is False
    fresh.clock.advance(TIMINGS.key_validation)
    assert await _valid(fresh) is True

    same_key = (await _patch(fresh, {"awsKms": {"requirePrivateNetworking": True}})).json()["awsKms"]
    assert same_key["valid"] is True


async def test_a_key_unusable_when_checked_stays_invalid_and_the_event_says_why(fresh: Sim) -> None:
    role_id = await _authorized_role(fresh)
    assert (await _patch(fresh, _aws(role_id))).status_code == 200

    fresh.aws.refuse("check_key_access", "NO_PERMISSION_TO_ENCRYPT_DECRYPT", "the role may not use the key")
    fresh.clock.advance(TIMINGS.key_validation)

    assert await _valid(fresh) is False
    response = await call(
        fresh.client(),
        "GET",
        f"{fresh.group}/events",
        params={"eventType": "ENCRYPTION_AT_REST_CONFIGURATION_VALIDATION_FAILED", "includeRaw": "true"},
    )
    [failed] = response.json()["results"]
    assert failed["raw"]["description"] == "NO_PERMISSION_TO_ENCRYPT_DECRYPT: the role may not use the key"
