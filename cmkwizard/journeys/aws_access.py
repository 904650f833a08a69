"""The Atlas role for AWS: create or reuse it, get its trust policy right, and authorize it.

Authorization is where operators lose the most time: IAM is eventually consistent, so Atlas answers
``CANNOT_ASSUME_ROLE`` for a while after a correct trust-policy change, and for ever after a wrong
one. With AWS credentials the wizard reads the trust policy first and says exactly what is wrong
before asking Atlas; then it retries with a visible countdown, telling propagation apart from a
misconfiguration.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cmkwizard.atlas.errors import AtlasApiError, AtlasError
from cmkwizard.atlas.models import PROVIDER_AWS, AwsIamRole
from cmkwizard.aws.arns import parse_role_ref
from cmkwizard.aws.errors import AwsError, InputError
from cmkwizard.aws.policies import diagnose_trust_policy, merge_trust_policy, trust_policy
from cmkwizard.journeys import calls
from cmkwizard.journeys.aws_inputs import OnboardAwsInputs, atlas_partition, check_role
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
from cmkwizard.journeys.waiting import Backoff, retry_while

if TYPE_CHECKING:
    from cmkwizard.aws.adapters import AwsAccount, IamRoleInfo
    from cmkwizard.state import ProjectState

CANNOT_ASSUME_ROLE = "CANNOT_ASSUME_ROLE"
ENTITY_ALREADY_EXISTS = "EntityAlreadyExists"
ROLE_PLACEHOLDER = "<roleId>"
PRINCIPAL_PLACEHOLDER = "arn:aws:iam::<atlasAWSAccountArn account>:root"
EXTERNAL_ID_PLACEHOLDER = "<atlasAssumedRoleExternalId>"


@dataclass(frozen=True)
class RoleChoice:
    """An existing Atlas role the journey can use, and why it is a good one."""

    role: AwsIamRole
    why: str


def reusable_roles(state: ProjectState) -> list[RoleChoice]:
    """Existing AWS roles, best first: the one encryption uses, ones used for it, authorized, unused."""
    choices: list[RoleChoice] = []
    seen: set[str] = set()

    def add(role: AwsIamRole | None, why: str) -> None:
        if role is not None and role.role_id not in seen:
            seen.add(role.role_id)
            choices.append(RoleChoice(role, why))

    roles = state.access.aws_roles
    add(state.aws_role(state.encryption.aws_kms.role_id), "used by this project's encryption at rest")
    for role in roles:
        if role.used_for_encryption:
            add(role, "already used for encryption at rest")
    for role in sorted((r for r in roles if r.authorized), key=lambda r: _timestamp(r.authorized_date), reverse=True):
        add(role, f"authorized for {role.iam_assumed_role_arn}")
    unused = [r for r in roles if not r.authorized and not r.feature_types]
    for role in sorted(unused, key=lambda r: _timestamp(r.created_date), reverse=True):
        add(role, "created but not authorized yet (an earlier, unfinished set-up)")
    return choices


def _timestamp(moment: datetime | None) -> float:
    return moment.timestamp() if moment else 0.0


def chosen_role(state: ProjectState, inputs: OnboardAwsInputs) -> AwsIamRole | None:
    """The role the journey uses: the one named in the inputs, else the best reusable one.

    A role already authorized for another IAM role is not picked on its own once the operator has named
    the IAM role: re-authorizing it would take it away from whatever uses it.
    """
    if inputs.role_id:
        return state.aws_role(inputs.role_id)
    if inputs.create_new_role:
        return None
    roles = [c.role for c in reusable_roles(state)]
    if inputs.role_arn:
        roles = [r for r in roles if not r.authorized or r.iam_assumed_role_arn == inputs.role_arn]
    return roles[0] if roles else None


def describe_role(role: AwsIamRole) -> str:
    who = f"authorized for {role.iam_assumed_role_arn}" if role.authorized else "not authorized yet"
    return (
        f"Atlas role {role.role_id} ({who}); Atlas principal {role.atlas_aws_account_arn}, "
        f"external ID {role.atlas_assumed_role_external_id}"
    )


def required_trust_policy(role: AwsIamRole) -> dict:
    """The trust policy that lets this Atlas role assume the IAM role, and nobody else."""
    return trust_policy(role.atlas_aws_account_arn or "", role.atlas_assumed_role_external_id or "")


class RoleStep(Step[OnboardAwsInputs]):
    key = "role"
    title = "Atlas role"
    help = """\
**The Atlas role** is Atlas' side of the trust between Atlas and your AWS account (a *cloud
provider access* role). Atlas gives it a principal (`atlasAWSAccountArn`) and an external ID
(`atlasAssumedRoleExternalId`) that your IAM role's trust policy must name.

The wizard reuses a role this project already has (the one encryption uses, or an authorized one)
and never creates a second one when you resume.
"""

    def assess(self, state: ProjectState, inputs: OnboardAwsInputs) -> StepView:
        role = chosen_role(state, inputs)
        if inputs.role_id and role is None:
            known = ", ".join(r.role_id for r in state.access.aws_roles) or "none"
            return self.view(
                StepState.BLOCKED,
                f"Atlas role {inputs.role_id} is not in this project",
                f"It was removed or belongs to another project. Choose an existing role ({known}) or create a new one.",
            )
        if role is None:
            return self.view(StepState.TODO, "Atlas will create a new AWS role for this project")
        return self.view(StepState.DONE, describe_role(role))

    def plan(self, state: ProjectState, inputs: OnboardAwsInputs) -> list[PlannedCall]:
        if chosen_role(state, inputs) is not None:
            return []
        return [calls.create_aws_role(state.project_id)]

    async def apply(self, run: JourneyRun[OnboardAwsInputs], progress: Progress) -> None:
        state = await run.read_state()
        role = chosen_role(state, run.inputs)
        if run.inputs.role_id and role is None:
            raise InputError(self.assess(state, run.inputs).reason or "")
        if role is not None:
            if run.inputs.role_id != role.role_id:
                run.inputs.role_id = role.role_id
                run.record_decision("reuse Atlas role", role.role_id)
                run.save_inputs()
            progress(ProgressEvent(self.key, f"Using {describe_role(role)}", 1.0))
            return
        progress(ProgressEvent(self.key, "Creating the Atlas role for AWS"))
        try:
            role = await run.client.create_aws_role(run.project_id)
        except AtlasError as err:  # a lost answer too: the role may exist, the journal says it was tried
            run.record_change("ATLAS", "create AWS cloud provider access role", error=err)
            raise
        run.record_change(
            "ATLAS",
            "create AWS cloud provider access role",
            result={
                "roleId": role.role_id,
                "atlasAWSAccountArn": role.atlas_aws_account_arn,
                "atlasAssumedRoleExternalId": role.atlas_assumed_role_external_id,
            },
        )
        role = await self._one_new_role(run, progress, state, role)
        run.inputs.role_id = role.role_id
        run.inputs.create_new_role = False
        run.save_inputs()
        progress(ProgressEvent(self.key, f"Using {describe_role(role)}", 1.0))

    async def _one_new_role(
        self, run: JourneyRun[OnboardAwsInputs], progress: Progress, before: ProjectState, created: AwsIamRole
    ) -> AwsIamRole:
        """The role this project keeps when another wizard created one at the same moment.

        Roles created since ``before`` was read and still unused are this run's and the other's. Every
        run keeps the oldest, and a run whose own role is not the oldest removes it. Atlas dates roles to
        the second and lists them in the order it created them, so within one second the first listed
        is the oldest: a run that saw only its own role kept the one every later run sees first, and the
        project ends with one role however the creations interleaved.
        """
        known = {r.role_id for r in before.access.aws_roles}
        live = (await run.client.list_cloud_provider_access(run.project_id)).aws_roles
        fresh = [r for r in live if r.role_id not in known and not r.authorized and not r.feature_types]
        if created.role_id not in {r.role_id for r in fresh}:
            return created
        order = {r.role_id: position for position, r in enumerate(fresh)}
        kept = min(fresh, key=lambda r: (_timestamp(r.created_date), order[r.role_id]))
        if kept.role_id == created.role_id:
            return created
        progress(ProgressEvent(self.key, f"Another wizard created Atlas role {kept.role_id} meanwhile: using it"))
        what = f"remove Atlas role {created.role_id} (role {kept.role_id} was created at the same time)"
        try:
            await run.client.deauthorize_role(run.project_id, PROVIDER_AWS, created.role_id)
        except AtlasError as err:
            run.record_change("ATLAS", what, error=err)
            raise
        run.record_change("ATLAS", what)
        run.record_decision("reuse Atlas role", kept.role_id)
        return kept


class AuthorizeStep(Step[OnboardAwsInputs]):
    key = "authorize"
    title = "Trust policy and authorization"
    help = """\
**Trust policy and authorization.** Your IAM role must trust the Atlas principal, and only with
this project's external ID:

```json
{"Effect": "Allow", "Principal": {"AWS": "<atlasAWSAccountArn>"}, "Action": "sts:AssumeRole",
 "Condition": {"StringEquals": {"sts:ExternalId": "<atlasAssumedRoleExternalId>"}}}
```

Then Atlas is given the role's ARN and tries to assume it. IAM changes take a while to reach every
AWS region, so `CANNOT_ASSUME_ROLE` for a minute or two after a correct change is normal: the wizard
retries with a countdown. With AWS credentials it reads the trust policy first and tells you exactly
what is wrong (principal, external ID, action) instead of waiting in vain; it can also create the
role or merge the Atlas statement into its trust policy, keeping every other statement.
"""

    def assess(self, state: ProjectState, inputs: OnboardAwsInputs) -> StepView:
        role = chosen_role(state, inputs)
        if role is None:
            return self.view(StepState.TODO, "Waiting for the Atlas role", "Create or choose the Atlas role first.")
        wanted = inputs.role_arn
        if role.authorized and (wanted is None or wanted == role.iam_assumed_role_arn):
            return self.view(StepState.DONE, f"Atlas assumes {role.iam_assumed_role_arn}")
        if wanted is None:
            return self.view(
                StepState.TODO,
                "Put the trust policy on your IAM role, then give its ARN: " + json.dumps(required_trust_policy(role)),
                "Needs the IAM role ARN (arn:aws:iam::<account id>:role/<name>).",
            )
        if role.authorized:
            return self.view(StepState.TODO, f"Re-authorize: Atlas assumes {role.iam_assumed_role_arn}, not {wanted}")
        return self.view(StepState.TODO, f"Authorize Atlas to assume {wanted}")

    def plan(self, state: ProjectState, inputs: OnboardAwsInputs) -> list[PlannedCall]:
        role = chosen_role(state, inputs)
        if role is not None and role.authorized and inputs.role_arn in (None, role.iam_assumed_role_arn):
            return []
        arn = inputs.role_arn or "arn:aws:iam::<account id>:role/<name>"
        planned = []
        if inputs.manage_trust_policy:
            name = parse_role_ref(arn).name if inputs.role_arn else "<name>"
            if role is not None:
                wanted = required_trust_policy(role)
            else:
                wanted = trust_policy(PRINCIPAL_PLACEHOLDER, EXTERNAL_ID_PLACEHOLDER)
            planned.append(calls.update_trust_policy(name, wanted))
        planned.append(calls.authorize_aws_role(state.project_id, role.role_id if role else ROLE_PLACEHOLDER, arn))
        return planned

    async def apply(self, run: JourneyRun[OnboardAwsInputs], progress: Progress) -> None:
        state = await run.read_state()
        role = chosen_role(state, run.inputs)
        if role is None:
            raise StepError(self.key, "No Atlas role yet", "The role step has not run.", "Run the role step first.")
        arn = run.inputs.role_arn
        if role.authorized and arn in (None, role.iam_assumed_role_arn):
            return
        if arn is None:
            raise InputError("Give the ARN of the IAM role Atlas should assume: arn:aws:iam::<account id>:role/<name>.")
        check_role(arn, None, atlas_partition(run.client.base_url))  # nothing is sent for a role Atlas cannot use
        checked = changed = False
        if run.aws is not None:
            checked, changed = await self._check_trust_policy(run, run.aws, progress, role, arn)
        await self._authorize(run, progress, role, arn, checked=checked, changed=changed)

    async def _check_trust_policy(
        self, run: JourneyRun[OnboardAwsInputs], aws: AwsAccount, progress: Progress, role: AwsIamRole, arn: str
    ) -> tuple[bool, bool]:
        """Read the IAM role's trust policy; fix it when allowed, else stop with what is wrong.

        Returns whether the policy could be checked and whether the wizard just changed it.
        """
        ref = parse_role_ref(arn)
        account = (await aws.caller_identity()).get("Account")
        if account != ref.account_id and run.inputs.manage_trust_policy:
            raise StepError(
                self.key,
                f"The wizard cannot create or update {ref.name}",
                f"The role is in account {ref.account_id}, the AWS credentials in use are for account {account}.",
                f"Use AWS credentials for {ref.account_id}, or set the trust policy yourself and untick the option "
                "on the trust policy page; nothing was sent.",
            )
        if account != ref.account_id:
            progress(
                ProgressEvent(
                    self.key,
                    f"The AWS credentials are for account {account}, the role is in {ref.account_id}: its trust policy "
                    "cannot be read here, Atlas' answer will tell",
                )
            )
            return False, False
        principal, external_id = role.atlas_aws_account_arn or "", role.atlas_assumed_role_external_id or ""
        wanted = required_trust_policy(role)
        progress(ProgressEvent(self.key, f"Reading the trust policy of IAM role {ref.name}"))
        info = await aws.get_role(ref.name)
        if info is None:
            if not run.inputs.manage_trust_policy:
                raise StepError(
                    self.key,
                    f"IAM role {ref.name} does not exist in account {ref.account_id}",
                    "Atlas cannot assume a role that does not exist.",
                    f"Create it with this trust policy, or let the wizard create it: {json.dumps(wanted)}",
                )
            info = await self._create_iam_role(run, aws, progress, ref.name, wanted)
            if info is None:
                return True, True
        problems = diagnose_trust_policy(info.trust_policy, principal, external_id)
        if not problems:
            progress(ProgressEvent(self.key, f"The trust policy of {ref.name} lets Atlas assume it"))
            return True, False
        if not run.inputs.manage_trust_policy:
            raise StepError(
                self.key,
                f"Misconfiguration: the trust policy of {ref.name} does not let Atlas assume it",
                " ".join(p.message for p in problems),
                " ".join(p.fix for p in problems),
            )
        merged = merge_trust_policy(info.trust_policy, principal, external_id)
        await aws.update_trust_policy(ref.name, merged.policy)
        run.record_change("AWS", f"update trust policy of IAM role {ref.name}", inputs={"changes": merged.changes})
        progress(ProgressEvent(self.key, f"Updated the trust policy of {ref.name}: " + " ".join(merged.changes)))
        return True, True

    async def _create_iam_role(
        self, run: JourneyRun[OnboardAwsInputs], aws: AwsAccount, progress: Progress, name: str, wanted: dict
    ) -> IamRoleInfo | None:
        """Create the IAM role with the Atlas trust policy; None once created.

        When it appeared since it was read (another wizard on this project created it a moment ago), the
        role as it is now is returned instead, for its trust policy to be checked like any existing one.
        """
        try:
            await aws.create_role(name, wanted)
        except AwsError as err:
            if err.code != ENTITY_ALREADY_EXISTS:
                raise
            existing = await aws.get_role(name)
            if existing is None:
                raise
            progress(ProgressEvent(self.key, f"IAM role {name} was created meanwhile; checking its trust policy"))
            return existing
        run.record_change("AWS", f"create IAM role {name}", inputs={"trust_policy": wanted})
        progress(ProgressEvent(self.key, f"Created IAM role {name} with the Atlas trust policy"))
        return None

    async def _authorize(
        self,
        run: JourneyRun[OnboardAwsInputs],
        progress: Progress,
        role: AwsIamRole,
        arn: str,
        *,
        checked: bool,
        changed: bool,
    ) -> None:
        timing = run.timing
        failures: list[str] = []

        def explain(err: Exception, attempt: int, elapsed: float) -> str:
            detail = getattr(err, "detail", None) or str(err)
            repeated = len(failures) >= 2 and len(set(failures[-3:])) == 1
            if elapsed < timing.access_suspicious_after or not repeated:
                why = "the trust policy was just changed" if changed else "IAM changes take time to reach Atlas"
                return f"IAM propagation: Atlas cannot assume {arn} yet ({why}); attempt {attempt} failed"
            if checked:
                return (
                    f"Still refused after {int(elapsed)} s although the trust policy lets Atlas in ({detail}). "
                    f"Check that {arn} is exactly this role (path included); attempt {attempt} failed"
                )
            return (
                f"Misconfiguration: Atlas has been refused the same way for {int(elapsed)} s ({detail}). "
                f"Check the trust policy names principal {role.atlas_aws_account_arn} and external ID "
                f"{role.atlas_assumed_role_external_id}; attempt {attempt} failed"
            )

        def should_retry(err: Exception) -> bool:
            if isinstance(err, AtlasApiError) and err.error_code == CANNOT_ASSUME_ROLE:
                failures.append(err.detail or "")
                return True
            return False

        progress(ProgressEvent(self.key, f"Authorizing Atlas to assume {arn}"))
        try:
            updated = await retry_while(
                run,
                progress,
                self.key,
                lambda: run.client.authorize_aws_role(run.project_id, role.role_id, arn),
                should_retry=should_retry,
                explain=explain,
                budget=timing.access_budget,
                backoff=Backoff(timing.first_retry, timing.max_retry),
            )
        except AtlasError as err:
            run.record_change(
                "ATLAS", f"authorize Atlas role {role.role_id}", inputs={"iamAssumedRoleArn": arn}, error=err
            )
            if not isinstance(err, AtlasApiError) or err.error_code != CANNOT_ASSUME_ROLE:
                raise
            raise _still_refused(self.key, role, arn, len(failures), err, checked=checked) from err
        run.record_change(
            "ATLAS",
            f"authorize Atlas role {role.role_id}",
            inputs={"iamAssumedRoleArn": arn},
            result={"authorizedDate": updated.authorized_date, "attempts": len(failures) + 1},
        )
        progress(ProgressEvent(self.key, f"Atlas assumes {arn}", 1.0))


def _still_refused(
    step_key: str, role: AwsIamRole, arn: str, attempts: int, err: AtlasApiError, *, checked: bool
) -> StepError:
    """Atlas kept refusing after IAM had time to propagate: what that can mean, given what was checked."""
    what = f"Atlas still cannot assume {arn} after {attempts} attempts"
    if checked:
        return StepError(
            step_key,
            what,
            f"{err.detail or err}. The role exists and its trust policy names the Atlas principal and external ID, "
            "so something else stops Atlas: another role than the one checked, or a deny outside the role.",
            "Check the ARN is exactly this role (path included), and that no service control policy or "
            "permissions boundary denies sts:AssumeRole to the Atlas principal; then try again.",
            CANNOT_ASSUME_ROLE,
        )
    return StepError(
        step_key,
        what,
        f"{err.detail or err}. IAM propagation finishes within a few minutes: either the role {arn} does not "
        "exist, or its trust policy does not let this Atlas role in (the wizard could not read it without "
        "AWS credentials for that account).",
        "Check the role exists in that account, and that its trust policy allows exactly this, then try again: "
        + json.dumps(required_trust_policy(role)),
        CANNOT_ASSUME_ROLE,
    )
