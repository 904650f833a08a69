"""Enabling the project with AWS KMS: the neutral enable page, and the move from IAM user access keys."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Checkbox

from cmkwizard.atlas.models import PROVIDER_AWS
from cmkwizard.journeys.aws_enable import AwsKmsChange, planned_change
from screens.pages.enable import EnableScreen
from screens.widgets.ticks import TickBox


class AwsEnableScreen(EnableScreen):
    PROVIDER = PROVIDER_AWS
    NOT_READY = "Choose the role and the key first."

    def planned_change(self) -> AwsKmsChange | None:
        return planned_change(self.flow.state, self.flow.inputs)

    def compose_page(self) -> ComposeResult:
        yield from super().compose_page()
        kms = self.flow.state.encryption.aws_kms
        if kms.uses_legacy_credentials:
            yield TickBox(
                f"Move from access key {kms.access_key_id} to the role",
                value=self.flow.inputs.confirm_legacy_migration,
                id="legacy-migration",
            )

    def collect_inputs(self) -> bool:
        for checkbox in self.query("#legacy-migration").results(Checkbox):
            self.flow.inputs.confirm_legacy_migration = checkbox.value
        return True
