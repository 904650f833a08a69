"""The steps of an AWS region failover: a healthy replica, a private endpoint there, the role's access to
the replica, the move itself, and the clusters back to health.

Every step judges from the live state and what ``kms_facts`` observed in each region of the key, so a
failover interrupted at any point resumes where the project and the key are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cmkwizard.atlas.errors import AtlasError
from cmkwizard.atlas.models import CLUSTER_IDLE, PROVIDER_AWS, AwsKmsPatch, Cluster
from cmkwizard.aws.arns import parse_role_ref
from cmkwizard.aws.policies import kms_access_policy
from cmkwizard.aws.regions import to_atlas_region, to_aws_region
from cmkwizard.journeys import calls
from cmkwizard.journeys.aws_enable import wait_for_valid
from cmkwizard.journeys.base import (
    Consequence,
    JourneyRun,
    PlannedCall,
    Progress,
    ProgressEvent,
    Step,
    StepError,
    StepState,
    StepView,
)
from cmkwizard.journeys.diagnosis import RESTART_WARNING
from cmkwizard.journeys.kms_facts import KEY_REGIONS, ROLE_ACCESS, KeyRegions, RegionalKey, RoleAccess, atlas_role_arn
from cmkwizard.journeys.waiting import PollStatus, poll_until
from cmkwizard.state import aws_kms_fields

if TYPE_CHECKING:
    from cmkwizard.journeys.failover import FailoverInputs
    from cmkwizard.state import ProjectState

REPLICA_POLICY_PREFIX = "MongoDBAtlasEncryptionAtRestKms-"
NOT_MULTI_REGION = (
    "A single-Region key cannot be converted to a multi-Region key, so there is no replica to move to. "
    "What remains: wait for the region to recover (AWS Health Dashboard) and keep nodes from restarting; "
    "afterwards move the project to a multi-Region key with the key rotation journey."
)


def key_regions(state: ProjectState) -> KeyRegions | None:
    return state.observed.get(KEY_REGIONS.name)


def role_access(state: ProjectState) -> RoleAccess | None:
    return state.observed.get(ROLE_ACCESS.name)


def is_multi_region(state: ProjectState) -> bool | None:
    """From KMS when it answered; else from the key id (multi-Region key ids start with mrk-)."""
    regions = key_regions(state)
    if regions is not None:
        return regions.multi_region
    key = state.encryption.aws_kms.customer_master_key_id
    return None if key is None else "mrk-" in key


def target_key(state: ProjectState, inputs: FailoverInputs) -> RegionalKey | None:
    regions = key_regions(state)
    if regions is None or not inputs.target_region:
        return None
    return regions.in_region(inputs.target_region)


def replica_arn(state: ProjectState, inputs: FailoverInputs) -> str | None:
    """The key's ARN in the target region: read from KMS, else derived from the configured multi-Region ARN."""
    found = target_key(state, inputs)
    if found is not None and found.key is not None:
        return found.key.arn
    key = state.encryption.aws_kms.customer_master_key_id or ""
    parts = key.split(":")
    if not inputs.target_region or len(parts) != 6 or "mrk-" not in key:
        return None
    parts[3] = to_aws_region(inputs.target_region)
    return ":".join(parts)


def moved(state: ProjectState, inputs: FailoverInputs) -> bool:
    """The project already points at the key in the target region (by region, and by ARN when it uses one)."""
    kms = state.encryption.aws_kms
    if not inputs.target_region or kms.region != to_atlas_region(inputs.target_region):
        return False
    key = kms.customer_master_key_id or ""
    return not key.startswith("arn:") or key.split(":")[3] == to_aws_region(inputs.target_region)


def healthy_choices(state: ProjectState) -> list[str]:
    regions = key_regions(state)
    return [r.region for r in regions.healthy_elsewhere] if regions is not None else []


class ReplicaStep(Step["FailoverInputs"]):
    key = "replica"
    title = "Healthy replica region"
    help = """\
**Where to move.** A multi-Region key has replicas in other regions: the same key material under the
same key id, each with its own state and its own key policy (key policies are per region). The project
can move to a replica that KMS answers for, that is enabled, and whose key policy lets the Atlas role
use it. A single-Region key has no replica and cannot be made multi-Region.
"""

    def assess(self, state: ProjectState, inputs: FailoverInputs) -> StepView:
        if is_multi_region(state) is False:
            region = to_aws_region(state.encryption.aws_kms.region or "us-east-1")
            return self.view(StepState.BLOCKED, f"The key is single-Region (in {region})", NOT_MULTI_REGION)
        if not inputs.target_region:
            choices = healthy_choices(state)
            offer = f"Healthy: {', '.join(choices)}." if choices else "Give the region of a replica."
            return self.view(StepState.TODO, "Choose the region to move to", offer)
        target = to_aws_region(inputs.target_region)
        regions = key_regions(state)
        if regions is None:
            unavailable = state.observed.unavailable(KEY_REGIONS.name) or "KMS was not read"
            return self.view(
                StepState.DONE,
                f"{target} chosen; not checked ({unavailable})",
                "Check in the AWS console that the replica there is enabled and its key policy allows the Atlas role.",
            )
        if moved(state, inputs):
            return self.view(StepState.DONE, f"The project uses the key in {target}")
        found = regions.in_region(target)
        problem = _replica_problem(regions, found, target)
        if problem is not None:
            return self.view(StepState.BLOCKED, f"Cannot move to {target}", problem)
        return self.view(StepState.DONE, f"Replica in {target}: enabled, its key policy allows the Atlas role")

    def plan(self, state: ProjectState, inputs: FailoverInputs) -> list[PlannedCall]:
        arn = replica_arn(state, inputs)
        if arn is None or not inputs.target_region:
            return []
        return [calls.describe_key(arn, to_aws_region(inputs.target_region))]

    async def apply(self, run: JourneyRun[FailoverInputs], progress: Progress) -> None:
        state = await run.read_state()
        view = self.assess(state, run.inputs)
        if view.state is not StepState.DONE:
            raise StepError(self.key, view.summary, view.reason or "", "Choose another region of the key.")
        progress(ProgressEvent(self.key, view.summary, 1.0))


def _replica_problem(regions: KeyRegions, found: RegionalKey | None, target: str) -> str | None:
    others = ", ".join(f"{r.region} ({r.status})" for r in regions.other_regions) or "none"
    if target == regions.configured_region:
        return f"The project already uses {target}. Regions of the key: {others}."
    if found is None:
        return f"The key has no replica in {target}. Its other regions: {others}."
    if found.unreachable is not None:
        return f"KMS in {target} does not answer either ({found.unreachable}). Other regions: {others}."
    if not found.enabled:
        assert found.key is not None
        return f"The replica in {target} is {found.key.key_state}: enable it (aws kms enable-key --region {target})."
    if found.key_policy_allows_role is False:
        fixes = " ".join(p.fix for p in found.key_policy_problems or ())
        return f"The replica's key policy in {target} does not let the Atlas role use it. {fixes}"
    return None


class TargetEndpointStep(Step["FailoverInputs"]):
    key = "target_endpoint"
    title = "Private endpoint in the new region"
    help = """\
**Private networking.** When the project requires private networking, Atlas reaches KMS only through
its private endpoints, one per region. Before the key moves, an endpoint in the new region must be
ACTIVE, or Atlas cannot reach the replica either.
"""

    def assess(self, state: ProjectState, inputs: FailoverInputs) -> StepView:
        if not state.encryption.aws_kms.require_private_networking:
            return self.view(StepState.SKIPPED, "Atlas reaches KMS over its public endpoint: nothing needed")
        if not inputs.target_region:
            return self.view(StepState.TODO, "Waiting for the region to move to")
        region = to_atlas_region(inputs.target_region)
        endpoints = [e for e in state.endpoints_for(PROVIDER_AWS) if e.region_name == region]
        if any(e.status == "ACTIVE" for e in endpoints):
            return self.view(StepState.DONE, f"Private endpoint in {region}: ACTIVE")
        status = ", ".join(e.status for e in endpoints) or "none"
        return self.view(
            StepState.BLOCKED,
            f"No ACTIVE private endpoint in {region} (found: {status})",
            "Create one with the private endpoints journey and wait until it is ACTIVE, then come back.",
        )

    def plan(self, state: ProjectState, inputs: FailoverInputs) -> list[PlannedCall]:
        return []

    async def apply(self, run: JourneyRun[FailoverInputs], progress: Progress) -> None:
        """Nothing to send: the endpoint is made by the private endpoints journey."""


class ReplicaAccessStep(Step["FailoverInputs"]):
    key = "replica_access"
    title = "Role may use the replica"
    help = """\
**The Atlas role's access.** The role's IAM policy names key ARNs, and a replica's ARN differs from the
primary's in its region. The role needs `kms:Encrypt`, `kms:Decrypt` and `kms:DescribeKey` on the
replica's ARN. With AWS credentials the wizard adds an inline policy for it (after you confirm);
without, it shows the exact policy to attach.
"""

    def assess(self, state: ProjectState, inputs: FailoverInputs) -> StepView:
        arn = replica_arn(state, inputs)
        if arn is None:
            return self.view(StepState.TODO, "Waiting for the replica")
        if moved(state, inputs):
            return self.view(StepState.DONE, f"The project uses {arn}")
        access = role_access(state)
        if access is None:
            if inputs.replica_access_by_hand:
                return self.view(StepState.DONE, "You attached the policy by hand; Atlas checks it on the move")
            return self.view(StepState.TODO, "The role's policies cannot be read", self._by_hand(state, arn))
        if access.covers(arn):
            return self.view(StepState.DONE, f"{access.role_name} may use the replica {arn}")
        return self.view(StepState.TODO, f"{access.role_name} may not use the replica yet", self._by_hand(state, arn))

    def _by_hand(self, state: ProjectState, arn: str) -> str:
        role = atlas_role_arn(state) or "the Atlas role"
        return f"Attach to {role}: {json.dumps(kms_access_policy([arn]))}"

    def consequence(self, state: ProjectState, inputs: FailoverInputs) -> Consequence | None:
        arn = replica_arn(state, inputs)
        access = role_access(state)
        if arn is None or access is None or access.covers(arn):
            return None
        return Consequence(
            "Let the Atlas role use the replica?",
            f"Adds the inline policy `{policy_name(inputs)}` to IAM role `{access.role_name}`, allowing "
            f"kms:Encrypt, kms:Decrypt and kms:DescribeKey on `{arn}`. Nothing else on the role changes.",
            "Add the policy",
        )

    def plan(self, state: ProjectState, inputs: FailoverInputs) -> list[PlannedCall]:
        arn = replica_arn(state, inputs)
        role = atlas_role_arn(state)
        if arn is None or role is None:
            return []
        access = role_access(state)
        if access is not None and access.covers(arn):
            return []
        return [calls.put_role_policy(parse_role_ref(role).name, policy_name(inputs), kms_access_policy([arn]))]

    async def apply(self, run: JourneyRun[FailoverInputs], progress: Progress) -> None:
        state = await run.read_state()
        arn = replica_arn(state, run.inputs)
        role = atlas_role_arn(state)
        if arn is None or role is None:
            raise StepError(self.key, "No replica or role known", "", "Choose the region to move to first.")
        remember_origin(run, state)
        access = role_access(state)
        if access is not None and access.covers(arn):
            return
        if run.aws is None or access is None:
            run.inputs.replica_access_by_hand = True
            run.record_decision("replica access attached by hand", arn)
            progress(ProgressEvent(self.key, self._by_hand(state, arn), 1.0))
            return
        name, document = policy_name(run.inputs), kms_access_policy([arn])
        what = f"put inline policy {name} on IAM role {access.role_name}"
        try:
            await run.aws.put_role_policy(access.role_name, name, document)
        except Exception as err:
            run.record_change("AWS", what, error=err)
            raise
        run.record_change("AWS", what, inputs={"policy": document})
        progress(ProgressEvent(self.key, f"{access.role_name} may now use {arn}", 1.0))


def remember_origin(run: JourneyRun[FailoverInputs], state: ProjectState) -> None:
    """Keep where the key was before this run moved it: where to move back to."""
    if run.inputs.from_region is None and not moved(state, run.inputs):
        run.inputs.from_region = to_aws_region(state.encryption.aws_kms.region or "")
        run.save_inputs()


def policy_name(inputs: FailoverInputs) -> str:
    return REPLICA_POLICY_PREFIX + to_aws_region(inputs.target_region or "")


@dataclass(frozen=True)
class RegionMove:
    before: dict[str, Any]
    patch: AwsKmsPatch

    @property
    def body(self) -> dict[str, Any]:
        return {"awsKms": self.patch.to_api()}


def region_move(state: ProjectState, inputs: FailoverInputs) -> RegionMove | None:
    """The PATCH that moves the project: the region, and the key ARN when the project names it by ARN."""
    arn = replica_arn(state, inputs)
    if not inputs.target_region or arn is None:
        return None
    kms = state.encryption.aws_kms
    by_arn = (kms.customer_master_key_id or "").startswith("arn:")
    patch = AwsKmsPatch(customer_master_key_id=arn if by_arn else None, region=to_atlas_region(inputs.target_region))
    return RegionMove(aws_kms_fields(kms), patch)


class MoveRegionStep(Step["FailoverInputs"]):
    key = "move"
    title = "Move the project to the replica"
    help = """\
**The move.** One PATCH of the project's `encryptionAtRest`: `region` to the replica's region and, when
the project names its key by ARN, `customerMasterKeyID` to the replica's ARN. The key material is the
same, so data and snapshots stay readable. Atlas then checks the replica (`valid: false` for a moment)
and every encrypted cluster re-wraps its keys in a rolling change.
"""

    def assess(self, state: ProjectState, inputs: FailoverInputs) -> StepView:
        if not inputs.target_region:
            return self.view(StepState.TODO, "Waiting for the region to move to")
        region = to_atlas_region(inputs.target_region)
        if moved(state, inputs):
            if state.encryption.aws_kms.valid:
                return self.view(StepState.DONE, f"The project uses the key in {region}; Atlas reports it valid")
            return self.view(StepState.TODO, f"Moved to {region}; waiting for Atlas to report the key valid")
        return self.view(StepState.TODO, f"Move the project's key to {region}")

    def consequence(self, state: ProjectState, inputs: FailoverInputs) -> Consequence | None:
        move = region_move(state, inputs)
        if move is None or moved(state, inputs):
            return None
        sent = move.patch.to_api()
        changes = ", ".join(f"{name} {move.before.get(name)} → {value}" for name, value in sent.items())
        back = inputs.from_region or move.before.get("region")
        return Consequence(
            f"Move the project's key to {sent['region']}?",
            f"Atlas will use the key in **{sent['region']}** for every encrypted cluster: {changes}. The key "
            "material is the same, so data and snapshots stay readable. Clusters re-wrap their keys in a rolling "
            f"change. Once {back} recovers you can move back with this journey.",
            "Move the key",
        )

    def plan(self, state: ProjectState, inputs: FailoverInputs) -> list[PlannedCall]:
        move = region_move(state, inputs)
        if move is None or moved(state, inputs):
            return []
        return [calls.update_encryption_at_rest(state.project_id, move.body, f"Move the key to {move.patch.region}")]

    async def apply(self, run: JourneyRun[FailoverInputs], progress: Progress) -> None:
        state = await run.read_state()  # the write below is judged on this fresh read
        inputs = run.inputs
        if not moved(state, inputs):
            found = target_key(state, inputs)
            regions = key_regions(state)
            if regions is not None and inputs.target_region:
                problem = _replica_problem(regions, found, to_aws_region(inputs.target_region))
                if problem is not None:
                    raise StepError(self.key, "The replica is no longer usable", problem, "Nothing was sent to Atlas.")
            move = region_move(state, inputs)
            if move is None:
                raise StepError(self.key, "No region chosen", "", "Choose the region to move to first.")
            remember_origin(run, state)
            target = to_aws_region(inputs.target_region or "")
            run.record_decision("failover region", f"{inputs.from_region} → {target}")
            progress(ProgressEvent(self.key, f"Moving the key to {move.patch.region}"))
            try:
                await run.client.update_encryption_at_rest(run.project_id, aws_kms=move.patch)
            except AtlasError as err:
                run.record_change("ATLAS", "move encryption at rest to another region", inputs=move.body, error=err)
                raise
            run.record_change(
                "ATLAS", "move encryption at rest to another region", inputs=move.body, result={"before": move.before}
            )
        await wait_for_valid(run, progress, self.key)


def _encrypted(state: ProjectState) -> list[Cluster]:
    return [c for c in state.clusters if c.encryption_at_rest_provider == PROVIDER_AWS and not c.paused]


class RecoveryStep(Step["FailoverInputs"]):
    key = "recovery"
    title = "Clusters back to health"
    help = f"""\
**Recovery.** After the move every encrypted cluster re-wraps its keys in a rolling change; nodes that
restarted during the outage come back once Atlas can use the key. The step follows each cluster until
it is IDLE. {RESTART_WARNING}
"""

    def assess(self, state: ProjectState, inputs: FailoverInputs) -> StepView:
        if not state.encryption.aws_kms.valid:
            return self.view(StepState.TODO, "Waiting for Atlas to use the key again")
        busy = [f"{c.name} {c.state_name}" for c in _encrypted(state) if c.state_name != CLUSTER_IDLE]
        if busy:
            return self.view(StepState.TODO, f"Clusters still changing: {', '.join(busy)}")
        return self.view(StepState.DONE, f"Every encrypted cluster is IDLE ({len(_encrypted(state))})")

    def plan(self, state: ProjectState, inputs: FailoverInputs) -> list[PlannedCall]:
        return []

    async def apply(self, run: JourneyRun[FailoverInputs], progress: Progress) -> None:
        def check(clusters: list[Cluster]) -> PollStatus:
            watched = [c for c in clusters if c.encryption_at_rest_provider == PROVIDER_AWS and not c.paused]
            busy = [f"{c.name} {c.state_name}" for c in watched if c.state_name != CLUSTER_IDLE]
            if not busy:
                return PollStatus(True, f"Every encrypted cluster is IDLE ({len(watched)})")
            done = len(watched) - len(busy)
            return PollStatus(False, f"Waiting for {', '.join(busy)}", done / len(watched) if watched else None)

        await poll_until(
            run,
            progress,
            self.key,
            lambda: run.client.list_clusters(run.project_id),
            check,
            budget=run.timing.cluster_budget,
            what="Clusters returning to IDLE",
            next_step="Look at the clusters in the Atlas UI; a cluster that stays REPAIRING needs Atlas support.",
        )
