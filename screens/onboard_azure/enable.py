"""Page 3: enable encryption at rest with the azureKeyVault block, showing the configuration before and after."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from cmkwizard.journeys.azure_enable import planned_change
from cmkwizard.journeys.base import StepView
from screens.onboard_aws.enable import EnableScreen, before_after


class AzureEnableScreen(EnableScreen):
    def compose_page(self) -> ComposeResult:
        card = Static("", id="before-after", classes="card")
        card.border_title = "Azure Key Vault configuration: now → after"
        yield card

    def update_page(self, view: StepView) -> None:
        change = planned_change(self.flow.state, self.flow.inputs)
        card = self.query_one("#before-after", Static)
        if change is None:
            card.update("Set up Atlas' access and choose the key first.")
        elif not change.changed:
            card.update(Content("Nothing to change; the wizard only waits for Atlas to report valid: true."))
        else:
            card.update(before_after(change))

    def collect_inputs(self) -> bool:
        return True
