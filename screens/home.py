"""The project home: what the project needs, the journeys that fit its live state, and the live status.

Everything comes through the constructor (the project, its first read, the journey registry, the
journal, the client and the polling policy), so the screen can be hosted alone. Choosing a journey
posts `JourneyChosen`; the app starts it, or continues its unfinished run. A journey with an unfinished
run can be started over instead: once confirmed, that run is closed as abandoned and a new one starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from cmkwizard.journeys.catalog import project_needs
from screens.base import WizardScreen
from screens.messages import JourneyChosen
from screens.widgets.confirm import ConfirmModal
from screens.widgets.status_pane import StatusPane

if TYPE_CHECKING:
    from cmkwizard.atlas import AtlasClient
    from cmkwizard.atlas.models import Project
    from cmkwizard.journal import Journal
    from cmkwizard.journeys.registry import JourneyEntry, Offer, Registry
    from cmkwizard.state import Clock, ProjectState
    from screens.widgets.status_pane import PollPolicy

NOTHING_TO_OFFER = "No journey of this wizard fits the project as it is now; see above for what it needs."


def journey_prompt(entry: JourneyEntry, offer: Offer, resumable: bool) -> Content:
    lines = [Content.from_markup("[b]$title[/b]", title=entry.title)]
    lines.append(Content.from_markup("  [$text-muted]$reason[/]", reason=offer.reason))
    if offer.warning:
        lines.append(Content.from_markup("  [$warning]⚠ $warning[/]", warning=offer.warning))
    if resumable:
        lines.append(Content.from_markup("  [$accent]continues the unfinished run (n: start over)[/]"))
    return Content("\n").join(lines)


class HomeScreen(WizardScreen):
    HELP_TITLE = "Project home"
    HELP = """\
The project home shows what the project needs, from its live state, and the journeys that fit it,
each with the reason it is offered. **up/down** move, **enter** starts the journey, or continues its
unfinished run with what you typed; **n** starts it over instead (after you confirm, the unfinished run
is closed as abandoned). A warning means: read it before going on.

The live status on the right is read again regularly; **ctrl+r** reads it now. The same journeys are
in the command palette (**ctrl+p**). **escape** goes back to the project list.
"""

    BINDINGS = [
        Binding("ctrl+r", "refresh_status", "Refresh status", id="refresh-status"),
        Binding("n", "start_over", "Start over", tooltip="Abandon the unfinished run and start again"),
    ]
    # Below 100 columns the page's margins narrow so the journeys keep room beside the status pane.
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (100, "-wide")]

    def __init__(
        self,
        project: Project,
        state: ProjectState,
        *,
        journeys: Registry,
        journal: Journal,
        client: AtlasClient,
        clock: Clock,
        wall_clock: Clock,
        poll_policy: PollPolicy,
    ) -> None:
        super().__init__()
        self.project = project
        self.state = state
        self.journeys = journeys
        self.journal = journal
        self._client = client
        self._clock = clock
        self._wall_clock = wall_clock
        self._poll_policy = poll_policy

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="home-frame"):
            with VerticalScroll(classes="page", id="home-page"):
                yield Static(f"{self.project.name} · {self.project.id}", classes="page-title")
                needs = Static("", id="needs", classes="card")
                needs.border_title = "What the project needs"
                yield needs
                yield Static("Journeys", classes="section-title")
                yield OptionList(id="journeys")
            yield StatusPane(
                self._client,
                self.project.id,
                clock=self._clock,
                wall_clock=self._wall_clock,
                policy=self._poll_policy,
                initial=self.state,
            )
        yield Footer()

    def on_mount(self) -> None:
        self._show()
        self.query_one("#journeys", OptionList).focus()

    def offers(self) -> list[tuple[JourneyEntry, Offer]]:
        return self.journeys.offers(self.state)

    def _show(self) -> None:
        self.query_one("#needs", Static).update("\n".join(project_needs(self.state)))
        journeys = self.query_one("#journeys", OptionList)
        highlighted = journeys.highlighted
        offers = self.offers()
        if offers:
            journeys.set_options(
                Option(journey_prompt(entry, offer, self._resumable(entry)), id=entry.name) for entry, offer in offers
            )
            journeys.highlighted = min(highlighted or 0, len(offers) - 1)
        else:
            journeys.set_options([Option(NOTHING_TO_OFFER, disabled=True)])

    def _resumable(self, entry: JourneyEntry) -> bool:
        return self.journal.open_run(entry.journey.name) is not None

    def _highlighted_entry(self) -> JourneyEntry | None:
        journeys = self.query_one("#journeys", OptionList)
        if journeys.highlighted is None:
            return None
        name = journeys.get_option_at_index(journeys.highlighted).id
        return self.journeys.get(name) if name else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "start_over":
            entry = self._highlighted_entry()
            return entry is not None and self._resumable(entry)
        return True

    @on(OptionList.OptionHighlighted, "#journeys")
    def _highlighted(self) -> None:
        self.refresh_bindings()

    @work(exclusive=True, exit_on_error=False, group="start-over")
    async def action_start_over(self) -> None:
        """Abandon the highlighted journey's unfinished run, once confirmed, and start a new one."""
        entry = self._highlighted_entry()
        run = self.journal.open_run(entry.journey.name) if entry is not None else None
        if entry is None or run is None:
            return
        confirmed = await self.app.push_screen_wait(
            ConfirmModal(
                f"Start over: {entry.title}?",
                f"The unfinished run `{run}` is closed as abandoned. What it already changed stays as it is (the "
                "live state shows it); what you typed in it is not offered again. The new run starts from the "
                "project as it is now.",
                action_label="Start over",
            )
        )
        if not confirmed:
            return
        self.journal.abandon_run(entry.journey.name, run)
        self.post_message(JourneyChosen(entry.name))

    @on(StatusPane.Updated)
    def _state_read(self, event: StatusPane.Updated) -> None:
        self.state = event.state
        self._show()

    @on(OptionList.OptionSelected, "#journeys")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.post_message(JourneyChosen(event.option.id))

    def action_refresh_status(self) -> None:
        self.query_one(StatusPane).poll_now()

    def on_screen_suspend(self) -> None:
        self.query_one(StatusPane).pause()

    def on_screen_resume(self) -> None:
        self.query_one(StatusPane).resume()
        self._show()  # a journey may have left an unfinished run, or finished one
        self.refresh_bindings()
