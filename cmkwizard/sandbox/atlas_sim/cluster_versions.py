"""A cluster in each media type version Atlas still serves for it.

``2024-08-05`` and ``2024-10-23`` answer ``ClusterDescription20240805`` (views.cluster); ``2023-02-01`` answers
``AdvancedClusterDescription`` (identical shards folded into one replication spec with ``numShards``, the
disk size at the top); ``2023-01-01`` answers ``LegacyAtlasCluster`` (one ``providerSettings``, a
``regionsConfig`` map per zone, Cloud Backup as ``providerBackupEnabled``).
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from starlette.datastructures import URL

from cmkwizard.sandbox.atlas_sim import views
from cmkwizard.sandbox.atlas_sim.store import Cluster, RegionSpec

LEGACY = "2023-01-01"
ADVANCED = "2023-02-01"
# What Cloud Backup is called in each version's body (``backupEnabled`` is legacy backup in 2023-01-01).
_BACKUP_ATTRIBUTE = {LEGACY: "providerBackupEnabled"}


def backup_attribute(version: str) -> str:
    return _BACKUP_ATTRIBUTE.get(version, "backupEnabled")


def cluster(c: Cluster, group_id: str, base: URL, version: str) -> dict[str, Any]:
    current = views.cluster(c, group_id, base)
    if version == LEGACY:
        return _legacy(c, current)
    if version == ADVANCED:
        return _advanced(c, current)
    return current


def _zones(c: Cluster) -> list[tuple[int, list[RegionSpec], int]]:
    """(index of the first shard, its region configs, number of identical shards) per folded zone."""
    zones = []
    index = 0
    for _, same in groupby(c.shards, key=lambda shard: [(s.provider, s.region, s.instance_size) for s in shard]):
        shards = list(same)
        zones.append((index, shards[0], len(shards)))
        index += len(shards)
    return zones


def _with_disk_size(body: dict[str, Any], c: Cluster) -> dict[str, Any]:
    """The cluster-wide disk size of the older versions; shared-tier clusters have none to report."""
    disk = views.region_config(c.shards[0][0])["electableSpecs"].get("diskSizeGB")
    if disk is not None:
        body["diskSizeGB"] = disk
    return body


def _advanced(c: Cluster, current: dict[str, Any]) -> dict[str, Any]:
    body = {k: v for k, v in current.items() if k not in ("effectiveReplicationSpecs", "replicationSpecs")}
    _with_disk_size(body, c)
    body["replicationSpecs"] = [
        {
            "id": views.derived_id(c.id, index, 1),
            "numShards": count,
            "regionConfigs": [_advanced_region(spec) for spec in shard],
            "zoneId": views.derived_id(c.id, index, 2),
            "zoneName": f"Zone {zone + 1}",
        }
        for zone, (index, shard, count) in enumerate(_zones(c))
    ]
    return body


def _advanced_region(spec: RegionSpec) -> dict[str, Any]:
    config = views.region_config(spec)
    config["electableSpecs"] = {k: v for k, v in config["electableSpecs"].items() if k != "diskSizeGB"}
    return config


def _legacy(c: Cluster, current: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "clusterType",
        "connectionStrings",
        "createDate",
        "encryptionAtRestProvider",
        "groupId",
        "id",
        "links",
        "mongoDBMajorVersion",
        "mongoDBVersion",
        "name",
        "paused",
        "pitEnabled",
        "stateName",
        "terminationProtectionEnabled",
        "versionReleaseSystem",
    )
    first = c.shards[0][0]
    body = _with_disk_size({name: current[name] for name in keep}, c)
    body.update(
        backupEnabled=False,
        numShards=len(c.shards),
        providerBackupEnabled=c.backup_enabled,
        providerSettings=_provider_settings(first),
        replicationFactor=first.node_count,
        replicationSpecs=[
            {
                "id": views.derived_id(c.id, index, 1),
                "numShards": count,
                "regionsConfig": {
                    spec.region: {
                        "analyticsNodes": 0,
                        "electableNodes": spec.node_count,
                        "priority": spec.priority,
                        "readOnlyNodes": 0,
                    }
                    for spec in shard
                },
                "zoneName": f"Zone {zone + 1}",
            }
            for zone, (index, shard, count) in enumerate(_zones(c))
        ],
    )
    return body


def _provider_settings(spec: RegionSpec) -> dict[str, Any]:
    settings = {"instanceSizeName": spec.instance_size, "providerName": spec.provider, "regionName": spec.region}
    if spec.tenant:
        settings["backingProviderName"] = spec.backing_provider or "AWS"
    return settings
