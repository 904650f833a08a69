"""Page 3: enable encryption at rest with the azureKeyVault block, showing the configuration before and after."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Button, Checkbox, Static

from cmkwizard.journeys.azure_enable import planned_change
from cmkwizard.journeys.base import StepView
from screens.onboard_aws.enable import EnableScreen, before_after
from screens.widgets.ticks import TickBox

MOVE_LABEL = "Move to the service principal"


class AzureEnableScreen(EnableScreen):
    def compose_page(self) -> ComposeResult:
        akv = self.flow.state.encryption.azure_key_vault
        if akv.uses_legacy_credentials:  # the choice comes first: it is what this page changes
            yield TickBox(
                f"Move from application {akv.client_id}'s secret to Atlas' service principal",
                value=self.flow.inputs.confirm_legacy_migration,
                id="legacy-migration",
            )
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
        if self.flow.state.encryption.azure_key_vault.uses_legacy_credentials:
            self.query_one("#apply", Button).label = MOVE_LABEL

    def collect_inputs(self) -> bool:
        for checkbox in self.query("#legacy-migration").results(Checkbox):
            self.flow.inputs.confirm_legacy_migration = checkbox.value
        return True
