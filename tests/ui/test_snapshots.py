"""What the screens look like, pinned: fixed terminal size, clock and identifiers, no animation, no
blinking cursor, polls too far apart to happen. Review changes in snapshot_report.html, then accept
them with `pytest tests/ui --snapshot-update`."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from cmkwizard.context import AppContext, sandbox_settings
from cmkwizard.journeys.aws_inputs import OnboardAwsInputs
from cmkwizard.sandbox import Sandbox
from cmkwizard.sandbox.atlas_sim import store as sim_store
from cmkwizard.settings import Overrides
from screens.app import WizardApp
from screens.widgets.confirm import ConfirmModal
from screens.widgets.status_pane import StatusPane
from tests.ui.page_host import FRESH, PageHost, no_sleep
from tests.ui.states import (
    ALL_ENDPOINT_STATUSES,
    KEY_ID,
    ROLE_ARN,
    FixedClock,
    cluster,
    endpoint,
)
from tests.ui.support import NO_POLLING, settle

SIZES = {"80x24": (80, 24), "120x36": (120, 36)}


@pytest.fixture(params=list(SIZES.values()), ids=list(SIZES))
def size(request: pytest.FixtureRequest) -> tuple[int, int]:
    """Every screen at the smallest supported terminal and at a roomy one."""
    return request.param


FIXED_CREDENTIALS = sim_store.SimCredentials(
    public_key="zmmrboas",
    private_key="0d6a1c1e-5b0e-4f4a-9c1b-3f0d2a7e9c11",
    readonly_public_key="rdonlyky",
    readonly_private_key="5c1f0d2a-7e9c-4b11-8f3a-0d6a1c1e5b0e",
    client_id="mdb_sa_id_6650f1c2a4b5c6d7e8f90000",
    client_secret="mdb_sa_sk_" + "x" * 40,
)


@contextlib.contextmanager
def pinned_sandbox_of(scenario: str) -> Iterator[Sandbox]:
    """A sandbox whose identifiers and credentials are the same on every run."""
    counter = itertools.count(1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sim_store, "new_id", lambda: f"6650f1c2a4b5c6d7e8f9{next(counter):04x}")
        patch.setattr(sim_store.SimCredentials, "generate", classmethod(lambda cls: FIXED_CREDENTIALS))
        with Sandbox(scenario=scenario, speed=0.0) as sandbox:
            yield sandbox


@pytest.fixture(scope="module")
def pinned() -> Iterator[Sandbox]:
    with pinned_sandbox_of("fresh") as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def pinned_large() -> Iterator[Sandbox]:
    with pinned_sandbox_of("large") as sandbox:
        yield sandbox


@pytest.fixture
def pinned_sandbox(pinned: Sandbox, tmp_path: Path) -> AppContext:
    return pinned_context(pinned, tmp_path)


def pinned_context(sandbox: Sandbox, journal_dir: Path) -> AppContext:
    """The pinned sandbox seen through a fixed clock, with fixed addresses in what the screens show."""
    shown = replace(
        sandbox.info,
        atlas_base_url="http://127.0.0.1:8080",
        aws_endpoint_url="http://127.0.0.1:5000",
        aws_account_id="111122223333",
    )
    clock = FixedClock()
    context = AppContext(
        settings=sandbox_settings(shown),
        clock=clock,
        wall_clock=clock,
        sandbox=shown,
        journal_dir=journal_dir,
        settings_loader=lambda overrides: sandbox_settings(shown, overrides),
    )
    context.client_factory = lambda: context.settings.make_client(
        transport=httpx.ASGITransport(app=sandbox.atlas_app), sleep=no_sleep
    )
    return context


def wizard_app(context: AppContext) -> WizardApp:
    return WizardApp(context, poll_policy=NO_POLLING, sleep=no_sleep)


def test_connect_screen_connected(snap_compare, size, pinned_sandbox):
    assert snap_compare(wizard_app(pinned_sandbox), terminal_size=size, run_before=settle)


def test_connect_screen_with_a_refused_key(snap_compare, size, pinned_sandbox):
    pinned_sandbox.reload_settings(Overrides(private_key="not-the-right-secret", origin="the command line"))
    assert snap_compare(wizard_app(pinned_sandbox), terminal_size=size, run_before=settle)


def test_connect_screen_help(snap_compare, size, pinned_sandbox):
    assert snap_compare(wizard_app(pinned_sandbox), press=["f1"], terminal_size=size, run_before=settle)


def test_project_screen_with_preflight(snap_compare, size, pinned_sandbox):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(wizard_app(pinned_sandbox), terminal_size=size, run_before=run_before)


# --- journey pages, from fixed project states (no Atlas call happens) ------------------------------------


def test_role_page(snap_compare, size, tmp_path):
    app = PageHost(tmp_path, "role", OnboardAwsInputs(), **FRESH)
    assert snap_compare(app, terminal_size=size, run_before=settle)


def test_trust_policy_page(snap_compare, size, tmp_path):
    app = PageHost(tmp_path, "trust", OnboardAwsInputs(), **FRESH)
    assert snap_compare(app, terminal_size=size, run_before=settle)


def test_authorize_page_with_a_wrong_arn(snap_compare, size, tmp_path):
    app = PageHost(tmp_path, "authorize", OnboardAwsInputs(), **FRESH)

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press(*"arn:aws:iam::1234:user/me")
        pilot.app.screen.action_apply()
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_key_page_normalises_the_region(snap_compare, size, tmp_path):
    inputs = OnboardAwsInputs(role_arn=ROLE_ARN, region="US_EAST_1", key_ref=KEY_ID)
    app = PageHost(tmp_path, "key", inputs, enabled=False, clusters=[cluster("orders")])
    assert snap_compare(app, terminal_size=size, run_before=settle)


def test_enable_page_before_and_after(snap_compare, size, tmp_path):
    inputs = OnboardAwsInputs(role_arn=ROLE_ARN, region="US_EAST_1", key_ref=KEY_ID, checked_key=KEY_ID)
    app = PageHost(tmp_path, "enable", inputs, enabled=False, clusters=[cluster("orders")])
    assert snap_compare(app, terminal_size=size, run_before=settle)


def test_clusters_page_with_eligibility(snap_compare, size, tmp_path):
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

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_endpoints_page_with_every_status(snap_compare, size, tmp_path):
    app = PageHost(
        tmp_path,
        "private_endpoints",
        OnboardAwsInputs(private_endpoint_regions=("US_EAST_1", "EU_WEST_1"), require_private_networking=True),
        endpoints=ALL_ENDPOINT_STATUSES,
        private_networking=True,
    )
    assert snap_compare(app, terminal_size=size, run_before=settle)


def test_status_pane_when_atlas_cannot_use_the_key(snap_compare, size, tmp_path):
    app = PageHost(
        tmp_path,
        "clusters",
        OnboardAwsInputs(),
        valid=False,
        private_networking=True,
        endpoints=[endpoint(1, "US_EAST_1", "ACTIVE")],
        clusters=[cluster("orders", "REPAIRING", "AWS")],
    )
    assert snap_compare(app, terminal_size=size, run_before=show_the_status)


async def show_the_status(pilot) -> None:
    """On a screen too narrow for three columns the live status is behind F2."""
    await settle(pilot)
    if pilot.app.screen.narrow:
        await pilot.press("f2")
        await settle(pilot)


def test_status_pane_while_atlas_checks_the_key(snap_compare, size, tmp_path):
    app = PageHost(tmp_path, "enable", OnboardAwsInputs(), valid=False, key_being_checked=True)
    assert snap_compare(app, terminal_size=size, run_before=show_the_status)


def rate_limited(request: httpx.Request) -> httpx.Response:
    body = {
        "error": 429,
        "errorCode": "RATE_LIMITED_TOKEN_BUCKET",
        "detail": "Rate limit exceeded. Please retry after 55 seconds.",
        "parameters": [request.url.path.lstrip("/"), 55, 100, 10, 60],
        "reason": "Too Many Requests",
    }
    return httpx.Response(429, json=body, headers={"Retry-After": "55"})


def test_status_pane_stale_after_a_rate_limit(snap_compare, size, tmp_path):
    app = PageHost(tmp_path, "clusters", OnboardAwsInputs(), atlas=rate_limited)

    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.screen.query_one(StatusPane).poll_now()
        await show_the_status(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_typed_confirmation(snap_compare, size, tmp_path):
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

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_confirmation_asked_again_with_what_changed(snap_compare, size, tmp_path):
    app = PageHost(tmp_path, "enable", OnboardAwsInputs(), **FRESH)

    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.push_screen(
            ConfirmModal(
                "Change the project's key?",
                "Atlas will use the new settings for every encrypted cluster of the project: customerMasterKeyID "
                f"mrk-0a1b2c3d → {KEY_ID}. Keep the previous key enabled: snapshots taken with it still need it "
                "until they expire.",
                action_label="Change the key",
                changes=[
                    "AWS KMS configuration: enabled false → true",
                    "AWS KMS configuration: customerMasterKeyID - → mrk-0a1b2c3d",
                ],
            )
        )
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def help_laid_out(pilot) -> None:
    """The help's Markdown builds its blocks in steps: wait (boundedly) until its closing keys table is there."""
    for _ in range(100):
        if pilot.app.screen.query("MarkdownTable"):
            break
        await pilot.pause(0.02)
    await settle(pilot)


def test_help_on_a_journey_page(snap_compare, size, tmp_path):
    app = PageHost(tmp_path, "key", OnboardAwsInputs(role_arn=ROLE_ARN, region="US_EAST_1"), **FRESH)

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        await help_laid_out(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_large_project_preflight(snap_compare, size, pinned_large, tmp_path):
    """Five hundred clusters: the preflight is summarised, Start stays in view."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    context = pinned_context(pinned_large, tmp_path)
    assert snap_compare(wizard_app(context), terminal_size=size, run_before=run_before)
