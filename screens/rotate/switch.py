"""The switch: the one PATCH that moves the project to the new key, shown before and after."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from cmkwizard.journeys.base import StepView
from cmkwizard.journeys.rotate_inputs import uses_new_key
from cmkwizard.journeys.rotate_steps import OLD_KEY_WARNING, SwitchStep
from screens.pages.enable import before_after
from screens.step_screen import StepScreen


class SwitchScreen(StepScreen):
    PAGE_KEY = "switch"
    APPLY_LABEL = "Switch to the new key"

    def compose_page(self) -> ComposeResult:
        card = Static("", id="switch-change", classes="card")
        card.border_title = "The project's key: now → after"
        yield card
        yield Static(OLD_KEY_WARNING, id="old-key-warning", classes="section")

    def update_page(self, view: StepView) -> None:
        state, inputs = self.flow.state, self.flow.inputs
        card = self.query_one("#switch-change", Static)
        step = self.step
        assert isinstance(step, SwitchStep)
        if uses_new_key(state, inputs):
            card.update(Content(f"The project uses {inputs.new_key}."))
        elif not inputs.new_key or inputs.checked_key != inputs.new_key:
            card.update(Content("Choose and check the new key first."))
        else:
            card.update(before_after(step.change(state, inputs)))
