"""The live status pane against the sandbox: what it shows, how often it polls, how it fails."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from cmkwizard.atlas import AtlasClient, RetryPolicy
from cmkwizard.atlas.auth import digest_auth
from cmkwizard.sandbox.atlas_sim.lifecycle import start_cluster_change
from screens.widgets.status_pane import PollPolicy, StatusPane
from tests.ui.states import FixedClock
from tests.ui.support import Host, settle, text_of

FAST = PollPolicy(active=0.05, steady=0.3, backoff_cap=5.0)


@pytest.fixture
async def client(viewer):
    info = viewer.sandbox.info
    client = AtlasClient(
        "http://atlas.sandbox",
        digest_auth(info.public_key, info.private_key),
        transport=httpx.ASGITransport(app=viewer.sandbox.atlas_app),
        retry=RetryPolicy(max_attempts=1),
    )
    yield client
    await client.aclose()


@pytest.fixture(autouse=True)
def _no_faults_left_behind(viewer):
    """The sandbox is shared by this module's tests: faults one test injects end with it."""
    yield
    viewer.sandbox.atlas_app.state.faults.clear()


def pinned_clocks() -> dict[str, FixedClock]:
    """Atlas' clock and the one shown are the same fixed clock: times on the pane are 09:30:00 UTC."""
    clock = FixedClock()
    return {"clock": clock, "wall_clock": clock}


def pane_text(pane: StatusPane) -> str:
    return "\n".join(text_of(block) for block in pane.query(".status-block") if block.display)


async def test_the_pane_shows_the_project_and_polls_slowly_when_steady(viewer, client):
    pane = StatusPane(client, viewer.sandbox.info.project_id, **pinned_clocks(), policy=FAST)
    async with Host(pane).run_test() as pilot:
        await settle(pilot)
        text = pane_text(pane)
        assert "not enabled" in text
        assert "orders" in text and "archive" in text and "PAUSED" in text
        assert pane.next_poll_in == FAST.steady
        assert "Read 09:30:00 UTC · next in" in str(pane.border_subtitle)


async def test_a_cluster_in_transition_makes_the_pane_poll_fast_and_mark_the_change(viewer, client):
    sandbox = viewer.sandbox
    project = sandbox.store.projects[sandbox.info.project_id]
    pane = StatusPane(client, sandbox.info.project_id, **pinned_clocks(), policy=FAST)
    async with Host(pane).run_test() as pilot:
        await settle(pilot)
        start_cluster_change(project.clusters["orders"], sandbox.clock.now(), sandbox.store.timings)
        pane.poll_now()
        await settle(pilot)
        assert pane.next_poll_in == FAST.active
        text = pane_text(pane)
        assert "◆ orders" in text and "UPDATING" in text
        assert "cluster orders: stateName IDLE ->\n  UPDATING" in text

        sandbox.clock.advance(sandbox.store.timings.cluster_update + 1)
        await pilot.pause(0.2)
        await settle(pilot)
        assert "IDLE" in pane_text(pane).split("orders", 1)[1].splitlines()[0]
        assert pane.next_poll_in == FAST.steady


async def test_a_rate_limit_marks_the_data_stale_and_backs_off_as_long_as_atlas_asks(viewer, client):
    sandbox = viewer.sandbox
    pane = StatusPane(client, sandbox.info.project_id, **pinned_clocks(), policy=PollPolicy(0.05, 0.3, 120.0))
    async with Host(pane).run_test() as pilot:
        await settle(pilot)
        sandbox.inject_fault("GET", r"/clusters$", "429", count=1, retry_after=42)
        pane.poll_now()
        await settle(pilot)
        assert pane.stale and pane.has_class("-stale")
        assert pane.next_poll_in == 42
        stale = text_of(pane.query_one("#status-stale"))
        assert "STALE" in stale and "RATE_LIMITED_TOKEN_BUCKET" in stale and "Retrying in 42 s" in stale
        assert "orders" in pane_text(pane), "the last good read stays on screen"

        pane.poll_now()
        await settle(pilot)
        assert not pane.stale
        assert not pane.query_one("#status-stale").display


async def test_repeated_failures_back_off_exponentially_up_to_the_cap(viewer, client):
    sandbox = viewer.sandbox
    policy = PollPolicy(active=10, steady=20, backoff_cap=80)
    pane = StatusPane(client, sandbox.info.project_id, **pinned_clocks(), policy=policy)
    async with Host(pane).run_test() as pilot:
        await settle(pilot)
        sandbox.inject_fault("GET", r"/encryptionAtRest$", "500", count=50)
        delays = []
        for _ in range(4):
            pane.poll_now()
            await settle(pilot)
            delays.append(pane.next_poll_in)
        assert delays == [20, 40, 80, 80]
        assert "HTTP 500 UNEXPECTED_ERROR" in text_of(pane.query_one("#status-stale"))


async def test_the_next_read_counts_down_on_the_wall_clock_and_sandbox_time_is_marked(viewer, client):
    wall = FixedClock()
    simulated = FixedClock(wall.moment + timedelta(hours=2))
    policy = PollPolicy(active=30, steady=30, backoff_cap=30)
    pane = StatusPane(client, viewer.sandbox.info.project_id, clock=simulated, wall_clock=wall, policy=policy)
    async with Host(pane).run_test() as pilot:
        await settle(pilot)
        assert "Read 09:30:00 UTC · next in 30 s" in str(pane.border_subtitle)
        assert "Simulated 11:30:00 UTC (sandbox)" in pane_text(pane)

        wall.moment += timedelta(seconds=12)
        await pilot.pause(1.2)  # the countdown ticks once a second
        assert "Read 09:30:00 UTC · next in 18 s" in str(pane.border_subtitle)
