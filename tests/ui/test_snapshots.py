"""What the screens look like, pinned: fixed terminal size, clock and identifiers, no animation, no
blinking cursor, polls too far apart to happen. Review changes in snapshot_report.html, then accept
them with `pytest tests/ui --snapshot-update`."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual import events

from cmkwizard.atlas import AtlasClient, RetryPolicy
from cmkwizard.atlas.models import Project
from cmkwizard.context import AppContext, sandbox_settings
from cmkwizard.journeys.aws_inputs import OnboardAwsInputs
from cmkwizard.journeys.onboard_aws import ONBOARD_AWS
from cmkwizard.sandbox import Sandbox
from cmkwizard.sandbox.atlas_sim import store as sim_store
from cmkwizard.settings import Overrides, Settings, load_settings
from screens.app import WizardApp
from screens.flow import JourneyFlow
from screens.onboard_aws import PAGES
from screens.widgets.confirm import ConfirmModal
from screens.widgets.status_pane import StatusPane
from tests.ui.states import (
    ALL_ENDPOINT_STATUSES,
    KEY_ID,
    PROJECT_ID,
    ROLE_ARN,
    FixedClock,
    cluster,
    endpoint,
    project_state,
)
from tests.ui.support import NO_POLLING, settle

SIZE = (120, 36)
FIXED_CREDENTIALS = sim_store.SimCredentials(
    public_key="zmmrboas",
    private_key="0d6a1c1e-5b0e-4f4a-9c1b-3f0d2a7e9c11",
    readonly_public_key="rdonlyky",
    readonly_private_key="5c1f0d2a-7e9c-4b11-8f3a-0d6a1c1e5b0e",
    client_id="mdb_sa_id_6650f1c2a4b5c6d7e8f90000",
    client_secret="mdb_sa_sk_" + "x" * 40,
)


async def _no_sleep(seconds: float) -> None:
    return None


@pytest.fixture(scope="module")
def pinned() -> Iterator[Sandbox]:
    """A sandbox whose identifiers and credentials are the same on every run."""
    counter = itertools.count(1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sim_store, "new_id", lambda: f"6650f1c2a4b5c6d7e8f9{next(counter):04x}")
        patch.setattr(sim_store.SimCredentials, "generate", classmethod(lambda cls: FIXED_CREDENTIALS))
        with Sandbox(scenario="fresh", speed=0.0) as sandbox:
            yield sandbox


@pytest.fixture
def pinned_sandbox(pinned: Sandbox, tmp_path: Path) -> AppContext:
    """The pinned sandbox seen through a fixed clock, with fixed addresses in what the screens show."""
    shown = replace(
        pinned.info,
        atlas_base_url="http://127.0.0.1:8080",
        aws_endpoint_url="http://127.0.0.1:5000",
        aws_account_id="111122223333",
    )
    context = AppContext(
        settings=sandbox_settings(shown),
        clock=FixedClock(),
        sandbox=shown,
        journal_dir=tmp_path,
        settings_loader=lambda overrides: sandbox_settings(shown, overrides),
    )
    context.client_factory = lambda: context.settings.make_client(
        transport=httpx.ASGITransport(app=pinned.atlas_app), sleep=_no_sleep
    )
    return context


def wizard_app(context: AppContext) -> WizardApp:
    return WizardApp(context, poll_policy=NO_POLLING, sleep=_no_sleep)


def test_connect_screen_connected(snap_compare, pinned_sandbox):
    assert snap_compare(wizard_app(pinned_sandbox), terminal_size=SIZE, run_before=settle)


def test_connect_screen_with_a_refused_key(snap_compare, pinned_sandbox):
    pinned_sandbox.reload_settings(Overrides(private_key="not-the-right-secret", origin="the command line"))
    assert snap_compare(wizard_app(pinned_sandbox), terminal_size=SIZE, run_before=settle)


def test_connect_screen_help(snap_compare, pinned_sandbox):
    assert snap_compare(wizard_app(pinned_sandbox), press=["f1"], terminal_size=SIZE, run_before=settle)


def test_project_screen_with_preflight(snap_compare, pinned_sandbox):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(wizard_app(pinned_sandbox), terminal_size=SIZE, run_before=run_before)


# --- journey pages, from fixed project states (no Atlas call happens) ------------------------------------


class PageHost(WizardApp):
    """The wizard opened straight on one journey page."""

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
        context = AppContext(
            settings=settings_for_pages(),
            clock=FixedClock(),
            journal_dir=tmp_path,
            client_factory=lambda: AtlasClient(
                "http://127.0.0.1:9",
                transport=httpx.MockTransport(atlas or _unreachable),
                retry=RetryPolicy(max_attempts=1),
            ),
        )
        super().__init__(context, poll_policy=NO_POLLING, sleep=_no_sleep)
        self._page = page
        self._inputs = inputs
        self._state = project_state(**state)

    async def on_mount(self, event: events.Mount) -> None:
        event.prevent_default()  # no connect screen: the page is the first screen
        await self.open_client()
        self.flow = JourneyFlow(
            journey=ONBOARD_AWS,
            pages=PAGES,
            project=Project(PROJECT_ID, "payments-prod", None, 2),
            inputs=self._inputs,
            journal=self.context.journal(PROJECT_ID),
            state=self._state,
            clock=self.context.clock,
            sleep=_no_sleep,
        )
        self.show_page(self.flow.page(self._page))


def _unreachable(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"a snapshot page called Atlas: {request.method} {request.url}")


def settings_for_pages() -> Settings:
    return load_settings(
        Overrides(public_key="zmmrboas", private_key="0d6a1c1e-5b0e-4f4a-9c1b-3f0d2a7e9c11", origin="test"),
        env={},
        use_profiles=False,
    )


FRESH = dict(enabled=False, authorized=False, clusters=[cluster("orders"), cluster("analytics")])


def test_role_page(snap_compare, tmp_path):
    app = PageHost(tmp_path, "role", OnboardAwsInputs(), **FRESH)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_trust_policy_page(snap_compare, tmp_path):
    app = PageHost(tmp_path, "trust", OnboardAwsInputs(), **FRESH)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_authorize_page_with_a_wrong_arn(snap_compare, tmp_path):
    app = PageHost(tmp_path, "authorize", OnboardAwsInputs(), **FRESH)

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press(*"arn:aws:iam::1234:user/me")
        pilot.app.screen.action_apply()
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_key_page_normalises_the_region(snap_compare, tmp_path):
    inputs = OnboardAwsInputs(role_arn=ROLE_ARN, region="US_EAST_1", key_ref=KEY_ID)
    app = PageHost(tmp_path, "key", inputs, enabled=False, clusters=[cluster("orders")])
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_enable_page_before_and_after(snap_compare, tmp_path):
    inputs = OnboardAwsInputs(role_arn=ROLE_ARN, region="US_EAST_1", key_ref=KEY_ID, checked_key=KEY_ID)
    app = PageHost(tmp_path, "enable", inputs, enabled=False, clusters=[cluster("orders")])
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_clusters_page_with_eligibility(snap_compare, tmp_path):
    clusters = [
        cluster("orders"),
        cluster("analytics", "UPDATING", "AWS"),
        cluster("playground", size="M0"),
        cluster("reporting", size="M5"),
    ]
    app = PageHost(tmp_path, "clusters", OnboardAwsInputs(), clusters=clusters)

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("space")

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_endpoints_page_with_every_status(snap_compare, tmp_path):
    app = PageHost(
        tmp_path,
        "private_endpoints",
        OnboardAwsInputs(private_endpoint_regions=("US_EAST_1", "EU_WEST_1"), require_private_networking=True),
        endpoints=ALL_ENDPOINT_STATUSES,
        private_networking=True,
    )
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_status_pane_when_atlas_cannot_use_the_key(snap_compare, tmp_path):
    app = PageHost(
        tmp_path,
        "clusters",
        OnboardAwsInputs(),
        valid=False,
        private_networking=True,
        endpoints=[endpoint(1, "US_EAST_1", "ACTIVE")],
        clusters=[cluster("orders", "REPAIRING", "AWS")],
    )
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_status_pane_while_atlas_checks_the_key(snap_compare, tmp_path):
    app = PageHost(tmp_path, "enable", OnboardAwsInputs(), valid=False, key_being_checked=True)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def rate_limited(request: httpx.Request) -> httpx.Response:
    body = {
        "error": 429,
        "errorCode": "RATE_LIMITED_TOKEN_BUCKET",
        "detail": "Rate limit exceeded. Please retry after 55 seconds.",
        "parameters": [request.url.path.lstrip("/"), 55, 100, 10, 60],
        "reason": "Too Many Requests",
    }
    return httpx.Response(429, json=body, headers={"Retry-After": "55"})


def test_status_pane_stale_after_a_rate_limit(snap_compare, tmp_path):
    app = PageHost(tmp_path, "clusters", OnboardAwsInputs(), atlas=rate_limited)

    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.screen.query_one(StatusPane).poll_now()
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_typed_confirmation(snap_compare, tmp_path):
    app = PageHost(tmp_path, "enable", OnboardAwsInputs(), **FRESH)

    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.push_screen(
            ConfirmModal(
                "Move to the Atlas role",
                "The project reaches AWS KMS with the IAM user access key `AKIAEXAMPLE`. After this change Atlas "
                "uses the role instead, and **cannot go back** to access keys.",
                action_label="Move to the role",
                typed_confirmation="migrate",
            )
        )
        await pilot.pause()
        await pilot.press(*"migrat", "enter")

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
