"""Page 1 of a rotation: where the key stands, and the choice to rotate now or keep the key."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.widgets import RadioSet, Static

from cmkwizard.atlas.models import PROVIDER_AWS
from cmkwizard.errors import InputError
from cmkwizard.journeys.rotate_inputs import KEEP_KEY, ROTATE
from cmkwizard.journeys.rotation_facts import where_things_stand
from screens.onboard_aws.aws_panel import AwsPanel
from screens.onboard_azure.azure_panel import AzurePanel
from screens.rotate.facts import observed_state
from screens.step_screen import StepScreen
from screens.widgets.error_panel import ErrorPanel
from screens.widgets.ticks import Choice


class StandingScreen(StepScreen):
    PAGE_KEY = "standing"
    APPLY_LABEL = "Continue"

    def compose_page(self) -> ComposeResult:
        card = Static("Reading the project's key events and rotation alert…", id="standing", classes="card")
        card.border_title = "Where things stand"
        yield card
        yield ErrorPanel(id="standing-error")
        inputs = self.flow.inputs
        with RadioSet(id="mode"):
            yield Choice("Rotate now: move Atlas to a new key", value=inputs.mode != KEEP_KEY, id="mode-rotate")
            yield Choice("Keep the key, only review the alert", value=inputs.mode == KEEP_KEY, id="mode-keep")
        context = self.flow.context
        if inputs.provider == PROVIDER_AWS:
            yield AwsPanel(self.flow, context.aws_account, self.flow.state.encryption.aws_kms.region)
        else:
            yield AzurePanel(self.flow, context.azure_key_vault)

    def on_mount(self) -> None:
        super().on_mount()
        if self.flow.state.observed:
            self._show_facts()
        else:
            self.read_facts()

    @on(AwsPanel.Ready)
    @on(AzurePanel.Ready)
    def _cloud_ready(self) -> None:
        self.read_facts()

    @work(exclusive=True, exit_on_error=False, group="facts")
    async def read_facts(self) -> None:
        error = self.query_one("#standing-error", ErrorPanel)
        error.clear()
        try:
            await observed_state(self.flow)
        except Exception as err:  # explained on the page
            error.show(err)
            return
        self._show_facts()

    def _show_facts(self) -> None:
        lines = where_things_stand(self.flow.state, self.flow.inputs.provider, self.flow.clock.now())
        self.query_one("#standing", Static).update("\n".join(lines))

    def collect_inputs(self) -> bool:
        mode = KEEP_KEY if self.query_one("#mode-keep", Choice).value else ROTATE
        try:
            self.flow.inputs.begin(self.flow.state, mode)
        except InputError as err:
            self.query_one("#standing-error", ErrorPanel).show(err)
            return False
        return True
