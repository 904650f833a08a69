"""Wire forms of the simulator's records, shaped like the spec's response schemas and Atlas' recorded answers.

Where the two differ, Atlas' answers win: an AWS role not yet authorized carries ``iamAssumedRoleArn`` and
``authorizedDate`` as ``null`` (as recorded in the Atlas CLI's end-to-end captures), though the spec does not
mark them nullable.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import URL

from cmkwizard.sandbox.atlas_sim.keys import reported_valid
from cmkwizard.sandbox.atlas_sim.store import (
    AlertConfig,
    AwsKms,
    AwsRole,
    AzureKeyVault,
    AzurePrincipal,
    Cluster,
    Encryption,
    Event,
    Organization,
    PrivateEndpoint,
    Project,
    RegionSpec,
    Snapshot,
    iso,
)


def self_link(base: URL, path: str) -> list[dict[str, str]]:
    return [{"href": str(base.replace(path=path, query="")), "rel": "self"}]


def organization(org: Organization, base: URL) -> dict[str, Any]:
    return {
        "id": org.id,
        "isDeleted": False,
        "links": self_link(base, f"/api/atlas/v2/orgs/{org.id}"),
        "name": org.name,
        "skipDefaultAlertsSettings": False,
    }


def project(p: Project, base: URL) -> dict[str, Any]:
    return {
        "clusterCount": len(p.clusters),
        "created": iso(p.created),
        "id": p.id,
        "links": self_link(base, f"/api/atlas/v2/groups/{p.id}"),
        "name": p.name,
        "orgId": p.org_id,
        "regionUsageRestrictions": "COMMERCIAL_FEDRAMP_REGIONS_ONLY",
        "tags": [],
        "withDefaultAlertsSettings": True,
    }


def _feature_usages(in_use: bool) -> list[dict[str, Any]]:
    return [{"featureId": None, "featureType": "ENCRYPTION_AT_REST"}] if in_use else []


def aws_role(role: AwsRole, atlas_principal_arn: str, in_use: bool) -> dict[str, Any]:
    return {
        "atlasAWSAccountArn": atlas_principal_arn,
        "atlasAssumedRoleExternalId": role.external_id,
        "authorizedDate": iso(role.authorized) if role.authorized is not None else None,
        "createdDate": iso(role.created),
        "featureUsages": _feature_usages(in_use),
        "iamAssumedRoleArn": role.iam_role_arn,
        "providerName": "AWS",
        "roleId": role.role_id,
    }


def azure_principal(principal: AzurePrincipal, in_use: bool) -> dict[str, Any]:
    return {
        "_id": principal.role_id,
        "atlasAzureAppId": principal.atlas_app_id,
        "createdDate": iso(principal.created),
        "featureUsages": _feature_usages(in_use),
        "lastUpdatedDate": iso(principal.last_updated),
        "providerName": "AZURE",
        "servicePrincipalId": principal.service_principal_id,
        "tenantId": principal.tenant_id,
    }


def encryption(enc: Encryption) -> dict[str, Any]:
    return {
        "awsKms": _aws_kms(enc.aws),
        "azureKeyVault": _azure_key_vault(enc.azure),
        "enabledForSearchNodes": enc.enabled_for_search_nodes,
        "googleCloudKms": {"enabled": False},
    }


def _aws_kms(config: AwsKms | None) -> dict[str, Any]:
    if config is None:
        return {"enabled": False}
    body: dict[str, Any] = {
        "customerMasterKeyID": config.customer_master_key_id,
        "enabled": True,
        "region": config.region,
        "requirePrivateNetworking": config.require_private_networking,
        "valid": reported_valid(config),
    }
    # roleId is writeOnly in the spec but the live API returns it; the spec's view is kept here.
    if config.access_key_id is not None:
        body["accessKeyID"] = config.access_key_id
    return body


def _azure_key_vault(config: AzureKeyVault | None) -> dict[str, Any]:
    if config is None:
        return {"enabled": False}
    body: dict[str, Any] = {
        "azureEnvironment": config.azure_environment,
        "enabled": True,
        "keyIdentifier": config.key_identifier,
        "keyVaultName": config.key_vault_name,
        "requirePrivateNetworking": config.require_private_networking,
        "resourceGroupName": config.resource_group_name,
        "subscriptionID": config.subscription_id,
        "valid": reported_valid(config),
    }
    if config.role_id is not None:
        body["roleId"] = config.role_id
    if config.client_id is not None:
        body["clientID"] = config.client_id
    if config.tenant_id is not None:
        body["tenantID"] = config.tenant_id
    return body


def private_endpoint(endpoint: PrivateEndpoint) -> dict[str, Any]:
    body: dict[str, Any] = {
        "cloudProvider": endpoint.provider,
        "id": endpoint.id,
        "privateEndpointConnectionName": endpoint.connection_name,
        "regionName": endpoint.region,
        "status": endpoint.status,
    }
    if endpoint.error_message:
        body["errorMessage"] = endpoint.error_message
    return body


def cluster(c: Cluster, group_id: str, base: URL) -> dict[str, Any]:
    specs = [
        {
            "id": derived_id(c.id, index, 1),
            "regionConfigs": [region_config(spec) for spec in shard],
            "zoneId": derived_id(c.id, index, 2),
            "zoneName": f"Zone {index + 1}",
        }
        for index, shard in enumerate(c.shards)
    ]
    host = f"{c.name.lower()}.{c.id[-5:]}.mongodb.net"
    body = {
        "backupEnabled": c.backup_enabled,
        "clusterType": c.cluster_type,
        "connectionStrings": {"standard": f"mongodb://{host}:27017", "standardSrv": f"mongodb+srv://{host}"},
        "createDate": iso(c.created),
        "effectiveReplicationSpecs": specs,
        "encryptionAtRestProvider": c.encryption_provider,
        "groupId": group_id,
        "id": c.id,
        "links": self_link(base, f"/api/atlas/v2/groups/{group_id}/clusters/{c.name}"),
        "mongoDBMajorVersion": c.mongodb_major_version,
        "mongoDBVersion": c.mongodb_version,
        "name": c.name,
        "paused": c.paused,
        "pitEnabled": c.pit_enabled,
        "replicationSpecs": specs,
        "stateName": c.state,
        "terminationProtectionEnabled": c.termination_protection,
        "versionReleaseSystem": "LTS",
    }
    if c.cluster_type != "REPLICASET":
        body["configServerType"] = "EMBEDDED"
    return body


_DISK_SIZE_GB = {"M10": 10.0, "M20": 20.0, "M30": 40.0, "M40": 80.0}


def region_config(spec: RegionSpec) -> dict[str, Any]:
    hardware: dict[str, Any] = {"instanceSize": spec.instance_size}
    config: dict[str, Any] = {
        "electableSpecs": hardware,
        "priority": spec.priority,
        "providerName": spec.provider,
        "regionName": spec.region,
    }
    if spec.tenant:
        config["backingProviderName"] = spec.backing_provider or "AWS"
    else:
        hardware["nodeCount"] = spec.node_count
        hardware["diskSizeGB"] = _DISK_SIZE_GB.get(spec.instance_size, 128.0)
    return config


def derived_id(base_id: str, index: int, salt: int) -> str:
    """A stable 24-hex id for a sub-document (replication spec, zone) of a record."""
    return f"{base_id[:20]}{(index * 16 + salt) & 0xFFFF:04x}"


def snapshot(s: Snapshot, base: URL, group_id: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "createdAt": iso(s.created_at),
        "description": f"{s.frequency_type} snapshot of {s.cluster_name}",
        "expiresAt": iso(s.expires_at),
        "frequencyType": s.frequency_type,
        "id": s.id,
        "links": self_link(
            base,
            f"/api/atlas/v2/groups/{group_id}/clusters/{s.cluster_name}/backup/snapshots/"
            + ("shardedCluster/" if s.sharded else "")
            + s.id,
        ),
        "mongodVersion": "8.0.12",
        "policyItems": [],
        "snapshotType": s.snapshot_type,
        "status": s.status,
        "storageSizeBytes": s.storage_size_bytes,
        "type": "shardedCluster" if s.sharded else "replicaSet",
    }
    if s.master_key_uuid is not None:
        body["masterKeyUUID"] = s.master_key_uuid
    if s.sharded:
        body["configServerType"] = "EMBEDDED"
        body["members"] = [
            {"cloudProvider": s.cloud_provider, "id": member, "replicaSetName": f"{s.cluster_name}-shard-{i}"}
            for i, member in enumerate(s.member_ids)
        ]
        body["snapshotIds"] = list(s.member_ids)
    else:
        body["cloudProvider"] = s.cloud_provider
        body["copyRegions"] = []
        body["replicaSetName"] = s.cluster_name
    return body


def alert_config(config: AlertConfig, group_id: str, base: URL) -> dict[str, Any]:
    return {
        **config.body,
        "created": iso(config.created),
        "groupId": group_id,
        "id": config.id,
        "links": self_link(base, f"/api/atlas/v2/groups/{group_id}/alertConfigs/{config.id}"),
        "updated": iso(config.updated),
    }


def event(e: Event, group_id: str, org_id: str, base: URL, *, include_raw: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "created": iso(e.created),
        "eventTypeName": e.event_type,
        "groupId": group_id,
        "id": e.id,
        "isGlobalAdmin": False,
        "links": self_link(base, f"/api/atlas/v2/groups/{group_id}/events/{e.id}"),
        "orgId": org_id,
    }
    if e.principal is not None and e.principal.kind == "API_KEY":
        body["apiKeyId"] = e.principal.id
        body["publicKey"] = e.principal.name
    if include_raw:
        body["raw"] = {"cid": group_id, "cre": iso(e.created), "description": e.description, "id": e.id}
    return body
