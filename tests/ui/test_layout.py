"""Every terminal size, and what matters in sight: columns, the one-line step header, the live status
behind F2, errors scrolled into view, visible focus, and the step list marking the page on screen."""

from __future__ import annotations

import pytest
from textual.widget import Widget
from textual.widgets import Button, DataTable, OptionList, TextArea

from cmkwizard.journeys.aws_inputs import OnboardAwsInputs
from cmkwizard.journeys.onboard_aws import preflight
from screens.onboard_aws.key import KeyScreen
from screens.onboard_aws.role import RoleScreen
from screens.onboard_aws.trust import TrustPolicyScreen
from screens.preflight_view import preflight_text
from screens.widgets.error_panel import ErrorPanel
from screens.widgets.status_pane import StatusPane
from screens.widgets.step_list import HERE, StepList
from screens.widgets.ticks import TICKED, UNTICKED, TickBox, TickList
from tests.ui.page_host import FRESH, PageHost
from tests.ui.states import KEY_ID, ROLE_ARN, cluster, project_state
from tests.ui.support import Host, settle, shown
from tests.ui.test_onboarding import apply, check_key, start_onboarding, walk_to_key_page

SMALL, ROOMY, LARGE = (80, 24), (120, 36), (200, 60)


def in_view(widget: Widget) -> bool:
    """The widget is laid out, and all of it is inside its screen and inside what its scrolling page shows."""
    region = widget.region
    if not region.area or not widget.screen.region.contains_region(region):
        return False
    page = next((a for a in widget.ancestors if a.id == "step-page"), None)
    return page is None or page.region.contains_region(region)


def key_page(tmp_path) -> PageHost:
    inputs = OnboardAwsInputs(role_arn=ROLE_ARN, region="US_EAST_1", key_ref=KEY_ID)
    return PageHost(tmp_path, "key", inputs, enabled=False, clusters=[cluster("orders")])


@pytest.mark.parametrize("size", [ROOMY, LARGE], ids=["120x36", "200x60"])
async def test_three_columns_where_they_fit(tmp_path, size):
    app = key_page(tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = app.screen
        assert in_view(screen.query_one(StepList)) and in_view(screen.query_one(StatusPane))
        assert screen.query_one("#step-page").region.width >= 45
        assert not screen.query_one("#step-header").display
        assert "f2" not in {b.binding.key for b in screen.active_bindings.values() if b.binding.show and b.enabled}


async def test_a_small_terminal_shows_the_step_as_one_line_and_the_status_behind_f2(tmp_path):
    app = key_page(tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        screen = app.screen
        assert not screen.query_one(StepList).display and not screen.query_one(StatusPane).display
        assert shown(app, "#step-header-title") == "Step 3 of 7 · Key and region"
        assert "F2: live status" in shown(app, "#step-header-status")
        footer_keys = {b.binding.key: b.binding.description for b in screen.active_bindings.values() if b.enabled}
        assert footer_keys.get("f2") == "Status"
        assert screen.query_one("#step-page").region.width >= 76, "the page has the whole width"

        await pilot.press("f2")
        await settle(pilot)
        pane = screen.query_one(StatusPane)
        assert in_view(pane) and pane.has_focus
        assert ROLE_ARN in shown(app, "#status-roles"), "an ARN is not broken across lines when the pane has the width"

        await pilot.press("escape")
        await settle(pilot)
        assert not pane.display and screen.query_one("#step-column").display
        assert isinstance(app.screen, KeyScreen), "escape closed the status, it did not leave the page"
        assert screen.focused is screen.query_one("#region-input")


@pytest.mark.parametrize("size", [SMALL, ROOMY], ids=["80x24", "120x36"])
async def test_apply_stays_in_sight_however_long_the_page(tmp_path, size):
    app = PageHost(tmp_path, "trust", OnboardAwsInputs(), **FRESH)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert in_view(app.screen.query_one("#apply"))


@pytest.mark.parametrize("size", [SMALL, ROOMY], ids=["80x24", "120x36"])
async def test_the_trust_policy_box_shows_at_least_six_lines(tmp_path, size):
    app = PageHost(tmp_path, "trust", OnboardAwsInputs(), **FRESH)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        area = app.screen.query_one("#existing-policy", TextArea)
        area.focus()
        await settle(pilot)
        assert in_view(area)
        assert area.scrollable_content_region.height >= 6


@pytest.mark.parametrize("size", [SMALL, ROOMY], ids=["80x24", "120x36"])
async def test_a_key_atlas_cannot_use_is_explained_in_sight(wizard, size):
    app = wizard.app()
    async with app.run_test(size=size) as pilot:
        await start_onboarding(app, pilot)
        await walk_to_key_page(app, pilot, wizard)
        await check_key(app, pilot, "us-east-1", "alias/atlas-cmk-rsa")
        await settle(pilot)
        assert isinstance(app.screen, KeyScreen)
        panel = app.screen.query_one("#step-error", ErrorPanel)
        assert panel.error is not None and "RSA" in shown(app, "#step-error")
        assert in_view(panel), f"the error is at {panel.region}, outside {app.screen.query_one('#step-page').region}"
        assert app.screen.focused is app.screen.query_one("#apply"), "enter tries again"
        assert in_view(app.screen.query_one("#apply"))


async def test_a_refused_value_takes_the_focus(tmp_path):
    inputs = OnboardAwsInputs(role_arn=ROLE_ARN, region="US_EAST_1", key_ref=KEY_ID)
    app = PageHost(tmp_path, "key", inputs, enabled=False, clusters=[cluster("orders")])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        app.screen.query_one("#key-input").value = "not a key"
        app.screen.query_one("#apply", Button).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.focused is app.screen.query_one("#key-input")
        assert in_view(app.screen.query_one("#key .field-error"))


def looks(widget: Widget) -> tuple[object, ...]:
    """What sets a widget apart on screen: its text style and its border."""
    styles = widget.styles
    return (str(styles.text_style), styles.border_top, styles.border_left, widget.rich_style)


async def test_focus_is_plain_to_see_on_buttons_toggles_and_lists():
    widgets = [
        Button("Apply", id="apply"),
        Button("Copy", id="copy", compact=True),
        TickBox("Attach the policy", id="tick"),
        OptionList("one", "two", id="options"),
        DataTable(id="table"),
        Button("Elsewhere", id="elsewhere"),
    ]
    app = Host(*widgets)
    async with app.run_test(size=ROOMY) as pilot:
        await pilot.pause()
        parking = app.query_one("#elsewhere")
        for widget in widgets[:-1]:
            parking.focus()
            await pilot.pause()
            blurred = looks(widget)
            widget.focus()
            await pilot.pause()
            assert looks(widget) != blurred, f"{widget!r} looks the same focused and not"
            focused_text_style = widget.styles.text_style
            assert focused_text_style.reverse or widget.styles.border_top[0] == "thick", (
                f"{widget!r} shows focus by colour alone"
            )


async def test_a_ticked_box_differs_from_an_unticked_one_without_colour():
    ticked, unticked = TickBox("On", value=True, id="on"), TickBox("Off", id="off")
    choices = TickList[str](("a", "a", True), ("b", "b", False), id="choices")
    app = Host(ticked, unticked, choices)
    async with app.run_test(size=ROOMY) as pilot:
        await pilot.pause()
        assert TICKED in ticked.render().plain and TICKED not in unticked.render().plain
        assert UNTICKED in unticked.render().plain
        lines = [choices.render_line(y).text for y in range(2)]
        assert TICKED in lines[0] and TICKED not in lines[1]


async def test_the_step_list_marks_the_page_on_screen_not_the_furthest_reached(wizard):
    app = wizard.app()
    async with app.run_test(size=ROOMY) as pilot:
        await start_onboarding(app, pilot)
        await apply(app, pilot)  # the role is created: the trust policy page, in step 2
        assert isinstance(app.screen, TrustPolicyScreen)
        steps = app.screen.query_one(StepList)
        prompts = [str(steps.get_option_at_index(i).prompt) for i in range(steps.option_count)]
        assert HERE in prompts[1] and "Trust policy" in prompts[1].split(HERE, 1)[1]
        assert not any(HERE in prompt for prompt in prompts[:1] + prompts[2:])

        await pilot.press("escape")  # back to the role page: step 1, although step 2 is the furthest reached
        await settle(pilot)
        assert isinstance(app.screen, RoleScreen)
        steps = app.screen.query_one(StepList)
        prompts = [str(steps.get_option_at_index(i).prompt) for i in range(steps.option_count)]
        assert HERE in prompts[0] and not any(HERE in prompt for prompt in prompts[1:])
        assert prompts[1].startswith("▶"), "step 2 is still the next one to do"


def test_a_long_preflight_is_summarised_with_counts_and_where_to_see_every_cluster():
    state = project_state(enabled=False, clusters=[cluster(f"cluster-{n:03d}") for n in range(1, 501)])
    text = preflight_text(preflight(state, None)).plain
    assert "500 eligible, 0 not" in text
    assert "cluster-005" in text and "cluster-006" not in text
    assert "… and 495 more eligible (the Clusters page lists them all, with a filter)" in text
    assert len(text.splitlines()) < 15


async def test_a_long_cluster_table_has_a_filter(tmp_path):
    clusters = [cluster(f"cluster-{n:03d}") for n in range(1, 41)]
    app = PageHost(tmp_path, "clusters", OnboardAwsInputs(), clusters=clusters)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#clusters-table", DataTable)
        assert table.row_count == 40
        app.screen.query_one("#clusters-filter").focus()
        await pilot.press(*"-03", "enter")
        await settle(pilot)
        assert [str(table.get_row_at(i)[1]) for i in range(table.row_count)] == [f"cluster-0{n}" for n in range(30, 40)]
        assert table.has_focus
        await pilot.press("space")
        assert str(app.screen.query_one("#apply", Button).label) == "Encrypt 1 cluster"
        assert in_view(app.screen.query_one("#apply"))
