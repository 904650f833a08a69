"""The Admin API operations the simulator serves: method, path, versions, the role each needs, handler."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cmkwizard.sandbox.atlas_sim import access, alerts, clusters, directory, encryption, endpoints, enums, ratelimit
from cmkwizard.sandbox.atlas_sim.context import Handler
from cmkwizard.sandbox.atlas_sim.media import Versions

API_PREFIX = "/api/atlas/v2"


@dataclass(frozen=True)
class Access:
    """The project roles that may call an operation, and how Atlas refuses the others."""

    roles: frozenset[str]
    label: str
    status: int = 401


READ = Access(frozenset({enums.GROUP_OWNER, enums.GROUP_CLUSTER_MANAGER, enums.GROUP_READ_ONLY}), "Project Read Only")
CLUSTER_MANAGER = Access(frozenset({enums.GROUP_OWNER, enums.GROUP_CLUSTER_MANAGER}), "Project Cluster Manager")
OWNER = Access(frozenset({enums.GROUP_OWNER}), "Project Owner")
ALERTS_MANAGER = Access(frozenset({enums.GROUP_OWNER}), "Project Alerts Manager")
# Reading EAR private endpoints needs Project Owner too; Atlas refuses lower roles there with 403.
OWNER_FORBIDDEN = Access(frozenset({enums.GROUP_OWNER}), "Project Owner", status=403)

V2023 = Versions(("2023-01-01",))
# Every version the spec lists for the cluster operations (latest last), with the sunset dates it gives.
CLUSTER_READ = Versions(
    ("2023-01-01", "2023-02-01", "2024-08-05"), sunset=(("2023-01-01", "2027-07-01"), ("2023-02-01", "2027-07-01"))
)
CLUSTER_WRITE = Versions(
    ("2023-01-01", "2023-02-01", "2024-08-05", "2024-10-23"),
    sunset=(("2023-01-01", "2027-07-01"), ("2023-02-01", "2027-07-01"), ("2024-08-05", "2027-03-01")),
)


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # template below API_PREFIX, e.g. "/groups/{groupId}"
    handler: Handler
    access: Access | None = None  # None: any authenticated caller
    versions: Versions = V2023
    rate_limit: int = ratelimit.DEFAULT_CAPACITY  # the capacity of the operation's token bucket
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Templates hold only letters, slashes and {parameters}, so no literal part needs escaping.
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", API_PREFIX + self.path)
        object.__setattr__(self, "pattern", re.compile(f"^{regex}$"))


_G = "/groups/{groupId}"
_CPA = f"{_G}/cloudProviderAccess"
_EAR = f"{_G}/encryptionAtRest"
_PE = f"{_EAR}/{{cloudProvider}}/privateEndpoints"
_CLUSTER = f"{_G}/clusters/{{clusterName}}"
_SNAPSHOTS = f"{_CLUSTER}/backup/snapshots"

# First match wins: literal segments come before a parameter in the same position.
OPERATIONS: tuple[Operation, ...] = (
    Operation("GET", "", directory.system_status),
    Operation("GET", "/orgs", directory.list_orgs),
    Operation("GET", "/orgs/{orgId}", directory.get_org),
    Operation("GET", "/orgs/{orgId}/groups", directory.list_org_projects),
    Operation("GET", "/groups", directory.list_projects),
    Operation("GET", "/groups/byName/{groupName}", directory.get_project_by_name),
    Operation("GET", _G, directory.get_project, READ),
    Operation("GET", _CPA, access.list_roles, READ),
    Operation("POST", _CPA, access.create_role, OWNER),
    Operation("DELETE", f"{_CPA}/{{cloudProvider}}/{{roleId}}", access.deauthorize_role, OWNER),
    Operation("GET", f"{_CPA}/{{roleId}}", access.get_role, READ),
    Operation("PATCH", f"{_CPA}/{{roleId}}", access.authorize_role, OWNER),
    Operation("GET", _EAR, encryption.get_encryption, READ),
    Operation("PATCH", _EAR, encryption.update_encryption, OWNER),
    Operation("GET", _PE, endpoints.list_endpoints, OWNER_FORBIDDEN),
    Operation("POST", _PE, endpoints.create_endpoint, OWNER),
    Operation("GET", f"{_PE}/{{endpointId}}", endpoints.get_endpoint, OWNER_FORBIDDEN),
    Operation("DELETE", f"{_PE}/{{endpointId}}", endpoints.delete_endpoint, OWNER),
    Operation("GET", f"{_G}/clusters", clusters.list_clusters, READ, CLUSTER_READ, ratelimit.CLUSTER_READ_CAPACITY),
    Operation("GET", _CLUSTER, clusters.get_cluster, READ, CLUSTER_READ, ratelimit.CLUSTER_READ_CAPACITY),
    Operation("PATCH", _CLUSTER, clusters.update_cluster, CLUSTER_MANAGER, CLUSTER_WRITE),
    Operation("GET", f"{_SNAPSHOTS}/shardedClusters", clusters.list_sharded_snapshots, READ),
    Operation("GET", f"{_SNAPSHOTS}/shardedCluster/{{snapshotId}}", clusters.get_sharded_snapshot, READ),
    Operation("GET", _SNAPSHOTS, clusters.list_snapshots, READ),
    Operation("GET", f"{_SNAPSHOTS}/{{snapshotId}}", clusters.get_snapshot, READ),
    Operation("GET", f"{_G}/alertConfigs", alerts.list_alert_configs, READ),
    Operation("GET", f"{_G}/alertConfigs/{{alertConfigId}}", alerts.get_alert_config, READ),
    Operation("PUT", f"{_G}/alertConfigs/{{alertConfigId}}", alerts.replace_alert_config, ALERTS_MANAGER),
    Operation("GET", f"{_G}/events", alerts.list_events, READ),
)


def match(method: str, path: str) -> tuple[Operation | None, dict[str, str], list[str]]:
    """The operation for a request, its path parameters, and the methods the path allows (for a 405)."""
    allowed: list[str] = []
    for operation in OPERATIONS:
        found = operation.pattern.match(path)
        if found is None:
            continue
        if operation.method == method:
            return operation, found.groupdict(), allowed
        allowed.append(operation.method)
    return None, {}, allowed
