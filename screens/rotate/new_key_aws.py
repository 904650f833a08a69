"""The new AWS KMS key: its region (a change is confirmed), an existing key or one to create, the role's policy."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Checkbox, Input

from cmkwizard.errors import InputError
from cmkwizard.journeys.aws_inputs import atlas_partition
from screens.onboard_aws.aws_panel import AwsPanel, aws_account
from screens.onboard_aws.key import region_field, show_region
from screens.step_screen import StepScreen
from screens.widgets.field import Field
from screens.widgets.ticks import TickBox


class AwsNewKeyScreen(StepScreen):
    PAGE_KEY = "new_key"
    APPLY_LABEL = "Check the key"

    @property
    def partition(self) -> str:
        return atlas_partition(self.flow.context.settings.base_url.value)

    def compose_page(self) -> ComposeResult:
        inputs = self.flow.inputs
        region = inputs.region or inputs.old_region or self.flow.state.encryption.aws_kms.region or ""
        yield region_field(
            "New key's region",
            region,
            self.partition,
            "Normally the current key's region. AWS form (us-east-1) or Atlas form (US_EAST_1).",
        )
        yield TickBox(
            "Yes, move the project's key to this region",
            value=inputs.region_change_confirmed,
            id="confirm-region",
        )
        yield TickBox("Create a new symmetric key in this region", value=inputs.create_new, id="create-key")
        yield Field(
            "New KMS key",
            id="key",
            value="" if inputs.create_new else inputs.new_key or "",
            placeholder="key id, key ARN or alias/name",
            hint="A customer managed symmetric key, other than the current one.",
        )
        yield AwsPanel(self.flow, self.flow.context.aws_account, region or None)
        yield TickBox(
            "Add the new key to the role's policy; the old key stays",
            value=inputs.extend_policy,
            id="extend-policy",
            disabled=aws_account(self.flow) is None,
        )

    def on_mount(self) -> None:
        super().on_mount()
        self._refresh_derived()
        self.call_after_refresh(self.query_one("#region-input", Input).focus)

    @on(Input.Changed, "#region-input")
    @on(Checkbox.Changed, "#create-key")
    def _changed(self) -> None:
        self._refresh_derived()

    def _refresh_derived(self) -> None:
        region = show_region(self.query_one("#region", Field))
        old = self.flow.inputs.old_region
        self.query_one("#confirm-region").display = bool(region and old and region != old)
        self.query_one("#key", Field).display = not self.query_one("#create-key", Checkbox).value

    @on(AwsPanel.Ready)
    def _aws_ready(self) -> None:
        self.query_one("#extend-policy", Checkbox).disabled = False

    def collect_inputs(self) -> bool:
        region_field, key_field = self.query_one("#region", Field), self.query_one("#key", Field)
        if not region_field.check():
            return False
        inputs = self.flow.inputs
        create = self.query_one("#create-key", Checkbox).value
        try:
            inputs.set_region(region_field.value, atlas_partition=self.partition)
            if create:
                inputs.choose_to_create()
            elif not key_field.value:
                raise InputError("Give the new key (key id, key ARN or alias), or tick 'Create a new symmetric key'.")
            else:
                inputs.set_new_key(key_field.value)
        except InputError as err:
            (region_field if create else key_field).show_error(err.message)
            return False
        confirm = self.query_one("#confirm-region", Checkbox)
        inputs.region_change_confirmed = confirm.display and confirm.value
        inputs.extend_policy = self.query_one("#extend-policy", Checkbox).value
        return True
