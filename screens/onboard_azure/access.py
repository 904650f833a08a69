"""Page 1: Atlas' service principal in the operator's tenant, and the Atlas role that names it."""

from __future__ import annotations

import os

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Static

from cmkwizard.azure.connection import AzureConnection
from cmkwizard.azure.errors import InputError
from cmkwizard.azure.guidance import REVOKED_ACCESS
from cmkwizard.azure.identifiers import parse_service_principal_id, parse_tenant_id
from cmkwizard.journeys.azure_access import access_commands, chosen_principal, describe_principal
from cmkwizard.journeys.azure_legacy import legacy_config
from cmkwizard.journeys.base import StepView
from screens.onboard_azure.commands import CommandBlock
from screens.onboard_azure.legacy_panel import LegacyAppPanel
from screens.step_screen import StepScreen
from screens.widgets.field import Field, ParsedBy


def signed_in_tenant() -> str:
    """The tenant of the Azure identity the wizard would use, when its environment names one."""
    return AzureConnection.from_env().tenant_id or os.environ.get("AZURE_TENANT_ID", "")


def plain(markdown: str) -> str:
    """Markdown emphasis and code marks dropped and paragraphs unwrapped, for a plain text block."""
    text = markdown.replace("**", "").replace("`", "").strip()
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in text.split("\n\n"))


class AccessScreen(StepScreen):
    PAGE_KEY = "access"
    APPLY_LABEL = "Create the Atlas role"

    def compose_page(self) -> ComposeResult:
        inputs = self.flow.inputs
        yield Static(
            f"Atlas signs in to your tenant as the service principal of its application {inputs.atlas_azure_app_id}. "
            "Create it once per tenant, let it use the vault's keys, then give its IDs below.",
            classes="muted section",
        )
        legacy = legacy_config(self.flow.state)
        yield CommandBlock(access_commands(inputs), title="Run in Azure (az CLI)", id="access-commands")
        yield Static(plain(REVOKED_ACCESS), id="revoked-access", classes="muted section")
        if legacy is not None:  # above the fields: the page opens scrolled to its end, where the fields are
            yield LegacyAppPanel(self.flow, self.flow.context, legacy)
        sandbox = self.flow.context.sandbox  # what the commands would print, under each field
        yield Field(
            "Tenant ID",
            id="tenant",
            value=inputs.tenant_id or (legacy.tenant_id if legacy else None) or signed_in_tenant(),
            placeholder="00000000-0000-0000-0000-000000000000",
            hint="az account show --query tenantId -o tsv (filled in from the Azure identity's tenant, if set)"
            + (f". In the sandbox it prints tenantId {sandbox.azure_tenant_id}" if sandbox else ""),
            validators=[ParsedBy(parse_tenant_id)],
        )
        yield Field(
            "Service principal object ID",
            id="principal",
            value=inputs.service_principal_id or "",
            placeholder="00000000-0000-0000-0000-000000000000",
            hint=f"az ad sp show --id {inputs.atlas_azure_app_id} --query id -o tsv (the object ID, not the app ID)"
            + (
                f". In the sandbox it prints servicePrincipalId {sandbox.azure_atlas_service_principal_id} (key "
                "permissions are granted)"
                if sandbox
                else ""
            ),
            validators=[ParsedBy(parse_service_principal_id)],
        )
        role = Static("", id="role", classes="card hidden")
        role.border_title = "Atlas role"
        yield role

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#tenant-input", Input).focus()

    def update_page(self, view: StepView) -> None:
        principal = chosen_principal(self.flow.state, self.flow.inputs)
        role = self.query_one("#role", Static)
        role.set_class(principal is None, "hidden")
        if principal is not None:
            role.update(describe_principal(principal))
        self.query_one("#apply").label = self.APPLY_LABEL if principal is None else "Use this role"

    @on(Input.Changed, "#principal-input")
    def _principal_changed(self) -> None:
        """The grant commands name the principal as typed."""
        inputs = self.flow.inputs
        previous = inputs.service_principal_id
        try:
            inputs.set_service_principal_id(self.query_one("#principal", Field).value)
        except InputError:
            return
        self.query_one("#access-commands", CommandBlock).show(access_commands(inputs))
        inputs.service_principal_id = previous

    def collect_inputs(self) -> bool:
        tenant, principal = self.query_one("#tenant", Field), self.query_one("#principal", Field)
        if not (tenant.check() & principal.check()):
            return False
        if not all(panel.collect() for panel in self.query(LegacyAppPanel)):
            return False
        inputs = self.flow.inputs
        try:
            inputs.set_tenant_id(tenant.value)
            inputs.set_service_principal_id(principal.value)
        except InputError as err:
            principal.show_error(err.message)
            return False
        current = chosen_principal(self.flow.state, inputs)
        if current is not None and (current.tenant_id, current.service_principal_id) != (
            inputs.tenant_id,
            inputs.service_principal_id,
        ):
            inputs.role_id = None  # the IDs changed: a role for them is found or created
        return True
