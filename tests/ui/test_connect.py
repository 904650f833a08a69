"""Connecting: where the credentials come from, who they are, and clear errors with a way forward."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cmkwizard.context import starting_sandbox_context
from cmkwizard.sandbox import Sandbox, SandboxInfo
from cmkwizard.sandbox.launch import SandboxLaunch
from cmkwizard.settings import Overrides, load_settings
from screens.app import WizardApp
from screens.connect import ConnectScreen
from screens.credentials_form import CredentialsForm
from screens.project import ProjectScreen
from screens.widgets.error_panel import ErrorPanel
from tests.ui.support import NO_POLLING, settle, shown


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
        assert not app.screen.query(CredentialsForm), "credentials that work need no form"

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


# --- the sandbox starting behind the first screen --------------------------------------------


@dataclass
class StartingSandbox:
    """The wizard as `cmkwizard --sandbox` opens it; the sandbox starts once `go` is set."""

    app: WizardApp
    launch: SandboxLaunch
    go: threading.Event


@pytest.fixture
def starting_sandbox(tmp_path: Path) -> Iterator[StartingSandbox]:
    sandbox = Sandbox(scenario="fresh", speed=0.0)
    launch = SandboxLaunch(sandbox)
    go = threading.Event()

    def start_when_told() -> SandboxInfo:
        go.wait(timeout=60)
        return launch.start()

    context = starting_sandbox_context(start_when_told, sandbox.clock)
    context.journal_dir = tmp_path / "journal"
    try:
        yield StartingSandbox(WizardApp(context, poll_policy=NO_POLLING), launch, go)
    finally:
        go.set()
        launch.stop()


async def test_the_first_screen_says_the_sandbox_is_starting_then_connects_to_it(starting_sandbox):
    app = starting_sandbox.app
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConnectScreen)
        progress = shown(app, "#connect-progress")
        assert "Starting the sandbox" in progress, (progress, shown(app, "#connect-error"))
        assert "Starting the sandbox" in shown(app, "#sandbox-notice")
        assert not app.screen.query_one("#credentials").display, "no credentials exist before the sandbox is up"

        starting_sandbox.go.set()
        await settle(pilot)
        info = app.context.sandbox
        assert info is not None
        assert info.project_name in shown(app, "#sandbox-notice")
        assert f"API key {info.public_key}" in shown(app, "#credentials")
        assert f"Connected as API key {info.public_key}" in shown(app, "#caller")


async def test_a_sandbox_that_cannot_start_is_explained_and_can_be_started_again(
    starting_sandbox, tmp_path, monkeypatch
):
    app = starting_sandbox.app
    starting_sandbox.go.set()
    # The sandbox keeps its certificates in a temporary directory: make that directory missing.
    missing = tmp_path / "missing"
    monkeypatch.setattr(tempfile, "tempdir", str(missing))
    async with app.run_test() as pilot:
        await settle(pilot)
        error = shown(app, "#connect-error")
        assert "The sandbox did not start: FileNotFoundError (No such file or directory)." in error
        assert "Next step" in error
        assert "Not connected." in shown(app, "#connect-progress")
        assert app.screen.query_one("#retry").display and not app.screen.query_one("#retry").has_class("hidden")

        missing.mkdir()
        await pilot.press("r")
        await settle(pilot)
        assert not app.screen.query_one("#connect-error", ErrorPanel).has_class("-visible")
        assert "Connected as API key" in shown(app, "#caller")
