"""Rotating an AWS KMS project: choose or create the new key, let the role use it too, switch Atlas to it."""

from __future__ import annotations

import json
import shlex
from typing import TYPE_CHECKING, Any

from cmkwizard.atlas.models import AwsKmsPatch
from cmkwizard.aws.arns import atlas_key_identifier, key_arn, parse_key_ref, parse_role_ref
from cmkwizard.aws.policies import ATLAS_KMS_SID, kms_access_policy
from cmkwizard.aws.policy_document import as_list, statements
from cmkwizard.aws.regions import to_aws_region
from cmkwizard.errors import InputError
from cmkwizard.journeys import calls
from cmkwizard.journeys.aws_enable import KMS_ACCESS_CHECK, send_aws_kms_patch
from cmkwizard.journeys.aws_key import (
    KMS_POLICY_NAME,
    check_key,
    key_policy_problems,
    recheck_key_for_role,
    role_access_problems,
)
from cmkwizard.journeys.base import (
    JourneyRun,
    PlannedCall,
    Progress,
    ProgressEvent,
    Step,
    StepError,
    StepState,
    StepView,
    aws_call,
)
from cmkwizard.journeys.rotate_inputs import KEEP_KEY, RotateInputs, rotating, uses_new_key
from cmkwizard.journeys.rotate_steps import WAITING_FOR_CHOICE, SwitchChange, SwitchStep

if TYPE_CHECKING:
    from cmkwizard.aws.adapters import AwsAccount
    from cmkwizard.aws.resources import KmsKey
    from cmkwizard.state import ProjectState

NEW_KEY_DESCRIPTION = "MongoDB Atlas encryption at rest"


def project_role_arn(state: ProjectState) -> str | None:
    """The IAM role Atlas assumes for the project's key: the configured ``roleId`` when Atlas returns it (the
    field is write-only in the spec), else the one authorized role used for encryption at rest."""
    role = state.aws_role(state.encryption.aws_kms.role_id)
    if role is None:
        used = [r for r in state.access.aws_roles if r.authorized and r.used_for_encryption]
        role = used[0] if len(used) == 1 else None
    return role.iam_assumed_role_arn if role is not None else None


def _arn_of(key: str | None, region: str | None, account: str | None) -> str | None:
    """The key ARN of a key id or ARN (None for an alias, or when the account is unknown)."""
    if not key or not region:
        return None
    try:
        ref = parse_key_ref(key, region)
    except InputError:
        return None
    if ref.arn and not ref.is_alias:
        return ref.arn
    return key_arn(region, account, ref.key_id) if ref.key_id and account else None


def _policy_keys(policy: Any) -> list[str]:
    """The key ARNs the wizard's own statement of a KMS policy names."""
    found = []
    for statement in statements(policy or {}):
        if isinstance(statement, dict) and statement.get("Sid") == ATLAS_KMS_SID:
            found += [r for r in as_list(statement.get("Resource")) if isinstance(r, str) and ":key/" in r]
    return found


def extended_policy(current: Any, old_key_arn: str | None, new_arns: tuple[str, ...]) -> dict[str, Any]:
    """The wizard's KMS policy naming every key it named before, the old key and the new one: access to the
    old key is never taken away during a rotation."""
    kept = [*_policy_keys(current), *([old_key_arn] if old_key_arn else [])]
    return kms_access_policy([*kept, *new_arns])


def _planned_policy(old: str | None, new: str | None, region: str) -> dict[str, Any] | None:
    """The extended policy for the dry run; a key still to be created is named by a placeholder."""
    if new is not None:
        return extended_policy(None, old, (new,))
    if old is None:
        return None
    document = extended_policy(None, old, ())
    statement = document["Statement"][0]
    statement["Resource"] = [*as_list(statement["Resource"]), f"<ARN of the new key in {to_aws_region(region)}>"]
    return document


def create_key_call(region: str) -> PlannedCall:
    aws_region = to_aws_region(region)
    return aws_call(
        "kms:CreateKey",
        aws_region,
        f"Create a new symmetric KMS key in {aws_region}",
        {"KeySpec": "SYMMETRIC_DEFAULT", "KeyUsage": "ENCRYPT_DECRYPT", "Description": NEW_KEY_DESCRIPTION},
        "aws kms create-key --key-spec SYMMETRIC_DEFAULT --key-usage ENCRYPT_DECRYPT "
        f"--description {shlex.quote(NEW_KEY_DESCRIPTION)} --region {aws_region}",
    )


class AwsNewKeyStep(Step[RotateInputs]):
    key = "new_key"
    title = "New key"
    help = """\
**The new key.** A customer managed *symmetric* KMS key (`SYMMETRIC_DEFAULT`, encrypt and decrypt),
enabled, normally in the same region as the current one. Choose an existing key or let the wizard
create one (with AWS credentials; otherwise the dry run shows the exact commands). A key in another
region is a deliberate change you confirm: Atlas then reaches KMS in that region.

Before the switch the role Atlas assumes must be allowed to use the new key: the wizard adds it to the
role's KMS policy **and keeps the old key in it**, because the old key stays in use until the change has
deployed and for the snapshots taken with it.
"""

    def assess(self, state: ProjectState, inputs: RotateInputs) -> StepView:
        if inputs.mode == KEEP_KEY:
            return self.view(StepState.SKIPPED, "Keeping the key")
        if uses_new_key(state, inputs):
            return self.view(StepState.DONE, f"The project uses {inputs.new_key}")
        if not rotating(inputs):
            return self.view(StepState.TODO, "Waiting for your choice", WAITING_FOR_CHOICE)
        if not inputs.region:
            return self.view(StepState.TODO, "Choose the new key", "Needs its region, and the key or a new one.")
        if inputs.region_changes and not inputs.region_change_confirmed:
            return self.view(
                StepState.TODO,
                f"The new key is in {inputs.region}, the current one in {inputs.old_region}",
                "Confirm the region change, or choose a key in the current region.",
            )
        if inputs.create_new:
            return self.view(StepState.TODO, f"Create a new symmetric key in {inputs.region}")
        if not inputs.new_key:
            return self.view(StepState.TODO, "Choose the new key", "Give the new key, or let the wizard create one.")
        if inputs.checked_key == inputs.new_key:
            return self.view(StepState.DONE, f"Key {inputs.new_key} in {inputs.region}, checked")
        return self.view(StepState.TODO, f"Check key {inputs.new_key} in {inputs.region} and let the role use it")

    def precondition(self, state: ProjectState, inputs: RotateInputs) -> str | None:
        if inputs.region_changes and not inputs.region_change_confirmed:
            return f"Confirm moving the key from {inputs.old_region} to {inputs.region} first."
        return None

    def plan(self, state: ProjectState, inputs: RotateInputs) -> list[PlannedCall]:
        if not rotating(inputs) or not inputs.region or uses_new_key(state, inputs):
            return []
        planned = [create_key_call(inputs.region)] if inputs.create_new else []
        if inputs.new_key:
            planned.append(calls.describe_key(inputs.new_key, to_aws_region(inputs.region)))
        role_arn = project_role_arn(state)
        if inputs.extend_policy and role_arn:
            account = parse_role_ref(role_arn).account_id
            document = _planned_policy(
                _arn_of(inputs.old_key, inputs.old_region, account),
                _arn_of(inputs.new_key, inputs.region, account),
                inputs.region,
            )
            if document is not None:
                planned.append(calls.put_role_policy(parse_role_ref(role_arn).name, KMS_POLICY_NAME, document))
        return planned

    async def apply(self, run: JourneyRun[RotateInputs], progress: Progress) -> None:
        inputs = run.inputs
        if not inputs.region or not (inputs.new_key or inputs.create_new):
            raise StepError(self.key, "No new key chosen", "The rotation needs the new key.", "Give it, or create one.")
        state = await run.read_state()
        role_arn = project_role_arn(state)
        aws = run.aws
        if aws is None:
            self._without_credentials(state, inputs, role_arn, progress)
        else:
            if inputs.create_new:
                await self._create(run, aws, progress)
            assert inputs.new_key
            key = await check_key(
                aws, self.key, parse_key_ref(inputs.new_key, inputs.region), to_aws_region(inputs.region), progress
            )
            inputs.new_key = key.arn
            if role_arn:
                await self._let_role_use(run, aws, key, role_arn, progress)
        inputs.checked_key = inputs.new_key
        run.record_decision("new KMS key", {"key": inputs.new_key, "region": inputs.region})
        run.save_inputs()

    def _without_credentials(
        self, state: ProjectState, inputs: RotateInputs, role_arn: str | None, progress: Progress
    ) -> None:
        region = inputs.region or ""
        if inputs.create_new:
            raise StepError(
                self.key,
                "Creating a key needs AWS credentials",
                "The wizard has no AWS credentials to act with.",
                f"Create it yourself: {create_key_call(region).command}; then give its key ARN here.",
            )
        ref = parse_key_ref(inputs.new_key or "", region)
        account = parse_role_ref(role_arn).account_id if role_arn else None
        identifier = atlas_key_identifier(ref, account)  # refuses an alias: Atlas needs the key itself
        message = (
            f"Key {identifier}: without AWS credentials the wizard cannot check it; Atlas checks it at the switch."
        )
        new = _arn_of(inputs.new_key, region, account)
        if role_arn and new:
            policy = extended_policy(None, _arn_of(inputs.old_key, inputs.old_region, account), (new,))
            message += f" Let {parse_role_ref(role_arn).name} use both keys: {json.dumps(policy)}"
        progress(ProgressEvent(self.key, message, 1.0))

    async def _create(self, run: JourneyRun[RotateInputs], aws: AwsAccount, progress: Progress) -> None:
        inputs = run.inputs
        region = to_aws_region(inputs.region or "")
        progress(ProgressEvent(self.key, f"Creating a symmetric KMS key in {region}"))
        try:
            key = await aws.create_key(region, NEW_KEY_DESCRIPTION)
        except Exception as err:
            run.record_change("AWS", f"create KMS key in {region}", error=err)
            raise
        run.record_change("AWS", f"create KMS key in {region}", result={"key": key.arn})
        inputs.new_key, inputs.create_new = key.arn, False
        run.save_inputs()  # a resumed run checks this key instead of creating another
        progress(ProgressEvent(self.key, f"Created {key.arn}"))

    async def _let_role_use(
        self, run: JourneyRun[RotateInputs], aws: AwsAccount, key: KmsKey, role_arn: str, progress: Progress
    ) -> None:
        role = parse_role_ref(role_arn)
        if not run.inputs.extend_policy:
            problems = await role_access_problems(aws, role_arn, key)
            if problems:
                progress(
                    ProgressEvent(
                        self.key,
                        f"{role.name} may not use {key.label} yet (checked again before the switch): "
                        + " ".join(p.message for p in problems),
                        1.0,
                    )
                )
            return
        if (await aws.caller_identity()).get("Account") != role.account_id:
            policy = extended_policy(
                None, _arn_of(run.inputs.old_key, run.inputs.old_region, role.account_id), key.all_arns
            )
            progress(
                ProgressEvent(
                    self.key,
                    f"The role is in account {role.account_id}: attach this policy to {role.name} there: "
                    f"{json.dumps(policy)}",
                    1.0,
                )
            )
            return
        current = (await aws.get_role_policies(role.name)).get(KMS_POLICY_NAME)
        old = _arn_of(run.inputs.old_key, run.inputs.old_region, role.account_id)
        policy = extended_policy(current, old, key.all_arns)
        await aws.put_role_policy(role.name, KMS_POLICY_NAME, policy)
        run.record_change(
            "AWS", f"put inline policy {KMS_POLICY_NAME} on IAM role {role.name}", inputs={"policy": policy}
        )
        progress(
            ProgressEvent(self.key, f"{role.name} may now use {key.label}; its access to the old key is kept", 1.0)
        )


class AwsSwitchStep(SwitchStep):
    access_check = KMS_ACCESS_CHECK
    help = """\
**Switch to the new key.** One PATCH of the project's `awsKms` with only `customerMasterKeyID` (and
`region` when it changes): the role stays. Just before, the wizard reads the project again and, with AWS
credentials, checks that the key is usable and the role may use it; a key the role cannot use is refused
here, before anything is sent. Atlas may not see the role's new permission at once (IAM propagates):
the PATCH is retried with a countdown. Atlas then validates the key (`valid`) and re-wraps every
encrypted cluster's data keys. You confirm first, told what changes.
"""

    def patch_fields(self, state: ProjectState, inputs: RotateInputs) -> dict[str, Any]:
        role_arn = project_role_arn(state)
        account = parse_role_ref(role_arn).account_id if role_arn else None
        ref = parse_key_ref(inputs.new_key or "", inputs.region)
        identifier = atlas_key_identifier(ref, account) if not ref.is_alias else f"<key id of {ref.alias}>"
        fields: dict[str, Any] = {"customerMasterKeyID": identifier}
        if inputs.region and inputs.region != state.encryption.aws_kms.region:
            fields["region"] = inputs.region
        return fields

    def current_fields(self, state: ProjectState) -> dict[str, Any]:
        kms = state.encryption.aws_kms
        return {"customerMasterKeyID": kms.customer_master_key_id, "region": kms.region}

    async def recheck(self, run: JourneyRun[RotateInputs], state: ProjectState, progress: Progress) -> None:
        inputs = run.inputs
        if run.aws is None:
            progress(ProgressEvent(self.key, "Without AWS credentials Atlas checks the new key itself"))
            return
        ref = parse_key_ref(inputs.new_key or "", inputs.region)
        role_arn = project_role_arn(state)
        key = await recheck_key_for_role(run.aws, self.key, ref, inputs.region or "", role_arn, progress)
        problems = await key_policy_problems(run.aws, role_arn, key) if role_arn else None
        if problems:
            raise StepError(
                self.key,
                f"The key policy of {key.label} does not let the role use it",
                " ".join(p.message for p in problems),
                " ".join(p.fix for p in problems) + " Nothing was sent to Atlas.",
            )

    async def send(self, run: JourneyRun[RotateInputs], progress: Progress, change: SwitchChange) -> None:
        fields = change.after
        patch = AwsKmsPatch(customer_master_key_id=fields["customerMasterKeyID"], region=fields.get("region"))
        description = "Switch AWS KMS to the new key: " + ", ".join(f"{k} {v}" for k, v in fields.items())
        await send_aws_kms_patch(run, progress, self.key, patch, change.before, description)
