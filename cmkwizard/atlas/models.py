"""Typed views of the Atlas Admin API v2 resources the wizard reads and writes.

Responses are parsed leniently: unknown fields stay in ``raw``, unknown enum values are kept as
text, and a missing field becomes ``None`` rather than an error. Request bodies are built strictly
by the ``*Patch`` classes, which send only the fields that were set.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

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


def parse_datetime(value: Any) -> datetime | None:
    """Atlas timestamps are ISO 8601 with a ``Z``; anything else becomes ``None``."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def _bool(data: Mapping[str, Any], key: str) -> bool | None:
    value = data.get(key)
    return value if isinstance(value, bool) else None


def _feature_types(data: Mapping[str, Any]) -> tuple[str, ...]:
    usages = data.get("featureUsages") or []
    return tuple(u["featureType"] for u in usages if isinstance(u, Mapping) and "featureType" in u)


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
    def from_api(cls, data: Mapping[str, Any]) -> Caller:
        api_key = data.get("apiKey") or {}
        roles = tuple(
            RoleAssignment(r.get("roleName", ""), r.get("groupId"), r.get("orgId"))
            for r in api_key.get("roles") or []
            if isinstance(r, Mapping)
        )
        return cls(_str(data, "appName"), _str(api_key, "publicKey"), roles, _bool(data, "throttling"), data)

    def project_roles(self, group_id: str) -> tuple[str, ...]:
        return tuple(r.role_name for r in self.roles if r.group_id == group_id)


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Organization:
        return cls(data.get("id", ""), data.get("name", ""), data)


@dataclass(frozen=True)
class Project:
    id: str
    name: str
    org_id: str | None
    cluster_count: int | None
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Project:
        count = data.get("clusterCount")
        return cls(
            data.get("id", ""),
            data.get("name", ""),
            _str(data, "orgId"),
            count if isinstance(count, int) else None,
            data,
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
    def from_api(cls, data: Mapping[str, Any]) -> AwsIamRole:
        return cls(
            data.get("roleId", ""),
            _str(data, "atlasAWSAccountArn"),
            _str(data, "atlasAssumedRoleExternalId"),
            _str(data, "iamAssumedRoleArn"),
            parse_datetime(data.get("authorizedDate")),
            parse_datetime(data.get("createdDate")),
            _feature_types(data),
            data,
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
    def from_api(cls, data: Mapping[str, Any]) -> AzureServicePrincipal:
        return cls(
            data.get("_id") or data.get("roleId", ""),
            _str(data, "atlasAzureAppId"),
            _str(data, "servicePrincipalId"),
            _str(data, "tenantId"),
            parse_datetime(data.get("createdDate")),
            parse_datetime(data.get("lastUpdatedDate")),
            _feature_types(data),
            data,
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
    def from_api(cls, data: Mapping[str, Any]) -> CloudProviderAccess:
        return cls(
            tuple(AwsIamRole.from_api(r) for r in data.get("awsIamRoles") or []),
            tuple(AzureServicePrincipal.from_api(r) for r in data.get("azureServicePrincipals") or []),
            data,
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
    def from_api(cls, data: Mapping[str, Any] | None) -> AwsKmsConfig:
        data = data or {}
        return cls(
            bool(data.get("enabled")),
            _str(data, "customerMasterKeyID"),
            _str(data, "region"),
            _str(data, "roleId"),
            _bool(data, "requirePrivateNetworking"),
            _bool(data, "valid"),
            _str(data, "accessKeyID"),
            data,
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
    def from_api(cls, data: Mapping[str, Any] | None) -> AzureKeyVaultConfig:
        data = data or {}
        return cls(
            bool(data.get("enabled")),
            _str(data, "azureEnvironment"),
            _str(data, "subscriptionID"),
            _str(data, "resourceGroupName"),
            _str(data, "keyVaultName"),
            _str(data, "keyIdentifier"),
            _str(data, "roleId"),
            _str(data, "clientID"),
            _str(data, "tenantID"),
            _bool(data, "requirePrivateNetworking"),
            _bool(data, "valid"),
            data,
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
    def from_api(cls, data: Mapping[str, Any]) -> EncryptionAtRest:
        gcp = data.get("googleCloudKms") or {}
        return cls(
            AwsKmsConfig.from_api(data.get("awsKms")),
            AzureKeyVaultConfig.from_api(data.get("azureKeyVault")),
            bool(gcp.get("enabled")),
            _bool(data, "enabledForSearchNodes"),
            data,
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
    def from_api(cls, data: Mapping[str, Any]) -> Cluster:
        configs = []
        for spec in data.get("replicationSpecs") or []:
            for rc in (spec or {}).get("regionConfigs") or []:
                electable = rc.get("electableSpecs") or {}
                configs.append(
                    RegionConfig(
                        rc.get("providerName", ""),
                        rc.get("regionName", ""),
                        _str(electable, "instanceSize"),
                        _str(rc, "backingProviderName"),
                    )
                )
        return cls(
            data.get("name", ""),
            _str(data, "id"),
            data.get("stateName") or "UNKNOWN",
            bool(data.get("paused")),
            data.get("encryptionAtRestProvider") or PROVIDER_NONE,
            _str(data, "clusterType"),
            _bool(data, "backupEnabled"),
            tuple(configs),
            _str(data, "mongoDBVersion"),
            data,
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
    def from_api(cls, data: Mapping[str, Any]) -> PrivateEndpoint:
        region = data.get("regionName")
        return cls(
            data.get("id", ""),
            data.get("cloudProvider", ""),
            region if isinstance(region, str) else str(region or ""),
            data.get("status") or "UNKNOWN",
            _str(data, "errorMessage"),
            _str(data, "privateEndpointConnectionName"),
            data,
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
    def from_api(cls, data: Mapping[str, Any], cluster_name: str, *, sharded: bool) -> Snapshot:
        return cls(
            data.get("id", ""),
            cluster_name,
            parse_datetime(data.get("createdAt")),
            parse_datetime(data.get("expiresAt")),
            _str(data, "status"),
            _str(data, "snapshotType"),
            _str(data, "masterKeyUUID"),
            sharded,
            data,
        )


@dataclass(frozen=True)
class AlertConfig:
    id: str
    event_type_name: str
    enabled: bool
    threshold_days: int | None
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> AlertConfig:
        threshold = data.get("threshold") or {}
        days = threshold.get("threshold") if threshold.get("units") == "DAYS" else None
        return cls(
            data.get("id", ""),
            data.get("eventTypeName", ""),
            bool(data.get("enabled")),
            days if isinstance(days, int) else None,
            data,
        )


@dataclass(frozen=True)
class Event:
    id: str
    event_type_name: str
    created: datetime | None
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Event:
        return cls(data.get("id", ""), data.get("eventTypeName", ""), parse_datetime(data.get("created")), data)


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
