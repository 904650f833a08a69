"""Connecting: where the credentials come from, who they are, and clear errors with a way forward."""

from __future__ import annotations

from cmkwizard.settings import Overrides, load_settings
from screens.connect import ConnectScreen
from screens.credentials_form import CredentialsForm
from screens.project import ProjectScreen
from screens.widgets.error_panel import ErrorPanel
from tests.ui.support import settle, shown


async def test_connect_shows_the_sandbox_the_source_and_who_you_are(viewer):
    info = viewer.sandbox.info
    app = viewer.app()
    async with app.run_test() as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ConnectScreen)
        assert info.project_name in shown(app, "#sandbox-notice")
        assert "nothing here reaches your real atlas" in shown(app, "#sandbox-notice").lower()
        credentials = shown(app, "#credentials")
        assert f"API key {info.public_key}" in credentials
        assert "From      the sandbox: public key, private key" in credentials
        caller = shown(app, "#caller")
        assert f"Connected as API key {info.public_key}" in caller
        assert f"Project Owner (GROUP_OWNER)  project {info.project_id}" in caller
        assert app.screen.query_one(CredentialsForm).has_class("hidden")

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ProjectScreen)


async def test_a_wrong_private_key_is_explained_and_can_be_replaced(viewer):
    info = viewer.sandbox.info
    app = viewer.app()
    app.context.reload_settings(Overrides(private_key="not-the-right-secret", origin="the command line"))
    async with app.run_test() as pilot:
        await settle(pilot)
        error = app.screen.query_one("#connect-error", ErrorPanel)
        assert error.has_class("-visible")
        assert "401" in shown(app, "#connect-error")
        assert "Next step" in shown(app, "#connect-error")
        assert "not-the-right-secret" not in shown(app, "#connect-error")
        form = app.screen.query_one(CredentialsForm)
        assert not form.has_class("hidden")

        app.screen.query_one("#identifier-input").value = info.public_key
        app.screen.query_one("#secret-input").value = info.private_key
        app.screen.query_one("#secret-input").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert not error.has_class("-visible")
        assert f"Connected as API key {info.public_key}" in shown(app, "#caller")
        assert app.screen.query_one("#secret-input").value == ""


async def test_without_credentials_the_form_says_what_is_expected(viewer):
    info = viewer.sandbox.info
    app = viewer.app()

    def nothing_found(overrides=None):
        base = Overrides(base_url=info.atlas_base_url, origin="the command line")
        typed = overrides.values() if overrides else {}
        merged = Overrides(**{**base.values(), **typed}, origin="the connect screen")
        return load_settings(merged, env={}, use_profiles=False)

    app.context.settings_loader = nothing_found
    app.context.reload_settings()
    async with app.run_test() as pilot:
        await settle(pilot)
        assert "No Atlas credentials found" in shown(app, "#connect-error")
        assert app.focused is not None and app.focused.id == "identifier-input"

        await pilot.press(*"abc", "tab")
        await pilot.press("enter")
        await pilot.pause()
        assert "expected the 8-character public key" in shown(app, "#identifier .field-error")
        assert "Private key: it is empty" in shown(app, "#secret .field-error")
        assert app.client is None

        app.screen.query_one("#identifier-input").value = info.public_key
        app.screen.query_one("#secret-input").value = info.private_key
        app.screen.query_one("#secret-input").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert f"Connected as API key {info.public_key}" in shown(app, "#caller")


async def test_help_explains_the_page_and_escape_closes_it(viewer):
    app = viewer.app()
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConnectScreen)
