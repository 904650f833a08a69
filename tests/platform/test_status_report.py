"""`cmkwizard status` on a project read over HTTP: what an operator sees as text and as JSON."""

from __future__ import annotations

import json

import pytest

from cmkwizard.cli import main
from tests.atlas.fake_atlas import GROUP_ID, ROLE_ID, Canned, atlas_error
from tests.platform.conftest import PRIVATE_KEY, PUBLIC_KEY

ORG_ID = "5e0a1b2c3d4e5f6071829304"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE_ARN = "arn:aws:iam::123456789012:role/atlas-kms"


@pytest.fixture
def encrypted_project(served_atlas):
    """A project encrypted with AWS KMS through an authorized role, read by a key that is not Project Owner."""
    fake, _ = served_atlas
    group = f"/groups/{GROUP_ID}"
    fake.answer_next(
        "GET", group, Canned(200, {"id": GROUP_ID, "name": "Payments", "orgId": ORG_ID, "clusterCount": 3})
    )
    fake.answer_next(
        "GET",
        f"{group}/encryptionAtRest",
        Canned(
            200,
            {
                "awsKms": {
                    "enabled": True,
                    "customerMasterKeyID": KEY_ARN,
                    "region": "US_EAST_1",
                    "roleId": ROLE_ID,
                    "requirePrivateNetworking": True,
                    "valid": True,
                },
                "azureKeyVault": {"enabled": False},
                "googleCloudKms": {"enabled": False},
            },
        ),
    )
    fake.answer_next(
        "GET",
        f"{group}/cloudProviderAccess",
        Canned(
            200,
            {
                "awsIamRoles": [
                    {
                        "providerName": "AWS",
                        "roleId": ROLE_ID,
                        "iamAssumedRoleArn": ROLE_ARN,
                        "atlasAWSAccountArn": "arn:aws:iam::299602853325:root",
                        "atlasAssumedRoleExternalId": "5a7c0e1f-0d4f-4a0e-8b8e-2f6b0c9d1e2a",
                        "authorizedDate": "2026-11-20T10:00:00Z",
                        "featureUsages": [{"featureType": "ENCRYPTION_AT_REST", "featureId": None}],
                    }
                ],
                "azureServicePrincipals": [],
            },
        ),
    )
    fake.answer_next(
        "GET",
        f"{group}/encryptionAtRest/AWS/privateEndpoints",
        Canned(
            200,
            {
                "results": [
                    {"id": "6a" * 12, "cloudProvider": "AWS", "regionName": "US_EAST_1", "status": "ACTIVE"},
                    {
                        "id": "6b" * 12,
                        "cloudProvider": "AWS",
                        "regionName": "US_WEST_2",
                        "status": "FAILED",
                        "errorMessage": "Endpoint service quota exceeded",
                    },
                ],
                "totalCount": 2,
            },
        ),
    )
    fake.answer_next(
        "GET",
        f"{group}/encryptionAtRest/AZURE/privateEndpoints",
        Canned(
            403, atlas_error(403, "USER_UNAUTHORIZED", "The current user is not authorized to perform this action.")
        ),
    )
    return fake


def test_status_text(encrypted_project, capsys):
    assert main(["status", "--project", GROUP_ID]) == 0

    out = capsys.readouterr().out
    assert out.startswith(f"Project Payments ({GROUP_ID}), read at ")
    assert f"as API key {PUBLIC_KEY}; roles: GROUP_OWNER" in out
    assert "active provider: AWS, valid" in out
    assert f"AWS KMS: key {KEY_ARN}, region US_EAST_1, role {ROLE_ID}, private networking on" in out
    assert f"AWS       {ROLE_ID}  {ROLE_ARN}  authorized, used for encryption at rest" in out
    assert "cluster-0002  IDLE   NONE" in out
    assert "AWS       US_WEST_2  FAILED  Endpoint service quota exceeded" in out
    assert "Not read: AZURE private endpoints: reading them needs the Project Owner role" in out
    assert PRIVATE_KEY not in out


def test_status_json(encrypted_project, capsys):
    assert main(["status", "--project", GROUP_ID, "--json"]) == 0

    out = capsys.readouterr().out
    document = json.loads(out)
    assert document["project"] == {"id": GROUP_ID, "name": "Payments", "org_id": ORG_ID}
    assert document["connection"]["credentials"] == f"API key {PUBLIC_KEY}"
    assert document["encryption_at_rest"]["active_provider"] == "AWS"
    assert document["encryption_at_rest"]["aws_kms"]["customer_master_key_id"] == KEY_ARN
    assert document["cloud_provider_access"][0]["authorized"] is True
    assert [c["name"] for c in document["clusters"]] == ["cluster-0000", "cluster-0001", "cluster-0002"]
    assert [(e["region"], e["status"]) for e in document["private_endpoints"]] == [
        ("US_EAST_1", "ACTIVE"),
        ("US_WEST_2", "FAILED"),
    ]
    assert document["unavailable"][0]["code"] == "USER_UNAUTHORIZED"
    assert PRIVATE_KEY not in out


def test_status_by_project_name(encrypted_project, capsys):
    encrypted_project.answer_next(
        "GET", "/groups/byName/Payments", Canned(200, {"id": GROUP_ID, "name": "Payments", "orgId": ORG_ID})
    )

    assert main(["status", "--project", "Payments", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["project"]["id"] == GROUP_ID
