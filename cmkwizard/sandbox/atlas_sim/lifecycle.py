"""Atlas' asynchronous work, advanced lazily: each read settles whatever the clock says has finished.

No background threads: a cluster's update or an endpoint's provisioning completes when someone next looks
at the project and the simulated clock is past its due time.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from functools import cache

from cmkwizard.sandbox.atlas_sim.keys import check_key
from cmkwizard.sandbox.atlas_sim.store import Cluster, PrivateEndpoint, Project, SimStore, SimTimings
from cmkwizard.sandbox.atlas_sim.verifier import Refusal, Verifiers

_MAX_STEPS_PER_SETTLE = 8


def settle_store(store: SimStore, verifiers: Verifiers, now: datetime) -> None:
    """Finish, in every project, whatever is due by ``now``.

    Call it before changing what the verifiers answer (an outage switch), so work that finished before the
    change is judged by the cloud as it was.
    """
    with store.lock:
        for project in store.projects.values():
            settle_endpoints(project, store, verifiers, now)
            settle_clusters(project, store, verifiers, now)


def start_cluster_change(cluster: Cluster, now: datetime, timings: SimTimings) -> None:
    cluster.state = "UPDATING"
    cluster.busy_until = now + timedelta(seconds=timings.cluster_update)


def settle_clusters(project: Project, store: SimStore, verifiers: Verifiers, now: datetime) -> None:
    @cache
    def key_usable() -> bool:
        return check_key(project, store, verifiers, now)

    for cluster in project.clusters.values():
        needs_key = cluster.encryption_provider != "NONE" and not cluster.paused
        if cluster.state == "UPDATING" and cluster.busy_until is not None and cluster.busy_until <= now:
            cluster.busy_until = None
            # Nodes restart to apply a change; a node that cannot reach its key stays down.
            cluster.state = "REPAIRING" if needs_key and not key_usable() else "IDLE"
        elif cluster.state == "REPAIRING" and (not needs_key or key_usable()):
            cluster.state = "IDLE"


def new_connection_name(provider: str, region: str) -> str:
    if provider == "AWS":
        return f"vpce-{secrets.token_hex(9)[:17]}"
    return f"atlas-kv-pe-{region.lower().replace('_', '-')}-{secrets.token_hex(4)}"


def settle_endpoints(project: Project, store: SimStore, verifiers: Verifiers, now: datetime) -> None:
    for endpoint in list(project.endpoints.values()):
        for _ in range(_MAX_STEPS_PER_SETTLE):
            if not _step(project, endpoint, store.timings, verifiers, now):
                break


def _step(
    project: Project, endpoint: PrivateEndpoint, timings: SimTimings, verifiers: Verifiers, now: datetime
) -> bool:
    """Advance one endpoint by at most one status; True if it moved."""

    def due(seconds: float) -> datetime | None:
        at = endpoint.status_since + timedelta(seconds=seconds)
        return at if at <= now else None

    status = endpoint.status
    if status == "DELETING":
        if due(timings.endpoint_deletion):
            del project.endpoints[endpoint.id]
            project.record_event("ENCRYPTION_AT_REST_PRIVATE_ENDPOINT_DELETED", now)
        return False
    if status == "INITIATING":
        finished = due(timings.endpoint_provisioning)
        if finished is None:
            return False
        if endpoint.provider == "AWS":
            return _move(endpoint, "ACTIVE", finished)
        return _register_azure_connection(project, endpoint, verifiers, finished)
    if status == "PENDING_RECREATION":
        finished = due(timings.endpoint_recreation)
        if finished is None:
            return False
        endpoint.connection_name = new_connection_name(endpoint.provider, endpoint.region)
        endpoint.approval_seen = None
        return _move(endpoint, "INITIATING", finished)
    if endpoint.provider == "AZURE" and status in ("PENDING_ACCEPTANCE", "ACTIVE"):
        return _follow_azure_approval(project, endpoint, timings, verifiers, now)
    return False


def _register_azure_connection(project: Project, endpoint: PrivateEndpoint, verifiers: Verifiers, at: datetime) -> bool:
    vault = project.encryption.azure
    if vault is None:
        endpoint.error_message = "Azure Key Vault encryption at rest is no longer configured for this project."
        return _move(endpoint, "FAILED", at)
    try:
        verifiers.azure.register_endpoint_connection(vault.key_vault_name, endpoint.connection_name, endpoint.region)
    except Refusal as refusal:
        endpoint.error_message = refusal.detail
        return _move(endpoint, "FAILED", at)
    return _move(endpoint, "PENDING_ACCEPTANCE", at)


def _follow_azure_approval(
    project: Project, endpoint: PrivateEndpoint, timings: SimTimings, verifiers: Verifiers, now: datetime
) -> bool:
    vault = project.encryption.azure
    if vault is None:
        return False
    try:
        connection = verifiers.azure.endpoint_connection_status(vault.key_vault_name, endpoint.connection_name)
    except Refusal as refusal:
        endpoint.error_message = refusal.detail
        return _move(endpoint, "FAILED", now)
    if connection == "Rejected":
        endpoint.error_message = (
            f"The private endpoint connection {endpoint.connection_name} was rejected on key vault "
            f"{vault.key_vault_name}. Delete this endpoint and create a new one to retry."
        )
        return _move(endpoint, "FAILED", now)
    if connection == "Disconnected":
        return _move(endpoint, "PENDING_RECREATION", now)
    if connection == "Approved" and endpoint.status == "PENDING_ACCEPTANCE":
        # Atlas notices an approval some time after it is made.
        endpoint.approval_seen = endpoint.approval_seen or now
        reflected = endpoint.approval_seen + timedelta(seconds=timings.approval_reflection)
        if reflected <= now:
            return _move(endpoint, "ACTIVE", reflected)
    return False


def _move(endpoint: PrivateEndpoint, status: str, since: datetime) -> bool:
    endpoint.status, endpoint.status_since = status, since
    return True
