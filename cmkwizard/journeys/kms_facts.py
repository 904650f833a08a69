"""Observers of AWS KMS: the project's key in each region it exists in, and the Atlas role's access to it.

``KEY_REGIONS`` reads the configured key in its region and, for a multi-Region key, every replica,
each with its state and whether its own key policy (key policies are per region) lets the Atlas role
use it. A region whose KMS does not answer is recorded as unreachable in that region's entry, and the
other regions are still read: when the key's own region is down, the replicas are found by asking a
region where the project has clusters, since any replica of a multi-Region key lists all of them.

``ROLE_ACCESS`` reads the Atlas role's IAM policies, so a step can tell whether they cover a replica.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cmkwizard.atlas.models import PROVIDER_AWS
from cmkwizard.aws.arns import KeyRef, parse_key_ref, parse_role_ref
from cmkwizard.aws.errors import AwsError
from cmkwizard.aws.policies import Problem, diagnose_key_policy, diagnose_kms_access
from cmkwizard.aws.regions import is_kms_region, to_aws_region
from cmkwizard.journeys.observe import NotObservable, Observer

if TYPE_CHECKING:
    from cmkwizard.aws.adapters import AwsAccount
    from cmkwizard.aws.resources import KmsKey
    from cmkwizard.journeys.observe import Sources
    from cmkwizard.state import ProjectState

# What AWS answers (or the SDK reports) when a region's endpoint does not work at all.
UNREACHABLE_CODES = frozenset(
    {
        "ServiceUnavailable",
        "EndpointConnectionError",
        "ServiceError",
        "KMSInternalException",
        "DependencyTimeoutException",
    }
)
ENABLED = "Enabled"


def is_unreachable(error: AwsError) -> bool:
    """Whether an AWS error means the service in that region is down or cannot be reached."""
    return error.code in UNREACHABLE_CODES or (error.http_status or 0) >= 500


@dataclass(frozen=True)
class RegionalKey:
    """The key (or its replica) in one region, as far as KMS there answered."""

    region: str
    """AWS form: us-east-1."""
    arn: str
    key: KmsKey | None = None
    unreachable: str | None = None
    """Why KMS in this region did not answer (an outage or a lost network path)."""
    problem: str | None = None
    """Why the key could not be read although KMS answered (not found, access denied)."""
    key_policy_problems: tuple[Problem, ...] | None = None
    """What the key policy here lacks for the Atlas role; None when it could not be read."""

    @property
    def enabled(self) -> bool:
        return self.key is not None and self.key.enabled and self.key.key_state == ENABLED

    @property
    def key_policy_allows_role(self) -> bool | None:
        return None if self.key_policy_problems is None else not self.key_policy_problems

    @property
    def status(self) -> str:
        """One line: reachable or not, the key's state, the key policy's verdict."""
        if self.unreachable is not None:
            return "KMS not answering"
        if self.key is None:
            return self.problem or "no key here"
        state = "enabled" if self.enabled else self.key.key_state
        if self.key_policy_allows_role is None:
            return f"{state}, key policy not read"
        return f"{state}, key policy {'allows' if self.key_policy_allows_role else 'does not allow'} the Atlas role"


@dataclass(frozen=True)
class KeyRegions:
    """The configured key in every region it exists in, the configured region first."""

    configured_region: str
    multi_region: bool
    primary_region: str | None
    regions: tuple[RegionalKey, ...]

    @property
    def configured(self) -> RegionalKey:
        return self.regions[0]

    def in_region(self, region: str) -> RegionalKey | None:
        code = to_aws_region(region)
        return next((r for r in self.regions if r.region == code and (r.key or r.unreachable)), None)

    @property
    def other_regions(self) -> tuple[RegionalKey, ...]:
        """Where else the key exists (or might: a region that does not answer)."""
        return tuple(r for r in self.regions[1:] if r.key is not None)

    @property
    def healthy_elsewhere(self) -> tuple[RegionalKey, ...]:
        """Replicas (or the primary) in other regions that answer and are enabled."""
        return tuple(r for r in self.other_regions if r.enabled)


def _describe_regions(found: KeyRegions) -> str:
    layout = "multi-Region" if found.multi_region else "single-Region"
    parts = [f"{r.region}: {r.status}" for r in found.regions if r.key is not None or r.unreachable]
    return f"{layout} key; " + "; ".join(parts)


def aws_of(sources: Sources) -> AwsAccount:
    """The AWS account to read with, or NotObservable without AWS credentials."""
    aws = sources.cloud.client_for(PROVIDER_AWS) if sources.cloud is not None else None
    if aws is None:
        raise NotObservable("no AWS credentials: the wizard cannot ask KMS itself")
    return aws


def atlas_role_arn(state: ProjectState) -> str | None:
    """The IAM role Atlas assumes to use the project's key."""
    role_id = state.encryption.aws_kms.role_id or state.access.encryption_role_id(PROVIDER_AWS)
    role = state.access.aws_role(role_id) if role_id else None
    return role.iam_assumed_role_arn if role is not None else None


def _configured_key(state: ProjectState) -> tuple[KeyRef, str]:
    kms = state.encryption.aws_kms
    if not kms.enabled or not kms.customer_master_key_id or not kms.region:
        raise NotObservable("the project has no AWS KMS key configured")
    region = to_aws_region(kms.region)
    return parse_key_ref(kms.customer_master_key_id, region), region


def _identifier_in(ref: KeyRef, region: str) -> str:
    """How to name the key in ``region``: its replica's ARN there, or the key id (the same in every region)."""
    if ref.arn and ref.multi_region:
        return ref.replica_arn(region)
    return ref.arn if ref.arn and ref.region == region else ref.key_id or ref.api_identifier


async def read_regional_key(aws: AwsAccount, identifier: str, region: str, role_arn: str | None) -> RegionalKey:
    """The key in one region and its key policy's verdict for the role; never raises an AwsError."""
    try:
        key = await aws.describe_key(identifier, region)
    except AwsError as error:
        if is_unreachable(error):
            return RegionalKey(region, identifier, unreachable=f"{error.code}: {error.message}")
        return RegionalKey(region, identifier, problem=f"{error.code}: {error.message}")
    problems = None
    if role_arn is not None:
        try:
            policy = await aws.get_key_policy(key.arn, region)
        except AwsError:
            problems = None  # not readable with these credentials: the verdict stays unknown
        else:
            problems = tuple(diagnose_key_policy(policy, role_arn, key.arn))
    return RegionalKey(region, key.arn, key, key_policy_problems=problems)


def _probe_regions(state: ProjectState, configured: str, aws: AwsAccount) -> list[str]:
    """Regions likely to hold a replica: where the project's AWS clusters run, and the credentials' default."""
    found: list[str] = []
    for cluster in state.clusters:
        for config in cluster.region_configs:
            if config.provider_name == PROVIDER_AWS and is_kms_region(config.region_name):
                found.append(to_aws_region(config.region_name))
    if aws.region:
        found.append(aws.region)
    return [r for r in dict.fromkeys(found) if r != configured]


async def _key_regions(sources: Sources, state: ProjectState) -> KeyRegions:
    aws = aws_of(sources)
    ref, configured_region = _configured_key(state)
    role_arn = atlas_role_arn(state)
    home = await read_regional_key(aws, _identifier_in(ref, configured_region), configured_region, role_arn)
    seen = [home]
    layout = home.key
    if layout is None and (ref.multi_region or (ref.key_id or "").startswith("mrk-")):
        for region in _probe_regions(state, configured_region, aws):
            probe = await read_regional_key(aws, _identifier_in(ref, region), region, role_arn)
            seen.append(probe)
            if probe.key is not None:
                layout = probe.key
                break
    if layout is not None and layout.multi_region:
        known = {r.region for r in seen}
        missing = [r for r in layout.regions if r not in known]
        seen += await asyncio.gather(*(read_regional_key(aws, _identifier_in(ref, r), r, role_arn) for r in missing))
    multi_region = layout.multi_region if layout is not None else bool(ref.multi_region)
    primary = layout.primary_region if layout is not None else None
    return KeyRegions(configured_region, multi_region, primary, tuple(seen))


KEY_REGIONS = Observer("kms_key_regions", "KMS key by region", _key_regions, _describe_regions)
"""The project's AWS key in each region it exists in (``KeyRegions``)."""


@dataclass(frozen=True)
class RoleAccess:
    """The Atlas role's IAM policies (inline and attached), to check which key ARNs they cover."""

    role_arn: str
    policies: Mapping[str, Mapping[str, Any]]

    @property
    def role_name(self) -> str:
        return parse_role_ref(self.role_arn).name

    def problems_for(self, key_arn: str) -> list[Problem]:
        return diagnose_kms_access(self.policies, key_arn)

    def covers(self, key_arn: str) -> bool:
        return not self.problems_for(key_arn)


async def _role_access(sources: Sources, state: ProjectState) -> RoleAccess:
    aws = aws_of(sources)
    role_arn = atlas_role_arn(state)
    if role_arn is None:
        raise NotObservable("the project's key is not used through an Atlas IAM role")
    role = parse_role_ref(role_arn)
    account = (await aws.caller_identity()).get("Account")
    if account != role.account_id:
        raise NotObservable(f"the AWS credentials are for account {account}, the Atlas role is in {role.account_id}")
    policies = {**await aws.get_role_policies(role.name), **await aws.get_attached_role_policies(role.name)}
    return RoleAccess(role_arn, policies)


def _describe_role_access(access: RoleAccess) -> str:
    return f"{access.role_name}: {len(access.policies)} permissions policies read"


ROLE_ACCESS = Observer("atlas_role_access", "Atlas role's KMS access", _role_access, _describe_role_access)
"""The Atlas role's IAM permissions policies (``RoleAccess``)."""
