"""Project: pick the organization's project to work on, then check it is ready (preflight)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from cmkwizard.atlas.models import Caller, Organization, Project
from cmkwizard.journeys.onboard_aws import preflight
from cmkwizard.state import ProjectState, read_project_state
from screens.base import WizardScreen
from screens.messages import ProjectChosen
from screens.preflight_view import preflight_text
from screens.roles import role_label
from screens.widgets.error_panel import ErrorPanel


@dataclass(frozen=True)
class ProjectEntry:
    project: Project
    org_name: str
    roles: tuple[str, ...]

    def matches(self, text: str) -> bool:
        needle = text.strip().lower()
        return not needle or any(
            needle in value.lower() for value in (self.project.name, self.project.id, self.org_name)
        )

    def prompt(self) -> Content:
        details = [self.project.id, self.org_name or "organization unknown"]
        if self.project.cluster_count is not None:
            details.append(f"{self.project.cluster_count} clusters")
        title = Content.from_markup("[b]$name[/b]", name=self.project.name)
        lines = [title, Content.from_markup("  [$text-muted]$details[/]", details=" · ".join(details))]
        if self.roles:
            roles = ", ".join(role_label(r) for r in self.roles)
            lines.append(Content.from_markup("  [$text-muted]your roles: $roles[/]", roles=roles))
        return Content("\n").join(lines)


def project_entries(projects: list[Project], orgs: list[Organization], caller: Caller | None) -> list[ProjectEntry]:
    org_names = {org.id: org.name for org in orgs}
    entries = [
        ProjectEntry(
            project,
            org_names.get(project.org_id or "", ""),
            caller.project_roles(project.id) if caller else (),
        )
        for project in projects
    ]
    return sorted(entries, key=lambda e: (e.org_name.lower(), e.project.name.lower()))


class ProjectScreen(WizardScreen):
    HELP_TITLE = "Choose the project"
    HELP = """\
Choose the Atlas project whose clusters should be encrypted with your own key.

Type part of a project name, its ID or its organization to filter the list; **up/down** move,
**enter** chooses. The project set in `MONGODB_ATLAS_PROJECT_ID` (or the profile) is highlighted.

After you choose, the wizard runs a **preflight**: which clusters can use a customer-managed key
(M10 or larger, dedicated, Cloud Backup), the current encryption-at-rest settings, existing cloud
provider access roles that can be reused, and legacy IAM-user access keys that should be replaced
by a role. Nothing is changed by the preflight.
"""

    BINDINGS = [
        Binding("down", "move(1)", "Next project", show=False),
        Binding("up", "move(-1)", "Previous project", show=False),
        Binding("ctrl+r", "reload", "Reload projects"),
        # Enter anywhere but a field, a list or another button: the Start button's enter, even before it is ready.
        Binding("enter", "start", "Start onboarding", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[ProjectEntry] = []
        self.chosen: ProjectEntry | None = None
        self.state: ProjectState | None = None
        self.start_when_ready = False
        """Enter was pressed for the project whose preflight is still running: start once it is done."""

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(classes="page"):
            yield Static("Choose the project", classes="page-title")
            yield Input(placeholder="Filter by project name, ID or organization", id="project-filter")
            yield OptionList(id="projects")
            yield Static("", id="projects-progress", classes="progress-line")
            preflight_card = Static("", id="preflight", classes="card hidden")
            yield preflight_card
            yield ErrorPanel(id="project-error")
            with Horizontal(classes="actions"):
                yield Button("Open the project", id="start", variant="primary", disabled=True)
        yield Footer()

    def on_mount(self) -> None:
        self.load_projects()

    def action_reload(self) -> None:
        self.load_projects()

    @work(exclusive=True, exit_on_error=False, group="projects")
    async def load_projects(self) -> None:
        client = self.wizard.client
        assert client is not None, "the project screen follows a successful connection"
        progress = self.query_one("#projects-progress", Static)
        progress.update("Reading organizations and projects…")
        self.query_one("#project-error", ErrorPanel).clear()
        try:
            orgs, projects = await asyncio.gather(client.list_orgs(), client.list_projects())
        except Exception as err:  # explained on screen
            progress.update("")
            self.query_one("#project-error", ErrorPanel).show(err)
            return
        self.entries = project_entries(projects, orgs, self.wizard.caller)
        progress.update(self._count_line(len(self.entries)))
        configured = self._configured_project()
        self._show(self.query_one("#project-filter", Input).value, preferred=configured)
        if configured is not None:
            self.choose(configured)

    def _configured_project(self) -> str | None:
        configured = self.wizard.context.settings.project_id
        return configured.value if configured else None

    def _count_line(self, shown: int) -> str:
        if not self.entries:
            return "These credentials cannot see any project. Check the API key's organization and project roles."
        return f"{shown} of {len(self.entries)} projects"

    def _show(self, text: str, preferred: str | None = None) -> None:
        matching = [e for e in self.entries if e.matches(text)]
        options = self.query_one("#projects", OptionList)
        options.set_options(Option(e.prompt(), id=e.project.id) for e in matching)
        ids = [e.project.id for e in matching]
        if ids:
            options.highlighted = ids.index(preferred) if preferred in ids else 0
        self.query_one("#projects-progress", Static).update(self._count_line(len(matching)))

    @on(Input.Changed, "#project-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._show(event.value)

    def action_move(self, step: int) -> None:
        options = self.query_one("#projects", OptionList)
        if options.option_count:
            current = options.highlighted if options.highlighted is not None else -step
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    @on(Input.Submitted, "#project-filter")
    def _submit_filter(self) -> None:
        options = self.query_one("#projects", OptionList)
        if options.highlighted is not None:
            self.choose(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected, "#projects")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.choose(event.option.id)

    def choose(self, project_id: str | None) -> None:
        """Preflight the project; for the project already chosen, enter means start (as soon as it can)."""
        entry = next((e for e in self.entries if e.project.id == project_id), None)
        if entry is None:
            return
        if self.chosen is not None and self.chosen.project.id == entry.project.id:
            self.action_start()
            return
        self.start_when_ready = False
        self.run_preflight(entry)

    @work(exclusive=True, exit_on_error=False, group="preflight")
    async def run_preflight(self, entry: ProjectEntry) -> None:
        """Read the project (nothing is changed) and show what onboarding will find."""
        client = self.wizard.client
        assert client is not None
        self.chosen, self.state = entry, None
        card = self.query_one("#preflight", Static)
        card.border_title = f"Preflight: {entry.project.name}"
        card.add_class("hidden")
        start = self.query_one("#start", Button)
        start.disabled = True
        error = self.query_one("#project-error", ErrorPanel)
        error.clear()
        self.query_one("#projects-progress", Static).update(f"Reading project {entry.project.name}…")
        try:
            state = await read_project_state(client, entry.project.id, clock=self.wizard.context.clock)
        except Exception as err:  # explained on screen
            self.query_one("#projects-progress", Static).update("")
            error.show(err)
            self.chosen, self.start_when_ready = None, False  # enter on the project tries again
            return
        self.state = state
        self.query_one("#projects-progress", Static).update("")
        checked = preflight(state, self.wizard.caller)
        card.update(preflight_text(checked))
        card.remove_class("hidden")
        start.disabled = False
        start.focus(scroll_visible=False)
        # What the preflight found comes into view, from its top (Start is always in view at the foot).
        self.call_after_refresh(card.scroll_visible, animate=False, top=True)
        if self.start_when_ready:
            if checked.warnings():
                self.start_when_ready = False  # what the operator has not read yet must not be skipped
                self.notify("Read the preflight's warnings, then press Start.", title="Before you start")
            else:
                self.start()

    def action_start(self) -> None:
        """Start now if the preflight is in, else as soon as it is (unless it has warnings to read first)."""
        self.start_when_ready = self.chosen is not None
        self.start()

    @on(Button.Pressed, "#start")
    def start(self) -> None:
        if self.chosen is not None and self.state is not None:
            self.start_when_ready = False
            self.post_message(ProjectChosen(self.chosen.project, self.state))
