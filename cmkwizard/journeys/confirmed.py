"""No blind write: right before a change is sent, what it touches is read again and compared with what
the operator confirmed.

A ``Confirmation`` is what the operator reviewed before a step changes the project: the step's
consequence and planned calls, and the state both were computed from. Each Atlas write touches parts of
the project (``Touched``): the encryption configuration it writes and the role it names, the cluster
whose key provider it sets, the project's key a cluster or a private endpoint will depend on. Right
before each write of a step (the first one, and every one sent after a wait: clusters one by one, a
PATCH retried while IAM propagates) those parts are read again and compared with the confirmed state. A
difference that is neither Atlas' own progress (``valid``, a cluster's ``stateName``) nor the write's
own result (someone made the very same change) means the project changed meanwhile: the write is not
sent, and ``ChangedSinceConfirmed`` carries the difference and a new confirmation to ask again.

How a journey gets this: a page confirms with ``confirmation(step, state, inputs)`` and hands it to
``Journey.apply_step(..., confirmed=...)`` (``StepScreen`` does both, and asks again on
ChangedSinceConfirmed); a headless run passes nothing and the state ``apply_step`` reads is the basis. A
step's writes are checked when they go through ``run.client`` (``AtlasClient.checking_changes``) and
its ``plan`` lists them with the ``calls`` helpers (their operation and path parameters say what they
touch). A new kind of Atlas write is compared once ``touched_by`` knows it. Writes to cloud provider
access roles are not compared: creating and authorizing a role already keeps to the one another wizard
made (``aws_access``).
"""

from __future__ import annotations

import asyncio
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from cmkwizard.atlas.models import PROVIDER_AWS, PROVIDER_AZURE
from cmkwizard.journeys.aws_key import same_key
from cmkwizard.journeys.base import Consequence, PlannedCall, StepError
from cmkwizard.journeys.providers import CONFIG_FIELDS, provider_label
from cmkwizard.state import Change, ProjectState, Subject

if TYPE_CHECKING:
    from cmkwizard.atlas import AtlasClient
    from cmkwizard.journeys.base import JourneyRun, Step

CHANGED_SINCE_CONFIRMED = "CHANGED_SINCE_CONFIRMED"
PROVIDER_OF_CONFIG = {name: provider for provider, name in CONFIG_FIELDS.items()}
KEY_PROVIDERS = frozenset({PROVIDER_AWS, PROVIDER_AZURE})
KEY_FIELDS = frozenset({"enabled", "customerMasterKeyID", "region", "roleId", "keyVaultName", "keyIdentifier"})
"""The fields of a provider's configuration that say which key the project uses."""
ATLAS_PROGRESS: Mapping[Subject, frozenset[str]] = {
    Subject.ENCRYPTION: frozenset({"valid"}),
    Subject.CLUSTER: frozenset({"stateName"}),
    Subject.ROLE: frozenset({"featureUsages"}),
}
"""Fields Atlas changes by itself as work goes on: no one else's change."""
SAME_VALUE: Mapping[str, Callable[[Any, Any], bool]] = {"customerMasterKeyID": same_key}
"""Fields whose value has several spellings (an AWS key by id or by ARN): a write's result in another one."""
ENDPOINT_WRITES = frozenset(
    {"createGroupEncryptionAtRestPrivateEndpoint", "requestGroupEncryptionAtRestPrivateEndpointDeletion"}
)

Intended = Mapping[tuple[Subject, str], Mapping[str, Any]]


@dataclass(frozen=True)
class Touched:
    """The parts of the project one write, or a step's planned writes, change or depend on."""

    written: frozenset[str] = frozenset()
    """Providers whose encryption configuration is written (every field of it counts)."""
    keys: frozenset[str] = frozenset()
    """Providers whose key the writes depend on without writing it (only ``KEY_FIELDS`` count)."""
    roles: frozenset[str] = frozenset()
    clusters: frozenset[str] = frozenset()
    intended: Intended = field(default_factory=dict)
    """What the writes set, by subject and key: finding that value there is their result, not a conflict."""

    @property
    def nothing(self) -> bool:
        return not (self.written or self.keys or self.roles or self.clusters)

    def __or__(self, other: Touched) -> Touched:
        return Touched(
            self.written | other.written,
            self.keys | other.keys,
            self.roles | other.roles,
            self.clusters | other.clusters,
            merge_intended(self.intended, other.intended),
        )

    def expecting(self, intended: Intended) -> Touched:
        """The same parts, also accepting what earlier writes of the step set."""
        return replace(self, intended=merge_intended(intended, self.intended))

    def conflicts(self, change: Change) -> bool:
        """Whether ``change`` is someone else's change to what the writes touch."""
        if change.field in ATLAS_PROGRESS.get(change.subject, ()) or not self._covers(change):
            return False
        intended = self.intended.get((change.subject, change.key), {})
        if change.field not in intended:
            return True
        same = SAME_VALUE.get(change.field, operator.eq)
        return not same(intended[change.field], change.after)

    def _covers(self, change: Change) -> bool:
        if change.subject is Subject.ENCRYPTION:
            return (
                change.key in self.written
                or (change.key in self.keys and change.field in KEY_FIELDS)
                # Another provider switched on while this one is written: Atlas keeps one provider.
                or (bool(self.written) and change.field == "enabled")
            )
        if change.subject is Subject.ROLE:
            return change.key in self.roles
        if change.subject is Subject.CLUSTER:
            return change.key in self.clusters
        return False


def merge_intended(first: Intended, then: Intended) -> dict[tuple[Subject, str], dict[str, Any]]:
    merged = {key: dict(values) for key, values in first.items()}
    for key, values in then.items():
        merged[key] = {**merged.get(key, {}), **values}
    return merged


def touched_by(operation_id: str | None, path_params: Mapping[str, str], body: Mapping[str, Any] | None) -> Touched:
    """What one Atlas write touches, from its operation, path parameters and body."""
    body = body or {}
    if operation_id == "updateGroupEncryptionAtRest":
        configs = {
            PROVIDER_OF_CONFIG[name]: values
            for name, values in body.items()
            if name in PROVIDER_OF_CONFIG and isinstance(values, Mapping)
        }
        roles = {values.get("roleId") for values in configs.values()}
        return Touched(
            written=frozenset(configs),
            roles=frozenset(r for r in roles if isinstance(r, str) and not _placeholder(r)),
            intended={(Subject.ENCRYPTION, provider): dict(values) for provider, values in configs.items()},
        )
    if operation_id == "updateGroupCluster":
        name = path_params.get("cluster_name", "")
        provider = body.get("encryptionAtRestProvider")
        return Touched(
            keys=frozenset({provider}) if provider in KEY_PROVIDERS else frozenset(),
            clusters=frozenset({name}),
            intended={(Subject.CLUSTER, name): dict(body)},
        )
    if operation_id in ENDPOINT_WRITES:
        return Touched(keys=frozenset({path_params.get("provider", "").upper()}) & KEY_PROVIDERS)
    return Touched()


def touched_by_calls(calls: Sequence[PlannedCall]) -> Touched:
    touched = Touched()
    for call in calls:
        if call.is_atlas:
            touched |= touched_by(call.operation_id, call.path_params, call.body)
    return touched


def _placeholder(value: str) -> bool:
    return value.startswith("<") and value.endswith(">")


@dataclass(frozen=True)
class Confirmation:
    """What the operator reviewed before a step changes the project, and the state it was computed from."""

    step_key: str
    step_title: str
    state: ProjectState
    consequence: Consequence | None
    calls: tuple[PlannedCall, ...]
    touched: Touched


def confirmation(step: Step[Any], state: ProjectState, inputs: Any) -> Confirmation:
    """What applying ``step`` now means, to show the operator and to hand back to ``Journey.apply_step``."""
    calls = tuple(step.plan(state, inputs))
    return Confirmation(step.key, step.title, state, step.consequence(state, inputs), calls, touched_by_calls(calls))


def changes_since(confirmed: Confirmation, state: ProjectState, touched: Touched) -> tuple[Change, ...]:
    """Someone else's changes, between the confirmed state and ``state``, to what ``touched`` names."""
    return tuple(change for change in state.diff(confirmed.state) if touched.conflicts(change))


class ChangedSinceConfirmed(StepError):
    """The project changed, where a step was about to write, since the operator confirmed; nothing was sent.

    ``changes`` is the difference; ``confirmation`` (when known) is the step computed again from the
    project as it is now, to ask the operator again.
    """

    def __init__(
        self, step_key: str, step_title: str, changes: Sequence[Change], confirmation: Confirmation | None = None
    ) -> None:
        super().__init__(
            step_key,
            f"{step_title}: the project changed since you confirmed",
            "Someone else changed what this step was about to change (another operator, Terraform, the Atlas "
            f"UI): {'; '.join(describe_change(c) for c in changes)}. The change was not sent.",
            "Review the project as it is now and confirm again, or leave it as it is.",
            CHANGED_SINCE_CONFIRMED,
        )
        self.step_title = step_title
        self.changes = tuple(changes)
        self.confirmation = confirmation

    def asking_again(self, confirmation: Confirmation) -> ChangedSinceConfirmed:
        return ChangedSinceConfirmed(self.step_key, self.step_title, self.changes, confirmation)

    def to_record(self) -> dict[str, Any]:
        """The error as JSON: what happened, its code, what it means, the next step and every difference."""
        return {
            "what": self.what,
            "code": self.code,
            "meaning": self.meaning,
            "next_step": self.next_step,
            "changes": [change_record(c) for c in self.changes],
        }


def change_record(change: Change) -> dict[str, Any]:
    return {
        "subject": str(change.subject),
        "key": change.key,
        "field": change.field,
        "before": change.before,
        "after": change.after,
    }


def describe_change(change: Change) -> str:
    """One difference in the operator's terms: ``AWS KMS configuration: region US_EAST_1 → EU_WEST_1``."""
    subject = {
        Subject.ENCRYPTION: f"{provider_label(change.key)} configuration",
        Subject.ROLE: f"Atlas role {change.key}",
        Subject.CLUSTER: f"cluster {change.key}",
    }.get(change.subject, f"{change.subject} {change.key}")
    return change.describe(subject, "→")


async def read_touched(client: AtlasClient, basis: ProjectState, touched: Touched) -> ProjectState:
    """``basis`` with the parts ``touched`` names read again (one call each), everything else as it was."""
    project_id = basis.project_id

    async def encryption() -> Any:
        if touched.written or touched.keys:
            return await client.get_encryption_at_rest(project_id)
        return basis.encryption

    async def access() -> Any:
        return await client.list_cloud_provider_access(project_id) if touched.roles else basis.access

    async def clusters() -> Any:
        return tuple(await client.list_clusters(project_id)) if touched.clusters else basis.clusters

    fresh_encryption, fresh_access, fresh_clusters = await asyncio.gather(encryption(), access(), clusters())
    return replace(basis, encryption=fresh_encryption, access=fresh_access, clusters=fresh_clusters)


def check_unchanged(confirmed: Confirmation, now: Confirmation) -> None:
    """Raise ChangedSinceConfirmed (asking with ``now``) if the project changed where either would write."""
    changes = changes_since(confirmed, now.state, confirmed.touched | now.touched)
    if changes:
        raise ChangedSinceConfirmed(confirmed.step_key, confirmed.step_title, changes, now)


class WriteCheck:
    """Right before each Atlas write of a step: what it touches, read again, is still as confirmed.

    Each write that passes is accepted as done by this step, so its result is not taken for someone
    else's change by the next write (clusters one by one, endpoints after ``requirePrivateNetworking``).
    """

    def __init__(self, run: JourneyRun[Any], reader: AtlasClient, confirmed: Confirmation) -> None:
        self.run = run
        self.reader = reader
        self.confirmed = confirmed
        self.accepted: Intended = {}

    async def __call__(self, operation_id: str, path_params: Mapping[str, str], body: Mapping[str, Any] | None) -> None:
        touched = touched_by(operation_id, path_params, body).expecting(self.accepted)
        if touched.nothing:
            return
        fresh = await read_touched(self.reader, self.confirmed.state, touched)
        changes = changes_since(self.confirmed, fresh, touched)
        if changes:
            raise refused(self.run, ChangedSinceConfirmed(self.confirmed.step_key, self.confirmed.step_title, changes))
        self.accepted = touched.intended


def refused(run: JourneyRun[Any], error: ChangedSinceConfirmed) -> ChangedSinceConfirmed:
    """Record in the journal that a change was not sent because the project changed; return the error."""
    what = f"{error.step_title}: not sent, the project changed since it was confirmed"
    run.record_change("ATLAS", what, error=error, result=error.to_record())
    return error
