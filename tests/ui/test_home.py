"""The project home: what each sandbox project needs, the journeys offered for it, the palette, the look."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from textual import events

from cmkwizard.atlas import AtlasClient, RetryPolicy
from cmkwizard.atlas.models import Project
from cmkwizard.context import AppContext
from cmkwizard.journeys.catalog import JOURNEYS
from screens.app import WizardApp
from screens.home import HomeScreen
from screens.widgets.confirm import ConfirmModal
from tests.ui.page_host import _unreachable, no_sleep, settings_for_pages
from tests.ui.states import PROJECT_ID, FixedClock, cluster, endpoint, project_state
from tests.ui.support import NO_POLLING, choose_journey, click, settle, shown

SIZE = (120, 36)

# scenario -> (journeys offered, in order; words the "needs" card must say)
EXPECTED = {
    "fresh": (["onboard_aws", "onboard_azure"], "not configured"),
    "encrypted-aws": (["private_endpoints_aws", "rotate_aws", "disable_aws"], "Clusters using the key: orders, analytics"),
    "encrypted-azure": (["private_endpoints_azure", "rotate_azure", "disable_azure"], "Encrypted with Azure Key Vault"),
    "outage": (["failover_aws", "private_endpoints_aws", "disable_aws"], "cannot use the key (valid: false). Diagnose first"),
    "legacy-credentials": (["onboard_aws", "disable_aws"], "IAM user's access keys"),
}


async def open_home(app, pilot) -> HomeScreen:
    await settle(pilot)
    await pilot.press("enter")  # connected: continue
    await settle(pilot)
    app.screen.start()  # the configured project, after its preflight
    await settle(pilot)
    assert isinstance(app.screen, HomeScreen)
    return app.screen


def offered(home: HomeScreen) -> list[str]:
    journeys = home.query_one("#journeys")
    return [journeys.get_option_at_index(i).id for i in range(journeys.option_count)]


@pytest.mark.parametrize("wizard", list(EXPECTED), indirect=True)
async def test_the_home_says_what_the_project_needs_and_offers_what_fits(wizard):
    journeys, needs = EXPECTED[wizard.sandbox.scenario]
    app = wizard.app()
    async with app.run_test(size=SIZE) as pilot:
        home = await open_home(app, pilot)
        assert offered(home) == journeys
        assert needs in shown(app, "#needs")
        warned = [offer.warning for entry, offer in home.offers() if entry.name != "failover_aws"]
        if wizard.sandbox.scenario == "outage":
            assert all(w and "valid: false" in w for w in warned), warned  # the failover is what to do about it
        else:
            assert warned == [None] * len(warned)
        # The same journeys are commands in the palette, with the same reasons.
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        for entry, offer in home.offers():
            assert commands[entry.title] == offer.reason


@pytest.mark.parametrize("wizard", ["encrypted-aws"], indirect=True)
async def test_a_journey_started_from_the_palette_opens_its_first_page(wizard):
    app = wizard.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_home(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"private endpoints")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert "Step 1 of 2 · Private endpoints" in shown(app, "#step-title")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "continues the unfinished run" in str(app.screen.query_one("#journeys").get_option_at_index(0).prompt)


@pytest.mark.parametrize("wizard", ["encrypted-aws"], indirect=True)
async def test_a_journey_with_an_unfinished_run_can_be_started_over_once_confirmed(wizard):
    app = wizard.app()
    async with app.run_test(size=SIZE) as pilot:
        home = await open_home(app, pilot)
        assert "start_over" not in {b.binding.action for b in app.screen.active_bindings.values()}
        await choose_journey(pilot, "private_endpoints_aws")
        await pilot.press("escape")
        await settle(pilot)
        journey = home.journeys.get("private_endpoints_aws").journey.name
        first_run = home.journal.open_run(journey)
        assert first_run is not None
        assert "n: start over" in str(home.query_one("#journeys").get_option_at_index(0).prompt)

        await pilot.press("n")
        await pilot.pause()  # the confirmation waits for an answer: no settling until it has one
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")  # cancelled: the run stays open
        await settle(pilot)
        assert app.screen is home and home.journal.open_run(journey) == first_run

        await pilot.press("n")
        await pilot.pause()
        await click(pilot, "#confirm")
        await settle(pilot)
        assert "Step 1 of 2 · Private endpoints" in shown(app, "#step-title")
        second_run = home.journal.open_run(journey)
        assert second_run not in (None, first_run)
        closed = [e["kind"] for e in home.journal.run_entries(first_run)]
        assert closed[-1] == "run_abandoned"


# --- snapshots, from fixed project states (no Atlas call happens) ------------------------------------


class HomeHost(WizardApp):
    """The wizard opened straight on the home of a project in a fixed state."""

    def __init__(self, tmp_path: Path, **state) -> None:
        clock = FixedClock()
        context = AppContext(
            settings=settings_for_pages(),
            clock=clock,
            wall_clock=clock,
            journal_dir=tmp_path,
            client_factory=lambda: AtlasClient(
                "http://127.0.0.1:9", transport=httpx.MockTransport(_unreachable), retry=RetryPolicy(max_attempts=1)
            ),
        )
        super().__init__(context, poll_policy=NO_POLLING, sleep=no_sleep)
        self._state = project_state(**state)

    async def on_mount(self, event: events.Mount) -> None:
        event.prevent_default()  # no connect screen: the home is the first screen
        await self.open_client()
        assert self.client is not None
        self.home = HomeScreen(
            Project(PROJECT_ID, "payments-prod", None, 4),
            self._state,
            journeys=JOURNEYS,
            journal=self.context.journal(PROJECT_ID),
            client=self.client,
            clock=self.context.clock,
            wall_clock=self.context.wall_clock,
            poll_policy=NO_POLLING,
        )
        self.push_screen(self.home)


CLUSTERS = [cluster("orders"), cluster("analytics"), cluster("playground", size="M0")]
SCENES = {
    "fresh": dict(enabled=False, authorized=False, clusters=CLUSTERS),
    "encrypted_aws": dict(clusters=[cluster("orders", provider="AWS"), cluster("analytics")]),
    "encrypted_azure": dict(provider="AZURE", clusters=[cluster("orders", provider="AZURE")]),
    "outage": dict(
        valid=False,
        private_networking=True,
        endpoints=[endpoint(1, "US_EAST_1", "ACTIVE")],
        clusters=[cluster("orders", "REPAIRING", "AWS")],
    ),
    "legacy_credentials": dict(legacy_access_key="AKIAEXAMPLE7EXAMPLE", clusters=[cluster("orders", provider="AWS")]),
}


@pytest.mark.parametrize("scene", list(SCENES))
def test_home(snap_compare, tmp_path, scene):
    app = HomeHost(tmp_path, **SCENES[scene])
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_home_in_a_small_terminal(snap_compare, tmp_path):
    app = HomeHost(tmp_path, **SCENES["outage"])
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


@pytest.mark.parametrize(
    ("checking", "warning"),
    [(True, "Atlas is still checking the key"), (False, "Atlas cannot use the project's key")],
)
async def test_valid_false_is_a_key_being_checked_or_a_key_atlas_cannot_use(tmp_path, checking, warning):
    app = HomeHost(tmp_path, **SCENES["encrypted_aws"], valid=False, key_being_checked=checking)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Every journey warns but the one that diagnoses (offered when Atlas cannot use the key).
        offers = [(entry.name, offer) for entry, offer in app.screen.offers() if entry.name != "failover_aws"]
        warnings = [offer.warning for _, offer in offers]
        assert warnings and all(w is not None and w.startswith(warning) for w in warnings), warnings
        journeys = app.screen.query_one("#journeys")
        first_warned = next(journeys.get_option(name) for name, _ in offers)
        assert warning in str(first_warned.prompt)
        assert ("still checking" in shown(app, "#needs")) is checking
        assert ("Diagnose first" in shown(app, "#needs")) is not checking
