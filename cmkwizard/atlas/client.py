"""The async Atlas Admin API v2 client: one method per call the wizard makes, typed results."""

from __future__ import annotations

import asyncio
import copy
import ssl
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any, Self, TypeVar

import httpx

from cmkwizard.atlas.body import Body, objects_of
from cmkwizard.atlas.endpoints import ATLAS_BASE_URL, ATLAS_GOV_BASE_URL, ENDPOINTS
from cmkwizard.atlas.errors import AtlasResponseError
from cmkwizard.atlas.models import (
    PROVIDER_AWS,
    PROVIDER_AZURE,
    PROVIDER_GCP,
    PROVIDER_NONE,
    AlertConfig,
    AwsIamRole,
    AwsKmsPatch,
    AzureKeyVaultPatch,
    AzureServicePrincipal,
    Caller,
    CloudProviderAccess,
    Cluster,
    EncryptionAtRest,
    Event,
    Organization,
    PrivateEndpoint,
    Project,
    Snapshot,
)
from cmkwizard.atlas.session import AtlasSession, Exchange, RetryPolicy, Sleep, Tracer, results_of

__all__ = ["ATLAS_BASE_URL", "ATLAS_GOV_BASE_URL", "AtlasClient", "Exchange", "RetryPolicy"]

DEFAULT_RETRY = RetryPolicy()

_ROLE_PROVIDERS = (PROVIDER_AWS, PROVIDER_AZURE, PROVIDER_GCP)
_ENDPOINT_PROVIDERS = (PROVIDER_AWS, PROVIDER_AZURE)
_CLUSTER_PROVIDERS = (PROVIDER_AWS, PROVIDER_AZURE, PROVIDER_GCP, PROVIDER_NONE)
# Fields Atlas sets itself on an alert configuration; a PUT carries only what the caller controls.
_ALERT_CONFIG_READ_ONLY = frozenset({"id", "groupId", "created", "updated", "links"})

T = TypeVar("T")

ChangeCheck = Callable[[str, Mapping[str, str], Mapping[str, Any] | None], Awaitable[None]]
"""Called with the operation, its path parameters and its body before a change is sent; raises to stop it."""


class AtlasClient:
    def __init__(
        self,
        base_url: str = ATLAS_BASE_URL,
        auth: httpx.Auth | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy = DEFAULT_RETRY,
        tracer: Tracer | None = None,
        sleep: Sleep = asyncio.sleep,
        verify: bool | ssl.SSLContext = True,
    ) -> None:
        self._session = AtlasSession(
            base_url,
            auth,
            transport=transport,
            timeout=timeout,
            retry=retry,
            tracer=tracer,
            sleep=sleep,
            verify=verify,
        )
        self._check_change: ChangeCheck | None = None

    def checking_changes(self, check: ChangeCheck) -> Self:
        """This client on the same connection, calling ``check`` before it sends anything but a read."""
        twin = copy.copy(self)
        twin._check_change = check
        return twin

    def __repr__(self) -> str:
        return f"AtlasClient(base_url={self.base_url!r})"

    @property
    def base_url(self) -> str:
        return self._session.base_url

    @property
    def request_count(self) -> int:
        """HTTP requests actually sent, retries and authentication round trips included."""
        return self._session.request_count

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._session.aclose()

    # --- identity, organizations, projects ---------------------------------------------------

    async def whoami(self) -> Caller:
        return await self._read(Caller.from_api, "getSystemStatus")

    async def list_orgs(self, name: str | None = None) -> list[Organization]:
        params = {"name": name} if name else None
        return await self._read_list(Organization.from_api, "listOrgs", params)

    async def list_projects(self, org_id: str | None = None, name: str | None = None) -> list[Project]:
        """Projects visible to the credentials; ``name`` is a case-insensitive prefix, as in Atlas."""
        if org_id:
            params = {"name": name} if name else None
            return await self._read_list(Project.from_api, "getOrgGroups", params, org_id=org_id)
        # listGroups has no name filter; apply the same prefix match Atlas uses for orgs.
        projects = await self._read_list(Project.from_api, "listGroups")
        return [p for p in projects if p.name.lower().startswith(name.lower())] if name else projects

    async def get_project(self, group_id: str) -> Project:
        return await self._read(Project.from_api, "getGroup", group_id=group_id)

    async def get_project_by_name(self, name: str) -> Project:
        return await self._read(Project.from_api, "getGroupByName", group_name=name)

    # --- cloud provider access ------------------------------------------------------------------

    async def list_cloud_provider_access(self, group_id: str) -> CloudProviderAccess:
        return await self._read(CloudProviderAccess.from_api, "listGroupCloudProviderAccess", group_id=group_id)

    async def get_cloud_provider_access_role(self, group_id: str, role_id: str) -> AwsIamRole | AzureServicePrincipal:
        return await self._read(_role_from_api, "getGroupCloudProviderAccess", group_id=group_id, role_id=role_id)

    async def create_aws_role(self, group_id: str) -> AwsIamRole:
        body = {"providerName": PROVIDER_AWS}
        return await self._read(AwsIamRole.from_api, "createGroupCloudProviderAccess", body, group_id=group_id)

    async def authorize_aws_role(self, group_id: str, role_id: str, iam_assumed_role_arn: str) -> AwsIamRole:
        body = {"providerName": PROVIDER_AWS, "iamAssumedRoleArn": iam_assumed_role_arn}
        return await self._read(
            AwsIamRole.from_api, "authorizeGroupCloudProviderAccessRole", body, group_id=group_id, role_id=role_id
        )

    async def create_azure_principal(
        self, group_id: str, *, atlas_azure_app_id: str, service_principal_id: str, tenant_id: str
    ) -> AzureServicePrincipal:
        body = _azure_principal_body(atlas_azure_app_id, service_principal_id, tenant_id)
        return await self._read(
            AzureServicePrincipal.from_api, "createGroupCloudProviderAccess", body, group_id=group_id
        )

    async def authorize_azure_principal(
        self, group_id: str, role_id: str, *, atlas_azure_app_id: str, service_principal_id: str, tenant_id: str
    ) -> AzureServicePrincipal:
        body = _azure_principal_body(atlas_azure_app_id, service_principal_id, tenant_id)
        return await self._read(
            AzureServicePrincipal.from_api,
            "authorizeGroupCloudProviderAccessRole",
            body,
            group_id=group_id,
            role_id=role_id,
        )

    async def deauthorize_role(self, group_id: str, provider: str, role_id: str) -> None:
        await self._read(
            _nothing,
            "deauthorizeGroupCloudProviderAccessRole",
            group_id=group_id,
            provider=_provider(provider, _ROLE_PROVIDERS),
            role_id=role_id,
        )

    # --- encryption at rest -----------------------------------------------------------------------

    async def get_encryption_at_rest(self, group_id: str) -> EncryptionAtRest:
        return await self._read(EncryptionAtRest.from_api, "getGroupEncryptionAtRest", group_id=group_id)

    async def update_encryption_at_rest(
        self,
        group_id: str,
        *,
        aws_kms: AwsKmsPatch | None = None,
        azure_key_vault: AzureKeyVaultPatch | None = None,
    ) -> EncryptionAtRest:
        body = {}
        if aws_kms is not None:
            body["awsKms"] = aws_kms.to_api()
        if azure_key_vault is not None:
            body["azureKeyVault"] = azure_key_vault.to_api()
        if not body:
            raise ValueError("update_encryption_at_rest needs aws_kms or azure_key_vault settings to send")
        return await self._read(EncryptionAtRest.from_api, "updateGroupEncryptionAtRest", body, group_id=group_id)

    # --- encryption-at-rest private endpoints ---------------------------------------------------

    async def list_private_endpoints(self, group_id: str, provider: str) -> list[PrivateEndpoint]:
        return await self._read_list(
            PrivateEndpoint.from_api,
            "listGroupEncryptionAtRestPrivateEndpoints",
            group_id=group_id,
            provider=_provider(provider, _ENDPOINT_PROVIDERS),
        )

    async def get_private_endpoint(self, group_id: str, provider: str, endpoint_id: str) -> PrivateEndpoint:
        return await self._read(
            PrivateEndpoint.from_api,
            "getGroupEncryptionAtRestPrivateEndpoint",
            group_id=group_id,
            provider=_provider(provider, _ENDPOINT_PROVIDERS),
            endpoint_id=endpoint_id,
        )

    async def create_private_endpoint(self, group_id: str, provider: str, region_name: str) -> PrivateEndpoint:
        provider = _provider(provider, _ENDPOINT_PROVIDERS)
        # The body repeats the provider: the spec's schema picks the AWS or Azure variant by it.
        body = {"cloudProvider": provider, "regionName": region_name}
        return await self._read(
            PrivateEndpoint.from_api,
            "createGroupEncryptionAtRestPrivateEndpoint",
            body,
            group_id=group_id,
            provider=provider,
        )

    async def delete_private_endpoint(self, group_id: str, provider: str, endpoint_id: str) -> None:
        await self._read(
            _nothing,
            "requestGroupEncryptionAtRestPrivateEndpointDeletion",
            group_id=group_id,
            provider=_provider(provider, _ENDPOINT_PROVIDERS),
            endpoint_id=endpoint_id,
        )

    # --- clusters and their snapshots -------------------------------------------------------------

    async def list_clusters(self, group_id: str) -> list[Cluster]:
        return await self._read_list(Cluster.from_api, "listGroupClusters", group_id=group_id)

    async def get_cluster(self, group_id: str, cluster_name: str) -> Cluster:
        return await self._read(Cluster.from_api, "getGroupCluster", group_id=group_id, cluster_name=cluster_name)

    async def set_cluster_encryption_provider(self, group_id: str, cluster_name: str, provider: str) -> Cluster:
        body = {"encryptionAtRestProvider": _provider(provider, _CLUSTER_PROVIDERS)}
        return await self._read(
            Cluster.from_api, "updateGroupCluster", body, group_id=group_id, cluster_name=cluster_name
        )

    async def list_snapshots(self, group_id: str, cluster_name: str) -> list[Snapshot]:
        """Snapshots of a replica set cluster, all pages."""
        return await self._read_list(
            partial(Snapshot.from_api, cluster_name=cluster_name, sharded=False),
            "listGroupClusterBackupSnapshots",
            group_id=group_id,
            cluster_name=cluster_name,
        )

    async def list_sharded_snapshots(self, group_id: str, cluster_name: str) -> list[Snapshot]:
        """Snapshots of a sharded cluster (Atlas returns them in one response, without pages)."""
        snapshot = partial(Snapshot.from_api, cluster_name=cluster_name, sharded=True)
        return await self._read(
            lambda page: [snapshot(item.data, where=item.where) for item in objects_of(results_of(page), "results")],
            "listGroupClusterBackupSnapshotShardedClusters",
            group_id=group_id,
            cluster_name=cluster_name,
        )

    # --- alerts and events ----------------------------------------------------------------------

    async def list_alert_configs(self, group_id: str) -> list[AlertConfig]:
        return await self._read_list(AlertConfig.from_api, "listGroupAlertConfigs", group_id=group_id)

    async def update_alert_config(self, group_id: str, config_id: str, body: Mapping[str, Any]) -> AlertConfig:
        """Replace an alert configuration (PUT): ``body`` is the whole configuration, e.g. one read and edited."""
        config = {key: value for key, value in body.items() if key not in _ALERT_CONFIG_READ_ONLY}
        return await self._read(
            AlertConfig.from_api, "updateGroupAlertConfig", config, group_id=group_id, config_id=config_id
        )

    async def list_events(
        self,
        group_id: str,
        event_types: Sequence[str] = (),
        min_date: datetime | None = None,
        *,
        include_raw: bool = False,
    ) -> list[Event]:
        """The project's events, newest first; ``include_raw`` adds Atlas' description of each."""
        params: dict[str, Any] = {}
        if event_types:
            params["eventType"] = list(event_types)
        if min_date is not None:
            params["minDate"] = min_date.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if include_raw:
            params["includeRaw"] = "true"
        return await self._read_list(Event.from_api, "listGroupEvents", params, group_id=group_id)

    # --- plumbing -------------------------------------------------------------------------------

    async def _read(
        self, parse: Callable[[Any], T], operation_id: str, body: Mapping[str, Any] | None = None, **path_params: str
    ) -> T:
        """Send one call and parse its answer; a damaged answer is reported with the operation that sent it."""
        endpoint = ENDPOINTS[operation_id]
        path = endpoint.path(**path_params)
        if self._check_change is not None and endpoint.method != "GET":
            await self._check_change(operation_id, path_params, body)
        try:
            return parse(await self._session.call(endpoint, path, body=body))
        except AtlasResponseError as err:
            raise err.during(operation_id, endpoint.method, path) from None

    async def _read_list(
        self,
        parse: Callable[..., T],
        operation_id: str,
        params: Mapping[str, Any] | None = None,
        **path_params: str,
    ) -> list[T]:
        """Every page of a list call, each item parsed as ``results[<n>]`` counted across pages."""
        endpoint = ENDPOINTS[operation_id]
        path = endpoint.path(**path_params)
        items: list[Any] = []
        try:
            async for page in self._session.pages(endpoint, path, params):
                items.extend(page)
            return [parse(item.data, where=item.where) for item in objects_of(items, "results")]
        except AtlasResponseError as err:
            raise err.during(operation_id, endpoint.method, path) from None


def _provider(value: str, allowed: Sequence[str]) -> str:
    provider = value.upper()
    if provider not in allowed:
        raise ValueError(f"Unknown cloud provider {value!r}: expected one of {', '.join(allowed)}")
    return provider


def _azure_principal_body(atlas_azure_app_id: str, service_principal_id: str, tenant_id: str) -> dict[str, str]:
    return {
        "providerName": PROVIDER_AZURE,
        "atlasAzureAppId": atlas_azure_app_id,
        "servicePrincipalId": service_principal_id,
        "tenantId": tenant_id,
    }


def _nothing(_answer: Any) -> None:
    """What a delete returns: its answer is not read."""


def _role_from_api(data: Any) -> AwsIamRole | AzureServicePrincipal:
    provider = Body(data).text("providerName")
    if provider == PROVIDER_AWS:
        return AwsIamRole.from_api(data)
    if provider == PROVIDER_AZURE:
        return AzureServicePrincipal.from_api(data)
    raise AtlasResponseError(
        f"providerName is {provider!r}; only AWS and AZURE roles are handled", field="providerName"
    )
