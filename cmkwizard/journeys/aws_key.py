"""Choosing the KMS key and its region, checking it, and letting the role use it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from cmkwizard.aws.arns import KeyRef, atlas_key_identifier, key_arn, parse_key_ref, parse_role_ref
from cmkwizard.aws.errors import AwsError
from cmkwizard.aws.policies import Problem, diagnose_key_policy, diagnose_kms_access, kms_access_policy
from cmkwizard.aws.regions import to_aws_region
from cmkwizard.journeys import calls
from cmkwizard.journeys.aws_access import chosen_role
from cmkwizard.journeys.aws_inputs import OnboardAwsInputs
from cmkwizard.journeys.base import (
    JourneyRun,
    PlannedCall,
    Progress,
    ProgressEvent,
    Step,
    StepError,
    StepState,
    StepView,
)

if TYPE_CHECKING:
    from cmkwizard.aws.adapters import AwsAccount
    from cmkwizard.aws.resources import KmsKey
    from cmkwizard.state import ProjectState

KMS_POLICY_NAME = calls.AWS_CLI_ROLE_POLICY_NAME


def same_key(a: str | None, b: str | None) -> bool:
    """Whether two references (id or ARN) name the same key; aliases only match themselves."""
    if not a or not b:
        return False
    return _key_id(a) == _key_id(b)


def _key_id(reference: str) -> str:
    try:
        ref = parse_key_ref(reference)
    except ValueError:
        return reference
    return ref.key_id or ref.api_identifier


def role_arn_for(state: ProjectState, inputs: OnboardAwsInputs) -> str | None:
    role = chosen_role(state, inputs)
    return (role.iam_assumed_role_arn if role else None) or inputs.role_arn


class KeyStep(Step[OnboardAwsInputs]):
    key = "key"
    title = "Key and region"
    help = """\
**The customer master key.** Atlas needs a *symmetric* KMS key (`SYMMETRIC_DEFAULT`, encrypt and
decrypt) that is enabled and not pending deletion, in the region you choose (`us-east-1` and
`US_EAST_1` are the same region). A key in another AWS account needs its full key ARN. An alias is
resolved to its key, because an alias can later be moved to another key.

The role Atlas assumes needs `kms:Encrypt`, `kms:Decrypt` and `kms:DescribeKey` on the key; the
wizard generates that policy and, with AWS credentials, attaches it to the role. A multi-Region key
is noted: its replicas let you move the project to another region during an outage.
"""

    def assess(self, state: ProjectState, inputs: OnboardAwsInputs) -> StepView:
        kms = state.encryption.aws_kms
        # With IAM-user access keys the key is configured, but the role that replaces them needs access to it.
        in_use = kms.enabled and not kms.uses_legacy_credentials
        if not inputs.key_ref:
            if in_use and kms.customer_master_key_id:
                return self.view(StepState.DONE, f"The project uses key {kms.customer_master_key_id} in {kms.region}")
            return self.view(
                StepState.TODO,
                "Choose the KMS key Atlas encrypts with",
                "Needs the KMS key (key id, key ARN or alias) and its region.",
            )
        if not inputs.region:
            return self.view(StepState.TODO, f"Key {inputs.key_ref}", "Needs the key's region (e.g. us-east-1).")
        configured = in_use and same_key(kms.customer_master_key_id, inputs.key_ref) and kms.region == inputs.region
        if configured or inputs.checked_key == inputs.key_ref:
            return self.view(StepState.DONE, f"Key {inputs.key_ref} in {inputs.region}")
        return self.view(StepState.TODO, f"Check key {inputs.key_ref} in {inputs.region} and let the role use it")

    def plan(self, state: ProjectState, inputs: OnboardAwsInputs) -> list[PlannedCall]:
        if not inputs.key_ref or not inputs.region:
            return []
        region = to_aws_region(inputs.region)
        planned = [calls.describe_key(inputs.key_ref, region)]
        role_arn = role_arn_for(state, inputs)
        ref = parse_key_ref(inputs.key_ref, inputs.region)
        if inputs.attach_key_policy and role_arn and ref.key_id:  # an alias' key is known once it is read
            role = parse_role_ref(role_arn)
            arn = ref.arn or key_arn(region, role.account_id, ref.key_id)
            planned.append(calls.put_role_policy(role.name, KMS_POLICY_NAME, kms_access_policy([arn])))
        return planned

    async def apply(self, run: JourneyRun[OnboardAwsInputs], progress: Progress) -> None:
        inputs = run.inputs
        if not inputs.key_ref or not inputs.region:
            raise StepError(
                self.key,
                "No key chosen",
                "Atlas needs the KMS key and its region.",
                "Give the key (key id, key ARN or alias) and its region.",
            )
        state = await run.read_state()
        ref = parse_key_ref(inputs.key_ref, inputs.region)
        role_arn = role_arn_for(state, inputs)
        if run.aws is None:
            self._accept_unchecked(ref, role_arn, progress)
        else:
            key = await self._check_key(run, ref, progress)
            inputs.key_ref = key.arn
            if role_arn:
                await self._grant_role(run, progress, key, role_arn)
        inputs.checked_key = inputs.key_ref
        run.record_decision("KMS key", {"key": inputs.key_ref, "region": inputs.region})
        run.save_inputs()

    def _accept_unchecked(self, ref: KeyRef, role_arn: str | None, progress: Progress) -> None:
        role_account = parse_role_ref(role_arn).account_id if role_arn else None
        identifier = atlas_key_identifier(ref, role_account)  # refuses an alias: Atlas needs the key itself
        message = (
            f"Key {identifier}: without AWS credentials the wizard cannot check it; Atlas checks it when "
            "the project is enabled."
        )
        if role_arn and role_account:
            arn = ref.arn or key_arn(to_aws_region(ref.region or ""), role_account, ref.key_id or "")
            policy = kms_access_policy([arn])
            message += f" Attach this policy to {parse_role_ref(role_arn).name}: {json.dumps(policy)}"
        progress(ProgressEvent(self.key, message, 1.0))

    async def _check_key(self, run: JourneyRun[OnboardAwsInputs], ref: KeyRef, progress: Progress) -> KmsKey:
        assert run.aws is not None
        key = await check_key(run.aws, self.key, ref, to_aws_region(run.inputs.region or ""), progress)
        progress(ProgressEvent(self.key, f"{key.label}: symmetric, enabled, {_layout(key)}, in {key.region}"))
        return key

    async def _grant_role(
        self, run: JourneyRun[OnboardAwsInputs], progress: Progress, key: KmsKey, role_arn: str
    ) -> None:
        assert run.aws is not None
        role = parse_role_ref(role_arn)
        role_name = role.name
        policy = kms_access_policy(key.all_arns)
        account = (await run.aws.caller_identity()).get("Account")
        if account != role.account_id:
            progress(
                ProgressEvent(
                    self.key,
                    f"The role is in account {role.account_id}, the AWS credentials in {account}: attach this policy "
                    f"to {role_name} there: {json.dumps(policy)}",
                    1.0,
                )
            )
            return
        if run.inputs.attach_key_policy:
            await run.aws.put_role_policy(role_name, KMS_POLICY_NAME, policy)
            run.record_change(
                "AWS", f"put inline policy {KMS_POLICY_NAME} on IAM role {role_name}", inputs={"policy": policy}
            )
            progress(ProgressEvent(self.key, f"{role_name} may now use {key.label}", 1.0))
            return
        problems = await role_access_problems(run.aws, role_arn, key)
        if problems:
            progress(
                ProgressEvent(
                    self.key,
                    f"{role_name}'s policies do not let it use the key yet (checked again before the project is "
                    "enabled): " + " ".join(p.message for p in problems),
                    1.0,
                )
            )
        else:
            progress(ProgressEvent(self.key, f"{role_name} may use {key.label}", 1.0))


async def check_key(aws: AwsAccount, step_key: str, ref: KeyRef, region: str, progress: Progress) -> KmsKey:
    """Read the key in ``region``; StepError unless Atlas can use it there (symmetric, enabled, that region)."""
    progress(ProgressEvent(step_key, f"Reading key {ref.api_identifier} in {region}"))
    try:
        key = await aws.describe_key(ref.api_identifier, region)
    except AwsError as err:
        if not err.is_not_found:
            raise
        raise StepError(
            step_key,
            f"Key {ref.api_identifier} was not found in {region}",
            f"KMS keys are regional: {region} has no key or alias {ref.api_identifier} that these AWS "
            "credentials may describe.",
            f"If the key lives in another region, choose that region (or give the key's full ARN); otherwise "
            f"check the key id, or list the keys in {region}.",
            err.code,
        ) from err
    problems = key.problems_for_atlas()
    if key.region != region:
        problems.append(
            Problem(
                "key-region",
                f"{key.label} is in {key.region}, not in {region}, the region chosen for Atlas.",
                f"Choose {key.region} as the region, or a key in {region}.",
            )
        )
    if problems:
        raise StepError(
            step_key,
            f"Atlas cannot use key {key.label}",
            " ".join(p.message for p in problems),
            " ".join(p.fix for p in problems),
        )
    return key


async def recheck_key_for_role(
    aws: AwsAccount, step_key: str, ref: KeyRef, region: str, role_arn: str | None, progress: Progress
) -> KmsKey:
    """Just before Atlas is asked to use a key: it is still usable, and the role may use it (when readable).

    StepError, with nothing sent to Atlas, when the key or the role's policies would make Atlas refuse.
    """
    key = await check_key(aws, step_key, ref, to_aws_region(region), progress)
    if not role_arn:
        return key
    problems = await role_access_problems(aws, role_arn, key)
    if problems:
        raise StepError(
            step_key,
            f"The role may not use key {key.label}",
            " ".join(p.message for p in problems),
            " ".join(p.fix for p in problems) + " Nothing was sent to Atlas.",
        )
    if problems is None:
        progress(ProgressEvent(step_key, "The role is in another AWS account: Atlas checks its access to the key"))
    return key


async def role_access_problems(aws: AwsAccount, role_arn: str, key: KmsKey) -> list[Problem] | None:
    """What stops the role from using the key, from its inline and managed policies; None when the AWS
    credentials are for another account than the role's (its policies cannot be read)."""
    role = parse_role_ref(role_arn)
    if (await aws.caller_identity()).get("Account") != role.account_id:
        return None
    policies = {**await aws.get_role_policies(role.name), **await aws.get_attached_role_policies(role.name)}
    return diagnose_kms_access(policies, key.arn)


async def key_policy_problems(aws: AwsAccount, role_arn: str, key: KmsKey) -> list[Problem] | None:
    """What in the key's own policy stops the role from using it; None when these credentials may not read it."""
    try:
        policy = await aws.get_key_policy(key.arn, key.region)
    except AwsError as err:
        if err.is_access_denied:
            return None
        raise
    return diagnose_key_policy(policy, role_arn, key.arn)


def _layout(key: KmsKey) -> str:
    """Single- or multi-Region, and where the replicas are (the regions a failover could move to)."""
    if not key.multi_region:
        return "single-Region key"
    kind = f"multi-Region {key.multi_region_type.lower()} key" if key.multi_region_type else "multi-Region key"
    others = [r for r in key.regions if r != key.region]
    return f"{kind} with replicas in {', '.join(others)}" if others else f"{kind} without replicas yet"
