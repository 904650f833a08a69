"""Choosing the clusters to encrypt with the project's key: each one's eligibility, and its progress to IDLE."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, DataTable, Input, Static

from cmkwizard.errors import InputError
from cmkwizard.journeys.base import StepView
from cmkwizard.journeys.clusters import eligibility_table
from cmkwizard.journeys.eligibility import Eligibility
from screens.step_screen import StepScreen

FILTER_FROM = 10  # a project with more clusters than this gets a filter above the table


def row(entry: Eligibility, selected: bool) -> tuple[Text, ...]:
    """Chosen mark, name, provider and state now, and whether it can use the key (the reasons go below the table)."""
    cluster = entry.cluster
    mark = Text("✔", style="bold green") if selected else Text("·", style="dim")
    if entry.already_enabled:
        verdict = Text("done", style="green")
    elif entry.eligible:
        verdict = Text("yes", style="green")
    else:
        verdict = Text("no", style="red")
    state = "PAUSED" if cluster.paused else cluster.state_name
    now = Text(f"{cluster.encryption_at_rest_provider} · ")
    now.append(state, style="bold blue" if cluster.in_transition else "")
    return (mark, Text(cluster.name), now, verdict)


class ClustersScreen(StepScreen):
    PAGE_KEY = "clusters"
    APPLY_LABEL = "Encrypt the chosen clusters"
    BINDINGS = [Binding("space", "toggle", "Choose", show=True)]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.selected: set[str] = set(self.flow.inputs.clusters or ())

    @property
    def provider(self) -> str:
        return self.step.provider

    def compose_page(self) -> ComposeResult:
        yield Static("Space chooses a cluster; only eligible clusters can be chosen.", classes="muted")
        many = len(self.flow.state.clusters) > FILTER_FROM
        yield Input(placeholder="Filter clusters by name", id="clusters-filter", classes="" if many else "hidden")
        table: DataTable[Text] = DataTable(id="clusters-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("", id="cluster-detail", classes="muted")
        yield Static("", id="clusters-error", classes="field-error")

    def on_mount(self) -> None:
        self.query_one("#clusters-table", DataTable).add_columns("", "Cluster", "Key provider · state", "Eligible")
        super().on_mount()
        self.query_one("#clusters-table", DataTable).focus()

    def update_page(self, view: StepView) -> None:
        table = self.query_one("#clusters-table", DataTable)
        cursor = table.cursor_row
        table.clear()
        wanted = self.query_one("#clusters-filter", Input).value.strip().lower()
        for entry in eligibility_table(self.flow.state, self.provider):
            if wanted and wanted not in entry.name.lower():
                continue
            table.add_row(*row(entry, entry.name in self.selected), key=entry.name)
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
        self._label_apply()

    @on(Input.Changed, "#clusters-filter")
    def _filtered(self) -> None:
        self.update_page(self.flow.view(self.page.step_key))

    @on(Input.Submitted, "#clusters-filter")
    def _to_table(self) -> None:
        self.query_one("#clusters-table", DataTable).focus()

    @on(DataTable.RowHighlighted, "#clusters-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The whole verdict for the cluster under the cursor: every reason it cannot use the key."""
        entry = self._entry(str(event.row_key.value))
        detail = self.query_one("#cluster-detail", Static)
        if entry is None or entry.eligible:
            detail.update("")
        else:
            detail.update(f"{entry.name} cannot use your key: " + "; ".join(entry.reasons))

    def _entry(self, name: str) -> Eligibility | None:
        return next((e for e in eligibility_table(self.flow.state, self.provider) if e.name == name), None)

    def action_toggle(self) -> None:
        table = self.query_one("#clusters-table", DataTable)
        if not table.row_count:
            return
        name = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        entry = self._entry(name)
        error = self.query_one("#clusters-error", Static)
        if entry is None:
            return
        if name in self.selected:
            self.selected.discard(name)
        elif entry.eligible:
            self.selected.add(name)
        else:
            # The reasons move from the detail line to the error, so they are not shown twice.
            self.query_one("#cluster-detail", Static).update("")
            error.update(f"{name} cannot use your key: " + "; ".join(entry.reasons))
            error.display = True
            return
        error.display = False
        table.update_cell(name, table.ordered_columns[0].key, row(entry, name in self.selected)[0])
        self._label_apply()

    def _label_apply(self) -> None:
        count = len(self.selected)
        label = f"Encrypt {count} cluster{'s' if count != 1 else ''}" if count else "Continue without clusters"
        self.query_one("#apply", Button).label = label

    def collect_inputs(self) -> bool:
        error = self.query_one("#clusters-error", Static)
        try:
            self.flow.inputs.set_clusters(sorted(self.selected), self.flow.state)
        except InputError as err:
            error.update(err.message)
            error.display = True
            return False
        error.display = False
        return True
