"""Which clusters can use a customer-managed key, and why the others cannot."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cmkwizard.atlas.models import PROVIDER_NONE, PROVIDER_TENANT, Cluster

TENANT_SIZES = frozenset({"M0", "M2", "M5", "FLEX"})
_SIZE = re.compile(r"^[A-Z]+?(\d+)")


@dataclass(frozen=True)
class Eligibility:
    """Whether ``cluster`` can be encrypted with ``provider``'s key, with every reason it cannot."""

    cluster: Cluster
    provider: str
    reasons: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.cluster.name

    @property
    def eligible(self) -> bool:
        return not self.reasons

    @property
    def already_enabled(self) -> bool:
        return self.cluster.encryption_at_rest_provider == self.provider


def cluster_eligibility(cluster: Cluster, provider: str) -> Eligibility:
    reasons: list[str] = []
    sizes = cluster.instance_sizes
    if _is_shared_tier(cluster):
        shown = "/".join(sizes) or "shared"
        reasons.append(
            f"{shown} is a shared-tier (M0/M2/M5) or Flex cluster; customer-managed keys need a dedicated "
            "cluster: upgrade it to M10 or larger first"
        )
    elif small := [s for s in sizes if _below_m10(s)]:
        reasons.append(f"instance size {', '.join(small)} is below M10; scale the cluster to M10 or larger first")
    if cluster.paused:
        reasons.append("the cluster is paused and Atlas refuses changes to it: resume it first")
    current = cluster.encryption_at_rest_provider
    if current not in (PROVIDER_NONE, provider):
        reasons.append(
            f"the cluster already uses {current} keys; set its provider to NONE first (Atlas re-encrypts it) "
            f"to move it to {provider}"
        )
    if _uses_legacy_backup(cluster):
        reasons.append(
            "the cluster uses legacy backup, which cannot be combined with customer-managed keys: "
            "move it to Cloud Backup first"
        )
    return Eligibility(cluster, provider, tuple(reasons))


def _is_shared_tier(cluster: Cluster) -> bool:
    if any(rc.provider_name == PROVIDER_TENANT for rc in cluster.region_configs):
        return True
    if str(cluster.raw.get("providerName", "")).upper() in ("TENANT", "FLEX"):
        return True
    return any(size.upper() in TENANT_SIZES for size in cluster.instance_sizes)


def _below_m10(size: str) -> bool:
    match = _SIZE.match(size.upper())
    return match is not None and int(match.group(1)) < 10


def _uses_legacy_backup(cluster: Cluster) -> bool:
    # The current cluster API reports Cloud Backup as backupEnabled; a cluster still on legacy
    # backup shows it in the older providerBackupEnabled/backupEnabled pair.
    raw = cluster.raw
    return raw.get("providerBackupEnabled") is False and raw.get("backupEnabled") is True
