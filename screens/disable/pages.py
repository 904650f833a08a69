"""The pages of turning customer key management off: one per step, then the old-key report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.widgets import Button, Static

from cmkwizard.journeys.base import JourneyRun, StepView, no_progress
from screens.disable.report_view import OldKeyReportView
from screens.messages import JourneyDone
from screens.step_screen import StepScreen
from screens.widgets.confirm import ConfirmModal

if TYPE_CHECKING:
    from cmkwizard.journeys.confirmed import Confirmation
    from cmkwizard.state import Change


class DisableStepScreen(StepScreen):
    """A step of the disable journey: what stands in the way, one item a line; Continue once it is done."""

    def describe(self, view: StepView) -> str:
        lines = view.summary.split("; ")
        if view.reason:
            lines.append(view.reason)
        return "\n".join(lines)

    def update_page(self, view: StepView) -> None:
        self.query_one("#apply", Button).label = "Continue" if view.finished else self.APPLY_LABEL

    def confirmation(self, confirmed: Confirmation, changes: Sequence[Change] = ()) -> ConfirmModal | None:
        """No confirmation for a step that may not run yet: the refusal, with the step to do first, is shown."""
        if self.step.precondition(confirmed.state, self.flow.inputs) is not None:
            return None
        return super().confirmation(confirmed, changes)


class RemoveEndpointsScreen(DisableStepScreen):
    PAGE_KEY = "remove_endpoints"
    APPLY_LABEL = "Remove the endpoints"


class ClustersOffScreen(DisableStepScreen):
    PAGE_KEY = "clusters_off"
    APPLY_LABEL = "Set the clusters to NONE"


class DisableProjectScreen(DisableStepScreen):
    PAGE_KEY = "disable_project"
    APPLY_LABEL = "Turn off customer key management"


class RetiredKeyScreen(StepScreen):
    PAGE_KEY = "old_key_report"
    APPLY_LABEL = "Finish"
    RUNS_STEP = False

    def compose_page(self) -> ComposeResult:
        yield OldKeyReportView(self.flow.journal.path.parent, id="old-key-report")
        yield Static(f"Journal: {self.flow.journal.path}", id="journal-path", classes="muted")

    def on_mount(self) -> None:
        super().on_mount()
        self.report_on_the_key()

    @work(exclusive=True, exit_on_error=False, group="apply")
    async def report_on_the_key(self) -> None:
        reports: list[Any] = []

        async def collect(run: JourneyRun[Any]) -> None:
            await self.flow.journey.apply_step(run, self.step.key, no_progress)
            reports.append(run.report)

        if await self.perform(collect) is not None and reports:
            self.query_one(OldKeyReportView).show(reports[0])

    def applied(self, state: object) -> None:
        self.post_message(JourneyDone())
