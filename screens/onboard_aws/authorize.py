"""Page 3: the IAM role's ARN, then authorization, retried with a countdown while IAM propagates."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input

from cmkwizard.aws.arns import parse_role_ref
from cmkwizard.aws.errors import InputError
from cmkwizard.journeys.aws_access import chosen_role
from cmkwizard.journeys.aws_inputs import atlas_partition, check_role
from cmkwizard.journeys.base import StepState, StepView
from screens.onboard_aws.aws_panel import aws_account, aws_account_id
from screens.step_screen import StepScreen
from screens.widgets.field import Field, ParsedBy


class AuthorizeScreen(StepScreen):
    PAGE_KEY = "authorize"
    APPLY_LABEL = "Authorize"

    def compose_page(self) -> ComposeResult:
        account = aws_account_id(self.flow)
        role = chosen_role(self.flow.state, self.flow.inputs)
        known = self.flow.inputs.role_arn or (role.iam_assumed_role_arn if role else None) or ""
        hint = "arn:aws:iam::<account id>:role/<name>"
        if account:
            hint += f", or just the role name (account {account})"
        yield Field(
            "IAM role Atlas assumes",
            id="role-arn",
            value=known,
            placeholder="arn:aws:iam::123456789012:role/atlas-kms",
            hint=hint,
            validators=[ParsedBy(self._role)],
        )

    def _role(self, text: str) -> str:
        """The role's ARN, refused here when the Atlas deployment cannot use it or the wizard cannot manage it."""
        inputs = self.flow.inputs
        managed_by = aws_account_id(self.flow) if inputs.manage_trust_policy and aws_account(self.flow) else None
        partition = atlas_partition(self.flow.context.settings.base_url.value)
        return check_role(text, aws_account_id(self.flow), partition, managed_by)

    def describe(self, view: StepView) -> str:
        if view.state in (StepState.DONE, StepState.BLOCKED):
            return super().describe(view)
        return (
            "Give the ARN of the IAM role whose trust policy you set up on the previous page. Atlas then tries "
            "to assume it; while IAM propagates the change the wizard retries with a countdown."
        )

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#role-arn-input", Input).focus()
        self._normalise(self.query_one("#role-arn", Field).value)

    @on(Input.Changed, "#role-arn-input")
    def _changed(self, event: Input.Changed) -> None:
        self._normalise(event.value)
        if self.running:
            self.query_one("#role-arn", Field).note("→ press enter to authorize this role instead")

    @on(Input.Submitted, "#role-arn-input")
    def _submitted(self) -> None:
        if self.running:
            self.restart_step()  # the retries start again with the ARN now typed
        else:
            self.action_apply()

    def _normalise(self, text: str) -> None:
        try:
            arn = parse_role_ref(text, aws_account_id(self.flow)).arn
        except InputError:
            arn = None
        self.query_one("#role-arn", Field).note(f"→ Atlas will assume {arn}" if arn else "")

    def collect_inputs(self) -> bool:
        field = self.query_one("#role-arn", Field)
        if not field.check():
            return False
        self.flow.inputs.role_arn = self._role(field.value)
        return True
