"""Choosing the project: type to filter, pick with the keyboard, see the preflight, go back."""

from __future__ import annotations

from textual.widgets import OptionList

from screens.connect import ConnectScreen
from screens.home import HomeScreen
from screens.onboard_aws.role import RoleScreen
from screens.project import ProjectScreen
from tests.ui.support import settle, shown

SIZE = (120, 40)


async def open_projects(app, pilot) -> None:
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, ProjectScreen)


async def test_the_configured_project_is_highlighted_and_its_preflight_shown(viewer):
    info = viewer.sandbox.info
    app = viewer.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_projects(app, pilot)
        projects = app.screen.query_one("#projects", OptionList)
        assert projects.option_count == 2
        assert projects.get_option_at_index(projects.highlighted).id == info.project_id
        preflight = shown(app, "#preflight")
        assert "Encryption at rest  not enabled" in preflight
        assert "playground" in preflight and "shared-tier" in preflight
        assert "archive" in preflight and "paused" in preflight
        assert "none yet: the wizard will create one" in preflight


async def test_typing_filters_and_enter_runs_the_preflight_of_the_match(viewer):
    app = viewer.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_projects(app, pilot)
        app.screen.query_one("#project-filter").focus()
        await pilot.press(*"staging")
        projects = app.screen.query_one("#projects", OptionList)
        assert projects.option_count == 1
        assert "1 of 2 projects" in shown(app, "#projects-progress")
        await pilot.press("enter")
        await settle(pilot)
        assert "Preflight: cmk-sandbox-staging" in str(app.screen.query_one("#preflight").border_title)

        assert app.focused is not None and app.focused.id == "start"
        app.screen.query_one("#project-filter").value = ""
        app.screen.query_one("#project-filter").focus()
        await pilot.press(*"no-such-project")
        assert projects.option_count == 0
        assert "0 of 2 projects" in shown(app, "#projects-progress")


async def test_open_leads_home_a_journey_starts_at_its_first_unfinished_step_and_escape_walks_back(viewer):
    app = viewer.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_projects(app, pilot)
        await pilot.click("#start")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("enter")  # the first journey offered is highlighted
        await settle(pilot)
        assert isinstance(app.screen, RoleScreen)
        assert "Step 1 of 7 · Atlas role" in shown(app, "#step-title")

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ProjectScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConnectScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConnectScreen)


async def test_enter_while_the_preflight_reads_the_project_opens_it_once_it_is_in(wizard):
    """The open button shows while the preflight still reads the project; the operator's first enter then
    counts (it used to restart the preflight and be lost)."""
    wizard.sandbox.inject_fault("GET", r"/clusters$", "latency", count=1, seconds=0.5)
    app = wizard.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_projects_without_waiting(app, pilot)
        screen = app.screen
        assert screen.chosen is not None and screen.state is None, "the preflight is still reading"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def open_projects_without_waiting(app, pilot) -> None:
    """Continue, then wait only until the project screen has started the configured project's preflight."""
    await settle(pilot)
    await pilot.press("enter")
    for _ in range(200):
        await pilot.pause(0.01)
        if isinstance(app.screen, ProjectScreen) and app.screen.chosen is not None:
            return
    raise AssertionError("the project screen did not start a preflight")
