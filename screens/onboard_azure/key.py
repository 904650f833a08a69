"""Page 2: the Key Vault key, its environment, and the vault's subscription and resource group."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input

from cmkwizard.azure.clouds import cloud_for_environment
from cmkwizard.azure.errors import InputError
from cmkwizard.azure.guidance import vault_lookup_command
from cmkwizard.azure.identifiers import parse_key_identifier, parse_subscription_id, validate_resource_group
from cmkwizard.journeys.azure_inputs import check_key_in_environment
from screens.onboard_azure.azure_panel import AzurePanel
from screens.step_screen import StepScreen
from screens.widgets.field import Field, ParsedBy


class KeyScreen(StepScreen):
    PAGE_KEY = "key"
    APPLY_LABEL = "Check the key"

    def compose_page(self) -> ComposeResult:
        inputs = self.flow.inputs
        current = self.flow.state.encryption.azure_key_vault  # a configured project offers its values
        sandbox = self.flow.context.sandbox  # the sandbox's answers, under each field
        yield Field(
            "Azure environment",
            id="environment",
            value=inputs.azure_environment,
            hint="AZURE, AZURE_CHINA or AZURE_US_GOVERNMENT (az CLI names accepted).",
            validators=[ParsedBy(cloud_for_environment)],
        )
        yield Field(
            "Key identifier",
            id="key",
            value=inputs.key_identifier or current.key_identifier or "",
            placeholder="https://<vault>.vault.azure.net/keys/<key-name>/<key-version>",
            hint="The versioned identifier: az keyvault key show --vault-name <vault> --name <key> --query key.kid"
            + (f". In the sandbox: key {sandbox.azure_key_identifier}" if sandbox else ""),
            validators=[ParsedBy(self._parse_key)],
        )
        yield Field(
            "Subscription ID",
            id="subscription",
            value=inputs.subscription_id or current.subscription_id or "",
            placeholder="00000000-0000-0000-0000-000000000000",
            hint=f"In the sandbox: subscription {sandbox.azure_subscription_id}" if sandbox else "",
            validators=[ParsedBy(parse_subscription_id)],
        )
        yield Field(
            "Resource group",
            id="resource-group",
            value=inputs.resource_group or current.resource_group_name or "",
            placeholder="rg-atlas-keys",
            hint=f"In the sandbox: resource group {sandbox.azure_resource_group}." if sandbox else "",
            validators=[ParsedBy(validate_resource_group)],
        )
        yield AzurePanel(self.flow, self.flow.context.azure_key_vault)

    def on_mount(self) -> None:
        super().on_mount()
        self._show_vault()
        self.query_one("#key-input", Input).focus()

    def _parse_key(self, text: str) -> object:
        key = parse_key_identifier(text)
        try:
            environment = cloud_for_environment(self.query_one("#environment", Field).value).environment
        except InputError:
            return key
        check_key_in_environment(key, environment)
        return key

    @on(Input.Changed, "#key-input")
    def _show_vault(self) -> None:
        """The vault name comes from the identifier; say where to find its subscription and resource group."""
        field = self.query_one("#key", Field)
        try:
            key = parse_key_identifier(field.value)
        except InputError:
            field.note("")
            return
        lookup = vault_lookup_command(key.vault_name)
        field.note(f"→ vault {key.vault_name} ({key.cloud.title}); its subscription and group: {lookup}")

    def collect_inputs(self) -> bool:
        names = ("environment", "key", "subscription", "resource-group")
        fields = [self.query_one(f"#{name}", Field) for name in names]
        if not all([field.check() for field in fields]):
            return False
        environment, key, subscription, group = fields
        inputs = self.flow.inputs
        inputs.key_identifier = None  # the environment is set first, then the key is checked against it
        try:
            inputs.set_environment(environment.value)
            inputs.set_key_identifier(key.value)
            inputs.set_subscription_id(subscription.value)
            inputs.set_resource_group(group.value)
        except InputError as err:
            key.show_error(err.message)
            return False
        return True
