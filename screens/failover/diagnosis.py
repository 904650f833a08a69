"""The first failover page, and the calmest: what is wrong, what can be done, and one action."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from cmkwizard.aws.regions import to_aws_region
from cmkwizard.errors import InputError
from cmkwizard.journeys.base import StepView
from cmkwizard.journeys.diagnosis import Diagnosis, diagnose
from cmkwizard.journeys.failover_steps import healthy_choices
from screens.failover.page import FailoverPage
from screens.onboard_aws.aws_panel import AwsPanel
from screens.widgets.field import Field, ParsedBy


def diagnosis_text(found: Diagnosis) -> Content:
    lines = [Content.from_markup("[b]$headline[/b]", headline=found.headline), Content("")]
    lines.append(Content.from_markup("[b]What can be done[/b]  $remedy", remedy=found.remedy))
    if found.at_risk:
        lines += [Content(""), Content.from_markup("[b]At risk[/b] (nodes stay up until they restart)")]
        lines += [
            Content.from_markup("  $name ($state): $note", name=r.cluster, state=r.state, note=r.note)
            for r in found.at_risk
        ]
    if found.open_events:
        lines += [Content(""), Content.from_markup("[b]Open in Atlas[/b]")]
        lines += [Content.from_markup("  [$warning]$event[/]", event=e) for e in found.open_events]
    if found.evidence:
        lines += [Content(""), Content.from_markup("[b]KMS by region[/b]")]
        lines += [Content.from_markup("  $line", line=e) for e in found.evidence]
    return Content("\n").join(lines)


NO_TARGET = (
    "Give the region to move to: where the key has an enabled replica (with your AWS credentials the wizard "
    "finds them and fills this in)."
)


class DiagnosisScreen(FailoverPage):
    PAGE_KEY = "diagnosis"
    APPLY_LABEL = "Move to this region"

    def compose_failover(self) -> ComposeResult:
        card = Static("Asking Atlas and KMS what is wrong…", id="diagnosis", classes="card")
        card.border_title = "What is wrong"
        yield card
        yield AwsPanel(self.flow, self.wizard.context.aws_account)
        yield Field(
            "Region to move to",
            id="target",
            value=self.flow.inputs.target_region or "",
            placeholder="a healthy region of the key, e.g. us-west-2",
            hint="AWS form (us-west-2) or Atlas form (US_WEST_2).",
            validators=[ParsedBy(to_aws_region)],
            optional=True,
        )

    def describe(self, view: StepView) -> str:
        """Nothing above the diagnosis: what is wrong comes first."""
        return ""

    def update_page(self, view: StepView) -> None:
        state = self.flow.state
        if not state.observed:
            return
        self.query_one("#diagnosis", Static).update(diagnosis_text(diagnose(state)))
        target = self.query_one("#target", Field)
        choices = healthy_choices(state)
        if not target.value and choices:
            target.value = choices[0]

    @on(AwsPanel.Ready)
    def _aws_ready(self) -> None:
        self.observe()

    def collect_inputs(self) -> bool:
        target = self.query_one("#target", Field)
        if not target.check():
            return False
        if not target.value:
            target.show_error(NO_TARGET)
            return False
        try:
            region = to_aws_region(target.value)
        except InputError as err:
            target.show_error(err.message)
            return False
        self.flow.inputs.target_region = region
        self.flow.inputs.rehearsal = self.rehearsal
        return True
