"""Help and keys: F1 explains the page on screen and its keys; the command palette lists the page's actions."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import Markdown

from cmkwizard.journeys.aws_inputs import OnboardAwsInputs
from screens.commands import page_actions
from screens.help import HelpScreen
from screens.onboard_aws.key import KeyScreen
from tests.ui.page_host import FRESH, PageHost
from tests.ui.states import KEY_ID, ROLE_ARN, cluster
from tests.ui.support import settle, shown

SMALL, ROOMY = (80, 24), (120, 36)


def key_page(tmp_path) -> PageHost:
    inputs = OnboardAwsInputs(role_arn=ROLE_ARN, region="US_EAST_1", key_ref=KEY_ID)
    return PageHost(tmp_path, "key", inputs, enabled=False, clusters=[cluster("orders")])


def help_text(app) -> str:
    return app.screen.query_one(Markdown).source


async def test_f1_explains_the_page_on_screen_with_its_keys(tmp_path):
    app = PageHost(tmp_path, "authorize", OnboardAwsInputs(), **FRESH)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert shown(app, ".dialog-title") == "Help: Role ARN and authorization"
        text = help_text(app)
        assert "Step 2 of 7 · Role ARN and authorization" in text
        assert "## Keys on this page" in text
        for key, what in (("^n", "Apply this page"), ("f2", "live status"), ("^r", "Read the live status")):
            row = next((line for line in text.splitlines() if line.startswith(f"| {key} |")), "")
            assert what in row, f"{key} is not explained: {text}"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.page.key == "authorize"


async def test_the_palette_lists_the_page_buttons_and_keys(tmp_path):
    app = key_page(tmp_path)
    async with app.run_test(size=ROOMY) as pilot:
        await settle(pilot)
        titles = [action.title for action in page_actions(app.screen)]
        assert titles[0] == "Check the key", "the page's own Apply comes first, under its label"
        assert "Use my AWS credentials" in titles and "Copy" in titles and "Refresh" in titles
        assert "List keys in this region" not in titles, "a disabled button is not offered"
        assert "Back" not in titles, "Back is the app's own command"
        assert "Status" not in titles, "the live status is already on screen at this size"


async def test_the_palette_runs_a_page_action(tmp_path):
    app = key_page(tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"status", "enter")
        await settle(pilot)
        assert isinstance(app.screen, KeyScreen)
        assert app.screen.query_one("#status-pane").display, "the palette's Status showed the live status"
