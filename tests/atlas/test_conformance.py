"""Every request the client builds, and the answers it is tested with, checked against the Atlas spec."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime

import httpx
import pytest

from cmkwizard.atlas import AtlasClient
from cmkwizard.atlas.auth import ServiceAccountAuth
from cmkwizard.atlas.endpoints import API_PREFIX, ENDPOINTS
from cmkwizard.atlas.models import AwsKmsPatch, AzureKeyVaultPatch
from tests.support.openapi import AtlasSpec, atlas_spec

GROUP = "5f1b2c3d4e5f60718293a4b5"
ORG = "5e1b2c3d4e5f60718293a4b4"
AWS_ROLE_ID = "6a1b2c3d4e5f60718293a4b6"
AZURE_ROLE_ID = "6a1b2c3d4e5f60718293a4c6"
ENDPOINT_ID = "6d1b2c3d4e5f60718293a4c0"
CONFIG_ID = "6c1b2c3d4e5f60718293a4b9"
TENANT = "91c0a4a6-1f6b-4c1e-9d07-5b2b6c1d2e3f"
APP = "9f2deb0d-be22-4524-a403-df531868bac0"
PRINCIPAL = "4c2f7b1e-8a4d-4e3b-b9b1-0f6a5e2d7c81"
CREATED = "2025-01-15T10:00:00Z"

AWS_ROLE = {
    "providerName": "AWS",
    "roleId": AWS_ROLE_ID,
    "atlasAWSAccountArn": "arn:aws:iam::536727724300:root",
    "atlasAssumedRoleExternalId": "5e2f1a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b",
    "createdDate": CREATED,
    "featureUsages": [],
    # Atlas sends both as null until the role is authorized.
    "iamAssumedRoleArn": None,
    "authorizedDate": None,
}
AZURE_PRINCIPAL = {
    "providerName": "AZURE",
    "_id": AZURE_ROLE_ID,
    "atlasAzureAppId": APP,
    "servicePrincipalId": PRINCIPAL,
    "tenantId": TENANT,
    "createdDate": CREATED,
    "featureUsages": [],
}
PROJECT = {"id": GROUP, "name": "payments", "orgId": ORG, "clusterCount": 1, "created": CREATED}
ENCRYPTION = {
    "awsKms": {"enabled": True, "customerMasterKeyID": "mrk-1234", "region": "US_EAST_1", "valid": True},
    "azureKeyVault": {"enabled": False},
    "googleCloudKms": {"enabled": False},
}
PRIVATE_ENDPOINT = {"id": ENDPOINT_ID, "cloudProvider": "AWS", "regionName": "US_EAST_1", "status": "INITIATING"}
CLUSTER = {"name": "orders", "stateName": "IDLE", "encryptionAtRestProvider": "AWS", "clusterType": "REPLICASET"}
SNAPSHOT = {"id": "6e1b2c3d4e5f60718293a4c1", "createdAt": CREATED, "status": "completed"}
ALERT_CONFIG = {
    "eventTypeName": "AWS_ENCRYPTION_KEY_NEEDS_ROTATION",
    "enabled": True,
    "notifications": [{"typeName": "GROUP", "intervalMin": 60, "delayMin": 0, "emailEnabled": True}],
    "threshold": {"operator": "GREATER_THAN", "threshold": 90, "units": "DAYS"},
}
EVENT = {"id": "6f1b2c3d4e5f60718293a4c2", "eventTypeName": "AWS_ENCRYPTION_KEY_ROTATED", "created": CREATED}


def _page(*items: object) -> dict[str, object]:
    return {"results": list(items), "totalCount": len(items), "links": []}


# A minimal answer Atlas could give to each operation (None: 204 No Content).
ANSWERS: dict[str, object] = {
    "getSystemStatus": {"appName": "MongoDB Atlas", "build": "f84b8e4", "throttling": False, "apiKey": None},
    "listOrgs": _page({"id": ORG, "name": "Acme"}),
    "listGroups": _page(PROJECT),
    "getOrgGroups": _page(PROJECT),
    "getGroup": PROJECT,
    "getGroupByName": PROJECT,
    "listGroupCloudProviderAccess": {"awsIamRoles": [AWS_ROLE], "azureServicePrincipals": [AZURE_PRINCIPAL]},
    "getGroupCloudProviderAccess": AWS_ROLE,
    "createGroupCloudProviderAccess": AWS_ROLE,
    "authorizeGroupCloudProviderAccessRole": {
        **AWS_ROLE,
        "iamAssumedRoleArn": "arn:aws:iam::123456789012:role/a",
        "authorizedDate": CREATED,
    },
    "deauthorizeGroupCloudProviderAccessRole": None,
    "getGroupEncryptionAtRest": ENCRYPTION,
    "updateGroupEncryptionAtRest": ENCRYPTION,
    "listGroupEncryptionAtRestPrivateEndpoints": _page(PRIVATE_ENDPOINT),
    "getGroupEncryptionAtRestPrivateEndpoint": PRIVATE_ENDPOINT,
    "createGroupEncryptionAtRestPrivateEndpoint": PRIVATE_ENDPOINT,
    "requestGroupEncryptionAtRestPrivateEndpointDeletion": None,
    "listGroupClusters": _page(CLUSTER),
    "getGroupCluster": CLUSTER,
    "updateGroupCluster": CLUSTER,
    "listGroupClusterBackupSnapshots": _page(SNAPSHOT),
    "listGroupClusterBackupSnapshotShardedClusters": _page(),
    "listGroupAlertConfigs": _page({**ALERT_CONFIG, "id": CONFIG_ID, "groupId": GROUP}),
    "updateGroupAlertConfig": {**ALERT_CONFIG, "id": CONFIG_ID, "groupId": GROUP},
    "listGroupEvents": _page(EVENT),
}
SUCCESS_STATUS = {"createGroupEncryptionAtRestPrivateEndpoint": 202}


async def _use_every_call(client: AtlasClient) -> None:
    """Each public call the client offers, with inputs an operator could give."""
    azure = {"atlas_azure_app_id": APP, "service_principal_id": PRINCIPAL, "tenant_id": TENANT}
    await client.whoami()
    await client.list_orgs(name="Ac")
    await client.list_projects()
    await client.list_projects(org_id=ORG, name="pay")
    await client.get_project(GROUP)
    await client.get_project_by_name("payments")
    await client.list_cloud_provider_access(GROUP)
    await client.get_cloud_provider_access_role(GROUP, AWS_ROLE_ID)
    await client.create_aws_role(GROUP)
    await client.authorize_aws_role(GROUP, AWS_ROLE_ID, "arn:aws:iam::123456789012:role/atlas-kms")
    await client.create_azure_principal(GROUP, **azure)
    await client.authorize_azure_principal(GROUP, AZURE_ROLE_ID, **azure)
    await client.deauthorize_role(GROUP, "AWS", AWS_ROLE_ID)
    await client.get_encryption_at_rest(GROUP)
    await client.update_encryption_at_rest(
        GROUP,
        aws_kms=AwsKmsPatch(
            enabled=True,
            customer_master_key_id="arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            region="US_EAST_1",
            role_id=AWS_ROLE_ID,
            require_private_networking=False,
        ),
    )
    await client.update_encryption_at_rest(
        GROUP,
        azure_key_vault=AzureKeyVaultPatch(
            enabled=True,
            azure_environment="AZURE",
            subscription_id="0f1e2d3c-4b5a-4968-8776-655443322110",
            resource_group_name="rg-keys",
            key_vault_name="kv-payments",
            key_identifier="https://kv-payments.vault.azure.net/keys/atlas/d891821e3d364e9eb88fbd3d11807b86",
            role_id=AZURE_ROLE_ID,
            require_private_networking=True,
        ),
    )
    await client.list_private_endpoints(GROUP, "AWS")
    await client.get_private_endpoint(GROUP, "AZURE", ENDPOINT_ID)
    await client.create_private_endpoint(GROUP, "AWS", "US_EAST_1")
    await client.delete_private_endpoint(GROUP, "AWS", ENDPOINT_ID)
    await client.list_clusters(GROUP)
    await client.get_cluster(GROUP, "orders")
    await client.set_cluster_encryption_provider(GROUP, "orders", "AWS")
    await client.list_snapshots(GROUP, "orders")
    await client.list_sharded_snapshots(GROUP, "orders")
    configs = await client.list_alert_configs(GROUP)
    await client.update_alert_config(GROUP, CONFIG_ID, dict(configs[0].raw))
    await client.list_events(
        GROUP,
        ["AWS_ENCRYPTION_KEY_ROTATED", "ENCRYPTION_AT_REST_CONFIGURATION_UPDATED"],
        min_date=datetime(2025, 1, 1, tzinfo=UTC),
        include_raw=True,
    )


class Recorder:
    """An Atlas stand-in at the transport level: answers from ANSWERS and keeps every exchange."""

    def __init__(self, spec: AtlasSpec) -> None:
        self.spec = spec
        self.exchanges: list[tuple[httpx.Request, httpx.Response]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/oauth/token":
            return httpx.Response(200, json={"access_token": "token", "token_type": "Bearer", "expires_in": 3600})
        operation = self.spec.operation(request.method, request.url.path)["operationId"]
        answer = ANSWERS[operation]
        if answer is None:
            response = httpx.Response(204, request=request)
        else:
            media_type = request.headers["Accept"]
            status = SUCCESS_STATUS.get(operation, 200)
            content = json.dumps(answer).encode()
            response = httpx.Response(status, content=content, headers={"Content-Type": media_type}, request=request)
        self.exchanges.append((request, response))
        return response


@pytest.fixture(scope="module")
def spec() -> AtlasSpec:
    return atlas_spec()


@pytest.fixture(scope="module")
def recorded(spec: AtlasSpec) -> Recorder:
    recorder = Recorder(spec)

    async def run() -> None:
        auth = ServiceAccountAuth("mdb_sa_id_6a1b2c3d4e5f60718293a4b8", "mdb_sa_sk_secret")
        async with AtlasClient(auth=auth, transport=httpx.MockTransport(recorder)) as client:
            await _use_every_call(client)

    asyncio.run(run())
    return recorder


def _label(exchange: tuple[httpx.Request, httpx.Response]) -> str:
    request = exchange[0]
    return f"{request.method} {request.url.path.removeprefix(API_PREFIX) or '/'}"


def test_every_endpoint_is_exercised(spec, recorded):
    called = {spec.operation(r.method, r.url.path)["operationId"] for r, _ in recorded.exchanges}
    assert called == set(ENDPOINTS)  # also proves each table entry names the spec's operation


def test_every_request_conforms(spec, recorded):
    failures = []
    for request, _ in recorded.exchanges:
        try:
            spec.validate_request(request)
        except AssertionError as problem:
            failures.append(str(problem))
    assert failures == []


def test_every_test_answer_conforms(spec, recorded):
    failures = []
    for request, response in recorded.exchanges:
        try:
            spec.validate_response(request, response)
        except AssertionError as problem:
            failures.append(str(problem))
    assert failures == []


def test_list_requests_ask_for_the_largest_page(recorded):
    paged = [r for r, _ in recorded.exchanges if "pageNum" in r.url.params]
    assert len(paged) == sum(e.paginated for e in ENDPOINTS.values())
    assert {r.url.params["itemsPerPage"] for r in paged} == {"500"}


@pytest.mark.parametrize(
    ("version", "problem"),
    [("2099-01-01", "Accept 'application/vnd.atlas.2099-01-01+json' is not offered"), ("2024-10-23", "'VAULT'")],
)
def test_the_spec_check_catches_a_wrong_version_or_body(spec, version, problem):
    media_type = f"application/vnd.atlas.{version}+json"
    bad = httpx.Request(
        "PATCH",
        f"https://cloud.mongodb.com{API_PREFIX}/groups/{GROUP}/clusters/orders",
        headers={"Accept": media_type, "Content-Type": media_type, "Authorization": "Bearer token"},
        content=json.dumps({"encryptionAtRestProvider": "VAULT"}).encode(),
    )
    with pytest.raises(AssertionError, match=re.escape(problem)):
        spec.validate_request(bad)
