"""Which clusters' snapshots may still need a key the project no longer uses, and until when.

Atlas does not re-encrypt snapshots with a new key: a snapshot taken while the old key was in use can
only be restored while that key exists. For every cluster with Cloud Backup the report reads the
snapshot list once and counts the snapshots that may still need the key: by ``masterKeyUUID`` where
Atlas reports it and the key's UUID is known (AWS key IDs), otherwise by date (created before the
project stopped using the key). The last one to expire, per cluster and for the project, is the
earliest date the key can be retired. The wizard itself never disables, deletes or schedules the
deletion of a key.

``old_key_report`` is the one entry point: the headless command, the report page and journeys that
change or remove the key (rotation, disable) all call it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from cmkwizard.atlas.errors import AtlasError, describe_error
from cmkwizard.atlas.models import PROVIDER_AWS, PROVIDER_AZURE
from cmkwizard.journeys.providers import key_config, provider_label

if TYPE_CHECKING:
    from cmkwizard.atlas import AtlasClient
    from cmkwizard.atlas.models import Cluster, Snapshot
    from cmkwizard.clock import Clock
    from cmkwizard.state import ProjectState

NEVER_DELETES = (
    "The wizard never disables, deletes or schedules the deletion of a key: retiring it is your decision, in "
    "your key service, once no snapshot needs it."
)
SHARDED_TYPES = frozenset({"SHARDED", "GEOSHARDED"})
CONCURRENT_READS = 4
"""Snapshot lists read at the same time (one list per cluster, however many clusters)."""

MatchedBy = Literal["masterKeyUUID", "date"]


class KeyNotKnown(Exception):
    """The report needs a key and none is given or configured."""


def master_key_uuid(provider: str, key: str | None) -> str | None:
    """The UUID Atlas reports as a snapshot's ``masterKeyUUID`` for this key: the key-id part of an AWS key ID,
    key ARN or multi-Region key ID. None where Atlas reports no such UUID (Azure) or the key is not a UUID."""
    if provider != PROVIDER_AWS or not key:
        return None
    key_id = key.rsplit("/", 1)[-1].removeprefix("mrk-")
    try:
        return str(uuid.UUID(key_id))
    except ValueError:
        return None


@dataclass(frozen=True)
class OldKey:
    """The key to report on and the moment the project stopped using it (snapshots before it may need it)."""

    provider: str
    key: str | None
    """As Atlas had it: an AWS key ID or ARN, an Azure key identifier; None when it is not known any more."""
    stopped_at: datetime
    stopped_because: str
    """Where ``stopped_at`` comes from, in words."""

    @property
    def uuid(self) -> str | None:
        return master_key_uuid(self.provider, self.key)

    @property
    def label(self) -> str:
        return provider_label(self.provider)


@dataclass(frozen=True)
class DependentSnapshot:
    id: str
    created_at: datetime | None
    expires_at: datetime | None
    matched_by: MatchedBy


@dataclass(frozen=True)
class ClusterSnapshots:
    """One cluster: the snapshots that may need the key, or why they could not be read."""

    cluster: str
    read: int = 0
    """Snapshots Atlas listed."""
    dependent: tuple[DependentSnapshot, ...] = ()
    not_checked: str | None = None
    """Why this cluster's snapshots were not read (no Cloud Backup) or could not be (the error)."""
    unreadable: bool = False

    @property
    def open_ended(self) -> bool:
        """A snapshot that may need the key has no expiry date: no safe date can be given."""
        return any(s.expires_at is None for s in self.dependent)

    @property
    def last_expiry(self) -> datetime | None:
        dates = [s.expires_at for s in self.dependent if s.expires_at is not None]
        return max(dates) if dates else None

    @property
    def matched_by(self) -> str:
        ways = sorted({s.matched_by for s in self.dependent})
        return " and ".join(ways) if ways else "-"

    def verdict(self) -> str:
        if self.unreadable:
            return f"snapshots not readable: {self.not_checked}"
        if self.not_checked:
            return self.not_checked
        if not self.dependent:
            return "no snapshot needs the key"
        if self.open_ended:
            return "a snapshot without expiry date needs the key"
        return f"safe after {_moment(self.last_expiry)}"


@dataclass(frozen=True)
class OldKeyReport:
    project_id: str
    key: OldKey
    generated_at: datetime
    clusters: tuple[ClusterSnapshots, ...]

    @property
    def dependent_count(self) -> int:
        return sum(len(c.dependent) for c in self.clusters)

    @property
    def undetermined(self) -> tuple[ClusterSnapshots, ...]:
        """Clusters whose answer is not known: unreadable snapshots, or one that never expires."""
        return tuple(c for c in self.clusters if c.unreadable or c.open_ended)

    @property
    def safe_from(self) -> datetime | None:
        """When the last snapshot that may need the key expires (None when none does, or when it cannot be told)."""
        if self.undetermined:
            return None
        dates = [d for c in self.clusters if (d := c.last_expiry) is not None]
        return max(dates) if dates else None

    def conclusion(self) -> str:
        if self.undetermined:
            names = ", ".join(c.cluster for c in self.undetermined)
            return (
                f"No safe date can be given yet: {names} (see below). Keep the key until those snapshots are "
                "checked in Atlas (Backup > Snapshots)."
            )
        if self.safe_from is None:
            return "No snapshot that Atlas still keeps needs this key: no snapshot restore depends on it."
        return (
            f"Earliest safe date to retire the key: {_moment(self.safe_from)}, when the last of "
            f"{self.dependent_count} snapshot(s) that may need it expires. Until then, keep it enabled."
        )

    def lines(self) -> list[str]:
        """The report as plain lines: the conclusion, the key, one line per cluster, the wizard's promise."""
        key = self.key
        return [
            self.conclusion(),
            "",
            f"Key: {key.key or 'not known'} ({key.label})",
            f"No longer used since {_moment(key.stopped_at)}: {key.stopped_because}",
            "",
            *(f"{c.cluster}: {_cluster_line(c)}" for c in self.clusters),
            "",
            NEVER_DELETES,
        ]

    def to_document(self) -> dict[str, Any]:
        """The report as JSON values."""
        return {
            "projectId": self.project_id,
            "generatedAt": _iso(self.generated_at),
            "key": {
                "provider": self.key.provider,
                "key": self.key.key,
                "masterKeyUUID": self.key.uuid,
                "stoppedAt": _iso(self.key.stopped_at),
                "stoppedBecause": self.key.stopped_because,
            },
            "safeFrom": _iso(self.safe_from),
            "determined": not self.undetermined,
            "conclusion": self.conclusion(),
            "clusters": [
                {
                    "cluster": c.cluster,
                    "snapshotsRead": c.read,
                    "dependentSnapshots": [
                        {
                            "id": s.id,
                            "createdAt": _iso(s.created_at),
                            "expiresAt": _iso(s.expires_at),
                            "matchedBy": s.matched_by,
                        }
                        for s in c.dependent
                    ],
                    "lastExpiry": _iso(c.last_expiry),
                    "verdict": c.verdict(),
                }
                for c in self.clusters
            ],
            "note": NEVER_DELETES,
        }

    def to_markdown(self) -> str:
        key = self.key
        lines = [
            f"# Old-key report for project {self.project_id}",
            "",
            f"- Key: `{key.key or 'not known'}` ({key.label})",
            f"- No longer used since: {_moment(key.stopped_at)} ({key.stopped_because})",
            f"- Generated: {_moment(self.generated_at)}",
            "",
            f"**{self.conclusion()}**",
            "",
            "| Cluster | Snapshots that may need the key | Matched by | Last one expires | Verdict |",
            "|---|---|---|---|---|",
        ]
        for c in self.clusters:
            count = "-" if c.not_checked else f"{len(c.dependent)} of {c.read}"
            lines.append(
                f"| {c.cluster} | {count} | {c.matched_by} | {_moment(c.last_expiry) if c.last_expiry else '-'} "
                f"| {c.verdict()} |"
            )
        lines += ["", *_explanation(key), "", NEVER_DELETES, ""]
        return "\n".join(lines)


def _cluster_line(cluster: ClusterSnapshots) -> str:
    if cluster.not_checked or not cluster.dependent:
        return cluster.verdict()
    count = f"{len(cluster.dependent)} of {cluster.read} snapshots may need it"
    return f"{count} (by {cluster.matched_by}); {cluster.verdict()}"


def _explanation(key: OldKey) -> list[str]:
    how = (
        f"A snapshot matches by masterKeyUUID when Atlas reports the key it was encrypted with (this key is "
        f"`{key.uuid}`); "
        if key.uuid
        else "Atlas reports no key UUID for this key, so "
    )
    return [
        "Atlas does not re-encrypt snapshots with a new key: restoring a snapshot needs the key it was taken "
        "with. " + how + "otherwise every snapshot created before the key stopped being used counts (by date). "
        "Copies of a snapshot in other regions expire with it."
    ]


def _moment(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else "unknown"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def snapshot_match(snapshot: Snapshot, key: OldKey, now: datetime) -> MatchedBy | None:
    """Whether the snapshot may need the key, and how that is known (None: it does not)."""
    if snapshot.status == "failed" or (snapshot.expires_at is not None and snapshot.expires_at <= now):
        return None
    wanted = key.uuid
    if wanted and snapshot.master_key_uuid:
        return "masterKeyUUID" if snapshot.master_key_uuid.lower() == wanted else None
    if snapshot.created_at is None or snapshot.created_at < key.stopped_at:
        return "date"
    return None


def cluster_snapshots(cluster: str, snapshots: Sequence[Snapshot], key: OldKey, now: datetime) -> ClusterSnapshots:
    dependent = tuple(
        DependentSnapshot(s.id, s.created_at, s.expires_at, matched)
        for s in snapshots
        if (matched := snapshot_match(s, key, now)) is not None
    )
    return ClusterSnapshots(cluster, len(snapshots), dependent)


async def old_key_report(client: AtlasClient, project_id: str, key: OldKey, *, clock: Clock) -> OldKeyReport:
    """Read every backed-up cluster's snapshots (one list per cluster) and judge which may need ``key``."""
    now = clock.now()
    clusters = await client.list_clusters(project_id)
    limit = asyncio.Semaphore(CONCURRENT_READS)

    async def judge(cluster: Cluster) -> ClusterSnapshots:
        if cluster.backup_enabled is False:
            return ClusterSnapshots(cluster.name, not_checked="no Cloud Backup: no snapshots")
        read = client.list_sharded_snapshots if cluster.cluster_type in SHARDED_TYPES else client.list_snapshots
        async with limit:
            try:
                snapshots = await read(project_id, cluster.name)
            except AtlasError as err:
                explanation = describe_error(err)
                reason = f"{explanation.what} ({explanation.code})" if explanation.code else explanation.what
                return ClusterSnapshots(cluster.name, not_checked=reason, unreadable=True)
        return cluster_snapshots(cluster.name, snapshots, key, now)

    judged = await asyncio.gather(*(judge(c) for c in clusters))
    return OldKeyReport(project_id, key, now, tuple(judged))


ROTATION_EVENTS = (
    "AWS_ENCRYPTION_KEY_ROTATED",
    "AZURE_ENCRYPTION_KEY_ROTATED",
    "ENCRYPTION_AT_REST_CONFIGURATION_UPDATED",
)


async def key_to_report(
    client: AtlasClient, state: ProjectState, key: str | None, *, clock: Clock, since: datetime | None = None
) -> OldKey:
    """The key the operator asks about (``key``, else the project's current key) and when it stopped being used.

    The current key is still in use: every snapshot up to now may need it. Another key stopped being used at
    the project's latest key rotation or configuration change (a later change than the rotation only makes
    the report more cautious); ``since`` overrides that moment.
    """
    provider = state.encryption.active_provider
    current = key_config(state.encryption, provider).key if provider in (PROVIDER_AWS, PROVIDER_AZURE) else None
    if key is None and current is None:
        raise KeyNotKnown("the project has no customer-managed key configured: name the key to report on (--key)")
    if provider not in (PROVIDER_AWS, PROVIDER_AZURE):
        provider = PROVIDER_AZURE if (key or "").startswith("https://") else PROVIDER_AWS
    now = clock.now()
    if since is not None:
        return OldKey(provider, key or current, since, "the moment given")
    if key is None or _same_key(provider, key, current):
        return OldKey(provider, current, now, "it is the project's current key: every snapshot so far may need it")
    events = await client.list_events(state.project_id, ROTATION_EVENTS)
    changed = next((e.created for e in events if e.created is not None), None)
    if changed is None:
        return OldKey(provider, key, now, "no key change found in the project's events: every snapshot counts")
    return OldKey(provider, key, changed, "the project's latest key change in Atlas' events")


def _same_key(provider: str, key: str, current: str | None) -> bool:
    if current is None:
        return False
    if key == current:
        return True
    mine, theirs = master_key_uuid(provider, key), master_key_uuid(provider, current)
    return mine is not None and mine == theirs
