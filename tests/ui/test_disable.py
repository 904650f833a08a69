"""Turning customer key management off from the project home: each step confirmed, none out of order, the
old-key report at the end; and the old-key report from the palette."""

from __future__ import annotations

import httpx
import pytest

from cmkwizard.atlas import Exchange
from screens.app import WizardApp
from screens.disable.old_key_screen import OldKeyReportScreen
from screens.home import HomeScreen
from screens.widgets.confirm import ConfirmModal
from tests.ui.support import NO_POLLING, click, settle, shown
from tests.ui.test_home import open_home

SIZES = [(80, 24), (120, 36)]


def traced_app(wizard, exchanges: list[Exchange]) -> WizardApp:
    """The wizard, every request it sends to the simulator recorded."""
    context = wizard.context()
    context.client_factory = lambda: context.settings.make_client(
        transport=httpx.ASGITransport(app=wizard.sandbox.atlas_app), sleep=wizard.sleep, tracer=exchanges.append
    )
    return WizardApp(context, poll_policy=NO_POLLING, sleep=wizard.sleep)


def writes(exchanges: list[Exchange]) -> list[str]:
    return [f"{e.method} {e.path}" for e in exchanges if e.method != "GET"]


async def ask(app, pilot) -> ConfirmModal:
    """Press Apply: the step's change is to be confirmed first."""
    await click(pilot, "#apply")
    for _ in range(50):
        if isinstance(app.screen, ConfirmModal):
            break
        await pilot.pause(0.02)
    assert isinstance(app.screen, ConfirmModal), "each step's change is confirmed first"
    await pilot.pause()
    return app.screen


async def start_disable(app, pilot) -> None:
    home = await open_home(app, pilot)
    home.post_message(home_choice("disable_aws"))
    await settle(pilot)


def home_choice(name: str):
    from screens.messages import JourneyChosen

    return JourneyChosen(name)


def seed_endpoint(wizard) -> None:
    sandbox = wizard.sandbox
    sandbox.store.add_endpoint(sandbox.info.project_id, "AWS", "US_EAST_1", "ACTIVE", sandbox.clock.now(), "pe-1")


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x36"])
@pytest.mark.parametrize("wizard", ["encrypted-aws"], indirect=True)
async def test_disable_step_by_step_with_confirmations_and_the_report(wizard, size, tmp_path):
    seed_endpoint(wizard)
    exchanges: list[Exchange] = []
    app = traced_app(wizard, exchanges)
    async with app.run_test(size=size) as pilot:
        await start_disable(app, pilot)
        assert "Step 1 of 4 · Remove private endpoints" in shown(app, "#step-title")
        assert "US_EAST_1: ACTIVE" in shown(app, "#step-summary")

        await ask(app, pilot)
        await click(pilot, "#confirm")
        await settle(pilot)
        assert "Step 2 of 4 · Clusters to Atlas-managed keys" in shown(app, "#step-title")

        # Cancelling the confirmation sends nothing.
        sent = writes(exchanges)
        await ask(app, pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert writes(exchanges) == sent
        assert "Step 2 of 4" in shown(app, "#step-title")

        await ask(app, pilot)
        await click(pilot, "#confirm")
        await settle(pilot)
        assert "Step 3 of 4 · Turn off the project's key" in shown(app, "#step-title")

        modal = await ask(app, pilot)
        await click(pilot, "#confirm")  # without the typed word: refused on the dialog
        await pilot.pause()
        assert app.screen is modal and "Type exactly DISABLE" in shown(app, "#typed .field-error")
        app.screen.query_one("#typed-input").value = "DISABLE"
        await click(pilot, "#confirm")
        await settle(pilot)

        assert "Step 4 of 4 · Old-key report" in shown(app, "#step-title")
        report = shown(app, "#old-key-text")
        assert "Earliest safe date to retire the key" in report
        assert "orders: 4 of 4 snapshots may need it (by masterKeyUUID)" in report
        assert "never disables, deletes or schedules the deletion of a key" in report
        await click(pilot, "#save-markdown")
        await click(pilot, "#save-json")
        saved = sorted(wizard.journal_dir.glob("old-key-report-*"))
        assert [p.suffix for p in saved] == [".json", ".md"]
        assert "Earliest safe date to retire the key" in saved[1].read_text()

        kinds = [w.split()[0] + (" cluster" if "/clusters/" in w else "") for w in writes(exchanges)]
        assert kinds == ["DELETE", "PATCH cluster", "PATCH cluster", "PATCH cluster", "PATCH"]
        await click(pilot, "#apply")  # Finish
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


@pytest.mark.parametrize("wizard", ["encrypted-aws"], indirect=True)
async def test_a_later_step_chosen_from_the_step_list_is_refused_without_a_write(wizard):
    seed_endpoint(wizard)
    exchanges: list[Exchange] = []
    app = traced_app(wizard, exchanges)
    async with app.run_test(size=(120, 36)) as pilot:
        await start_disable(app, pilot)
        app.show_page(app.flow.first_page_of("disable_project"))
        await settle(pilot)
        assert "Step 3 of 4" in shown(app, "#step-title")
        await click(pilot, "#apply")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmModal)  # nothing to confirm: it may not run yet
        assert "Remove the private endpoints first" in shown(app, "#step-error")

        app.show_page(app.flow.first_page_of("clusters_off"))
        await settle(pilot)
        await click(pilot, "#apply")
        await settle(pilot)
        assert "Remove the private endpoints first" in shown(app, "#step-error")
    assert writes(exchanges) == []


@pytest.mark.parametrize("wizard", ["encrypted-azure"], indirect=True)
async def test_the_old_key_report_from_the_palette(wizard):
    app = wizard.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_home(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"old-key report")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OldKeyReportScreen)
        report = shown(app, "#old-key-text")
        assert "payments-azure: 4 of 4 snapshots may need it (by date)" in report
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
