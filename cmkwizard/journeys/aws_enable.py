"""Enabling the project: the encryption-at-rest PATCH, retried while IAM settles, then ``valid: true``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from cmkwizard.atlas.errors import AtlasApiError, AtlasError
from cmkwizard.atlas.models import PROVIDER_AWS, AwsKmsConfig, AwsKmsPatch, EncryptionAtRest
from cmkwizard.aws.arns import atlas_key_identifier, parse_key_ref, parse_role_ref
from cmkwizard.journeys import calls
from cmkwizard.journeys.aws_access import ROLE_PLACEHOLDER, chosen_role
from cmkwizard.journeys.aws_inputs import OnboardAwsInputs
from cmkwizard.journeys.aws_key import recheck_key_for_role, role_arn_for, same_key
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
from cmkwizard.journeys.providers import key_change_consequence, other_provider, provider_switch_refusal
from cmkwizard.journeys.waiting import Backoff, PollStatus, poll_until, retry_while
from cmkwizard.state import aws_kms_fields

if TYPE_CHECKING:
    from cmkwizard.state import ProjectState

MIGRATION_WORD = "migrate"
# Right after authorization Atlas may still fail to use the role; the same PATCH succeeds later.
TRANSIENT_ENABLE_CODES = frozenset(
    {"CANNOT_ASSUME_ROLE", "INVALID_AWS_CREDENTIALS", "CLOUD_PROVIDER_ACCESS_ROLE_NOT_AUTHORIZED"}
)


@dataclass(frozen=True)
class AwsKmsChange:
    """The project's AWS KMS configuration before and after, and the PATCH body that gets there.

    The first time every field is sent (Atlas requires the full object); later only what changed.
    """

    before: dict[str, Any]
    after: dict[str, Any]
    patch: AwsKmsPatch

    @property
    def body(self) -> dict[str, Any]:
        return {"awsKms": self.patch.to_api()}

    @property
    def changed(self) -> bool:
        return bool(self.patch.to_api())


def planned_change(state: ProjectState, inputs: OnboardAwsInputs, *, placeholders: bool = False) -> AwsKmsChange | None:
    """What enabling would change; None while the role or the key is not known yet.

    With ``placeholders`` (for a dry run) what is not known yet is written as ``<roleId>`` or
    ``<key id of alias/...>`` instead.
    """
    if not inputs.key_ref or not inputs.region:
        return None
    role = chosen_role(state, inputs)
    ref = parse_key_ref(inputs.key_ref, inputs.region)
    # The key step resolves an alias (Atlas needs the key itself); the role step creates the role.
    if (role is None or ref.is_alias) and not placeholders:
        return None
    role_id = role.role_id if role else ROLE_PLACEHOLDER
    role_arn = (role.iam_assumed_role_arn if role else None) or inputs.role_arn
    if ref.is_alias:
        key_id = f"<key id of {ref.alias}>"
    else:
        key_id = atlas_key_identifier(ref, parse_role_ref(role_arn).account_id if role_arn else None)
    kms = state.encryption.aws_kms
    wanted = {"customerMasterKeyID": key_id, "region": inputs.region, "roleId": role_id}
    before = aws_kms_fields(kms)
    if not kms.enabled:
        patch = AwsKmsPatch(
            enabled=True,
            customer_master_key_id=key_id,
            region=inputs.region,
            role_id=role_id,
            require_private_networking=bool(kms.require_private_networking),
        )
        after = {**before, **patch.to_api(), "valid": None}
        return AwsKmsChange(before, after, patch)
    changed = {name: value for name, value in wanted.items() if before[name] != value}
    if same_key(kms.customer_master_key_id, key_id):
        changed.pop("customerMasterKeyID", None)
    if kms.role_id is None and not kms.uses_legacy_credentials:
        changed.pop("roleId", None)  # write-only in the spec: Atlas may not return it
    patch = AwsKmsPatch(
        customer_master_key_id=changed.get("customerMasterKeyID"),
        region=changed.get("region"),
        role_id=changed.get("roleId"),
    )
    after = {**before, **changed, "valid": before["valid"] if not changed else None}
    return AwsKmsChange(before, after, patch)


class EnableProjectStep(Step[OnboardAwsInputs]):
    key = "enable"
    title = "Enable the project"
    help = """\
**Enable encryption at rest for the project.** One PATCH of the project's `encryptionAtRest` with the
key, its region and the Atlas role. The first time Atlas needs the whole `awsKms` object; later only
the fields that change are sent. Right after authorization Atlas may still answer
`CANNOT_ASSUME_ROLE`, `INVALID_AWS_CREDENTIALS` or `CLOUD_PROVIDER_ACCESS_ROLE_NOT_AUTHORIZED` for a
few minutes; the wizard retries them. Then it waits until Atlas reports `valid: true` (it can
encrypt and decrypt with the key) before clusters are touched.

Atlas creates a 90-day key rotation alert when a customer key is configured.
"""

    def assess(self, state: ProjectState, inputs: OnboardAwsInputs) -> StepView:
        kms = state.encryption.aws_kms
        other = other_provider(state.encryption, PROVIDER_AWS)
        if other:
            return self.view(StepState.BLOCKED, *provider_switch_refusal(other))
        if kms.uses_legacy_credentials and not inputs.confirm_legacy_migration:
            return self.view(
                StepState.BLOCKED,
                f"The project reaches KMS with IAM user access key {kms.access_key_id}",
                "Moving to the Atlas role cannot be undone: confirm the migration first.",
            )
        change = planned_change(state, inputs)
        if change is None:
            if kms.enabled and not kms.uses_legacy_credentials and kms.valid:
                return self.view(StepState.DONE, _enabled(kms))
            return self.view(
                StepState.TODO, "Waiting for the role and the key", "Authorize the role and choose the key first."
            )
        role = chosen_role(state, inputs)
        if role is None or not role.authorized:
            return self.view(
                StepState.TODO, "Waiting for authorization", "Atlas must be able to assume the role first."
            )
        if inputs.checked_key != inputs.key_ref and not (kms.enabled and not change.changed):
            return self.view(StepState.TODO, "Waiting for the key check", "Check the key first.")
        if not change.changed and kms.valid:
            return self.view(StepState.DONE, _enabled(kms))
        if not change.changed:
            return self.view(StepState.TODO, "Enabled; waiting for Atlas to report the key valid")
        return self.view(StepState.TODO, _describe(change))

    def consequence(self, state: ProjectState, inputs: OnboardAwsInputs) -> Consequence | None:
        change = planned_change(state, inputs)
        if change is None or not change.changed:
            return None
        kms = state.encryption.aws_kms
        sent = change.patch.to_api()
        if kms.uses_legacy_credentials:
            return Consequence(
                "Move to the Atlas role",
                f"The project reaches AWS KMS with the IAM user access key `{kms.access_key_id}`. After this change "
                "Atlas uses the role instead, and **cannot go back** to access keys. Delete the IAM user's access "
                "key in AWS afterwards.",
                "Move to the role",
                typed=MIGRATION_WORD,
            )
        if "enabled" in sent:
            return Consequence(
                "Enable encryption at rest with your key?",
                f"Atlas will protect this project's data keys with key `{sent['customerMasterKeyID']}` in "
                f"**{sent['region']}**, through Atlas role `{sent['roleId']}`. From then on the project depends on "
                "this key: if it is disabled, scheduled for deletion or unreachable, clusters lose access to their "
                "data. No cluster changes yet: you choose them next.",
                "Enable encryption at rest",
            )
        return key_change_consequence(change.before, sent, "key")

    def plan(self, state: ProjectState, inputs: OnboardAwsInputs) -> list[PlannedCall]:
        change = planned_change(state, inputs, placeholders=True)
        if change is None or not change.changed:
            return []
        return [calls.update_encryption_at_rest(state.project_id, change.body, _describe(change))]

    async def apply(self, run: JourneyRun[OnboardAwsInputs], progress: Progress) -> None:
        state = await run.read_state()
        view = self.assess(state, run.inputs)
        if view.state is StepState.DONE:
            return
        if view.reason:  # blocked, or waiting for an earlier step
            raise StepError(self.key, view.summary, "The project cannot be enabled yet.", view.reason)
        change = planned_change(state, run.inputs)
        if change is not None and change.changed:
            if run.aws is not None:
                inputs = run.inputs
                assert inputs.key_ref and inputs.region
                await recheck_key_for_role(
                    run.aws,
                    self.key,
                    parse_key_ref(inputs.key_ref, inputs.region),
                    inputs.region,
                    role_arn_for(state, inputs),
                    progress,
                )
            if state.encryption.aws_kms.uses_legacy_credentials:
                run.record_decision("migrate from IAM user access keys to the Atlas role", True)
            await self._patch(run, progress, change)
        await wait_for_valid(run, progress, self.key)

    async def _patch(self, run: JourneyRun[OnboardAwsInputs], progress: Progress, change: AwsKmsChange) -> None:
        await send_aws_kms_patch(run, progress, self.key, change.patch, change.before, _describe(change))


async def send_aws_kms_patch(
    run: JourneyRun[Any],
    progress: Progress,
    step_key: str,
    patch: AwsKmsPatch,
    before: dict[str, Any],
    description: str,
) -> None:
    """The encryption-at-rest PATCH of ``awsKms``, retried while IAM propagates, recorded in the journal."""
    timing = run.timing
    body = {"awsKms": patch.to_api()}
    progress(ProgressEvent(step_key, description))
    try:
        await retry_while(
            run,
            progress,
            step_key,
            lambda: run.client.update_encryption_at_rest(run.project_id, aws_kms=patch),
            should_retry=lambda err: isinstance(err, AtlasApiError) and err.error_code in TRANSIENT_ENABLE_CODES,
            explain=lambda err, attempt, elapsed: (
                f"Atlas cannot use the role yet ({getattr(err, 'error_code', err)}): IAM is still "
                f"propagating; attempt {attempt} failed"
            ),
            budget=timing.enable_budget,
            backoff=Backoff(timing.first_retry, timing.max_retry),
        )
    except AtlasError as err:
        run.record_change("ATLAS", "update encryption at rest (AWS KMS)", inputs=body, error=err)
        raise
    run.record_change("ATLAS", "update encryption at rest (AWS KMS)", inputs=body, result={"before": before})


# Events in which Atlas says why it cannot use the key; their description is the reason.
KEY_REFUSED_EVENTS = ("ENCRYPTION_AT_REST_CONFIGURATION_VALIDATION_FAILED", "ENCRYPTION_AT_REST_CONFIG_NO_LONGER_VALID")


KMS_ACCESS_CHECK = (
    "Check the key is enabled, the role's policy allows kms:Encrypt, kms:Decrypt and kms:DescribeKey "
    "on it, and the key policy does not deny the role; then run this step again"
)


async def wait_for_valid(
    run: JourneyRun[Any], progress: Progress, step_key: str, next_step: str = KMS_ACCESS_CHECK
) -> EncryptionAtRest:
    """Follow the project's configuration (one GET per cycle) until Atlas reports the key valid.

    Atlas reports ``valid: false`` while it checks a new or changed key. If it is still false when the
    budget runs out, the reason Atlas recorded in its events (if any) is shown with the error, and
    ``next_step`` says what to check.
    """
    started = run.clock.now()

    def check(encryption: EncryptionAtRest) -> PollStatus:
        if encryption.valid:
            return PollStatus(True, "Atlas reports the key valid: it can encrypt and decrypt")
        return PollStatus(False, "Atlas is checking that it can encrypt and decrypt with the key (valid: false)")

    try:
        return await poll_until(
            run,
            progress,
            step_key,
            lambda: run.client.get_encryption_at_rest(run.project_id),
            check,
            budget=run.timing.valid_budget,
            what="Atlas validating the key",
            next_step=next_step,
        )
    except StepError as err:
        since = started - timedelta(seconds=run.timing.valid_budget)
        reason = await _key_refused_reason(run, since)
        if reason is None:
            raise
        raise StepError(err.step_key, err.what, f"Atlas reports: {reason}", err.next_step) from err


async def _key_refused_reason(run: JourneyRun[Any], since: datetime) -> str | None:
    events = await run.client.list_events(run.project_id, KEY_REFUSED_EVENTS, min_date=since, include_raw=True)
    return next((event.description for event in events if event.description), None)


def _describe(change: AwsKmsChange) -> str:
    sent = change.patch.to_api()
    if "enabled" in sent:
        key, region, role = sent["customerMasterKeyID"], sent["region"], sent["roleId"]
        return f"Enable AWS KMS encryption: key {key} in {region}, role {role}"
    return "Update AWS KMS encryption: " + ", ".join(f"{k} {change.before[k]} -> {v}" for k, v in sent.items())


def _enabled(kms: AwsKmsConfig) -> str:
    return f"Enabled with key {kms.customer_master_key_id} in {kms.region}, valid"
