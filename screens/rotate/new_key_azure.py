"""The new Key Vault key version: a new version of the project's key, or another key in the same vault."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Checkbox

from cmkwizard.azure.identifiers import parse_key_identifier
from cmkwizard.errors import InputError
from screens.onboard_azure.azure_panel import AzurePanel
from screens.step_screen import StepScreen
from screens.widgets.field import Field, ParsedBy
from screens.widgets.ticks import TickBox


class AzureNewKeyScreen(StepScreen):
    PAGE_KEY = "new_key"
    APPLY_LABEL = "Check the key"

    def compose_page(self) -> ComposeResult:
        inputs = self.flow.inputs
        old = parse_key_identifier(inputs.old_key, require_version=False) if inputs.old_key else None
        name = old.key_name if old else "the project's key"
        yield TickBox(f"Create a new version of {name}", value=inputs.create_new, id="create-version")
        yield Field(
            "New key identifier",
            id="key",
            value="" if inputs.create_new else inputs.new_key or "",
            placeholder=f"{old.versionless_url if old else 'https://<vault>.vault.azure.net/keys/<name>'}/<version>",
            hint="A new version of the key, or another key in the same vault.",
            validators=[ParsedBy(parse_key_identifier)],
        )
        yield AzurePanel(self.flow, self.flow.context.azure_key_vault)

    def on_mount(self) -> None:
        super().on_mount()
        self._refresh_derived()

    @on(Checkbox.Changed, "#create-version")
    def _refresh_derived(self) -> None:
        self.query_one("#key", Field).display = not self.query_one("#create-version", Checkbox).value

    def collect_inputs(self) -> bool:
        inputs = self.flow.inputs
        key_field = self.query_one("#key", Field)
        if self.query_one("#create-version", Checkbox).value:
            inputs.choose_to_create()
            return True
        try:
            if not key_field.value:
                raise InputError("Give the new key identifier, or tick 'Create a new version'.")
            inputs.set_new_key(key_field.value)
        except InputError as err:
            key_field.show_error(err.message)
            return False
        return True
