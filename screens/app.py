"""The wizard application: screens in order, one Atlas client, help, back and quit.

Everything the app needs comes in through `AppContext` (settings, the client factory, journals, the
sandbox and the clock); nothing is read from globals. Screens do their I/O in workers and report
back with messages; the app decides which screen comes next.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from screens.base import WizardScreen
from screens.connect import ConnectScreen
from screens.last_resort import LastLineOfDefence
from screens.messages import Connected, GoBack, JourneyChosen, JourneyDone, ProjectChosen, ShowPage
from screens.timing import clock_sleep

STYLES = Path(__file__).parent

# The journey pages, the status pane and help load after the first screen is up, when first used.
if TYPE_CHECKING:
    from cmkwizard.atlas import AtlasClient
    from cmkwizard.atlas.models import Caller
    from cmkwizard.context import AppContext
    from cmkwizard.journal import Journal
    from screens.flow import JourneyFlow, Page
    from screens.home import HomeScreen
    from screens.widgets.status_pane import PollPolicy


class WizardApp(LastLineOfDefence, App[None]):
    TITLE = "cmkwizard"
    # Absolute, so subclasses defined elsewhere (tests, embedding apps) find the styles too.
    CSS_PATH = [STYLES / "app.tcss", STYLES / "widgets.tcss"]
    BINDINGS = [
        Binding("f1", "help", "Help", id="help"),
        Binding("escape", "back", "Back", id="back"),
        Binding("ctrl+q", "quit", "Quit", priority=True, id="quit"),
    ]

    def __init__(
        self,
        context: AppContext,
        *,
        poll_policy: PollPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        """`sleep` waits during steps (retries, polls) in the clock's seconds; by default it follows the
        context's clock, so a sandbox running faster waits less."""
        super().__init__()
        self.context = context
        self._poll_policy = poll_policy
        self.sleep = sleep or clock_sleep(context.clock)
        self.client: AtlasClient | None = None
        self.caller: Caller | None = None
        self.flow: JourneyFlow[Any] | None = None
        self.home: HomeScreen | None = None
        self.first_frame_shown = asyncio.Event()
        """Set once the first screen is on the terminal; slow start-up work waits for it."""
        self.sub_title = "sandbox" if context.uses_sandbox else context.settings.base_url.value

    @property
    def poll_policy(self) -> PollPolicy:
        """How often status panes read the project (default: ``DEFAULT_POLL_POLICY``)."""
        if self._poll_policy is None:
            from screens.widgets.status_pane import DEFAULT_POLL_POLICY

            self._poll_policy = DEFAULT_POLL_POLICY
        return self._poll_policy

    def on_mount(self) -> None:
        self.push_screen(ConnectScreen())

    def on_ready(self) -> None:
        self.first_frame_shown.set()

    async def on_unmount(self) -> None:
        await self._close_client()

    def unexpected_error_journal(self) -> Journal | None:
        return self.home.journal if self.home is not None else None

    async def open_client(self) -> AtlasClient:
        """A new client for the settings; the app closes the previous one and, at exit, this one."""
        await self._close_client()
        # Built in a thread: the first one imports the HTTP client, which the UI should not wait for.
        self.client = await asyncio.to_thread(self.context.atlas_client)
        return self.client

    async def _close_client(self) -> None:
        if self.client is not None:
            client, self.client = self.client, None
            await client.aclose()

    # --- flow ---------------------------------------------------------------------------------

    def on_connected(self, message: Connected) -> None:
        from screens.project import ProjectScreen

        self.caller = message.caller
        self.push_screen(ProjectScreen())

    def on_project_chosen(self, message: ProjectChosen) -> None:
        """Open the project's home: its live state and the journeys that fit it."""
        from cmkwizard.journeys.catalog import JOURNEYS
        from screens.home import HomeScreen

        project = message.project
        self.sub_title = f"{project.name} ({project.id})"
        assert self.client is not None
        self.home = HomeScreen(
            project,
            message.state,
            journeys=JOURNEYS,
            journal=self.context.journal(project.id),
            client=self.client,
            clock=self.context.clock,
            wall_clock=self.context.wall_clock,
            poll_policy=self.poll_policy,
        )
        self.push_screen(self.home)

    def on_journey_chosen(self, message: JourneyChosen) -> None:
        self.start_journey(message.name)

    def start_journey(self, name: str) -> None:
        """Continue the journey's unfinished run where the live state says work remains, or start a new run."""
        from screens.flow import JourneyFlow
        from screens.journey_pages import pages_for

        home = self.home
        assert home is not None and self.client is not None
        entry = home.journeys.get(name)
        journal = home.journal
        inputs = entry.resumed_inputs(journal)
        run_id = journal.open_run(entry.journey.name) or journal.start_run(entry.journey.name, inputs.to_record())
        self.flow = JourneyFlow(
            journey=entry.journey,
            pages=pages_for(name),
            project=home.project,
            inputs=inputs,
            journal=journal,
            state=home.state,
            clock=self.context.clock,
            sleep=self.sleep,
            client=self.client,
            context=self.context,
            poll_policy=self.poll_policy,
            wall_clock=self.context.wall_clock,
            run_id=run_id,
        )
        while self.screen is not home and len(self.screen_stack) > 2:
            self.pop_screen()
        self.show_page(self.flow.resume_page())

    def on_journey_done(self, message: JourneyDone) -> None:
        """Back to the project home, which reads the project again."""
        if self.home is None:
            return
        while self.screen is not self.home and len(self.screen_stack) > 2:
            self.pop_screen()

    def on_show_page(self, message: ShowPage) -> None:
        self.show_page(message.page)

    async def on_go_back(self, message: GoBack) -> None:
        await self.action_back()

    # --- keys and commands ----------------------------------------------------------------------

    def show_page(self, page: Page) -> None:
        """Show a journey page in place of the current one (or above the project screen)."""
        assert self.flow is not None
        screen = page.make(self.flow)
        if isinstance(self.screen, WizardScreen) and self.screen.JOURNEY_PAGE:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self._can_go_back()
        return True

    def _can_go_back(self) -> bool:
        # The bottom screen is Textual's blank default; the one above it is the connect screen.
        return isinstance(self.screen, WizardScreen) and (self.screen.JOURNEY_PAGE or len(self.screen_stack) > 2)

    async def action_back(self) -> None:
        screen = self.screen
        if not isinstance(screen, WizardScreen) or screen.back():
            return
        if len(self.screen_stack) > 2:
            self.pop_screen()

    def action_help(self) -> None:
        from screens.help import HelpScreen  # Markdown rendering loads only when help is asked for

        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        if isinstance(screen, WizardScreen):
            self.push_screen(HelpScreen(screen.help_title, screen.help_markdown))
        else:
            self.push_screen(HelpScreen("cmkwizard", self._general_help()))

    def _general_help(self) -> str:
        return "Press **escape** to close this dialog, **ctrl+q** to quit, **ctrl+p** for commands."

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help for this page", "Explain what this page does (F1)", self.action_help)
        if self._can_go_back():
            yield SystemCommand("Back", "Return to the previous page (escape)", self.action_back)
        for pane in screen.query("StatusPane"):
            yield SystemCommand("Refresh the live status", "Read the project from Atlas now (ctrl+r)", pane.poll_now)
        if self.home is not None and self.home in self.screen_stack:
            for entry, offer in self.home.offers():
                yield SystemCommand(entry.title, offer.reason, partial(self.start_journey, entry.name))
            if self.home.state.encryption.active_provider is not None:
                yield SystemCommand(
                    "Old-key report",
                    "Which snapshots still need the project's key, and the earliest date to retire it",
                    self.show_old_key_report,
                )

    def show_old_key_report(self) -> None:
        from screens.disable.old_key_screen import OldKeyReportScreen

        home = self.home
        assert home is not None and self.client is not None
        save_dir = home.journal.path.parent
        self.push_screen(
            OldKeyReportScreen(
                home.project, home.state, client=self.client, clock=self.context.clock, save_dir=save_dir
            )
        )
