"""The first failover page, and the calmest: what is wrong, what can be done, and one action."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, Static

from cmkwizard.aws.regions import to_aws_region
from cmkwizard.errors import InputError
from cmkwizard.journeys import rehearsal
from cmkwizard.journeys.base import StepView
from cmkwizard.journeys.diagnosis import Diagnosis, diagnose
from cmkwizard.journeys.failover_steps import healthy_choices
from screens.failover.page import FailoverPage
from screens.onboard_aws.aws_panel import AwsPanel
from screens.widgets.error_panel import ErrorPanel
from screens.widgets.field import Field, ParsedBy
from screens.widgets.status_pane import StatusPane


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
    "Give the region to move to: where the key has an enabled replica. With your AWS credentials (Use my AWS "
    "credentials, above) the wizard finds the replicas and fills this in."
)


class DiagnosisScreen(FailoverPage):
    PAGE_KEY = "diagnosis"
    APPLY_LABEL = "Move to this region"

    def compose_failover(self) -> ComposeResult:
        card = Static("Asking Atlas and KMS what is wrong…", id="diagnosis", classes="card")
        card.border_title = "What is wrong"
        yield card
        yield AwsPanel(self.flow, self.flow.context.aws_account)
        yield Field(
            "Region to move to",
            id="target",
            value=self.flow.inputs.target_region or "",
            placeholder="a healthy region of the key, e.g. us-west-2",
            hint="AWS form (us-west-2) or Atlas form (US_WEST_2).",
            validators=[ParsedBy(to_aws_region)],
            optional=True,
        )
        if self.flow.context.sandbox is not None:
            yield from self.compose_drill_controls()

    def compose_drill_controls(self) -> ComposeResult:
        """The rehearsal's outage switch: a region taken down is down for Atlas and for the wizard."""
        region = to_aws_region(self.flow.state.encryption.aws_kms.region or "us-east-1")
        with Vertical(id="drill", classes="card"):
            yield Static("", id="drill-status")
            with Horizontal(classes="actions"):
                yield Button(f"Take {region} down", id="drill-down", compact=True)
                yield Button("Bring every region back", id="drill-up", compact=True)
            yield ErrorPanel(id="drill-error")

    def on_mount(self) -> None:
        super().on_mount()
        # The one action has the focus: enter moves, or says what is missing and takes the operator there.
        self._focus_apply()
        for drill in self.query("#drill"):
            drill.border_title = "REHEARSAL controls"
            self.switch_outage(None)

    @on(Button.Pressed, "#drill-down")
    def _take_down(self) -> None:
        self.switch_outage(self.flow.state.encryption.aws_kms.region or "us-east-1")

    @on(Button.Pressed, "#drill-up")
    def _bring_back(self) -> None:
        self.switch_outage("")

    @work(exclusive=True, exit_on_error=False, group="drill")
    async def switch_outage(self, region: str | None) -> None:
        """Take ``region`` down, bring every region back (``""``), or only read (None); then look again."""
        sandbox = self.flow.context.sandbox
        assert sandbox is not None
        error = self.query_one("#drill-error", ErrorPanel)
        error.clear()
        try:
            if region is None:
                down = await rehearsal.regions_down(sandbox.atlas_base_url)
            elif region:
                down = await rehearsal.set_region_down(sandbox.atlas_base_url, region, True)
            else:
                down = await rehearsal.end_outage(sandbox.atlas_base_url)
        except Exception as err:  # explained in the card
            error.show(err)
            return
        status = f"KMS is down in: {', '.join(down)}" if down else "Every KMS region answers."
        self.query_one("#drill-status", Static).update(status)
        if region is not None:
            self.query_one(StatusPane).poll_now()
            self.observe()

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
    def _aws_ready(self, event: AwsPanel.Ready) -> None:
        self.observe()
        if event.focus_lost:
            self._focus_apply()

    @on(Input.Submitted, "#target-input")
    def _target_submitted(self) -> None:
        self.action_apply()

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
