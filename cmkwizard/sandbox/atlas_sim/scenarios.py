"""Ready-made Atlas states for the sandbox: a fresh project, encrypted projects, an outage, legacy access, scale.

Seeding never calls the verifiers: the cloud side is set up afterwards from the ``SeedResult`` (IAM roles
trusting the seeded external ids, Key Vault connections for seeded Azure endpoints).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cmkwizard.sandbox.atlas_sim.store import (
    AwsKms,
    AzureKeyVault,
    RegionSpec,
    SimStore,
    Snapshot,
    new_id,
)

ORG_NAME = "Sandbox-Org"  # the spec's organization name pattern allows no spaces
PROJECT_NAME = "cmk-sandbox"
SECOND_PROJECT_NAME = "cmk-sandbox-staging"
SCENARIOS = ("fresh", "encrypted-aws", "encrypted-azure", "outage", "legacy-credentials", "large")

_DEFAULT_AWS_ACCOUNT = "123456789012"


@dataclass(frozen=True)
class CloudFixtures:
    """What the cloud side provides (all optional; plausible values stand in for what is missing).

    Regions are in Atlas form (``US_EAST_1``).
    """

    aws_account_id: str | None = None
    aws_role_arn: str | None = None
    aws_key_arn: str | None = None
    aws_key_region: str | None = None
    aws_replica_key_arn: str | None = None
    azure_tenant_id: str | None = None
    azure_subscription_id: str | None = None
    azure_resource_group: str | None = None
    azure_key_vault_name: str | None = None
    azure_key_identifier: str | None = None
    azure_service_principal_id: str | None = None


@dataclass(frozen=True)
class SeededAwsRole:
    role_id: str
    external_id: str
    iam_role_arn: str | None


@dataclass(frozen=True)
class SeededAzureEndpoint:
    """A private endpoint seeded as ACTIVE: its connection must exist and be approved on the key vault."""

    endpoint_id: str
    key_vault_name: str
    connection_name: str
    region: str


@dataclass(frozen=True)
class SeededLegacyAzureApp:
    """An app registration Atlas reaches Key Vault with (client ID, tenant ID, secret): the tenant must know it."""

    project_id: str
    client_id: str
    tenant_id: str
    secret: str = field(repr=False)
    secret_expires: datetime


@dataclass(frozen=True)
class SeedResult:
    scenario: str
    org_id: str
    project_id: str
    project_name: str
    second_project_id: str
    atlas_aws_principal_arn: str
    aws_roles: tuple[SeededAwsRole, ...] = ()
    azure_principal_ids: tuple[str, ...] = ()
    cluster_names: tuple[str, ...] = ()
    encryption_provider: str | None = None
    azure_endpoints: tuple[SeededAzureEndpoint, ...] = field(default=())
    legacy_azure_app: SeededLegacyAzureApp | None = None


def seed_scenario(store: SimStore, name: str, fixtures: CloudFixtures, *, now: datetime | None = None) -> SeedResult:
    """Create the named scenario's org, projects and resources in ``store`` (which should be empty)."""
    if name not in SCENARIOS:
        raise ValueError(f"unknown sandbox scenario {name!r}; choose one of {', '.join(SCENARIOS)}")
    now = now or datetime.now(UTC)
    with store.lock:
        seeder = _Seeder(store, fixtures, now)
        _SEEDERS[name](seeder)
        project = seeder.project
        return SeedResult(
            scenario=name,
            org_id=project.org_id,
            project_id=project.id,
            project_name=project.name,
            second_project_id=seeder.second_project.id,
            atlas_aws_principal_arn=store.atlas_aws_principal_arn,
            aws_roles=tuple(
                SeededAwsRole(r.role_id, r.external_id, r.iam_role_arn) for r in project.aws_roles.values()
            ),
            azure_principal_ids=tuple(project.azure_principals),
            cluster_names=tuple(project.clusters),
            encryption_provider=project.encryption.enabled_provider,
            azure_endpoints=tuple(seeder.azure_endpoints),
            legacy_azure_app=seeder.legacy_azure_app,
        )


class _Seeder:
    def __init__(self, store: SimStore, fixtures: CloudFixtures, now: datetime) -> None:
        self.store = store
        self.fx = fixtures
        self.now = now
        self.azure_endpoints: list[SeededAzureEndpoint] = []
        self.legacy_azure_app: SeededLegacyAzureApp | None = None
        org = store.add_org(ORG_NAME)
        self.project = store.add_project(org.id, PROJECT_NAME, now - timedelta(days=400))
        self.second_project = store.add_project(org.id, SECOND_PROJECT_NAME, now - timedelta(days=120))
        store.add_cluster(
            self.second_project.id, "staging", now - timedelta(days=100), [[RegionSpec("AWS", "US_EAST_1", "M10")]]
        )

    def ago(self, **delta: float) -> datetime:
        return self.now - timedelta(**delta)

    # The cloud facts, with stand-ins.

    @property
    def aws_account(self) -> str:
        return self.fx.aws_account_id or _DEFAULT_AWS_ACCOUNT

    @property
    def aws_region(self) -> str:
        return self.fx.aws_key_region or "US_EAST_1"

    @property
    def aws_key(self) -> str:
        region = self.aws_region.lower().replace("_", "-")
        return self.fx.aws_key_arn or f"arn:aws:kms:{region}:{self.aws_account}:key/{uuid.uuid4()}"

    @property
    def aws_role_arn(self) -> str:
        return self.fx.aws_role_arn or f"arn:aws:iam::{self.aws_account}:role/atlas-cmk-access"

    @property
    def key_vault(self) -> str:
        return self.fx.azure_key_vault_name or "cmk-sandbox-kv"

    # Building blocks.

    def standard_clusters(self, encryption: str = "NONE") -> None:
        """An M10 and a sharded multi-region M30 on AWS, a shared-tier M0, a paused M10, an Azure M20."""
        add = self.store.add_cluster
        pid = self.project.id
        add(
            pid, "orders", self.ago(days=300), [[RegionSpec("AWS", "US_EAST_1", "M10")]], encryption_provider=encryption
        )
        multi_region = [
            RegionSpec("AWS", "US_EAST_1", "M30", priority=7),
            RegionSpec("AWS", "US_WEST_2", "M30", priority=6),
            RegionSpec("AWS", "EU_WEST_1", "M30", priority=5, node_count=2),
        ]
        add(
            pid,
            "analytics",
            self.ago(days=250),
            [multi_region, list(multi_region)],
            encryption_provider=encryption,
            pit_enabled=True,
        )
        add(
            pid,
            "playground",
            self.ago(days=200),
            [[RegionSpec("TENANT", "US_EAST_1", "M0", node_count=3, backing_provider="AWS")]],
            backup_enabled=False,
        )
        add(pid, "archive", self.ago(days=500), [[RegionSpec("AWS", "US_EAST_2", "M10")]], paused=True)
        add(
            pid,
            "payments-azure",
            self.ago(days=150),
            [[RegionSpec("AZURE", "US_EAST_2", "M20")]],
            encryption_provider=encryption,
        )

    def snapshots(self, master_key_uuid: str | None) -> None:
        for cluster in self.project.clusters.values():
            if not cluster.backup_enabled or cluster.paused:
                continue
            sharded = cluster.cluster_type != "REPLICASET"
            provider = cluster.region_specs[0].provider
            for days_ago in (1, 2, 7, 30):
                self.store.add_snapshot(
                    self.project.id,
                    Snapshot(
                        new_id(),
                        cluster.name,
                        created_at=self.ago(days=days_ago, hours=3),
                        expires_at=self.ago(days=days_ago, hours=3) + timedelta(days=365 if days_ago == 30 else 35),
                        cloud_provider=provider,
                        master_key_uuid=master_key_uuid,
                        sharded=sharded,
                        frequency_type="monthly" if days_ago == 30 else "daily",
                        member_ids=tuple(new_id() for _ in cluster.shards) if sharded else (),
                    ),
                )

    def events(self, *event_types: str, days_ago: float) -> None:
        for event_type in event_types:
            self.project.record_event(event_type, self.ago(days=days_ago))

    def rotation_alert(self, provider: str, days_ago: float) -> None:
        self.store.add_rotation_alert(self.project.id, provider, self.ago(days=days_ago))

    def aws_encryption(self, key_arn: str, region: str) -> None:
        role = self.store.add_aws_role(
            self.project.id, self.ago(days=60), iam_role_arn=self.aws_role_arn, authorized=self.ago(days=60)
        )
        self.events(
            "CLOUD_PROVIDER_ACCESS_AWS_IAM_ROLE_ADDED", "CLOUD_PROVIDER_ACCESS_AWS_IAM_ROLE_UPDATED", days_ago=60
        )
        self.project.encryption.aws = AwsKms(key_arn, region, role.role_id)
        self.events("ENCRYPTION_AT_REST_CONFIGURATION_UPDATED", days_ago=59)
        self.rotation_alert("AWS", days_ago=59)

    def azure_key_location(self) -> dict[str, str]:
        """Where the seeded Azure configurations' key is: environment, subscription, group, vault, key."""
        return {
            "azure_environment": "AZURE",
            "subscription_id": self.fx.azure_subscription_id or str(uuid.uuid4()),
            "resource_group_name": self.fx.azure_resource_group or "cmk-sandbox-rg",
            "key_vault_name": self.key_vault,
            "key_identifier": self.fx.azure_key_identifier
            or f"https://{self.key_vault}.vault.azure.net/keys/atlas-cmk/{secrets.token_hex(16)}",
        }

    def azure_encryption(self, *, private_networking: bool = False) -> None:
        principal = self.store.add_azure_principal(
            self.project.id,
            self.ago(days=45),
            service_principal_id=self.fx.azure_service_principal_id or str(uuid.uuid4()),
            tenant_id=self.fx.azure_tenant_id or str(uuid.uuid4()),
        )
        self.events("CLOUD_PROVIDER_ACCESS_AZURE_SERVICE_PRINCIPAL_ADDED", days_ago=45)
        self.project.encryption.azure = AzureKeyVault(
            **self.azure_key_location(),
            role_id=principal.role_id,
            require_private_networking=private_networking,
        )
        self.events("ENCRYPTION_AT_REST_CONFIGURATION_UPDATED", days_ago=44)
        self.rotation_alert("AZURE", days_ago=44)

    def legacy_azure_encryption(self, project_id: str, *, secret_expires_in: timedelta) -> None:
        """Key Vault reached with an app registration's secret instead of a service principal role, and an
        Azure cluster using it."""
        app = SeededLegacyAzureApp(
            project_id,
            client_id=str(uuid.uuid4()),
            tenant_id=self.fx.azure_tenant_id or str(uuid.uuid4()),
            secret=secrets.token_urlsafe(30),
            secret_expires=self.now + secret_expires_in,
        )
        self.legacy_azure_app = app
        project = self.store.projects[project_id]
        project.encryption.azure = AzureKeyVault(
            **self.azure_key_location(),
            client_id=app.client_id,
            tenant_id=app.tenant_id,
            secret=app.secret,
        )
        project.record_event("ENCRYPTION_AT_REST_CONFIGURATION_UPDATED", self.ago(days=700))
        self.store.add_rotation_alert(project_id, "AZURE", self.ago(days=700))
        self.store.add_cluster(
            project_id,
            "ledger-azure",
            self.ago(days=650),
            [[RegionSpec("AZURE", "US_EAST_2", "M10")]],
            encryption_provider="AZURE",
        )

    def azure_endpoint(self, region: str) -> None:
        connection = f"atlas-kv-pe-{region.lower().replace('_', '-')}-{secrets.token_hex(4)}"
        endpoint = self.store.add_endpoint(self.project.id, "AZURE", region, "ACTIVE", self.ago(days=30), connection)
        self.azure_endpoints.append(SeededAzureEndpoint(endpoint.id, self.key_vault, connection, region))


def key_uuid(key_ref: str) -> str:
    """The UUID Atlas reports as a snapshot's masterKeyUUID, from a key id, key ARN or multi-Region key id."""
    key_id = key_ref.rsplit("/", 1)[-1].removeprefix("mrk-")
    try:
        return str(uuid.UUID(key_id))
    except ValueError:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, key_ref))


def _fresh(s: _Seeder) -> None:
    s.standard_clusters()
    s.snapshots(None)


def _encrypted_aws(s: _Seeder) -> None:
    key = s.aws_key
    s.aws_encryption(key, s.aws_region)
    s.standard_clusters("AWS")
    s.snapshots(key_uuid(key))


def _encrypted_azure(s: _Seeder) -> None:
    s.azure_encryption()
    s.standard_clusters("AZURE")
    s.snapshots(None)


def _outage(s: _Seeder) -> None:
    # A multi-Region key whose primary region goes down; its replica region is where to fail over to.
    region = s.aws_region.lower().replace("_", "-")
    key = s.fx.aws_key_arn or f"arn:aws:kms:{region}:{s.aws_account}:key/mrk-{secrets.token_hex(16)}"
    s.aws_encryption(key, s.aws_region)
    s.standard_clusters("AWS")
    s.snapshots(key_uuid(key))


def _legacy_credentials(s: _Seeder) -> None:
    key = s.aws_key
    s.project.encryption.aws = AwsKms(
        key,
        s.aws_region,
        access_key_id="AKIA" + secrets.token_hex(8).upper(),
        secret_access_key=secrets.token_urlsafe(30),
    )
    s.events("ENCRYPTION_AT_REST_CONFIGURATION_UPDATED", days_ago=900)
    s.rotation_alert("AWS", days_ago=900)
    s.standard_clusters("AWS")
    s.snapshots(key_uuid(key))
    # The staging project reaches Azure Key Vault with an app registration whose secret expires in 20 days.
    s.legacy_azure_encryption(s.second_project.id, secret_expires_in=timedelta(days=20))


_LARGE_CLUSTERS = 500
_LARGE_ENDPOINT_REGIONS = [
    "US_EAST",
    "US_EAST_2",
    "US_CENTRAL",
    "US_NORTH_CENTRAL",
    "US_SOUTH_CENTRAL",
    "US_WEST",
    "US_WEST_2",
    "US_WEST_3",
    "US_WEST_CENTRAL",
    "CANADA_EAST",
    "CANADA_CENTRAL",
    "BRAZIL_SOUTH",
    "EUROPE_NORTH",
    "EUROPE_WEST",
    "UK_SOUTH",
    "UK_WEST",
    "FRANCE_CENTRAL",
    "GERMANY_WEST_CENTRAL",
    "SWEDEN_CENTRAL",
    "SWITZERLAND_NORTH",
    "NORWAY_EAST",
    "POLAND_CENTRAL",
    "ITALY_NORTH",
    "SPAIN_CENTRAL",
    "ASIA_EAST",
    "ASIA_SOUTH_EAST",
    "JAPAN_EAST",
    "JAPAN_WEST",
    "KOREA_CENTRAL",
    "INDIA_CENTRAL",
    "INDIA_SOUTH",
    "AUSTRALIA_EAST",
    "AUSTRALIA_SOUTH_EAST",
    "AUSTRALIA_CENTRAL",
    "UAE_NORTH",
    "QATAR_CENTRAL",
    "ISRAEL_CENTRAL",
    "SOUTH_AFRICA_NORTH",
    "MEXICO_CENTRAL",
    "NEW_ZEALAND_NORTH",
]


def _large(s: _Seeder) -> None:
    s.azure_encryption(private_networking=True)
    for region in _LARGE_ENDPOINT_REGIONS:
        s.azure_endpoint(region)
    sizes = ("M10", "M20", "M30", "M40")
    aws_regions = ("US_EAST_1", "US_WEST_2", "EU_WEST_1", "AP_SOUTHEAST_2")
    azure_regions = ("US_EAST_2", "EUROPE_WEST", "UK_SOUTH")
    for n in range(1, _LARGE_CLUSTERS + 1):
        name = f"cluster-{n:03d}"
        if n % 25 == 0:
            spec = RegionSpec("TENANT", "US_EAST_1", "M0", backing_provider="AWS")
            s.store.add_cluster(s.project.id, name, s.ago(days=n), [[spec]], backup_enabled=False)
            continue
        if n % 3 == 0:
            spec = RegionSpec("AZURE", azure_regions[n % len(azure_regions)], sizes[n % len(sizes)])
        else:
            spec = RegionSpec("AWS", aws_regions[n % len(aws_regions)], sizes[n % len(sizes)])
        s.store.add_cluster(
            s.project.id,
            name,
            s.ago(days=n),
            [[spec]],
            encryption_provider="AZURE" if n % 2 == 0 else "NONE",
            paused=n % 40 == 7,
        )
    for cluster in list(s.project.clusters.values())[:20]:
        s.store.add_snapshot(
            s.project.id,
            Snapshot(
                new_id(),
                cluster.name,
                s.ago(days=1),
                s.ago(days=1) + timedelta(days=35),
                cluster.region_specs[0].provider,
                None,
            ),
        )


_SEEDERS: dict[str, Callable[[_Seeder], None]] = {
    "fresh": _fresh,
    "encrypted-aws": _encrypted_aws,
    "encrypted-azure": _encrypted_azure,
    "outage": _outage,
    "legacy-credentials": _legacy_credentials,
    "large": _large,
}
