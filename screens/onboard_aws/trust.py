"""Page 2: the trust policy the IAM role needs: copy or save it, merge it into the role's current one,
or let the wizard apply it with AWS credentials."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Checkbox, Static, TextArea

from cmkwizard.aws.policies import PolicyError, merge_trust_policy
from cmkwizard.journeys.aws_access import chosen_role, required_trust_policy
from cmkwizard.journeys.base import StepView
from screens.onboard_aws.aws_panel import AwsPanel, aws_account
from screens.step_screen import StepScreen
from screens.widgets.policy_viewer import PolicyViewer
from screens.widgets.ticks import TickBox

PASTE_HINT = (
    "Paste the role's current trust policy here (aws iam get-role --role-name <name> "
    "--query Role.AssumeRolePolicyDocument), then choose Merge: the Atlas statement is added or "
    "replaced and every other statement is kept."
)


class TrustPolicyScreen(StepScreen):
    PAGE_KEY = "trust"
    APPLY_LABEL = "Next"
    RUNS_STEP = False

    def compose_page(self) -> ComposeResult:
        role = chosen_role(self.flow.state, self.flow.inputs)
        document = required_trust_policy(role) if role is not None else {}
        yield PolicyViewer(
            document, title="Trust policy for your IAM role", filename="atlas-trust-policy.json", id="trust-policy"
        )
        yield Static("", id="merge-changes", classes="section hidden")
        yield Static("Merge into the role's current trust policy", classes="section-title")
        yield Static(PASTE_HINT, classes="muted")
        yield TextArea(id="existing-policy", show_line_numbers=True)
        yield Static("", id="existing-policy-error", classes="field-error")
        with Horizontal(classes="actions"):
            yield Button("Merge", id="merge", compact=True)
        yield AwsPanel(self.flow, self.flow.context.aws_account)
        yield TickBox(
            "Let the wizard create the IAM role, or merge this statement into its trust policy, when authorizing",
            value=self.flow.inputs.manage_trust_policy,
            id="manage-trust",
            disabled=aws_account(self.flow) is None,
        )

    def describe(self, view: StepView) -> str:
        if chosen_role(self.flow.state, self.flow.inputs) is None:
            return view.reason or view.summary
        return (
            "Your IAM role must trust the Atlas principal with this project's external ID. Copy or save the "
            "policy below and put it on the role, merge it into the role's current trust policy, or let the "
            "wizard apply it with your AWS credentials. The next page asks for the role's ARN."
        )

    def update_page(self, view: StepView) -> None:
        role = chosen_role(self.flow.state, self.flow.inputs)
        if role is None:
            self.query_one("#merge", Button).disabled = True

    @on(AwsPanel.Ready)
    def _aws_ready(self, event: AwsPanel.Ready) -> None:
        checkbox = self.query_one("#manage-trust", Checkbox)
        checkbox.disabled = False
        if event.focus_lost:
            checkbox.focus()

    @on(Button.Pressed, "#merge")
    def merge(self) -> None:
        role = chosen_role(self.flow.state, self.flow.inputs)
        error = self.query_one("#existing-policy-error", Static)
        if role is None:
            return
        text = self.query_one("#existing-policy", TextArea).text
        if not text.strip():
            self._show_error("Paste the current trust policy first (a JSON object with a Statement list).")
            return
        try:
            merged = merge_trust_policy(
                text, role.atlas_aws_account_arn or "", role.atlas_assumed_role_external_id or ""
            )
        except PolicyError as err:
            self._show_error(err.message)
            return
        error.display = False
        self.query_one("#trust-policy", PolicyViewer).show(merged.policy, title="Merged trust policy")
        changes = self.query_one("#merge-changes", Static)
        changes.update("\n".join(f"• {change}" for change in merged.changes))
        changes.remove_class("hidden")

    def _show_error(self, message: str) -> None:
        error = self.query_one("#existing-policy-error", Static)
        error.update(message)
        error.display = True

    def collect_inputs(self) -> bool:
        self.flow.inputs.manage_trust_policy = self.query_one("#manage-trust", Checkbox).value
        return True
