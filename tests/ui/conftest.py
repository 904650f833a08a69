"""The wizard against a real sandbox in this process: the Atlas simulator through httpx.ASGITransport,
moto for AWS. Waits advance the sandbox clock instead of sleeping, and polls are far apart unless a
test asks otherwise, so every test is quick and decides itself when time moves."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from textual.widgets import Input

from cmkwizard.atlas import RetryPolicy
from cmkwizard.aws.adapters import AwsAccount
from cmkwizard.context import AppContext, sandbox_settings
from cmkwizard.sandbox import Sandbox
from cmkwizard.state import Clock
from screens.app import WizardApp
from screens.widgets.status_pane import PollPolicy
from tests.ui.support import NO_POLLING


@dataclass
class Wizard:
    """Builds wizard apps wired to one sandbox."""

    sandbox: Sandbox
    journal_dir: Path
    on_sleep: list[Callable[[float], None]] = field(default_factory=list)
    """Called at the start of every wait, while the page shows what it waits for."""

    async def sleep(self, seconds: float) -> None:
        for hook in self.on_sleep:
            hook(seconds)
        self.sandbox.clock.advance(seconds)
        await asyncio.sleep(0)

    def context(self, *, clock: Clock | None = None, retry: RetryPolicy | None = None) -> AppContext:
        info = self.sandbox.info
        context = AppContext(
            settings=sandbox_settings(info),
            clock=clock or self.sandbox.clock,
            sandbox=info,
            journal_dir=self.journal_dir,
            settings_loader=lambda overrides: sandbox_settings(info, overrides),
            aws_factory=lambda region: AwsAccount(region=region or info.aws_region, endpoint_url=info.aws_endpoint_url),
        )
        # Clients follow the settings (so typed credentials are used) but talk to the app in-process.
        context.client_factory = lambda: context.settings.make_client(
            transport=httpx.ASGITransport(app=self.sandbox.atlas_app), retry=retry or RetryPolicy(), sleep=self.sleep
        )
        return context

    def app(self, *, poll_policy: PollPolicy = NO_POLLING, **context_options) -> WizardApp:
        return WizardApp(self.context(**context_options), poll_policy=poll_policy, sleep=self.sleep)


@pytest.fixture
def wizard(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Wizard]:
    """The "fresh" scenario unless the test parametrizes `wizard` indirectly; the clock stands still."""
    with Sandbox(scenario=getattr(request, "param", "fresh"), speed=0.0) as sandbox:
        info = sandbox.info
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", info.aws_access_key_id)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", info.aws_secret_access_key)
        yield Wizard(sandbox, tmp_path / "journal")


@pytest.fixture(scope="module")
def viewer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Wizard]:
    """One "fresh" sandbox shared by a module's tests that only read (connecting, choosing, polling)."""
    with Sandbox(scenario="fresh", speed=0.0) as sandbox:
        yield Wizard(sandbox, tmp_path_factory.mktemp("journal"))


@pytest.fixture(autouse=True)
def _steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """No blinking cursor: screenshots are the same every time."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
