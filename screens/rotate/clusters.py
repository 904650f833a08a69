"""After the switch: every encrypted cluster followed back to IDLE."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from cmkwizard.journeys.rotate_steps import OLD_KEY_WARNING
from screens.step_screen import StepScreen


class ReencryptScreen(StepScreen):
    PAGE_KEY = "clusters"
    APPLY_LABEL = "Follow the clusters"

    def compose_page(self) -> ComposeResult:
        yield Static(OLD_KEY_WARNING, id="old-key-warning", classes="section")
