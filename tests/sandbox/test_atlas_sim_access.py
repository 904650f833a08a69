"""Cloud provider access in the simulated Atlas: creating, authorizing and removing AWS roles and Azure principals."""

from __future__ import annotations

import uuid

from cmkwizard.sandbox.atlas_sim.errors import UNVERIFIED_ROLE_REPOINTED_WHILE_IN_USE
from tests.sandbox.sim_fixtures import Sim, assert_error, call, sim_fixture

sim = sim_fixture("fresh")
encrypted = sim_fixture("encrypted-aws")

ROLE_ARN = "arn:aws:iam::123456789012:role/atlas-kms-role"


async def _create_aws_role(sim: Sim) -> dict:
    response = await call(sim.client(), "POST", f"{sim.group}/cloudProviderAccess", json={"providerName": "AWS"})
    assert response.status_code == 200
    return response.json()


async def test_created_aws_role_names_the_atlas_principal_and_a_fresh_external_id(sim: Sim) -> None:
    first = await _create_aws_role(sim)
    second = await _create_aws_role(sim)

    assert first["atlasAWSAccountArn"] == sim.store.atlas_aws_principal_arn
    assert first["atlasAWSAccountArn"].startswith("arn:aws:iam::") and first["atlasAWSAccountArn"].endswith(":root")
    assert "123456789012" not in first["atlasAWSAccountArn"]
    assert uuid.UUID(first["atlasAssumedRoleExternalId"]) != uuid.UUID(second["atlasAssumedRoleExternalId"])
    assert first["iamAssumedRoleArn"] is None and first["authorizedDate"] is None
    listed = (await call(sim.client(), "GET", f"{sim.group}/cloudProviderAccess")).json()
    assert [r["roleId"] for r in listed["awsIamRoles"]] == [first["roleId"], second["roleId"]]


async def test_create_refuses_read_only_attributes(sim: Sim) -> None:
    response = await call(
        sim.client(),
        "POST",
        f"{sim.group}/cloudProviderAccess",
        json={"providerName": "AWS", "atlasAssumedRoleExternalId": str(uuid.uuid4())},
    )

    assert_error(response, 400, "ATTRIBUTE_READ_ONLY")
    assert sim.project.aws_roles == {}


async def test_create_refuses_an_unknown_provider(sim: Sim) -> None:
    response = await call(sim.client(), "POST", f"{sim.group}/cloudProviderAccess", json={"providerName": "OCI"})

    assert_error(response, 400, "INVALID_ENUM_VALUE")


async def test_authorize_checks_the_arn_then_asks_aws(sim: Sim) -> None:
    role = await _create_aws_role(sim)
    path = f"{sim.group}/cloudProviderAccess/{role['roleId']}"
    client = sim.client()

    malformed = await call(client, "PATCH", path, json={"providerName": "AWS", "iamAssumedRoleArn": "atlas-kms-role-x"})
    missing = await call(client, "PATCH", path, json={"providerName": "AWS"})
    sim.aws.refuse("check_assume_role", "CANNOT_ASSUME_ROLE", "Atlas cannot assume the specified role.")
    refused = await call(client, "PATCH", path, json={"providerName": "AWS", "iamAssumedRoleArn": ROLE_ARN})
    sim.aws.accept("check_assume_role")
    authorized = await call(client, "PATCH", path, json={"providerName": "AWS", "iamAssumedRoleArn": ROLE_ARN})

    assert assert_error(malformed, 400, "INVALID_ATTRIBUTE")["parameters"][0] == "iamAssumedRoleArn"
    assert_error(missing, 400, "MISSING_ATTRIBUTE")
    assert_error(refused, 400, "CANNOT_ASSUME_ROLE")
    assert sim.aws.calls[0] == (
        "check_assume_role",
        (ROLE_ARN, sim.store.atlas_aws_principal_arn, role["atlasAssumedRoleExternalId"]),
    )
    assert authorized.status_code == 200
    assert authorized.json()["iamAssumedRoleArn"] == ROLE_ARN
    assert authorized.json()["authorizedDate"] == "2026-11-02T09:00:00Z"
    fetched = (await call(client, "GET", path)).json()
    assert fetched["iamAssumedRoleArn"] == ROLE_ARN


async def test_authorize_with_the_wrong_provider_or_role(sim: Sim) -> None:
    role = await _create_aws_role(sim)
    client = sim.client()
    wrong_provider = await call(
        client,
        "PATCH",
        f"{sim.group}/cloudProviderAccess/{role['roleId']}",
        json={"providerName": "AZURE", "servicePrincipalId": str(uuid.uuid4()), "tenantId": str(uuid.uuid4())},
    )
    unknown = await call(
        client,
        "PATCH",
        f"{sim.group}/cloudProviderAccess/0123456789abcdef01234567",
        json={"providerName": "AWS", "iamAssumedRoleArn": ROLE_ARN},
    )
    malformed = await call(client, "GET", f"{sim.group}/cloudProviderAccess/role-1")

    assert_error(wrong_provider, 400, "INVALID_ATTRIBUTE")
    assert_error(unknown, 404, "RESOURCE_NOT_FOUND")
    assert_error(malformed, 400, "INVALID_ATTRIBUTE")


async def test_azure_service_principal_is_checked_with_azure(sim: Sim) -> None:
    tenant, principal = str(uuid.uuid4()), str(uuid.uuid4())
    client = sim.client()
    body = {"providerName": "AZURE", "tenantId": tenant, "servicePrincipalId": principal}

    sim.azure.refuse("check_service_principal", "CANNOT_AUTHENTICATE_SERVICE_PRINCIPAL")
    refused = await call(client, "POST", f"{sim.group}/cloudProviderAccess", json=body)
    sim.azure.accept("check_service_principal")
    created = await call(client, "POST", f"{sim.group}/cloudProviderAccess", json=body)
    bad_uuid = await call(client, "POST", f"{sim.group}/cloudProviderAccess", json={**body, "tenantId": "my-tenant"})

    assert_error(refused, 400, "CANNOT_AUTHENTICATE_SERVICE_PRINCIPAL")
    assert_error(bad_uuid, 400, "INVALID_ATTRIBUTE")
    created_body = created.json()
    assert created_body["providerName"] == "AZURE" and "roleId" not in created_body
    assert created_body["atlasAzureAppId"] == sim.store.atlas_azure_app_id
    assert sim.azure.calls[-1] == ("check_service_principal", (tenant, principal, sim.store.atlas_azure_app_id))
    new_principal = str(uuid.uuid4())
    updated = await call(
        client,
        "PATCH",
        f"{sim.group}/cloudProviderAccess/{created_body['_id']}",
        json={**body, "servicePrincipalId": new_principal},
    )
    assert updated.json()["servicePrincipalId"] == new_principal


async def test_deauthorize_removes_a_role_but_not_one_encryption_uses(encrypted: Sim) -> None:
    in_use = encrypted.seed.aws_roles[0].role_id
    client = encrypted.client()
    spare = (await call(client, "POST", f"{encrypted.group}/cloudProviderAccess", json={"providerName": "AWS"})).json()

    refused = await call(client, "DELETE", f"{encrypted.group}/cloudProviderAccess/AWS/{in_use}")
    wrong_provider = await call(client, "DELETE", f"{encrypted.group}/cloudProviderAccess/AZURE/{spare['roleId']}")
    bad_provider = await call(client, "DELETE", f"{encrypted.group}/cloudProviderAccess/IBM/{spare['roleId']}")
    removed = await call(client, "DELETE", f"{encrypted.group}/cloudProviderAccess/AWS/{spare['roleId']}")

    refusal = assert_error(refused, 400, "AWS_IAM_ROLE_IN_USE")
    assert refusal["detail"] == "Cannot remove the AWS IAM role because it is still in use."
    assert in_use in refusal["parameters"][0]
    assert_error(wrong_provider, 404, "RESOURCE_NOT_FOUND")
    assert_error(bad_provider, 400, "INVALID_ENUM_VALUE")
    assert removed.status_code == 204 and removed.content == b""
    listed = (await call(client, "GET", f"{encrypted.group}/cloudProviderAccess")).json()
    assert [r["roleId"] for r in listed["awsIamRoles"]] == [in_use]
    assert listed["awsIamRoles"][0]["featureUsages"] == [{"featureId": None, "featureType": "ENCRYPTION_AT_REST"}]


async def test_role_in_use_cannot_be_pointed_at_another_iam_role(encrypted: Sim) -> None:
    role = encrypted.seed.aws_roles[0]
    response = await call(
        encrypted.client(),
        "PATCH",
        f"{encrypted.group}/cloudProviderAccess/{role.role_id}",
        json={"providerName": "AWS", "iamAssumedRoleArn": "arn:aws:iam::123456789012:role/other-role"},
    )

    assert_error(response, 409, UNVERIFIED_ROLE_REPOINTED_WHILE_IN_USE)
