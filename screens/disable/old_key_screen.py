"""The old-key report for the project's current key, opened from the project home's command palette."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from cmkwizard.journeys.old_key_report import key_to_report, old_key_report
from screens.base import WizardScreen
from screens.disable.report_view import OldKeyReportView
from screens.widgets.error_panel import ErrorPanel

if TYPE_CHECKING:
    from cmkwizard.atlas import AtlasClient
    from cmkwizard.atlas.models import Project
    from cmkwizard.state import Clock, ProjectState


class OldKeyReportScreen(WizardScreen):
    HELP_TITLE = "Old-key report"
    HELP = """\
**Which snapshots still need the project's key.** Atlas does not re-encrypt snapshots with a new key:
restoring a snapshot needs the key it was taken with. For every cluster with Cloud Backup the wizard
reads the snapshot list once and counts the snapshots that may need the key, by `masterKeyUUID` where
Atlas reports it, otherwise by date. The last one to expire is the earliest date to retire the key.

**Save as Markdown** and **Save as JSON** write the report next to the journal. The same report comes
from `cmkwizard old-key-report --key KEY --since DATE` for a key the project no longer uses. The wizard
never disables, deletes or schedules the deletion of a key. **escape** goes back.
"""

    def __init__(
        self, project: Project, state: ProjectState, *, client: AtlasClient, clock: Clock, save_dir: Path
    ) -> None:
        super().__init__()
        self.project = project
        self.state = state
        self._client = client
        self._clock = clock
        self._save_dir = save_dir

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(classes="page", id="old-key-page"):
            yield Static(f"Old-key report · {self.project.name}", classes="page-title")
            yield OldKeyReportView(self._save_dir, id="old-key-report")
            yield ErrorPanel(id="old-key-error")
        yield Footer()

    def on_mount(self) -> None:
        self.read_report()

    @work(exclusive=True, exit_on_error=False, group="report")
    async def read_report(self) -> None:
        try:
            key = await key_to_report(self._client, self.state, None, clock=self._clock)
            report = await old_key_report(self._client, self.project.id, key, clock=self._clock)
        except Exception as err:  # explained on screen
            self.query_one("#old-key-error", ErrorPanel).show(err)
            return
        self.query_one(OldKeyReportView).show(report)
