"""Every Atlas Admin API v2 operation the client calls: method, path and resource version.

Atlas versions each resource through the media type (``application/vnd.atlas.<date>+json``), sent
as ``Accept`` on every call and as ``Content-Type`` on bodies. This table is the one place a
version is chosen; everything else asks an ``Endpoint`` for its ``media_type``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

ATLAS_BASE_URL = "https://cloud.mongodb.com"
ATLAS_GOV_BASE_URL = "https://cloud.mongodbgov.com"

API_PREFIX = "/api/atlas/v2"
DEFAULT_VERSION = "2023-01-01"


@dataclass(frozen=True)
class Endpoint:
    operation_id: str
    method: str
    path_template: str
    version: str = DEFAULT_VERSION
    paginated: bool = False

    @property
    def media_type(self) -> str:
        return f"application/vnd.atlas.{self.version}+json"

    @property
    def idempotent(self) -> bool:
        """Whether sending the call twice has the same effect as once.

        Every GET, PUT, DELETE and PATCH the client sends sets absolute values; only POST creates.
        """
        return self.method != "POST"

    def path(self, **params: str) -> str:
        encoded = {name: quote(str(value), safe="") for name, value in params.items()}
        return API_PREFIX + self.path_template.format(**encoded)


def _endpoints(*endpoints: Endpoint) -> dict[str, Endpoint]:
    return {e.operation_id: e for e in endpoints}


_GROUP = "/groups/{group_id}"
_CPA = _GROUP + "/cloudProviderAccess"
_EAR = _GROUP + "/encryptionAtRest"
_EAR_ENDPOINTS = _EAR + "/{provider}/privateEndpoints"
_CLUSTER = _GROUP + "/clusters/{cluster_name}"
_CLUSTER_VERSION = "2024-08-05"
_CLUSTER_UPDATE_VERSION = "2024-10-23"

ENDPOINTS = _endpoints(
    Endpoint("getSystemStatus", "GET", ""),
    Endpoint("listOrgs", "GET", "/orgs", paginated=True),
    Endpoint("listGroups", "GET", "/groups", paginated=True),
    Endpoint("getOrgGroups", "GET", "/orgs/{org_id}/groups", paginated=True),
    Endpoint("getGroup", "GET", _GROUP),
    Endpoint("getGroupByName", "GET", "/groups/byName/{group_name}"),
    Endpoint("listGroupCloudProviderAccess", "GET", _CPA),
    Endpoint("getGroupCloudProviderAccess", "GET", _CPA + "/{role_id}"),
    Endpoint("createGroupCloudProviderAccess", "POST", _CPA),
    Endpoint("authorizeGroupCloudProviderAccessRole", "PATCH", _CPA + "/{role_id}"),
    Endpoint("deauthorizeGroupCloudProviderAccessRole", "DELETE", _CPA + "/{provider}/{role_id}"),
    Endpoint("getGroupEncryptionAtRest", "GET", _EAR),
    Endpoint("updateGroupEncryptionAtRest", "PATCH", _EAR),
    Endpoint("listGroupEncryptionAtRestPrivateEndpoints", "GET", _EAR_ENDPOINTS, paginated=True),
    Endpoint("getGroupEncryptionAtRestPrivateEndpoint", "GET", _EAR_ENDPOINTS + "/{endpoint_id}"),
    Endpoint("createGroupEncryptionAtRestPrivateEndpoint", "POST", _EAR_ENDPOINTS),
    Endpoint("requestGroupEncryptionAtRestPrivateEndpointDeletion", "DELETE", _EAR_ENDPOINTS + "/{endpoint_id}"),
    Endpoint("listGroupClusters", "GET", _GROUP + "/clusters", _CLUSTER_VERSION, paginated=True),
    Endpoint("getGroupCluster", "GET", _CLUSTER, _CLUSTER_VERSION),
    Endpoint("updateGroupCluster", "PATCH", _CLUSTER, _CLUSTER_UPDATE_VERSION),
    Endpoint("listGroupClusterBackupSnapshots", "GET", _CLUSTER + "/backup/snapshots", paginated=True),
    # The sharded-cluster snapshot list takes no pagination parameters and returns one page.
    Endpoint("listGroupClusterBackupSnapshotShardedClusters", "GET", _CLUSTER + "/backup/snapshots/shardedClusters"),
    Endpoint("listGroupAlertConfigs", "GET", _GROUP + "/alertConfigs", paginated=True),
    Endpoint("updateGroupAlertConfig", "PUT", _GROUP + "/alertConfigs/{config_id}"),
    Endpoint("listGroupEvents", "GET", _GROUP + "/events", paginated=True),
)
