"""Project states built from Atlas-shaped documents, for screens shown without polling."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cmkwizard.atlas.models import CloudProviderAccess, Cluster, EncryptionAtRest, PrivateEndpoint
from cmkwizard.state import ProjectState

PROJECT_ID = "6650f1c2a4b5c6d7e8f90123"
ROLE_ID = "6650f1c2a4b5c6d7e8f9abcd"
READ_AT = datetime(2026, 11, 25, 9, 30, 0, tzinfo=UTC)
ROLE_ARN = "arn:aws:iam::123456789012:role/atlas-kms"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
AZURE_KEY_ID = "https://payments-kv.vault.azure.net/keys/atlas-cmk/0123456789abcdef0123456789abcdef"


class FixedClock:
    def __init__(self, now: datetime = READ_AT) -> None:
        self.moment = now

    def now(self) -> datetime:
        return self.moment


def cluster(name: str, state: str = "IDLE", provider: str = "NONE", size: str = "M10") -> dict[str, Any]:
    return {
        "name": name,
        "id": f"id-{name}",
        "stateName": state,
        "encryptionAtRestProvider": provider,
        "clusterType": "REPLICASET",
        "backupEnabled": True,
        "replicationSpecs": [
            {
                "regionConfigs": [
                    {"providerName": "AWS", "regionName": "US_EAST_1", "electableSpecs": {"instanceSize": size}}
                ]
            }
        ],
    }


def endpoint(n: int, region: str, status: str, error: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": f"6650f1c2a4b5c6d7e8f9e00{n}",
        "cloudProvider": "AWS",
        "regionName": region,
        "status": status,
    }
    if error:
        body["errorMessage"] = error
    return body


def project_state(
    *,
    enabled: bool = True,
    valid: bool | None = True,
    authorized: bool = True,
    clusters: list[dict[str, Any]] | None = None,
    endpoints: list[dict[str, Any]] | None = None,
    private_networking: bool = False,
    read_at: datetime = READ_AT,
    key_being_checked: bool = False,
    provider: str = "AWS",
    legacy_access_key: str | None = None,
) -> ProjectState:
    role: dict[str, Any] = {
        "providerName": "AWS",
        "roleId": ROLE_ID,
        "atlasAWSAccountArn": "arn:aws:iam::536727724300:root",
        "atlasAssumedRoleExternalId": "c2f4e9a8-0f7e-4d3b-9a51-1b2c3d4e5f60",
        "createdDate": "2026-11-25T09:00:00Z",
        "featureUsages": [{"featureType": "ENCRYPTION_AT_REST"}] if enabled else [],
    }
    if authorized:
        role |= {"iamAssumedRoleArn": ROLE_ARN, "authorizedDate": "2026-11-25T09:05:00Z"}
    else:  # as Atlas sends a role not yet authorized
        role |= {"iamAssumedRoleArn": None, "authorizedDate": None}
    kms: dict[str, Any] = {"enabled": enabled and provider == "AWS"}
    if kms["enabled"]:
        kms |= {
            "customerMasterKeyID": KEY_ID,
            "region": "US_EAST_1",
            "roleId": ROLE_ID,
            "requirePrivateNetworking": private_networking,
            "valid": valid,
        }
        if legacy_access_key:
            del kms["roleId"]
            kms["accessKeyID"] = legacy_access_key
    akv: dict[str, Any] = {"enabled": enabled and provider == "AZURE"}
    if akv["enabled"]:
        akv |= {
            "azureEnvironment": "AZURE",
            "keyVaultName": "payments-kv",
            "keyIdentifier": AZURE_KEY_ID,
            "roleId": ROLE_ID,
            "requirePrivateNetworking": private_networking,
            "valid": valid,
        }
    return ProjectState(
        project_id=PROJECT_ID,
        read_at=read_at,
        encryption=EncryptionAtRest.from_api({"awsKms": kms, "azureKeyVault": akv}),
        access=CloudProviderAccess.from_api({"awsIamRoles": [role]}),
        clusters=tuple(Cluster.from_api(c) for c in (clusters if clusters is not None else [cluster("Cluster0")])),
        endpoints=tuple(PrivateEndpoint.from_api(e) for e in endpoints or []),
        key_being_checked=key_being_checked,
    )


ALL_ENDPOINT_STATUSES = [
    endpoint(1, "US_EAST_1", "ACTIVE"),
    endpoint(2, "US_WEST_2", "INITIATING"),
    endpoint(3, "EU_WEST_1", "PENDING_ACCEPTANCE"),
    endpoint(4, "EU_CENTRAL_1", "FAILED", "The VPC endpoint service quota is exceeded in eu-central-1."),
    endpoint(5, "AP_SOUTHEAST_2", "PENDING_RECREATION"),
    endpoint(6, "CA_CENTRAL_1", "DELETING"),
]
