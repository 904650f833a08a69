"""Runs: each execution of a journey has its id in the journal; an unfinished run is resumed, a finished
one never is, and each summary covers its own run."""

from __future__ import annotations

import pytest

from cmkwizard.atlas.models import PROVIDER_AWS
from cmkwizard.journeys.aws_inputs import OnboardAwsInputs
from cmkwizard.journeys.base import StepError
from cmkwizard.journeys.catalog import JOURNEYS
from cmkwizard.journeys.more_clusters import ClusterInputs, journey_name
from cmkwizard.journeys.onboard_aws import ONBOARD_AWS
from cmkwizard.sandbox.cloud_seed import KEY_ALIAS

CLUSTERS = JOURNEYS.get(journey_name(PROVIDER_AWS))


async def onboarding_inputs(world, clusters: tuple[str, ...] = ()) -> OnboardAwsInputs:
    inputs = OnboardAwsInputs(manage_trust_policy=True, attach_key_policy=True)
    inputs.set_role_arn(world.role_name, world.sandbox.info.aws_account_id)
    inputs.set_region("us-east-1")
    inputs.set_key(KEY_ALIAS)
    inputs.set_clusters(clusters, await world.state())
    inputs.set_private_endpoint_regions([])
    return inputs


def runs(journal, kind: str) -> list[str]:
    return [e["run"] for e in journal.entries() if e["kind"] == kind]


async def test_an_unfinished_run_is_resumed_with_its_inputs(world):
    inputs = await onboarding_inputs(world, ("orders",))
    first = world.run(inputs)
    await ONBOARD_AWS.run(first, stop_after="authorize")

    journal = world.journal()
    assert journal.open_run(ONBOARD_AWS.name) == first.run_id
    resumed = OnboardAwsInputs.from_journal(journal)
    assert resumed.role_arn == inputs.role_arn and resumed.clusters == ("orders",)
    second = world.run(resumed)
    assert second.run_id == first.run_id
    # Every change of the run carries its id.
    changes = [e for e in journal.entries() if e["kind"].endswith("_change")]
    assert changes and {e.get("run") for e in changes} == {first.run_id}


async def test_a_finished_run_is_never_resumed_and_the_next_starts_clean(world):
    first = world.run(await onboarding_inputs(world))
    await ONBOARD_AWS.run(first)

    journal = world.journal()
    assert runs(journal, "run_finished") == [first.run_id]
    assert journal.open_run(ONBOARD_AWS.name) is None
    assert OnboardAwsInputs.from_journal(journal) == OnboardAwsInputs()
    second = world.run(OnboardAwsInputs.from_journal(journal))
    assert second.run_id != first.run_id
    assert runs(journal, "run_started") == [first.run_id, second.run_id]


async def test_two_runs_summaries_each_cover_their_own_run(world):
    await ONBOARD_AWS.run(world.run(await onboarding_inputs(world)))

    summaries = []
    for cluster in ("orders", "analytics"):
        inputs = CLUSTERS.resumed_inputs(world.journal())
        assert inputs == ClusterInputs(PROVIDER_AWS), "each run starts clean"
        inputs.set_clusters([cluster], await world.state())
        run = world.start(CLUSTERS.journey, inputs)
        await CLUSTERS.journey.run(run)
        summaries.append(run.report.changes)

    first, second = summaries
    assert len(first) == 1 and "cluster orders" in first[0]
    assert len(second) == 1 and "cluster analytics" in second[0]
    state = await world.state()
    assert {state.cluster(n).encryption_at_rest_provider for n in ("orders", "analytics")} == {PROVIDER_AWS}


async def test_clusters_are_refused_before_the_project_is_enabled_and_nothing_is_sent(world):
    inputs = ClusterInputs(PROVIDER_AWS)
    inputs.set_clusters(["orders"], await world.state())
    run = world.start(CLUSTERS.journey, inputs)

    with pytest.raises(StepError) as refused:
        await CLUSTERS.journey.apply_step(run, "clusters")

    assert refused.value.step_key == "clusters"
    assert "Enable AWS encryption for the project first" in refused.value.next_step
    assert world.writes() == []
    assert (await world.state()).cluster("orders").encryption_at_rest_provider == "NONE"
