"""Page 5 (optional): private endpoints to the key vault, and their approval on the vault."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Checkbox, Static

from cmkwizard.journeys.azure_endpoints import IMMUTABLE_NOTE
from screens.onboard_azure.azure_panel import AzurePanel, azure_vault
from screens.pages.endpoints import EndpointsScreen
from screens.widgets.ticks import TickBox


class AzureEndpointsScreen(EndpointsScreen):
    def compose_page(self) -> ComposeResult:
        yield from super().compose_page()
        yield Static(
            "Each endpoint waits in PENDING_ACCEPTANCE until its connection is approved on the key vault. "
            + IMMUTABLE_NOTE.replace("**", ""),
            classes="muted section",
        )
        yield AzurePanel(self.flow, self.flow.context.azure_key_vault)
        yield TickBox(
            "Approve Atlas' connections on the vault with my Azure credentials",
            value=self.flow.inputs.approve_endpoints,
            id="approve-endpoints",
            disabled=azure_vault(self.flow) is None,
        )

    @on(AzurePanel.Ready)
    def _azure_ready(self) -> None:
        approve = self.query_one("#approve-endpoints", Checkbox)
        approve.disabled = False
        approve.focus()

    def collect_inputs(self) -> bool:
        if not super().collect_inputs():
            return False
        self.flow.inputs.approve_endpoints = self.query_one("#approve-endpoints", Checkbox).value
        return True
