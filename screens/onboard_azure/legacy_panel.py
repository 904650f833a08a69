"""The app registration a project still reaches Key Vault with: its secret's expiry, and the secret itself,
checked by signing in as the application and kept only in the keyring."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, Static

from cmkwizard.azure.errors import AzureError, InputError
from cmkwizard.journeys.azure_legacy import (
    check_app_secret,
    expiry_lookup,
    parse_expiry,
    recall_secret,
    remember_secret,
    secret_expiry,
)
from cmkwizard.secrets import Secret, SecretStore, SecretStoreError
from screens.widgets.error_panel import ErrorPanel
from screens.widgets.field import Field, ParsedBy

if TYPE_CHECKING:
    from cmkwizard.atlas.models import AzureKeyVaultConfig
    from cmkwizard.context import AppContext
    from screens.flow import JourneyFlow

DEFAULT_PROFILE = "default"


class LegacyAppPanel(Vertical):
    """Shown while Atlas reaches the vault with an app registration's client ID, tenant ID and secret."""

    def __init__(self, flow: JourneyFlow[Any], context: AppContext, config: AzureKeyVaultConfig) -> None:
        super().__init__(id="legacy-app", classes="notice")
        self.border_title = "Atlas uses an app registration's secret"
        self._flow = flow
        self._app_context = context
        self._akv = config
        self._secrets = SecretStore()

    @property
    def client_id(self) -> str:
        return self._akv.client_id or ""

    @property
    def profile(self) -> str:
        return self._app_context.settings.profile_name or DEFAULT_PROFILE

    def compose(self) -> ComposeResult:
        yield Static(
            f"Atlas reaches key vault {self._akv.key_vault_name} as application {self.client_id} (tenant "
            f"{self._akv.tenant_id}) with a client secret that expires. Atlas' service principal below replaces "
            "it: you confirm the move on the Enable page.",
            id="legacy-about",
        )
        yield Field(
            "Secret expires on",
            id="secret-expiry",
            value=self._flow.inputs.legacy_secret_expires or "",
            placeholder="YYYY-MM-DD",
            hint=expiry_lookup(self.client_id),
            validators=[ParsedBy(parse_expiry)],
            optional=True,
        )
        yield Static("", id="secret-expiry-note")
        yield Field(
            "Client secret (optional)",
            id="app-secret",
            password=True,
            optional=True,
            hint="Checked by signing in as the application, then kept only in the keyring.",
        )
        with Horizontal(classes="actions"):
            yield Button("Check the secret", id="check-secret", compact=True)
        yield Static("", id="secret-status", classes="muted")
        yield ErrorPanel(id="secret-error")

    def on_mount(self) -> None:
        self._show_expiry()
        self._recall()

    @on(Input.Changed, "#secret-expiry-input")
    def _show_expiry(self) -> None:
        text = self.query_one("#secret-expiry", Field).value
        try:
            expires = parse_expiry(text) if text.strip() else None
        except InputError:
            return
        expiry = secret_expiry(self.client_id, expires, self._app_context.clock.now().date())
        note = self.query_one("#secret-expiry-note", Static)
        style = "$warning" if expiry.warning else "$text-muted"
        note.update(Content.from_markup(f"[{style}]$text[/]", text=expiry.text))

    def collect(self) -> bool:
        """The expiry into the inputs; False (with the message shown) when it is not a date."""
        field = self.query_one("#secret-expiry", Field)
        if not field.check():
            return False
        self._flow.inputs.set_legacy_secret_expiry(field.value)
        return True

    @work(thread=True, exclusive=True, exit_on_error=False, group="app-secret-recall")
    def _recall(self) -> None:
        if recall_secret(self._secrets, self.profile, self.client_id) is not None:
            self.app.call_from_thread(
                self.query_one("#secret-status", Static).update,
                f"A secret of application {self.client_id} is in the keyring: Check uses it when the field is empty.",
            )

    @on(Button.Pressed, "#check-secret")
    def _check_pressed(self) -> None:
        self.check_secret()

    @work(exclusive=True, exit_on_error=False, group="app-secret")
    async def check_secret(self) -> None:
        from cmkwizard.azure.adapters import AzureKeyVault

        field = self.query_one("#app-secret", Field)
        status, error = self.query_one("#secret-status", Static), self.query_one("#secret-error", ErrorPanel)
        error.clear()
        typed = field.value.strip()
        secret = (
            Secret(typed)
            if typed
            else await asyncio.to_thread(recall_secret, self._secrets, self.profile, self.client_id)
        )
        field.value = ""  # a secret never stays on screen
        if secret is None:
            status.update("Type the application's client secret first.")
            return
        self._app_context.register_secret(secret)
        cloud = self._flow.inputs.cloud
        base = self._app_context.azure_key_vault(cloud)
        await base.aclose()
        identity = replace(
            base.connection, tenant_id=self._akv.tenant_id, client_id=self.client_id, client_secret=secret.reveal()
        )
        vault = AzureKeyVault(cloud=cloud, connection=identity)
        status.update(f"Signing in to Entra ID as application {self.client_id}…")
        try:
            await check_app_secret(vault)
        except AzureError as err:
            status.update("")
            error.show(err)
            return
        finally:
            await vault.aclose()
        accepted = f"Entra ID accepts this secret of application {self.client_id}."
        if not typed:
            status.update(accepted)
            return
        try:
            await asyncio.to_thread(remember_secret, self._secrets, self.profile, self.client_id, secret)
        except SecretStoreError as err:
            status.update(f"{accepted} Not kept: {err}")
            return
        status.update(f"{accepted} Kept in the keyring only ({self._secrets.backend_name}).")
