"""The rotation alert: its threshold now, kept or changed (confirmed first)."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult

from cmkwizard.atlas.models import PROVIDER_AWS, PROVIDER_AZURE
from cmkwizard.errors import InputError
from cmkwizard.journeys.atlas_facts import ROTATION_ALERT
from cmkwizard.journeys.base import StepView
from cmkwizard.journeys.rotate_inputs import parse_alert_days
from cmkwizard.journeys.rotate_steps import rotation_alert
from cmkwizard.journeys.rotation_facts import AUTOMATIC_ROTATION_DAYS
from screens.rotate.facts import observed_state
from screens.step_screen import StepScreen
from screens.widgets.error_panel import ErrorPanel
from screens.widgets.field import Field, ParsedBy

ALERT_HINTS = {
    PROVIDER_AWS: f"Above {AUTOMATIC_ROTATION_DAYS} when AWS rotates the key automatically; keep it to change nothing.",
    PROVIDER_AZURE: "Atlas pins one key version, so rotate by hand before this; keep it to change nothing.",
}


class AlertScreen(StepScreen):
    PAGE_KEY = "alert"
    APPLY_LABEL = "Save the alert"

    def compose_page(self) -> ComposeResult:
        alert = rotation_alert(self.flow.state)
        current = self.flow.inputs.alert_days or (alert.threshold_days if alert else None)
        yield Field(
            "Days after the last rotation",
            id="alert-days",
            value=str(current) if current else "",
            placeholder="90",
            hint=ALERT_HINTS[self.flow.inputs.provider],
            validators=[ParsedBy(parse_alert_days)],
        )
        yield ErrorPanel(id="alert-error")

    def on_mount(self) -> None:
        super().on_mount()
        self.call_after_refresh(self.query_one("#alert-days-input").focus)
        if self.flow.state.observed.fact(ROTATION_ALERT.name) is None:
            self.read_alert()

    @work(exclusive=True, exit_on_error=False, group="facts")
    async def read_alert(self) -> None:
        try:
            state = await observed_state(self.flow)
        except Exception as err:  # explained on the page
            self.query_one("#alert-error", ErrorPanel).show(err)
            return
        alert = rotation_alert(state)
        field = self.query_one("#alert-days", Field)
        if alert is not None and alert.threshold_days and not field.value:
            field.value = str(alert.threshold_days)
        self._show_state()

    def update_page(self, view: StepView) -> None:
        self.query_one("#alert-days", Field).display = rotation_alert(self.flow.state) is not None

    def collect_inputs(self) -> bool:
        field = self.query_one("#alert-days", Field)
        if not field.display:
            return True
        if not field.check():
            return False
        alert = rotation_alert(self.flow.state)
        self.flow.inputs.alert_seen = alert.threshold_days if alert is not None else None
        try:
            self.flow.inputs.set_alert_days(field.value)
        except InputError as err:
            field.show_error(err.message)
            return False
        return True
