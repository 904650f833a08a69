"""What every failover page shares: the facts it judges from, kept across status polls, and the
REHEARSAL banner in the sandbox.

A failover page reads the project with the journey's observers (KMS in each region of the key, the
Atlas role's access, the open key events) when it opens and when asked. The live status pane reads the
cheap status only, so the page keeps its last observation with every newer status it receives.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from cmkwizard.observation import NOTHING_OBSERVED, Observation
from screens.messages import ShowPage
from screens.step_screen import StepScreen

if TYPE_CHECKING:
    from cmkwizard.state import ProjectState

REHEARSAL_BANNER = "REHEARSAL · sandbox drill: nothing outside this machine changes"


def is_rehearsal(page: StepScreen) -> bool:
    """A failover in the sandbox is a drill, and every page says so."""
    return bool(getattr(page.flow.inputs, "rehearsal", False)) or page.flow.context.uses_sandbox


def rehearsal_banner(page: StepScreen) -> ComposeResult:
    if is_rehearsal(page):
        yield Static(REHEARSAL_BANNER, classes="rehearsal")


class FailoverPage(StepScreen):
    BINDINGS: ClassVar = [Binding("ctrl+o", "observe", "Check again", tooltip="Ask Atlas and KMS again")]
    _observed: Observation = NOTHING_OBSERVED

    @property
    def rehearsal(self) -> bool:
        return is_rehearsal(self)

    def compose_page(self) -> ComposeResult:
        yield from rehearsal_banner(self)
        yield from self.compose_failover()

    def compose_failover(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        super().on_mount()
        if not self.flow.state.observed:  # a page after the first has the facts its step was applied with
            self.observe()

    def action_observe(self) -> None:
        self.observe()

    @work(exclusive=True, exit_on_error=False, group="observe")
    async def observe(self) -> None:
        """Read the project with what the journey observes; a failed read leaves the page as it was."""
        try:
            state = await self.flow.run().read_state()
        except Exception as err:  # explained on the page
            self.query_one("#step-error").show(err)
            return
        self.flow.state = state
        self._show_state()

    def _show_state(self) -> None:
        state = self.flow.state
        if state.observed:
            self._observed = state.observed
        elif self._observed:
            self.flow.state = replace(state, observed=self._observed)
        super()._show_state()

    def applied(self, state: ProjectState) -> None:
        """On to wherever the live state says work remains: a step with nothing to do is not shown."""
        self.flow.state = state
        self.post_message(ShowPage(self.flow.resume_page()))
