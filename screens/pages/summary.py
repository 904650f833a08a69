"""Last page: what changed, where the project stands, and the key rotation alert."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.widgets import Static

from cmkwizard.journeys.base import JourneyRun, no_progress
from cmkwizard.journeys.summary import JourneySummary
from screens.messages import JourneyDone
from screens.step_screen import StepScreen


class SummaryScreen(StepScreen):
    PAGE_KEY = "summary"
    APPLY_LABEL = "Finish"
    RUNS_STEP = False

    def compose_page(self) -> ComposeResult:
        report = Static("Reading the project and its alerts…", id="summary-report", classes="card")
        report.border_title = "Summary"
        yield report
        yield Static(f"Journal: {self.flow.journal.path}", id="journal-path", classes="muted")

    def on_mount(self) -> None:
        super().on_mount()
        self.summarise()

    @work(exclusive=True, exit_on_error=False, group="apply")
    async def summarise(self) -> None:
        reports: list[JourneySummary] = []

        async def collect(run: JourneyRun[Any]) -> None:
            await self.flow.journey.apply_step(run, self.step.key, no_progress)
            reports.append(run.report)

        if await self.perform(collect) is not None and reports:
            self.query_one("#summary-report", Static).update("\n".join(reports[0].lines()))

    def applied(self, state: object) -> None:
        self.post_message(JourneyDone())
