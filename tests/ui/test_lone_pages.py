"""Each provider-neutral page hosted alone, in a plain Textual app that is not the wizard: everything it needs
comes with its flow, and it asks for the next page, or to go back, with messages the host receives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.app import App
from textual.message import Message
from textual.widgets import Button, SelectionList

from cmkwizard.atlas import AtlasClient, RetryPolicy
from cmkwizard.atlas.models import PROVIDER_AWS, PROVIDER_AZURE, Project
from cmkwizard.context import AppContext
from cmkwizard.journeys.catalog import JOURNEYS
from cmkwizard.journeys.endpoints_change import journey_name
from cmkwizard.journeys.providers import provider_label
from cmkwizard.settings import Overrides, load_settings
from cmkwizard.state import read_project_state
from screens.flow import JourneyFlow, Page
from screens.journey_pages import pages_for
from screens.messages import GoBack, JourneyDone, ShowPage
from screens.pages.clusters import ClustersScreen
from screens.pages.enable import EnableScreen
from screens.pages.endpoints import EndpointsScreen
from screens.pages.summary import SummaryScreen
from tests.ui.page_host import no_sleep, settings_for_pages
from tests.ui.states import FixedClock, cluster, project_state
from tests.ui.support import CSS_PATHS, NO_POLLING, click, settle, shown

SIZE = (120, 40)


class LoneHost(App[None]):
    """A plain Textual app showing one journey page, keeping the messages the page sends up."""

    CSS_PATH = CSS_PATHS

    def __init__(self, flow: JourneyFlow[Any], page: Page) -> None:
        super().__init__()
        self.flow = flow
        self.page = page
        self.asked: list[Message] = []

    def on_mount(self) -> None:
        self.push_screen(self.page.make(self.flow))

    def on_show_page(self, message: ShowPage) -> None:
        self.asked.append(message)

    def on_go_back(self, message: GoBack) -> None:
        self.asked.append(message)

    def on_journey_done(self, message: JourneyDone) -> None:
        self.asked.append(message)


def unreachable(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"a page shown from a fixed state called Atlas: {request.method} {request.url}")


def fixed_flow(tmp_path: Path, journey_name: str, inputs: Any, *, base_url: str | None = None, **state: Any):
    """A flow from a fixed project state whose client must not be used."""
    settings = settings_for_pages()
    if base_url is not None:
        settings = load_settings(
            Overrides(public_key="zmmrboas", private_key="0d6a1c1e-5b0e", base_url=base_url, origin="test"),
            env={},
            use_profiles=False,
        )
    clock = FixedClock()
    context = AppContext(settings=settings, clock=clock, wall_clock=clock, journal_dir=tmp_path)
    client = AtlasClient(
        "http://127.0.0.1:9", transport=httpx.MockTransport(unreachable), retry=RetryPolicy(max_attempts=1)
    )
    return _flow(journey_name, inputs, context, client, project_state(**state))


def _flow(journey_name: str, inputs: Any, context: AppContext, client: AtlasClient, state) -> JourneyFlow[Any]:
    return JourneyFlow(
        journey=JOURNEYS.get(journey_name).journey,
        pages=pages_for(journey_name),
        project=Project(state.project_id, "payments-prod", None, 2),
        inputs=inputs,
        journal=context.journal(state.project_id),
        state=state,
        clock=context.clock,
        sleep=no_sleep,
        client=client,
        context=context,
        poll_policy=NO_POLLING,
        wall_clock=context.wall_clock,
    )


def onboarding_inputs(name: str) -> Any:
    return JOURNEYS.get(name).inputs({})


@pytest.mark.parametrize(
    ("journey", "provider", "card"),
    [("onboard_aws", PROVIDER_AWS, "AWS KMS configuration"), ("onboard_azure", PROVIDER_AZURE, "Azure Key Vault")],
)
async def test_the_enable_page_alone_shows_its_provider_and_asks_to_go_back(tmp_path, journey, provider, card):
    flow = fixed_flow(tmp_path, journey, onboarding_inputs(journey), enabled=False, provider=provider)
    app = LoneHost(flow, flow.page("enable"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, EnableScreen)
        assert app.screen.query_one("#before-after").border_title.startswith(card)
        assert "first" in shown(app, "#before-after")  # nothing to plan before the key is chosen
        await click(pilot, "#back")
        await settle(pilot)
        assert [type(m) for m in app.asked] == [GoBack]


async def test_the_clusters_page_alone_chooses_clusters_and_asks_for_a_step_by_message(tmp_path):
    flow = fixed_flow(
        tmp_path, "onboard_aws", onboarding_inputs("onboard_aws"), clusters=[cluster("orders"), cluster("analytics")]
    )
    app = LoneHost(flow, flow.page("clusters"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ClustersScreen)
        await pilot.press("space")
        assert str(app.screen.query_one("#apply", Button).label) == "Encrypt 1 cluster"
        app.screen.query_one("#steps").highlighted = 0  # the step list: back to the Atlas role
        app.screen.query_one("#steps").action_select()
        await settle(pilot)
        [asked] = app.asked
        assert isinstance(asked, ShowPage) and asked.page.key == "role"


async def test_the_endpoints_page_alone_offers_regions_by_the_flow_settings(tmp_path):
    gov = "https://cloud.mongodbgov.com"
    reports = cluster("reports")  # a cluster in AWS GovCloud: only Atlas for Government can use that region
    reports["replicationSpecs"][0]["regionConfigs"][0]["regionName"] = "US_GOV_WEST_1"
    clusters = [cluster("orders"), reports]
    commercial = fixed_flow(tmp_path / "a", journey_name(PROVIDER_AWS), _endpoint_inputs(), clusters=clusters)
    government = fixed_flow(
        tmp_path / "b", journey_name(PROVIDER_AWS), _endpoint_inputs(), base_url=gov, clusters=clusters
    )
    offered = {}
    for name, flow in (("commercial", commercial), ("government", government)):
        app = LoneHost(flow, flow.page("private_endpoints"))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, EndpointsScreen)
            regions = app.screen.query_one("#regions", SelectionList)
            offered[name] = {regions.get_option_at_index(i).value for i in range(regions.option_count)}
    assert offered == {"commercial": {"US_EAST_1"}, "government": {"US_GOV_WEST_1"}}


def _endpoint_inputs() -> Any:
    return JOURNEYS.get(journey_name(PROVIDER_AWS)).inputs({})


@pytest.mark.parametrize(
    ("wizard", "provider"), [("encrypted-aws", PROVIDER_AWS), ("encrypted-azure", PROVIDER_AZURE)], indirect=["wizard"]
)
async def test_endpoints_then_summary_alone_apply_through_the_flow_client(wizard, provider):
    context = wizard.context()
    client = context.atlas_client()
    project_id = wizard.sandbox.info.project_id
    state = await read_project_state(client, project_id, clock=context.clock)
    name = journey_name(provider)
    flow = _flow(name, JOURNEYS.get(name).inputs({}), context, client, state)
    flow.run_id = flow.journal.start_run(name, flow.inputs.to_record())

    app = LoneHost(flow, flow.page("private_endpoints"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert str(app.screen.query_one("#apply", Button).label) == "Skip private endpoints"
        await click(pilot, "#apply")
        await settle(pilot)
        [asked] = app.asked
        assert isinstance(asked, ShowPage) and asked.page.key == "summary"

    app = LoneHost(flow, flow.page("summary"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        report = shown(app, "#summary-report")
        assert f"{provider_label(provider)}: key" in report and "valid: true" in report
        await click(pilot, "#apply")
        await settle(pilot)
        assert [type(m) for m in app.asked] == [JourneyDone]
    assert flow.journal.open_run(name) is None  # the summary finished this run
    await client.aclose()
