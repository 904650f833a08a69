"""A journey's observers ride on the state its steps judge from; an unreachable source is a fact, not a crash."""

from __future__ import annotations

import pytest

from cmkwizard.aws.errors import AwsError
from cmkwizard.journeys.atlas_facts import KEY_EVENTS, ROTATION_ALERT
from cmkwizard.journeys.base import Journey
from cmkwizard.journeys.observe import NotObservable, Observer, SourcesOf, observe
from cmkwizard.plan_report import plan_document

from .conftest import World


async def _kms_region_down(sources, state):
    raise AwsError("EndpointConnectionError", "KMS in eu-west-1 cannot be reached", "DescribeKey")


async def _no_azure(sources, state):
    raise NotObservable("no Azure credentials in this session")


async def _broken(sources, state):
    return {}["missing"]


@pytest.mark.parametrize("world", ["encrypted-aws"], indirect=True)
async def test_atlas_facts_of_an_encrypted_project(world: World) -> None:
    state = await observe(
        [KEY_EVENTS, ROTATION_ALERT],
        SourcesOf(world.client(), world.project_id, clock=world.sandbox.clock),
        await world.state(),
    )

    alert = state.observed.get("rotation_alert")
    assert alert is not None and alert.event_type_name == "AWS_ENCRYPTION_KEY_NEEDS_ROTATION"
    events = state.observed.get("key_events")
    assert "ENCRYPTION_AT_REST_CONFIGURATION_UPDATED" in {e.event_type_name for e in events}
    assert state.observed.lines()[1].startswith("Rotation alert: AWS_ENCRYPTION_KEY_NEEDS_ROTATION on")


async def test_unreachable_sources_are_recorded_and_the_read_goes_on(world: World) -> None:
    observers = [
        Observer("replicas", "Key replicas", _kms_region_down),
        Observer("key_versions", "Azure key versions", _no_azure),
        KEY_EVENTS,
    ]
    state = await observe(
        observers, SourcesOf(world.client(), world.project_id, clock=world.sandbox.clock), await world.state()
    )

    assert (
        state.observed.unavailable("replicas")
        == "DescribeKey: EndpointConnectionError: KMS in eu-west-1 cannot be reached"
    )
    assert state.observed.unavailable("key_versions") == "no Azure credentials in this session"
    assert state.observed.get("replicas", "default") == "default"
    assert state.observed.get("key_events") == ()
    assert (
        "Key replicas: unavailable (DescribeKey: EndpointConnectionError: KMS in eu-west-1 cannot be reached)"
        in state.observed.lines()
    )


async def test_a_programming_error_in_an_observer_is_not_hidden(world: World) -> None:
    with pytest.raises(KeyError):
        await observe(
            [Observer("broken", "Broken", _broken)], SourcesOf(world.client(), world.project_id), await world.state()
        )


async def test_runs_read_their_journeys_facts_and_the_dry_run_shows_them(world: World) -> None:
    journey: Journey = Journey(
        "look", [], title="Look", observers=[Observer("replicas", "Key replicas", _kms_region_down)]
    )
    run = journey.start(client=world.client(), project_id=world.project_id, inputs=_NoInputs(), journal=world.journal())

    state = await run.read_state()
    dry_run = journey.dry_run(state, run.inputs)

    assert state.observed.unavailable("replicas")
    rendered = dry_run.render()
    assert (
        "Observed:\n  - Key replicas: unavailable (DescribeKey: EndpointConnectionError: KMS in eu-west-1" in rendered
    )
    document = plan_document(dry_run, world.project_id)
    assert document["observed"] == [
        {
            "name": "replicas",
            "title": "Key replicas",
            "value": None,
            "unavailable": "DescribeKey: EndpointConnectionError: KMS in eu-west-1 cannot be reached",
        }
    ]


def test_observer_names_are_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        Journey("twice", [], observers=[KEY_EVENTS, KEY_EVENTS])


class _NoInputs:
    def to_record(self) -> dict:
        return {}
