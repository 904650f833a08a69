"""The key rotation pages, pinned at 80x24 and 120x36: fixed project states with what the journey observed
(events, the rotation alert, the key service), no Atlas or cloud call."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from cmkwizard.atlas.models import PROVIDER_AWS, PROVIDER_AZURE, AlertConfig, Event
from cmkwizard.aws.resources import KeyRotation
from cmkwizard.journeys.atlas_facts import KEY_EVENTS, ROTATION_ALERT
from cmkwizard.journeys.catalog import JOURNEYS
from cmkwizard.journeys.observe import Observer
from cmkwizard.journeys.rotate_inputs import ROTATE, RotateInputs
from cmkwizard.journeys.rotate_journey import journey_name
from cmkwizard.journeys.rotation_facts import AWS_KEY_ROTATION, AZURE_KEY_VERSIONS
from cmkwizard.observation import Fact, Observation
from screens.journey_pages import pages_for
from screens.widgets.confirm import ConfirmModal
from tests.ui.page_host import PageHost
from tests.ui.states import AZURE_KEY_ID, KEY_ID, READ_AT, cluster
from tests.ui.support import settle

SIZES = {"80x24": (80, 24), "120x36": (120, 36)}
NEW_KEY = "arn:aws:kms:us-east-1:123456789012:key/5678abcd-56ef-78ab-90cd-5678901234ef"
NEW_VERSION = AZURE_KEY_ID.rsplit("/", 1)[0] + "/fedcba9876543210fedcba9876543210"


@pytest.fixture(params=list(SIZES.values()), ids=list(SIZES))
def size(request: pytest.FixtureRequest) -> tuple[int, int]:
    return request.param


def fact(observer: Observer, value: object) -> Fact:
    return Fact(observer.name, observer.title, value, line=observer.describe(value))


def observed(provider: str, key_service: Fact) -> Observation:
    rotated = Event("e1", f"{provider}_ENCRYPTION_KEY_ROTATED", READ_AT - timedelta(days=75))
    alert = AlertConfig("a1", f"{provider}_ENCRYPTION_KEY_NEEDS_ROTATION", True, 90)
    return Observation((fact(KEY_EVENTS, (rotated,)), fact(ROTATION_ALERT, alert), key_service))


def rotation_host(tmp_path, provider: str, page: str, inputs: RotateInputs, **state) -> PageHost:
    entry = JOURNEYS.get(journey_name(provider))

    class RotationHost(PageHost):
        JOURNEY = entry.journey
        PAGES = pages_for(entry.name)

    encrypted = [cluster(name, provider=provider) for name in ("orders", "analytics")]
    host = RotationHost(tmp_path, page, inputs, provider=provider, clusters=encrypted, **state)
    key_service = (
        fact(AWS_KEY_ROTATION, KeyRotation(False))
        if provider == PROVIDER_AWS
        else Fact(AZURE_KEY_VERSIONS.name, AZURE_KEY_VERSIONS.title, unavailable="no Azure credentials")
    )
    host._state = replace(host._state, observed=observed(provider, key_service))
    return host


def rotating(provider: str, **values) -> RotateInputs:
    old = KEY_ID if provider == PROVIDER_AWS else AZURE_KEY_ID
    region = "US_EAST_1" if provider == PROVIDER_AWS else None
    return RotateInputs(provider, mode=ROTATE, old_key=old, old_region=region, **values)


def test_aws_where_things_stand(snap_compare, size, tmp_path):
    app = rotation_host(tmp_path, PROVIDER_AWS, "standing", RotateInputs(PROVIDER_AWS))
    assert snap_compare(app, terminal_size=size, run_before=settle)


def test_azure_where_things_stand(snap_compare, size, tmp_path):
    app = rotation_host(tmp_path, PROVIDER_AZURE, "standing", RotateInputs(PROVIDER_AZURE))
    assert snap_compare(app, terminal_size=size, run_before=settle)


def test_aws_new_key_in_another_region(snap_compare, size, tmp_path):
    app = rotation_host(tmp_path, PROVIDER_AWS, "new_key", rotating(PROVIDER_AWS, region="EU_WEST_1"))
    assert snap_compare(app, terminal_size=size, run_before=settle)


def test_azure_new_key_version(snap_compare, size, tmp_path):
    app = rotation_host(tmp_path, PROVIDER_AZURE, "new_key", rotating(PROVIDER_AZURE, create_new=True))
    assert snap_compare(app, terminal_size=size, run_before=settle)


def test_aws_switch_before_and_after(snap_compare, size, tmp_path):
    inputs = rotating(PROVIDER_AWS, region="US_EAST_1", new_key=NEW_KEY, checked_key=NEW_KEY)
    app = rotation_host(tmp_path, PROVIDER_AWS, "switch", inputs)
    assert snap_compare(app, terminal_size=size, run_before=settle)


def test_azure_switch_confirmation(snap_compare, size, tmp_path):
    inputs = rotating(PROVIDER_AZURE, new_key=NEW_VERSION, checked_key=NEW_VERSION)
    app = rotation_host(tmp_path, PROVIDER_AZURE, "switch", inputs)

    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.screen.action_apply()
        for _ in range(20):  # the worker waits on the confirmation: settle would wait for it forever
            await pilot.pause(0.05)
            if isinstance(pilot.app.screen, ConfirmModal):
                break
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_rotation_alert_with_a_wrong_threshold(snap_compare, size, tmp_path):
    app = rotation_host(tmp_path, PROVIDER_AWS, "alert", rotating(PROVIDER_AWS))

    async def run_before(pilot) -> None:
        await settle(pilot)
        field = pilot.app.screen.query_one("#alert-days-input")
        field.value = ""
        field.focus()
        await pilot.press(*"5000")
        pilot.app.screen.action_apply()
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
