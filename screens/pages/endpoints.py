"""Private endpoints to the key service, one per region, with their status explained (optional in onboarding).

The same page for every provider: the regions are parsed and offered by the provider's rules
(``KeyProvider``); a provider's own page adds what differs (Azure: the approval on the vault).
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Checkbox, DataTable, Input, SelectionList, Static

from cmkwizard.atlas.models import (
    ENDPOINT_ACTIVE,
    ENDPOINT_DELETING,
    ENDPOINT_FAILED,
    ENDPOINT_PENDING_ACCEPTANCE,
    ENDPOINT_PENDING_RECREATION,
    PrivateEndpoint,
)
from cmkwizard.errors import InputError
from cmkwizard.journeys.base import StepView
from cmkwizard.journeys.endpoints_change import REGION_EXAMPLES
from cmkwizard.journeys.private_endpoints import explain_endpoint, remove_private_endpoint, wanted_regions
from cmkwizard.journeys.providers import KeyProvider, key_config, key_provider, provider_label
from screens.step_screen import StepScreen
from screens.widgets.confirm import ConfirmModal
from screens.widgets.field import Field, ParsedBy
from screens.widgets.ticks import TickBox, TickList

STATUS_COLOURS = {
    ENDPOINT_ACTIVE: "green",
    ENDPOINT_FAILED: "bold red",
    ENDPOINT_PENDING_ACCEPTANCE: "yellow",
    ENDPOINT_PENDING_RECREATION: "yellow",
}

INTRO = (
    "Atlas can reach {label} over a private endpoint instead of its public endpoint. Choose the regions that "
    "get an endpoint (usually the key's region and your clusters' regions), or none to skip this step."
)


class EndpointsScreen(StepScreen):
    PAGE_KEY = "private_endpoints"
    APPLY_LABEL = "Create the endpoints"

    @property
    def provider(self) -> str:
        return self.step.provider

    @property
    def key_provider(self) -> KeyProvider:
        return key_provider(self.provider)

    def compose_page(self) -> ComposeResult:
        yield Static(INTRO.format(label=provider_label(self.provider)), classes="muted section")
        yield Static("Regions", classes="section-title")
        yield TickList[str](id="regions")
        yield Field(
            "Add a region",
            id="extra-region",
            placeholder=REGION_EXAMPLES[self.provider],
            hint="Press enter to add it to the list.",
            validators=[ParsedBy(self.key_provider.to_atlas_region)],
            optional=True,
        )
        yield Static("Endpoints Atlas has", classes="section-title")
        table: DataTable[Text] = DataTable(id="endpoints-table", cursor_type="row")
        yield table
        yield Static("", id="endpoint-detail", classes="muted")
        with Horizontal(classes="actions"):
            yield Button("Remove the selected endpoint…", id="remove-endpoint", variant="error", compact=True)
        yield TickBox(
            "Remove FAILED endpoints and create them again",
            value=self.flow.inputs.replace_failed_endpoints,
            id="replace-failed",
        )

    def on_mount(self) -> None:
        self.query_one("#endpoints-table", DataTable).add_columns("Region", "Status")
        self._fill_regions()
        super().on_mount()

    def _fill_regions(self) -> None:
        state, inputs = self.flow.state, self.flow.inputs
        chosen = set(wanted_regions(state, inputs, self.provider))
        candidates = {*chosen, *(e.region_name for e in state.endpoints_for(self.provider))}
        key_region = getattr(inputs, "region", None) or key_config(state.encryption, self.provider).region
        if key_region:  # where the provider's keys live in a region, the key's region is offered
            candidates.add(key_region)
        for cluster in state.clusters:
            candidates.update(rc.region_name for rc in cluster.region_configs if rc.provider_name == self.provider)
        # Regions this Atlas deployment cannot use are not offered.
        atlas_url = self.flow.context.settings.base_url.value
        candidates = {r for r in candidates if self.key_provider.offers_region(r, atlas_url)}
        regions = self.query_one("#regions", SelectionList)
        regions.clear_options()
        regions.add_options((region, region, region in chosen) for region in sorted(candidates))
        self._label_apply()

    def update_page(self, view: StepView) -> None:
        table = self.query_one("#endpoints-table", DataTable)
        table.clear()
        for endpoint in self.flow.state.endpoints_for(self.provider):
            table.add_row(
                Text(endpoint.region_name),
                Text(endpoint.status, style=STATUS_COLOURS.get(endpoint.status, "")),
                key=endpoint.id,
            )
        self.query_one("#remove-endpoint", Button).disabled = table.row_count == 0
        self._explain_selected()

    @on(DataTable.RowHighlighted, "#endpoints-table")
    def _explain_selected(self) -> None:
        """What the status of the endpoint under the cursor means, and what to do next."""
        endpoint = self._selected_endpoint()
        self.query_one("#endpoint-detail", Static).update(explain_endpoint(endpoint) if endpoint else "")

    @on(SelectionList.SelectedChanged, "#regions")
    def _label_apply(self) -> None:
        chosen = self.query_one("#regions", SelectionList).selected
        plural = "s" if len(chosen) != 1 else ""
        label = f"Create endpoints in {len(chosen)} region{plural}" if chosen else "Skip private endpoints"
        button = self.query_one("#apply", Button)
        button.label = label
        button.refresh(layout=True)  # a Button keeps the width of its first label: a longer one would be cut

    @on(Input.Submitted, "#extra-region-input")
    def _add_region(self) -> None:
        field = self.query_one("#extra-region", Field)
        if not field.value or not field.check():
            return
        region = self.key_provider.to_atlas_region(field.value)
        regions = self.query_one("#regions", SelectionList)
        if region not in [regions.get_option_at_index(i).value for i in range(regions.option_count)]:
            regions.add_option((region, region, True))
        else:
            regions.select(region)
        field.value = ""

    def _selected_endpoint(self) -> PrivateEndpoint | None:
        table = self.query_one("#endpoints-table", DataTable)
        if not table.row_count:
            return None
        endpoint_id = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((e for e in self.flow.state.endpoints if e.id == endpoint_id), None)

    @on(Button.Pressed, "#remove-endpoint")
    def _remove_pressed(self) -> None:
        endpoint = self._selected_endpoint()
        if endpoint is not None and endpoint.status != ENDPOINT_DELETING:
            self.remove_endpoint(endpoint)

    @work(exclusive=True, exit_on_error=False, group="apply")
    async def remove_endpoint(self, endpoint: PrivateEndpoint) -> None:
        confirmed = await self.app.push_screen_wait(
            ConfirmModal(
                f"Remove the private endpoint in {endpoint.region_name}?",
                f"Endpoint `{endpoint.id}` is **{endpoint.status}**. While private networking is required, Atlas "
                f"reaches {provider_label(self.provider)} in this region only through an endpoint: nodes in this "
                "region lose access to the key until a new one is ACTIVE. If Atlas is still provisioning it, the "
                "wizard waits and retries.",
                action_label="Remove endpoint",
            )
        )
        if not confirmed:
            return
        await self.perform(
            lambda run: remove_private_endpoint(run, self._progress, self.provider, endpoint, step_key=self.step.key)
        )

    def collect_inputs(self) -> bool:
        chosen = self.query_one("#regions", SelectionList).selected
        inputs = self.flow.inputs
        try:
            inputs.set_private_endpoint_regions(chosen)
        except InputError as err:
            self.query_one("#extra-region", Field).show_error(err.message)
            return False
        inputs.replace_failed_endpoints = self.query_one("#replace-failed", Checkbox).value
        return True
