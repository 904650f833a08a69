"""Why Atlas cannot use the project's key, said plainly: a regional outage, a disabled or revoked key, or
missing permissions. Each has a different remedy, so the diagnosis comes before any change.

It judges from what Atlas reports (``valid``, the key events still standing, the clusters) and, with AWS
credentials, from KMS itself (``kms_facts``): whether the key's region answers, the key's state, and
whether the key policy and the role's IAM policies let the Atlas role use it. Nodes keep running while
the key is unusable; a node that restarts stays down until Atlas can use the key again, so the clusters
at risk are listed too.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from cmkwizard.atlas.models import PROVIDER_AWS, PROVIDER_AZURE
from cmkwizard.aws.regions import to_aws_region
from cmkwizard.journeys.atlas_facts import KEY_EVENTS
from cmkwizard.journeys.failover_azure import AZURE_FAILOVER, AZURE_KEY_CHECKS, vault_pairs
from cmkwizard.journeys.kms_facts import KEY_REGIONS, ROLE_ACCESS, KeyRegions, RoleAccess
from cmkwizard.journeys.providers import active_config

if TYPE_CHECKING:
    from cmkwizard.atlas.models import Event
    from cmkwizard.state import ProjectState

DIAGNOSIS_OBSERVERS = (KEY_EVENTS, KEY_REGIONS, ROLE_ACCESS)

NETWORK_DENIED = "ENCRYPTION_AT_REST_KMS_NETWORK_ACCESS_DENIED"
# An event that opens a problem, and the one that closes it.
_OPENED_BY = {
    NETWORK_DENIED: "ENCRYPTION_AT_REST_KMS_NETWORK_ACCESS_RESTORED",
    "ENCRYPTION_AT_REST_CONFIG_NO_LONGER_VALID": "ENCRYPTION_AT_REST_CONFIG_IS_VALID",
    "AWS_ENCRYPTION_KEY_INVALID": "AWS_ENCRYPTION_KEY_VALID",
    "AZURE_ENCRYPTION_KEY_INVALID": "AZURE_ENCRYPTION_KEY_VALID",
}
RESTART_WARNING = (
    "Nodes keep running while the key is unusable, but a node that restarts (a resize, an upgrade, a pause, "
    "maintenance) stays down until Atlas can use the key again."
)


class Cause(StrEnum):
    HEALTHY = "healthy"
    CHECKING = "checking"
    OUTAGE = "regional outage"
    KEY_UNUSABLE = "key disabled or revoked"
    PERMISSIONS = "permissions"
    UNKNOWN = "unknown"
    NOT_CONFIGURED = "not configured"


@dataclass(frozen=True)
class AtRisk:
    cluster: str
    state: str
    note: str


@dataclass(frozen=True)
class Diagnosis:
    cause: Cause
    headline: str
    """What is wrong, in one sentence."""
    remedy: str
    """What can be done about it."""
    evidence: tuple[str, ...] = ()
    at_risk: tuple[AtRisk, ...] = ()
    open_events: tuple[str, ...] = ()
    """Atlas events that opened a problem not closed since (for example KMS network access denied)."""
    failover_possible: bool | None = None
    """An AWS outage: True when a healthy replica exists, False when it cannot (single-Region), None unknown."""

    @property
    def needs_attention(self) -> bool:
        return self.cause not in (Cause.HEALTHY, Cause.CHECKING, Cause.NOT_CONFIGURED)

    def lines(self) -> list[str]:
        """The diagnosis as plain text lines (headless commands, the journal, the summary)."""
        lines = [self.headline, f"What can be done: {self.remedy}"]
        lines += [f"Seen: {e}" for e in self.evidence]
        lines += [f"Open in Atlas: {e}" for e in self.open_events]
        lines += [f"At risk: {r.cluster} ({r.state}): {r.note}" for r in self.at_risk]
        return lines


def diagnose(state: ProjectState) -> Diagnosis:
    """The diagnosis of the project's key from ``state`` and what ``DIAGNOSIS_OBSERVERS`` observed."""
    config = active_config(state.encryption)
    if config is None or not config.enabled:
        return Diagnosis(Cause.NOT_CONFIGURED, "No customer-managed key is configured.", "Nothing to recover.")
    if config.valid:
        return Diagnosis(Cause.HEALTHY, f"Atlas can use the project's {config.label} key.", "Nothing to do.")
    if state.key_being_checked:
        return Diagnosis(
            Cause.CHECKING,
            f"Atlas is still checking the {config.label} key it was just given.",
            "Wait a minute and read the state again.",
        )
    open_events = _open_events(state.observed.get(KEY_EVENTS.name, ()))
    at_risk = _at_risk(state, config.provider)
    if config.provider == PROVIDER_AWS:
        found = _aws(state, open_events)
    elif config.provider == PROVIDER_AZURE:
        found = _azure(state, open_events)
    else:
        found = _unknown(config.label, "", ())
    return Diagnosis(
        found.cause,
        found.headline,
        found.remedy,
        found.evidence,
        at_risk,
        tuple(_event_line(e) for e in open_events),
        found.failover_possible,
    )


def _aws(state: ProjectState, open_events: list[Event]) -> Diagnosis:
    kms = state.encryption.aws_kms
    region = to_aws_region(kms.region or "us-east-1")
    regions: KeyRegions | None = state.observed.get(KEY_REGIONS.name)
    access: RoleAccess | None = state.observed.get(ROLE_ACCESS.name)
    if regions is None:
        return _aws_from_atlas_only(state, region, open_events)
    home = regions.configured
    evidence = [f"{r.region}: {r.status}" for r in regions.regions if r.key is not None or r.unreachable]
    if home.unreachable is not None:
        return _outage(region, regions, tuple(evidence))
    if home.key is None:
        return Diagnosis(
            Cause.KEY_UNUSABLE,
            f"The key cannot be read in {region}: {home.problem}.",
            "If the key was deleted or its access removed on purpose, the data it protects cannot be decrypted "
            "once nodes restart: restore access to the key (key policy, grants), or ask whoever changed it.",
            tuple(evidence),
        )
    if not home.enabled:
        problems = home.key.problems_for_atlas()
        fix = " ".join(p.fix for p in problems) or "Enable the key."
        return Diagnosis(
            Cause.KEY_UNUSABLE,
            f"The key is {home.key.key_state} in {region}: someone disabled or revoked it; {region} itself answers.",
            f"{fix} Moving to another region does not help here. If it was disabled on purpose, ask why first.",
            tuple(evidence),
        )
    problems = list(home.key_policy_problems or ())
    if access is not None:
        problems += access.problems_for(home.arn)
    if problems:
        return Diagnosis(
            Cause.PERMISSIONS,
            f"The key is enabled and {region} answers, but the Atlas role may no longer use the key.",
            " ".join(f"{p.message} {p.fix}" for p in problems),
            tuple(evidence),
        )
    return _unknown(
        "AWS KMS",
        f"KMS in {region} answers, the key is enabled and the policies allow the Atlas role. ",
        tuple(evidence),
    )


def _outage(region: str, regions: KeyRegions, evidence: tuple[str, ...]) -> Diagnosis:
    headline = f"AWS KMS in {region} is not answering: a regional outage. Your key is not the problem."
    if not regions.multi_region:
        return Diagnosis(Cause.OUTAGE, headline, _single_region_remedy(region), evidence, failover_possible=False)
    healthy = [r.region for r in regions.healthy_elsewhere]
    if healthy:
        remedy = (
            f"The key is multi-Region with a healthy replica in {', '.join(healthy)}: move the project there "
            "(Region failover). Move back once the region recovers."
        )
        return Diagnosis(Cause.OUTAGE, headline, remedy, evidence, failover_possible=True)
    remedy = (
        "The key is multi-Region, but no replica answers and is enabled in another region. Wait for "
        f"{region} to recover, or replicate the key to a healthy region (aws kms replicate-key) and then fail over."
    )
    return Diagnosis(Cause.OUTAGE, headline, remedy, evidence, failover_possible=False)


def _single_region_remedy(region: str) -> str:
    return (
        "The key is single-Region, and a single-Region key cannot be converted to a multi-Region one, so "
        f"there is no replica to move to. What remains: wait for {region} to recover (AWS Health Dashboard), "
        "keep nodes from restarting meanwhile, and afterwards move the project to a multi-Region key with "
        "the key rotation journey, so the next outage has a way out."
    )


def _aws_from_atlas_only(state: ProjectState, region: str, open_events: list[Event]) -> Diagnosis:
    """Without AWS credentials: what Atlas' own events say."""
    key_id = state.encryption.aws_kms.customer_master_key_id or ""
    multi_region = "mrk-" in key_id
    if any(e.event_type_name == NETWORK_DENIED for e in open_events):
        headline = f"Atlas cannot reach AWS KMS in {region} (KMS network access denied): most likely a regional outage."
        if multi_region:
            remedy = (
                "The key is multi-Region: the project can move to a replica in a healthy region. Give AWS "
                "credentials so the wizard can check the replicas, or check them in the AWS console."
            )
            return Diagnosis(Cause.OUTAGE, headline, remedy, failover_possible=None)
        return Diagnosis(Cause.OUTAGE, headline, _single_region_remedy(region), failover_possible=False)
    return _unknown(
        "AWS KMS",
        "Atlas recorded no network problem, so the region is probably up. ",
        (),
        "Give AWS credentials so the wizard can check the key's state and the role's permissions, or check in "
        "the AWS console: is the key enabled, does its key policy still allow the Atlas role, does the role's "
        "IAM policy still allow kms:Encrypt, kms:Decrypt and kms:DescribeKey on it?",
    )


def _azure(state: ProjectState, open_events: list[Event]) -> Diagnosis:
    if any(e.event_type_name == NETWORK_DENIED for e in open_events):
        return Diagnosis(
            Cause.OUTAGE,
            "Atlas cannot reach the Azure key vault (KMS network access denied): a regional outage or a lost "
            "network path.",
            AZURE_FAILOVER,
            tuple(vault_pairs(state)),
        )
    return _unknown("Azure Key Vault", "Atlas recorded no network problem. ", (), AZURE_KEY_CHECKS)


def _unknown(label: str, known: str, evidence: tuple[str, ...], remedy: str = "") -> Diagnosis:
    return Diagnosis(
        Cause.UNKNOWN,
        f"Atlas cannot use the {label} key (valid: false). {known}The cause is not clear yet.",
        remedy
        or "Check the Atlas role's trust policy (Atlas must still be able to assume it) and the recent events "
        "in the Atlas UI (Project Activity Feed).",
        evidence,
    )


def _open_events(events: tuple[Event, ...]) -> list[Event]:
    """Events (newest first in ``events``) that opened a problem no later event closed."""
    closed: set[str] = set()
    seen: set[str] = set()
    found = []
    for event in events:
        name = event.event_type_name
        for opener, closer in _OPENED_BY.items():
            if name == closer:
                closed.add(opener)
        if name in _OPENED_BY and name not in closed and name not in seen:
            found.append(event)
        seen.add(name)
    return found


def _event_line(event: Event) -> str:
    when = event.created.strftime("%Y-%m-%d %H:%M UTC") if event.created else "at an unknown time"
    return f"{event.event_type_name} since {when}"


def _at_risk(state: ProjectState, provider: str) -> tuple[AtRisk, ...]:
    found = []
    for cluster in state.clusters:
        if cluster.encryption_at_rest_provider != provider or cluster.paused:
            continue
        if cluster.state_name == "IDLE":
            note = "running; a restart would leave its nodes down"
        elif cluster.state_name == "REPAIRING":
            note = "nodes restarted and are down until Atlas can use the key"
        else:
            note = "changing now: nodes that restart stay down"
        found.append(AtRisk(cluster.name, cluster.state_name, note))
    return tuple(found)
