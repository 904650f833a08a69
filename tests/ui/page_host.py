"""The wizard opened straight on one journey page, from a fixed project state: no connect screen, no
project screen, and by default no Atlas call at all."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from textual import events

from cmkwizard.atlas import AtlasClient, RetryPolicy
from cmkwizard.atlas.models import Project
from cmkwizard.context import AppContext
from cmkwizard.journeys.aws_inputs import OnboardAwsInputs
from cmkwizard.journeys.onboard_aws import ONBOARD_AWS
from cmkwizard.settings import Overrides, Settings, load_settings
from screens.app import WizardApp
from screens.flow import JourneyFlow
from screens.onboard_aws import PAGES
from tests.ui.states import PROJECT_ID, FixedClock, cluster, project_state
from tests.ui.support import NO_POLLING


async def no_sleep(seconds: float) -> None:
    return None


FRESH = dict(enabled=False, authorized=False, clusters=[cluster("orders"), cluster("analytics")])
"""A project with a role created but not authorized, encryption at rest off, two eligible clusters."""


class PageHost(WizardApp):
    """The wizard opened straight on one journey page."""

    JOURNEY: Any = ONBOARD_AWS
    PAGES: Any = PAGES

    def __init__(
        self,
        tmp_path: Path,
        page: str,
        inputs: OnboardAwsInputs,
        *,
        atlas: Callable[[httpx.Request], httpx.Response] | None = None,
        **state: Any,
    ) -> None:
        """`atlas` answers the status pane's polls; by default a page must not call Atlas at all."""
        clock = FixedClock()
        context = AppContext(
            settings=settings_for_pages(),
            clock=clock,
            wall_clock=clock,
            journal_dir=tmp_path,
            client_factory=lambda: AtlasClient(
                "http://127.0.0.1:9",
                transport=httpx.MockTransport(atlas or _unreachable),
                retry=RetryPolicy(max_attempts=1),
            ),
        )
        super().__init__(context, poll_policy=NO_POLLING, sleep=no_sleep)
        self._page = page
        self._inputs = inputs
        self._state = project_state(**state)

    async def on_mount(self, event: events.Mount) -> None:
        event.prevent_default()  # no connect screen: the page is the first screen
        client = await self.open_client()
        self.flow = JourneyFlow(
            journey=self.JOURNEY,
            pages=self.PAGES,
            project=Project(PROJECT_ID, "payments-prod", None, 2),
            inputs=self._inputs,
            journal=self.context.journal(PROJECT_ID),
            state=self._state,
            clock=self.context.clock,
            sleep=no_sleep,
            client=client,
            context=self.context,
            poll_policy=self.poll_policy,
            wall_clock=self.context.wall_clock,
        )
        self.show_page(self.flow.page(self._page))


def _unreachable(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"a page shown from a fixed state called Atlas: {request.method} {request.url}")


def settings_for_pages() -> Settings:
    return load_settings(
        Overrides(public_key="zmmrboas", private_key="0d6a1c1e-5b0e-4f4a-9c1b-3f0d2a7e9c11", origin="test"),
        env={},
        use_profiles=False,
    )
