"""Enabling the project with Azure Key Vault: the neutral enable page with the azureKeyVault block, and the
move from an app registration's secret to Atlas' service principal."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Button, Checkbox

from cmkwizard.atlas.models import PROVIDER_AZURE
from cmkwizard.journeys.azure_enable import AzureKeyVaultChange, planned_change
from cmkwizard.journeys.base import StepView
from screens.pages.enable import EnableScreen
from screens.widgets.ticks import TickBox

MOVE_LABEL = "Move to the service principal"


class AzureEnableScreen(EnableScreen):
    PROVIDER = PROVIDER_AZURE
    NOT_READY = "Set up Atlas' access and choose the key first."

    def planned_change(self) -> AzureKeyVaultChange | None:
        return planned_change(self.flow.state, self.flow.inputs)

    def compose_page(self) -> ComposeResult:
        akv = self.flow.state.encryption.azure_key_vault
        if akv.uses_legacy_credentials:  # the choice comes first: it is what this page changes
            yield TickBox(
                f"Move from application {akv.client_id}'s secret to Atlas' service principal",
                value=self.flow.inputs.confirm_legacy_migration,
                id="legacy-migration",
            )
        yield from super().compose_page()

    def update_page(self, view: StepView) -> None:
        super().update_page(view)
        if self.flow.state.encryption.azure_key_vault.uses_legacy_credentials:
            self.query_one("#apply", Button).label = MOVE_LABEL

    def collect_inputs(self) -> bool:
        for checkbox in self.query("#legacy-migration").results(Checkbox):
            self.flow.inputs.confirm_legacy_migration = checkbox.value
        return True
