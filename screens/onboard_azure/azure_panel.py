"""Whether the wizard acts in Azure itself: says so, or offers to sign in with the environment's identity."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Static

from cmkwizard.atlas.models import PROVIDER_AZURE
from cmkwizard.journeys.base import CloudSession
from screens.widgets.error_panel import ErrorPanel

if TYPE_CHECKING:
    from cmkwizard.azure.adapters import AzureKeyVault
    from cmkwizard.azure.clouds import AzureCloud
    from screens.flow import JourneyFlow

WITHOUT_AZURE = "No Azure credentials in use: the wizard shows the az commands and portal steps, and you run them."


def signed_in(vault: AzureKeyVault) -> str:
    connection = vault.connection
    if connection.has_identity:
        return f"Acting in Azure as application {connection.client_id} in tenant {connection.tenant_id}."
    return (
        "Acting in Azure with this environment's identity (DefaultAzureCredential: environment, managed "
        "identity or az login)."
    )


def azure_vault(flow: JourneyFlow[Any]) -> AzureKeyVault | None:
    """The flow's Azure credentials, when the operator chose to use them."""
    cloud = flow.cloud
    return cloud.client if cloud is not None and cloud.provider == PROVIDER_AZURE else None


class AzurePanel(Vertical):
    """Posts `Ready` once `flow.cloud` holds Azure credentials that obtained a token."""

    class Ready(Message):
        pass

    def __init__(self, flow: JourneyFlow[Any], make_vault: Callable[[AzureCloud], AzureKeyVault]) -> None:
        super().__init__(id="azure-panel", classes="card")
        self.border_title = "Azure"
        self._flow = flow
        self._make_vault = make_vault

    def compose(self) -> ComposeResult:
        vault = azure_vault(self._flow)
        yield Static(signed_in(vault) if vault else WITHOUT_AZURE, id="azure-status")
        with Horizontal(classes="actions"):
            yield Button("Use my Azure credentials", id="use-azure", compact=True)
        yield ErrorPanel(id="azure-error")

    def on_mount(self) -> None:
        self.query_one("#use-azure").display = azure_vault(self._flow) is None

    @on(Button.Pressed, "#use-azure")
    def use_azure(self) -> None:
        self.sign_in()

    @work(exclusive=True, exit_on_error=False, group="azure-identity")
    async def sign_in(self) -> None:
        error, status = self.query_one("#azure-error", ErrorPanel), self.query_one("#azure-status", Static)
        error.clear()
        status.update("Signing in to Azure (a Resource Manager token)…")
        vault = self._make_vault(self._flow.inputs.cloud)
        try:
            await vault.sign_in()
        except Exception as err:  # explained in the panel
            await vault.aclose()
            status.update(WITHOUT_AZURE)
            error.show(err)
            return
        identity = vault.connection.client_id or "DefaultAzureCredential"
        self._flow.cloud = CloudSession(PROVIDER_AZURE, vault, identity)
        status.update(signed_in(vault))
        self.query_one("#use-azure").display = False
        self.post_message(self.Ready())
