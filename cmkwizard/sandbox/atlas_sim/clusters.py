"""Clusters (every media type version Atlas serves for them) and their Cloud Backup snapshots."""

from __future__ import annotations

from typing import Any

from cmkwizard.sandbox.atlas_sim import cluster_versions, enums, errors, keys, views
from cmkwizard.sandbox.atlas_sim.bodies import HEX_ID, Field, check_object
from cmkwizard.sandbox.atlas_sim.context import Call, Reply, ok, require_body
from cmkwizard.sandbox.atlas_sim.errors import ApiError
from cmkwizard.sandbox.atlas_sim.lifecycle import settle_clusters, start_cluster_change
from cmkwizard.sandbox.atlas_sim.pagination import Page, bool_param, paginate
from cmkwizard.sandbox.atlas_sim.store import Cluster, Snapshot

# Attributes the simulator changes; other writable attributes are accepted only when they repeat the
# current value, since the sandbox does not simulate resizing, upgrades or topology changes.
_SIMULATED = {
    "encryptionAtRestProvider": Field("string", enum=enums.ENCRYPTION_PROVIDERS),
    "paused": Field("boolean"),
    "backupEnabled": Field("boolean"),
    "pitEnabled": Field("boolean"),
    "terminationProtectionEnabled": Field("boolean"),
}
_READ_ONLY = [
    "configServerType",
    "connectionStrings",
    "createDate",
    "effectiveReplicationSpecs",
    "featureCompatibilityVersion",
    "featureCompatibilityVersionExpirationDate",
    "groupId",
    "id",
    "internalClusterRole",
    "links",
    "mongoDBVersion",
    "stateName",
]
_NOT_SIMULATED = [
    "acceptDataRisksAndForceReplicaSetReconfig",
    "adaptiveCapacity",
    "advancedConfiguration",
    "biConnector",
    "clusterType",
    "configServerManagementMode",
    "diskWarmingMode",
    "globalClusterSelfManagedSharding",
    "labels",
    "mongoDBEmployeeAccessGrant",
    "mongoDBMajorVersion",
    "name",
    "redactClientLogData",
    "replicaSetScalingStrategy",
    "replicationSpecs",
    "retainBackups",
    "rootCertType",
    "tags",
    "useAwsTimeBasedSnapshotCopyForFastInitialSync",
    "versionReleaseSystem",
]
_READ_ONLY_FIELDS = {name: Field("string", read_only=True) for name in _READ_ONLY}
_ATTRIBUTES = {
    "encryptionAtRestProvider": "encryption_provider",
    "paused": "paused",
    "backupEnabled": "backup_enabled",
    "pitEnabled": "pit_enabled",
    "terminationProtectionEnabled": "termination_protection",
}


def _settled(call: Call) -> dict[str, Cluster]:
    settle_clusters(call.project, call.store, call.verifiers, call.now)
    return call.project.clusters


def find_cluster(call: Call) -> Cluster:
    name = call.params["clusterName"]
    cluster = _settled(call).get(name)
    if cluster is None:
        raise errors.cluster_not_found(name, call.group_id)
    return cluster


def _view(call: Call, cluster: Cluster) -> dict[str, Any]:
    return cluster_versions.cluster(cluster, call.group_id, call.url, call.version)


def list_clusters(call: Call) -> Reply:
    bool_param(call.query, "includeDeletedWithRetainedBackups", False)
    items = [_view(call, c) for c in _settled(call).values()]
    return ok(paginate(items, Page.from_query(call.query), call.url))


def get_cluster(call: Call) -> Reply:
    return ok(_view(call, find_cluster(call)))


def _simulated_in(version: str) -> dict[str, str]:
    """The attributes the simulator changes, as named in ``version``'s body, each with its current name."""
    named = {name: name for name in _SIMULATED}
    named[cluster_versions.backup_attribute(version)] = named.pop("backupEnabled")
    return named


def update_cluster(call: Call) -> Reply:
    cluster = find_cluster(call)
    body = require_body(call)
    current = _view(call, cluster)
    simulated = _simulated_in(call.version)
    if isinstance(body, dict):
        echo_only = set(_NOT_SIMULATED) | (set(current) - set(simulated) - set(_READ_ONLY))
        for name in sorted(echo_only & set(body)):
            if body[name] != current.get(name):
                raise ApiError(
                    400,
                    "INVALID_ATTRIBUTE",
                    f"The sandbox does not simulate changing {name}; it simulates {', '.join(simulated)}.",
                    [name],
                )
        body = {k: v for k, v in body.items() if k not in echo_only}
    fields = check_object(body, {**{n: _SIMULATED[c] for n, c in simulated.items()}, **_READ_ONLY_FIELDS})
    changes = {name: value for name, value in fields.items() if value != current.get(name)}
    if cluster.paused and changes and changes != {"paused": False}:
        raise ApiError(
            409,
            "CANNOT_UPDATE_PAUSED_CLUSTER",
            f'Cluster {cluster.name} is paused. Resume it with {{"paused": false}} on its own, then make '
            "other changes.",
            [cluster.name],
        )
    if "encryptionAtRestProvider" in changes:
        _check_encryption_change(call, cluster, changes["encryptionAtRestProvider"])
    for name, value in changes.items():
        setattr(cluster, _ATTRIBUTES[simulated[name]], value)
    if changes:
        start_cluster_change(cluster, call.now, call.store.timings)
    return ok(_view(call, cluster))


def _check_encryption_change(call: Call, cluster: Cluster, provider: str) -> None:
    if provider == "NONE":
        return
    if cluster.tenant:
        sizes = ", ".join(sorted({spec.instance_size for spec in cluster.region_specs}))
        raise ApiError(
            400,
            "CANNOT_USE_ENCRYPTION_AT_REST_TENANT",
            f"Cluster {cluster.name} is a shared-tier ({sizes}) cluster; encryption at rest with customer key "
            "management needs a dedicated M10 or larger cluster.",
            [cluster.name],
        )
    enabled = call.project.encryption.enabled_provider
    if enabled is None:
        raise ApiError(
            400,
            "ENCRYPTION_AT_REST_NOT_ENABLED",
            f"Encryption at rest with customer key management is not enabled for this project; configure "
            f"{provider} on the project (PATCH encryptionAtRest) before enabling it on {cluster.name}.",
            [provider],
        )
    if enabled != provider:
        raise ApiError(
            400,
            "ENCRYPTION_AT_REST_PROVIDER_NOT_SUPPORTED",
            f"The project's encryption at rest uses {enabled}, so clusters can use {enabled} or NONE, not {provider}.",
            [provider, enabled],
        )
    if not keys.check_key(call.project, call.store, call.verifiers, call.now):
        raise ApiError(
            400,
            "ENCRYPTION_AT_REST_SETTINGS_INVALID",
            f"Atlas cannot use the project's {enabled} key right now (valid is false); restore access to the key "
            f"before enabling it on {cluster.name}.",
            [provider],
        )


# Backup snapshots.


def _snapshots(call: Call, *, sharded: bool) -> list[Snapshot]:
    cluster = find_cluster(call)
    found = [s for s in call.project.snapshots if s.cluster_name == cluster.name and s.sharded == sharded]
    return sorted(found, key=lambda s: s.created_at, reverse=True)


def _snapshot_view(call: Call, snapshot: Snapshot) -> dict[str, Any]:
    return views.snapshot(snapshot, call.url, call.group_id)


def list_snapshots(call: Call) -> Reply:
    items = [_snapshot_view(call, s) for s in _snapshots(call, sharded=False)]
    return ok(paginate(items, Page.from_query(call.query), call.url))


def list_sharded_snapshots(call: Call) -> Reply:
    items = [_snapshot_view(call, s) for s in _snapshots(call, sharded=True)]
    return ok({"links": views.self_link(call.url, call.url.path), "results": items, "totalCount": len(items)})


def _find_snapshot(call: Call, *, sharded: bool) -> Snapshot:
    snapshot_id = call.params["snapshotId"]
    if not HEX_ID.match(snapshot_id):
        raise errors.invalid_id("snapshotId", snapshot_id)
    snapshot = next((s for s in _snapshots(call, sharded=sharded) if s.id == snapshot_id), None)
    if snapshot is None:
        raise ApiError(
            404,
            "RESOURCE_NOT_FOUND",
            f"No snapshot with ID {snapshot_id} exists for cluster {call.params['clusterName']}.",
            [snapshot_id],
        )
    return snapshot


def get_snapshot(call: Call) -> Reply:
    return ok(_snapshot_view(call, _find_snapshot(call, sharded=False)))


def get_sharded_snapshot(call: Call) -> Reply:
    return ok(_snapshot_view(call, _find_snapshot(call, sharded=True)))
