"""What turning customer key management off looks like, and the old-key report, pinned at 80x24 and 120x36.
Review changes in snapshot_report.html, then accept them with `pytest tests/ui --snapshot-update`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from textual import events

from cmkwizard.atlas.models import Project
from cmkwizard.journeys.disable import DisableInputs, disable_journey
from screens.disable import PAGES
from screens.disable.old_key_screen import OldKeyReportScreen
from tests.ui.page_host import PageHost
from tests.ui.states import KEY_ID, PROJECT_ID, READ_AT, cluster, endpoint, project_state
from tests.ui.support import settle

SIZES = {"80x24": (80, 24), "120x36": (120, 36)}
ENCRYPTED = dict(
    private_networking=True,
    endpoints=[endpoint(1, "US_EAST_1", "ACTIVE"), endpoint(2, "EU_WEST_1", "INITIATING")],
    clusters=[cluster("orders", provider="AWS"), cluster("analytics", provider="AWS"), cluster("reports")],
)


@pytest.fixture(params=list(SIZES.values()), ids=list(SIZES))
def size(request: pytest.FixtureRequest) -> tuple[int, int]:
    return request.param


class DisableHost(PageHost):
    JOURNEY = disable_journey("AWS")
    PAGES = PAGES


def test_remove_endpoints_page(snap_compare, size, tmp_path):
    app = DisableHost(tmp_path, "remove_endpoints", DisableInputs("AWS"), **ENCRYPTED)
    assert snap_compare(app, terminal_size=size, run_before=settle)


async def confirm_dialog(pilot) -> None:
    await settle(pilot)
    pilot.app.screen.action_apply()
    await pilot.pause(0.3)


def test_clusters_off_confirmation(snap_compare, size, tmp_path):
    state = dict(ENCRYPTED, endpoints=[], private_networking=False)
    app = DisableHost(tmp_path, "clusters_off", DisableInputs("AWS"), **state)
    assert snap_compare(app, terminal_size=size, run_before=confirm_dialog)


def test_project_step_typed_confirmation(snap_compare, size, tmp_path):
    state = dict(endpoints=[], clusters=[cluster("orders"), cluster("analytics")])
    app = DisableHost(tmp_path, "disable_project", DisableInputs("AWS"), **state)
    assert snap_compare(app, terminal_size=size, run_before=confirm_dialog)


# --- the old-key report, from Atlas answers with known dates -----------------------------------------------


def snapshot(n: int, days_ago: int, kept: int, key: str | None) -> dict[str, Any]:
    created = READ_AT - timedelta(days=days_ago)
    body = {
        "id": f"6650f1c2a4b5c6d7e8f9500{n}",
        "createdAt": created.isoformat().replace("+00:00", "Z"),
        "expiresAt": (created + timedelta(days=kept)).isoformat().replace("+00:00", "Z"),
        "status": "completed",
        "snapshotType": "scheduled",
    }
    if key:
        body["masterKeyUUID"] = key
    return body


OTHER_KEY = "0b7e2f38-52a4-4bd5-9c38-7f6c2a1d9e11"
SNAPSHOTS = {
    "orders": [snapshot(1, 1, 35, KEY_ID), snapshot(2, 30, 365, KEY_ID)],
    "analytics": [snapshot(3, 2, 35, None), snapshot(4, 7, 35, OTHER_KEY)],
    "reports": [],
}


def atlas(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path.endswith("/clusters"):
        clusters = [cluster("orders", provider="AWS"), cluster("analytics", provider="AWS"), cluster("reports")]
        return httpx.Response(200, json={"results": clusters, "totalCount": len(clusters)})
    name = path.split("/clusters/")[1].split("/")[0]
    return httpx.Response(200, json={"results": SNAPSHOTS[name], "totalCount": len(SNAPSHOTS[name])})


class ReportHost(PageHost):
    async def on_mount(self, event: events.Mount) -> None:
        event.prevent_default()
        await self.open_client()
        assert self.client is not None
        self.push_screen(
            OldKeyReportScreen(
                Project(PROJECT_ID, "payments-prod", None, 3),
                project_state(**ENCRYPTED),
                client=self.client,
                clock=self.context.clock,
                save_dir=self.context.journal_dir,
            )
        )


def test_old_key_report(snap_compare, size, tmp_path):
    app = ReportHost(tmp_path, "remove_endpoints", DisableInputs("AWS"), atlas=atlas)
    assert snap_compare(app, terminal_size=size, run_before=settle)
