"""Typed views of the Atlas Admin API v2 resources the wizard reads and writes.

Responses are parsed leniently where Atlas may grow: unknown fields stay in ``raw``, unknown enum
values are kept as text, and a missing or ``null`` field becomes ``None``. A field of the wrong type
is a damaged answer and raises ``AtlasResponseError`` naming it (see ``body.Body``). Request bodies are built strictly
by the ``*Patch`` classes, which send only the fields that were set.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from cmkwizard.atlas.body import Body

# Enum values as Atlas spells them. Kept as plain strings so an unknown value never breaks parsing.
PROVIDER_AWS = "AWS"
PROVIDER_AZURE = "AZURE"
PROVIDER_GCP = "GCP"
PROVIDER_NONE = "NONE"
PROVIDER_TENANT = "TENANT"

CLUSTER_IDLE = "IDLE"
CLUSTER_TRANSITIONAL_STATES = frozenset({"CREATING", "UPDATING", "DELETING", "REPAIRING"})

ENDPOINT_INITIATING = "INITIATING"
ENDPOINT_PENDING_ACCEPTANCE = "PENDING_ACCEPTANCE"
ENDPOINT_ACTIVE = "ACTIVE"
ENDPOINT_FAILED = "FAILED"
ENDPOINT_PENDING_RECREATION = "PENDING_RECREATION"
ENDPOINT_DELETING = "DELETING"
ENDPOINT_TRANSITIONAL_STATES = frozenset({ENDPOINT_INITIATING, ENDPOINT_PENDING_RECREATION, ENDPOINT_DELETING})

FEATURE_ENCRYPTION_AT_REST = "ENCRYPTION_AT_REST"


def _feature_types(body: Body) -> tuple[str, ...]:
    return tuple(t for usage in body.objects("featureUsages") if (t := usage.text("featureType")) is not None)


@dataclass(frozen=True)
class RoleAssignment:
    role_name: str
    group_id: str | None = None
    org_id: str | None = None


@dataclass(frozen=True)
class Caller:
    """Who the credentials belong to (``GET /api/atlas/v2``)."""

    app_name: str | None
    public_key: str | None
    roles: tuple[RoleAssignment, ...]
    throttling: bool | None
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_api(cls, data: Any, where: str = "") -> Caller:
        body = Body(data, where)
        api_key = body.obj("apiKey")
        roles = tuple(
            RoleAssignment(r.text_or("roleName", ""), r.text("groupId"), r.text("orgId"))
            for r in api_key.objects("roles")
        )
        return cls(body.text("appName"), api_key.text("publicKey"), roles, body.flag("throttling"), body.data)

    def project_roles(self, group_id: str) -> tuple[str, ...]:
        return tuple(r.role_name for r in self.roles if r.group_id == group_id)


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_api(cls, data: Any, where: str = "") -> Organization:
        body = Body(data, where)
        return cls(body.text_or("id", ""), body.text_or("name", ""), body.data)


@dataclass(frozen=True)
class Project:
    id: str
    name: str
    org_id: str | None
    cluster_count: int | None
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_api(cls, data: Any, where: str = "") -> Project:
        body = Body(data, where)
        return cls(
            body.text_or("id", ""),
            body.text_or("name", ""),
            body.text("orgId"),
            body.integer("clusterCount"),
            body.data,
        )


@dataclass(frozen=True)
class AwsIamRole:
    """An AWS IAM role Atlas may assume (``CloudProviderAccessAWSIAMRole``)."""

    role_id: str
    atlas_aws_account_arn: str | None
    atlas_assumed_role_external_id: str | None
    iam_assumed_role_arn: str | None
    authorized_date: datetime | None
    created_date: datetime | None
    feature_types: tuple[str, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    provider = PROVIDER_AWS

    @classmethod
    def from_api(cls, data: Any, where: str = "") -> AwsIamRole:
        body = Body(data, where)
        return cls(
            body.text_or("roleId", ""),
            body.text("atlasAWSAccountArn"),
            body.text("atlasAssumedRoleExternalId"),
            body.text("iamAssumedRoleArn"),
            body.moment("authorizedDate"),
            body.moment("createdDate"),
            _feature_types(body),
            body.data,
        )

    @property
    def authorized(self) -> bool:
        return self.authorized_date is not None and bool(self.iam_assumed_role_arn)

    @property
    def used_for_encryption(self) -> bool:
        return FEATURE_ENCRYPTION_AT_REST in self.feature_types


@dataclass(frozen=True)
class AzureServicePrincipal:
    """An Azure service principal Atlas uses; its id is ``_id`` on the wire."""

    role_id: str
    atlas_azure_app_id: str | None
    service_principal_id: str | None
    tenant_id: str | None
    created_date: datetime | None
    last_updated_date: datetime | None
    feature_types: tuple[str, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    provider = PROVIDER_AZURE

    @classmethod
    def from_api(cls, data: Any, where: str = "") -> AzureServicePrincipal:
        body = Body(data, where)
        return cls(
            body.text("_id") or body.text_or("roleId", ""),
            body.text("atlasAzureAppId"),
            body.text("servicePrincipalId"),
            body.text("tenantId"),
            body.moment("createdDate"),
            body.moment("lastUpdatedDate"),
            _feature_types(body),
            body.data,
        )

    @property
    def used_for_encryption(self) -> bool:
        return FEATURE_ENCRYPTION_AT_REST in self.feature_types


@dataclass(frozen=True)
class CloudProviderAccess:
    aws_roles: tuple[AwsIamRole, ...]
    azure_principals: tuple[AzureServicePrincipal, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_api(cls, data: Any, where: str = "") -> CloudProviderAccess:
        body = Body(data, where)
        return cls(
            tuple(AwsIamRole.from_api(r.data, r.where) for r in body.objects("awsIamRoles")),
            tuple(AzureServicePrincipal.from_api(r.data, r.where) for r in body.objects("azureServicePrincipals")),
            body.data,
        )

    def aws_role(self, role_id: str) -> AwsIamRole | None:
        return next((r for r in self.aws_roles if r.role_id == role_id), None)

    def azure_principal(self, role_id: str) -> AzureServicePrincipal | None:
        return next((r for r in self.azure_principals if r.role_id == role_id), None)

    def encryption_role_id(self, provider: str) -> str | None:
        """The role encryption at rest uses for ``provider``, from its feature usages.

        The encryption-at-rest GET does not have to return ``roleId`` (the spec marks it write-only),
        so the roles' own feature usages are the reliable source.
        """
        roles = self.aws_roles if provider == PROVIDER_AWS else self.azure_principals
        return next((r.role_id for r in roles if r.used_for_encryption), None)


@dataclass(frozen=True)
class AwsKmsConfig:
    enabled: bool
    customer_master_key_id: str | None = None
    region: str | None = None
    role_id: str | None = None
    require_private_networking: bool | None = None
    valid: bool | None = None
    access_key_id: str | None = None
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_api(cls, data: Any, where: str = "") -> AwsKmsConfig:
        body = Body({} if data is None else data, where)
        return cls(
            bool(body.flag("enabled")),
            body.text("customerMasterKeyID"),
            body.text("region"),
            body.text("roleId"),
            body.flag("requirePrivateNetworking"),
            body.flag("valid"),
            body.text("accessKeyID"),
            body.data,
        )

    @property
    def uses_legacy_credentials(self) -> bool:
        """IAM-user access keys instead of a cloud provider access role."""
        return bool(self.access_key_id) and not self.role_id


@dataclass(frozen=True)
class AzureKeyVaultConfig:
    enabled: bool
    azure_environment: str | None = None
    subscription_id: str | None = None
    resource_group_name: str | None = None
    key_vault_name: str | None = None
    key_identifier: str | None = None
    role_id: str | None = None
    client_id: str | None = None
    tenant_id: str | None = None
    require_private_networking: bool | None = None
    valid: bool | None = None
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_api(cls, data: Any, where: str = "") -> AzureKeyVaultConfig:
        body = Body({} if data is None else data, where)
        return cls(
            bool(body.flag("enabled")),
            body.text("azureEnvironment"),
            body.text("subscriptionID"),
            body.text("resourceGroupName"),
            body.text("keyVaultName"),
            body.text("keyIdentifier"),
            body.text("roleId"),
            body.text("clientID"),
            body.text("tenantID"),
            body.flag("requirePrivateNetworking"),
            body.flag("valid"),
            body.data,
        )

    @property
    def uses_legacy_credentials(self) -> bool:
        """An app registration with a client secret instead of a cloud provider access role."""
        return bool(self.client_id) and not self.role_id


@dataclass(frozen=True)
class EncryptionAtRest:
    aws_kms: AwsKmsConfig
    azure_key_vault: AzureKeyVaultConfig
    google_cloud_kms_enabled: bool
    enabled_for_search_nodes: bool | None
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_api(cls, data: Any, where: str = "") -> EncryptionAtRest:
        body = Body(data, where)
        aws, azure = body.obj("awsKms"), body.obj("azureKeyVault")
        return cls(
            AwsKmsConfig.from_api(aws.data, aws.where),
            AzureKeyVaultConfig.from_api(azure.data, azure.where),
            bool(body.obj("googleCloudKms").flag("enabled")),
            body.flag("enabledForSearchNodes"),
            body.data,
        )

    @property
    def active_provider(self) -> str | None:
        """The provider whose configuration is enabled, or ``None``."""
        if self.aws_kms.enabled:
            return PROVIDER_AWS
        if self.azure_key_vault.enabled:
            return PROVIDER_AZURE
        if self.google_cloud_kms_enabled:
            return PROVIDER_GCP
        return None

    @property
    def valid(self) -> bool | None:
        if self.aws_kms.enabled:
            return self.aws_kms.valid
        if self.azure_key_vault.enabled:
            return self.azure_key_vault.valid
        return None


@dataclass(frozen=True)
class RegionConfig:
    provider_name: str
    region_name: str
    instance_size: str | None
    backing_provider_name: str | None = None


@dataclass(frozen=True)
class Cluster:
    name: str
    id: str | None
    state_name: str
    paused: bool
    encryption_at_rest_provider: str
    cluster_type: str | None
    backup_enabled: bool | None
    region_configs: tuple[RegionConfig, ...]
    mongodb_version: str | None = None
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_api(cls, data: Any, where: str = "") -> Cluster:
        body = Body(data, where)
        configs = [
            RegionConfig(
                rc.text_or("providerName", ""),
                rc.text_or("regionName", ""),
                rc.obj("electableSpecs").text("instanceSize"),
                rc.text("backingProviderName"),
            )
            for spec in body.objects("replicationSpecs")
            for rc in spec.objects("regionConfigs")
        ]
        return cls(
            body.text_or("name", ""),
            body.text("id"),
            body.text("stateName") or "UNKNOWN",
            bool(body.flag("paused")),
            body.text("encryptionAtRestProvider") or PROVIDER_NONE,
            body.text("clusterType"),
            body.flag("backupEnabled"),
            tuple(configs),
            body.text("mongoDBVersion"),
            body.data,
        )

    @property
    def providers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(rc.provider_name for rc in self.region_configs))

    @property
    def instance_sizes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(rc.instance_size for rc in self.region_configs if rc.instance_size))

    @property
    def in_transition(self) -> bool:
        return self.state_name in CLUSTER_TRANSITIONAL_STATES


@dataclass(frozen=True)
class PrivateEndpoint:
    id: str
    cloud_provider: str
    region_name: str
    status: str
    error_message: str | None
    private_endpoint_connection_name: str | None
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_api(cls, data: Any, where: str = "") -> PrivateEndpoint:
        body = Body(data, where)
        return cls(
            body.text_or("id", ""),
            body.text_or("cloudProvider", ""),
            body.text_or("regionName", ""),
            body.text("status") or "UNKNOWN",
            body.text("errorMessage"),
            body.text("privateEndpointConnectionName"),
            body.data,
        )

    @property
    def in_transition(self) -> bool:
        return self.status in ENDPOINT_TRANSITIONAL_STATES


@dataclass(frozen=True)
class Snapshot:
    id: str
    cluster_name: str
    created_at: datetime | None
    expires_at: datetime | None
    status: str | None
    snapshot_type: str | None
    master_key_uuid: str | None
    sharded: bool
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_api(cls, data: Any, cluster_name: str, *, sharded: bool, where: str = "") -> Snapshot:
        body = Body(data, where)
        return cls(
            body.text_or("id", ""),
            cluster_name,
            body.moment("createdAt"),
            body.moment("expiresAt"),
            body.text("status"),
            body.text("snapshotType"),
            body.text("masterKeyUUID"),
            sharded,
            body.data,
        )


@dataclass(frozen=True)
class AlertConfig:
    id: str
    event_type_name: str
    enabled: bool
    threshold_days: int | None
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_api(cls, data: Any, where: str = "") -> AlertConfig:
        body = Body(data, where)
        threshold = body.obj("threshold")
        days = threshold.integer("threshold") if threshold.text("units") == "DAYS" else None
        return cls(
            body.text_or("id", ""), body.text_or("eventTypeName", ""), bool(body.flag("enabled")), days, body.data
        )


@dataclass(frozen=True)
class Event:
    id: str
    event_type_name: str
    created: datetime | None
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_api(cls, data: Any, where: str = "") -> Event:
        body = Body(data, where)
        return cls(body.text_or("id", ""), body.text_or("eventTypeName", ""), body.moment("created"), body.data)

    @property
    def description(self) -> str | None:
        """Atlas' own words for what happened (``raw.description``, present when asked for with includeRaw)."""
        return Body(self.raw).obj("raw").text("description")


# --- request bodies -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Patch:
    """A partial update: only fields that are not ``None`` are sent, under their Atlas names."""

    def to_api(self) -> dict[str, Any]:
        body = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None:
                body[f.metadata["wire"]] = value
        return body


def _wire(name: str) -> Any:
    return field(default=None, metadata={"wire": name})


@dataclass(frozen=True)
class AwsKmsPatch(_Patch):
    enabled: bool | None = _wire("enabled")
    customer_master_key_id: str | None = _wire("customerMasterKeyID")
    region: str | None = _wire("region")
    role_id: str | None = _wire("roleId")
    require_private_networking: bool | None = _wire("requirePrivateNetworking")


@dataclass(frozen=True)
class AzureKeyVaultPatch(_Patch):
    enabled: bool | None = _wire("enabled")
    azure_environment: str | None = _wire("azureEnvironment")
    subscription_id: str | None = _wire("subscriptionID")
    resource_group_name: str | None = _wire("resourceGroupName")
    key_vault_name: str | None = _wire("keyVaultName")
    key_identifier: str | None = _wire("keyIdentifier")
    role_id: str | None = _wire("roleId")
    require_private_networking: bool | None = _wire("requirePrivateNetworking")
