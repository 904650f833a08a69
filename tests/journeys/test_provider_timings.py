"""Each provider's journeys wait by its own timings: Atlas may take minutes to find an Azure key usable while
a role assignment propagates, longer than it ever takes with AWS KMS."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest

from cmkwizard.journeys.base import StepError
from cmkwizard.journeys.onboard_aws import ONBOARD_AWS
from cmkwizard.journeys.onboard_azure import ONBOARD_AZURE
from tests.journeys.azure_world import azure_world_fixture  # noqa: F401  (the `azure` fixture)
from tests.journeys.test_onboard_aws import full_inputs as aws_inputs
from tests.journeys.test_onboard_azure import full_inputs as azure_inputs

SLOW_CHECK = 400.0
"""Seconds Atlas reports valid: false after the key is set: beyond the AWS wait, within the Azure one."""


@contextmanager
def key_checked_in(world, seconds: float) -> Iterator[None]:
    store = world.sandbox.store
    timings = store.timings
    store.timings = replace(timings, key_validation=seconds)
    try:
        yield
    finally:
        store.timings = timings


def waited_for_valid(events) -> float:
    checking = [e for e in events if e.step_key == "enable" and e.waiting_until and "valid: false" in e.message]
    return (checking[-1].waiting_until - checking[0].waiting_until).total_seconds() if checking else 0.0


async def test_azure_onboarding_waits_while_a_role_assignment_propagates(azure):
    world = azure.world
    run = azure.run(await azure_inputs(azure))
    assert ONBOARD_AWS.timing.valid_budget < SLOW_CHECK <= run.timing.valid_budget

    with key_checked_in(world, SLOW_CHECK):
        await ONBOARD_AZURE.run(run, world.events.append, stop_after="enable")

    assert (await world.state()).encryption.azure_key_vault.valid is True
    assert waited_for_valid(world.events) > ONBOARD_AWS.timing.valid_budget


async def test_aws_onboarding_stops_waiting_by_its_own_timing(world):
    run = world.run(await aws_inputs(world))

    with key_checked_in(world, SLOW_CHECK), pytest.raises(StepError) as raised:
        await ONBOARD_AWS.run(run, world.events.append, stop_after="enable")

    assert raised.value.step_key == "enable"
    assert waited_for_valid(world.events) <= run.timing.valid_budget
    assert (await world.state()).encryption.aws_kms.valid is False
