"""Everything the simulated Atlas knows: organisations, projects and their resources, and who may call.

The records are plain mutable dataclasses guarded by one re-entrant lock (``SimStore.lock``); request handlers
and seeding code hold it while they read or change anything.
"""

from __future__ import annotations

import secrets
import string
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cmkwizard.sandbox.atlas_sim import enums

# The AWS account Atlas assumes customer roles from in the sandbox (never the customer's own account).
ATLAS_AWS_ACCOUNT_ID = "536727724300"
# The public application id of Atlas' Azure AD application (used by the official Terraform modules).
ATLAS_AZURE_APP_ID = "9f2deb0d-be22-4524-a403-df531868bac0"
_ALPHANUMERIC = string.ascii_lowercase + string.digits


def new_id() -> str:
    """A 24-hex identifier, the shape of every Atlas resource id."""
    return secrets.token_hex(12)


def iso(moment: datetime) -> str:
    """Atlas' timestamp form: UTC, whole seconds, a trailing Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _random_text(length: int) -> str:
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))


@dataclass(frozen=True)
class SimCredentials:
    """The sandbox's credentials: a Project Owner API key, a Project Read Only key and a service account."""

    public_key: str
    private_key: str = field(repr=False)
    readonly_public_key: str
    readonly_private_key: str = field(repr=False)
    client_id: str
    client_secret: str = field(repr=False)

    @classmethod
    def generate(cls) -> SimCredentials:
        return cls(
            public_key=_random_text(8),
            private_key=str(uuid.uuid4()),
            readonly_public_key=_random_text(8),
            readonly_private_key=str(uuid.uuid4()),
            client_id=f"mdb_sa_id_{new_id()}",
            client_secret=f"mdb_sa_sk_{_random_text(40)}",
        )


@dataclass(frozen=True)
class Principal:
    """Someone who may call the API, with the role it holds in every project of the sandbox."""

    kind: str  # "API_KEY" | "SERVICE_ACCOUNT"
    id: str
    name: str  # public key, or service account client id
    project_role: str
    secret: str = field(repr=False, compare=False)


@dataclass(frozen=True)
class SimTimings:
    """How long (simulated seconds) Atlas takes for the changes it performs asynchronously."""

    cluster_update: float = 120.0
    endpoint_provisioning: float = 180.0
    endpoint_deletion: float = 60.0
    endpoint_recreation: float = 60.0
    approval_reflection: float = 30.0
    # After a PATCH that enables or changes the key, Atlas reports ``valid: false`` until it has checked the key.
    key_validation: float = 30.0


@dataclass
class Organization:
    id: str
    name: str


@dataclass
class AwsRole:
    role_id: str
    external_id: str
    created: datetime
    iam_role_arn: str | None = None
    authorized: datetime | None = None


@dataclass
class AzurePrincipal:
    role_id: str
    atlas_app_id: str
    service_principal_id: str
    tenant_id: str
    created: datetime
    last_updated: datetime


@dataclass
class AwsKms:
    customer_master_key_id: str
    region: str
    role_id: str | None = None
    require_private_networking: bool = False
    access_key_id: str | None = None
    secret_access_key: str | None = field(default=None, repr=False)
    valid: bool = True
    validating_until: datetime | None = None


@dataclass
class AzureKeyVault:
    azure_environment: str
    subscription_id: str
    resource_group_name: str
    key_vault_name: str
    key_identifier: str
    role_id: str | None = None
    client_id: str | None = None
    tenant_id: str | None = None
    secret: str | None = field(default=None, repr=False)
    require_private_networking: bool = False
    valid: bool = True
    validating_until: datetime | None = None


@dataclass
class KeyHealth:
    """What the last key check found, so a change of health is recorded once, as Atlas' events are."""

    valid: bool = True
    unreachable: bool = False


@dataclass
class Encryption:
    aws: AwsKms | None = None
    azure: AzureKeyVault | None = None
    enabled_for_search_nodes: bool = False
    health: KeyHealth = field(default_factory=KeyHealth)

    def config(self, provider: str) -> AwsKms | AzureKeyVault | None:
        return {"AWS": self.aws, "AZURE": self.azure}.get(provider)

    @property
    def enabled_provider(self) -> str | None:
        if self.aws is not None:
            return "AWS"
        if self.azure is not None:
            return "AZURE"
        return None


@dataclass
class PrivateEndpoint:
    id: str
    provider: str
    region: str
    status: str
    status_since: datetime
    connection_name: str
    error_message: str | None = None
    approval_seen: datetime | None = None


@dataclass
class RegionSpec:
    provider: str  # AWS | AZURE | GCP | TENANT
    region: str
    instance_size: str
    node_count: int = 3
    priority: int = 7
    backing_provider: str | None = None

    @property
    def tenant(self) -> bool:
        return self.provider == "TENANT"


@dataclass
class Cluster:
    id: str
    name: str
    cluster_type: str
    created: datetime
    shards: list[list[RegionSpec]]  # one list of region configs per replication spec
    state: str = "IDLE"
    paused: bool = False
    encryption_provider: str = "NONE"
    backup_enabled: bool = True
    pit_enabled: bool = False
    termination_protection: bool = False
    mongodb_major_version: str = "8.0"
    mongodb_version: str = "8.0.12"
    busy_until: datetime | None = None

    @property
    def region_specs(self) -> list[RegionSpec]:
        return [spec for shard in self.shards for spec in shard]

    @property
    def tenant(self) -> bool:
        return any(spec.tenant for spec in self.region_specs)


@dataclass
class Snapshot:
    id: str
    cluster_name: str
    created_at: datetime
    expires_at: datetime
    cloud_provider: str
    master_key_uuid: str | None
    sharded: bool = False
    status: str = "completed"
    snapshot_type: str = "scheduled"
    frequency_type: str = "daily"
    storage_size_bytes: int = 2_147_483_648
    member_ids: tuple[str, ...] = ()


@dataclass
class AlertConfig:
    id: str
    created: datetime
    updated: datetime
    body: dict[str, Any]  # the writable attributes, as the caller last sent them

    @property
    def event_type(self) -> str:
        return self.body["eventTypeName"]


@dataclass
class Event:
    id: str
    event_type: str
    created: datetime
    cluster_name: str | None = None
    principal: Principal | None = None
    description: str | None = None  # what Atlas says happened, returned in ``raw`` when asked for


@dataclass
class Project:
    id: str
    name: str
    org_id: str
    created: datetime
    aws_roles: dict[str, AwsRole] = field(default_factory=dict)
    azure_principals: dict[str, AzurePrincipal] = field(default_factory=dict)
    encryption: Encryption = field(default_factory=Encryption)
    endpoints: dict[str, PrivateEndpoint] = field(default_factory=dict)
    clusters: dict[str, Cluster] = field(default_factory=dict)
    snapshots: list[Snapshot] = field(default_factory=list)
    alert_configs: dict[str, AlertConfig] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)

    def endpoints_for(self, provider: str) -> list[PrivateEndpoint]:
        return [e for e in self.endpoints.values() if e.provider == provider]

    def record_event(
        self,
        event_type: str,
        now: datetime,
        *,
        cluster_name: str | None = None,
        principal: Principal | None = None,
        description: str | None = None,
    ) -> Event:
        event = Event(new_id(), event_type, now, cluster_name, principal, description)
        self.events.append(event)
        return event


class SimStore:
    """All Atlas-side state of one sandbox, with generated credentials and a seeding API."""

    def __init__(self, timings: SimTimings | None = None, *, credentials: SimCredentials | None = None) -> None:
        self.lock = threading.RLock()
        self.timings = timings or SimTimings()
        self.credentials = credentials or SimCredentials.generate()
        self.atlas_aws_account_id = ATLAS_AWS_ACCOUNT_ID
        self.atlas_azure_app_id = ATLAS_AZURE_APP_ID
        self.orgs: dict[str, Organization] = {}
        self.projects: dict[str, Project] = {}
        c = self.credentials
        self.principals: tuple[Principal, ...] = (
            Principal("API_KEY", new_id(), c.public_key, enums.GROUP_OWNER, c.private_key),
            Principal("API_KEY", new_id(), c.readonly_public_key, enums.GROUP_READ_ONLY, c.readonly_private_key),
            Principal("SERVICE_ACCOUNT", new_id(), c.client_id, enums.GROUP_OWNER, c.client_secret),
        )

    def __repr__(self) -> str:
        return f"SimStore(orgs={len(self.orgs)}, projects={len(self.projects)})"

    @property
    def atlas_aws_principal_arn(self) -> str:
        return f"arn:aws:iam::{self.atlas_aws_account_id}:root"

    # Who may call.

    def api_key(self, public_key: str) -> Principal | None:
        return next((p for p in self.principals if p.kind == "API_KEY" and p.name == public_key), None)

    def service_account(self, client_id: str) -> Principal | None:
        return next((p for p in self.principals if p.kind == "SERVICE_ACCOUNT" and p.name == client_id), None)

    # Seeding.

    def add_org(self, name: str) -> Organization:
        with self.lock:
            org = Organization(new_id(), name)
            self.orgs[org.id] = org
            return org

    def add_project(self, org_id: str, name: str, created: datetime) -> Project:
        with self.lock:
            if org_id not in self.orgs:
                raise KeyError(f"no organization {org_id}")
            project = Project(new_id(), name, org_id, created)
            self.projects[project.id] = project
            return project

    def add_aws_role(
        self,
        project_id: str,
        created: datetime,
        *,
        iam_role_arn: str | None = None,
        authorized: datetime | None = None,
    ) -> AwsRole:
        with self.lock:
            role = AwsRole(new_id(), str(uuid.uuid4()), created, iam_role_arn, authorized)
            self.projects[project_id].aws_roles[role.role_id] = role
            return role

    def add_azure_principal(
        self,
        project_id: str,
        created: datetime,
        *,
        service_principal_id: str,
        tenant_id: str,
        atlas_app_id: str | None = None,
    ) -> AzurePrincipal:
        with self.lock:
            app_id = atlas_app_id or self.atlas_azure_app_id
            principal = AzurePrincipal(new_id(), app_id, service_principal_id, tenant_id, created, created)
            self.projects[project_id].azure_principals[principal.role_id] = principal
            return principal

    def add_cluster(
        self,
        project_id: str,
        name: str,
        created: datetime,
        shards: Iterable[Iterable[RegionSpec]],
        **attributes: Any,
    ) -> Cluster:
        with self.lock:
            shard_list = [list(shard) for shard in shards]
            cluster_type = attributes.pop("cluster_type", "SHARDED" if len(shard_list) > 1 else "REPLICASET")
            cluster = Cluster(new_id(), name, cluster_type, created, shard_list, **attributes)
            self.projects[project_id].clusters[name] = cluster
            return cluster

    def add_snapshot(self, project_id: str, snapshot: Snapshot) -> Snapshot:
        with self.lock:
            self.projects[project_id].snapshots.append(snapshot)
            return snapshot

    def add_endpoint(
        self, project_id: str, provider: str, region: str, status: str, now: datetime, connection_name: str
    ) -> PrivateEndpoint:
        with self.lock:
            endpoint = PrivateEndpoint(new_id(), provider, region, status, now, connection_name)
            self.projects[project_id].endpoints[endpoint.id] = endpoint
            return endpoint

    def add_alert_config(self, project_id: str, body: dict[str, Any], now: datetime) -> AlertConfig:
        with self.lock:
            config = AlertConfig(new_id(), now, now, body)
            self.projects[project_id].alert_configs[config.id] = config
            return config

    def add_rotation_alert(self, project_id: str, provider: str, now: datetime) -> AlertConfig:
        """The alert Atlas creates with a project's first customer-managed key: rotate it after 90 days."""
        body = {
            "enabled": True,
            "eventTypeName": enums.ROTATION_ALERT_EVENT[provider],
            "matchers": [],
            "notifications": [
                {
                    "delayMin": 0,
                    "emailEnabled": True,
                    "intervalMin": 1440,
                    "roles": [enums.GROUP_OWNER],
                    "smsEnabled": False,
                    "typeName": "GROUP",
                }
            ],
            "threshold": {"operator": "GREATER_THAN", "threshold": 90, "units": "DAYS"},
        }
        return self.add_alert_config(project_id, body, now)

    def dump(self) -> dict[str, Any]:
        """A JSON-ready picture of the state for tests and debugging (no secrets)."""
        with self.lock:
            return {
                "atlasAwsPrincipalArn": self.atlas_aws_principal_arn,
                "orgs": [{"id": o.id, "name": o.name} for o in self.orgs.values()],
                "projects": [_dump_project(p) for p in self.projects.values()],
                "principals": [
                    {"kind": p.kind, "name": p.name, "projectRole": p.project_role} for p in self.principals
                ],
            }


def _dump_project(project: Project) -> dict[str, Any]:
    enc = project.encryption
    return {
        "id": project.id,
        "name": project.name,
        "orgId": project.org_id,
        "awsRoles": [
            {
                "roleId": r.role_id,
                "externalId": r.external_id,
                "iamRoleArn": r.iam_role_arn,
                "authorized": r.authorized is not None,
            }
            for r in project.aws_roles.values()
        ],
        "azurePrincipals": [
            {"id": p.role_id, "servicePrincipalId": p.service_principal_id, "tenantId": p.tenant_id}
            for p in project.azure_principals.values()
        ],
        "encryption": {
            "provider": enc.enabled_provider,
            "aws": None
            if enc.aws is None
            else {
                "customerMasterKeyID": enc.aws.customer_master_key_id,
                "region": enc.aws.region,
                "roleId": enc.aws.role_id,
                "requirePrivateNetworking": enc.aws.require_private_networking,
                "legacyCredentials": enc.aws.access_key_id is not None,
                "valid": enc.aws.valid,
            },
            "azure": None
            if enc.azure is None
            else {
                "keyIdentifier": enc.azure.key_identifier,
                "keyVaultName": enc.azure.key_vault_name,
                "roleId": enc.azure.role_id,
                "requirePrivateNetworking": enc.azure.require_private_networking,
                "legacyCredentials": enc.azure.client_id is not None,
                "valid": enc.azure.valid,
            },
        },
        "endpoints": [
            {
                "id": e.id,
                "provider": e.provider,
                "region": e.region,
                "status": e.status,
                "connectionName": e.connection_name,
                "errorMessage": e.error_message,
            }
            for e in project.endpoints.values()
        ],
        "clusters": [
            {
                "name": c.name,
                "state": c.state,
                "paused": c.paused,
                "encryptionAtRestProvider": c.encryption_provider,
                "busyUntil": iso(c.busy_until) if c.busy_until else None,
            }
            for c in project.clusters.values()
        ],
        "alertConfigs": [{"id": a.id, **a.body} for a in project.alert_configs.values()],
        "events": [{"eventTypeName": e.event_type, "created": iso(e.created)} for e in project.events],
    }
