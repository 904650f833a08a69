"""Turning customer key management off: endpoints, then clusters, then the project, never out of order."""

from __future__ import annotations

import pytest

from cmkwizard.atlas.errors import AtlasApiError
from cmkwizard.journeys.base import StepError, StepState
from cmkwizard.journeys.catalog import JOURNEYS
from cmkwizard.journeys.disable import DisableInputs, disable_journey
from cmkwizard.journeys.old_key_report import NEVER_DELETES, OldKeyReport

SCENARIOS = {"encrypted-aws": ("AWS", "US_EAST_1"), "encrypted-azure": ("AZURE", "US_EAST_2")}
ENCRYPTED = ("orders", "analytics", "payments-azure")


def provider_of(world) -> str:
    return world.sandbox.store.projects[world.project_id].encryption.enabled_provider


def seed_endpoints(world, provider: str, region: str) -> None:
    """One ACTIVE endpoint and one Atlas is still provisioning (it refuses to delete that one for a while)."""
    now = world.sandbox.clock.now()
    world.sandbox.store.add_endpoint(world.project_id, provider, region, "ACTIVE", now, "pe-active")
    world.sandbox.store.add_endpoint(world.project_id, provider, "EU_WEST_1", "INITIATING", now, "pe-new")


def write_kinds(world) -> list[str]:
    """Each write sent, as the kind of change it is, in order."""
    kinds = []
    for exchange in world.writes():
        if "/privateEndpoints/" in exchange.path and exchange.method == "DELETE":
            kinds.append("endpoint")
        elif "/clusters/" in exchange.path:
            kinds.append("cluster")
        elif exchange.path.endswith("/encryptionAtRest"):
            kinds.append("project")
        else:
            kinds.append(f"{exchange.method} {exchange.path}")
    return kinds


@pytest.mark.parametrize("world", list(SCENARIOS), indirect=True)
async def test_disable_end_to_end_in_order_with_the_old_key_report(world):
    provider = provider_of(world)
    seed_endpoints(world, provider, SCENARIOS["encrypted-aws" if provider == "AWS" else "encrypted-azure"][1])
    key = (await world.state()).encryption
    key_ref = key.aws_kms.customer_master_key_id if provider == "AWS" else key.azure_key_vault.key_identifier
    journey = disable_journey(provider)
    run = world.start(journey, DisableInputs(provider))

    views = await journey.run(run, world.events.append)

    assert all(v.finished for v in views[:-1])
    kinds = write_kinds(world)
    # Endpoints (the provisioning one refused, then retried), then the clusters, then the project.
    assert kinds == sorted(kinds, key=["endpoint", "cluster", "project"].index)
    assert kinds.count("cluster") == len(ENCRYPTED) and kinds.count("project") == 1
    assert any("refuses to remove the endpoint while it is INITIATING" in e.message for e in world.events)
    state = await world.state()
    assert not state.endpoints_for(provider)
    assert {c.name: (c.encryption_at_rest_provider, c.state_name) for c in state.clusters if c.name in ENCRYPTED} == {
        name: ("NONE", "IDLE") for name in ENCRYPTED
    }
    assert state.encryption.active_provider is None
    report = run.report
    assert isinstance(report, OldKeyReport)
    assert report.key.key == key_ref and report.dependent_count == 4 * len(ENCRYPTED)
    assert NEVER_DELETES in report.to_markdown()
    assert world.journal().open_run(journey.name) is None


@pytest.mark.parametrize("world", ["encrypted-aws"], indirect=True)
async def test_a_later_step_is_refused_before_anything_is_sent(world):
    seed_endpoints(world, "AWS", "US_EAST_1")
    journey = disable_journey("AWS")
    run = world.start(journey, DisableInputs("AWS"))

    for later in ("clusters_off", "disable_project", "old_key_report"):
        with pytest.raises(StepError) as refused:
            await journey.apply_step(run, later)
        assert refused.value.step_key == later
    assert "Remove the private endpoints first" in str(refused_reason(journey, await world.state()))
    assert world.writes() == []

    await journey.apply_step(run, "remove_endpoints", world.events.append)
    sent = len(world.writes())
    with pytest.raises(StepError) as refused:
        await journey.apply_step(run, "disable_project")
    assert "Set every cluster to NONE first" in refused.value.next_step
    assert "orders" in refused.value.next_step
    assert len(world.writes()) == sent


def refused_reason(journey, state) -> str | None:
    return journey.step("clusters_off").precondition(state, DisableInputs("AWS"))


@pytest.mark.parametrize("world", ["encrypted-aws"], indirect=True)
async def test_atlas_refusal_is_explained_when_asked_directly(world):
    """What Atlas answers when the order is not kept (the orchestrator never lets it come to that)."""
    journey = disable_journey("AWS")
    with pytest.raises(AtlasApiError) as refused:
        await journey.step("disable_project").apply(world.start(journey, DisableInputs("AWS")), world.events.append)
    assert refused.value.error_code == "CANNOT_DISABLE_ENCRYPTION_AT_REST"
    assert "NONE" in refused.value.next_step


@pytest.mark.parametrize("world", ["encrypted-aws"], indirect=True)
async def test_resumed_mid_way_from_the_journal_and_the_live_state(world):
    entry = JOURNEYS.get("disable_aws")
    key_ref = (await world.state()).encryption.aws_kms.customer_master_key_id
    journey = entry.journey
    first = world.start(journey, entry.resumed_inputs(world.journal()))
    await journey.apply_step(first, "remove_endpoints")
    # Interrupted after one cluster was switched, before it was followed to IDLE.
    await world.client().set_cluster_encryption_provider(world.project_id, "orders", "NONE")
    sent = len(world.writes())

    inputs = entry.resumed_inputs(world.journal())  # as after starting the wizard again
    assert inputs.key == key_ref
    again = world.start(journey, inputs)
    assert again.run_id == first.run_id
    views = journey.assess(await again.read_state(), inputs)
    assert [v.state for v in views] == [StepState.DONE, StepState.NEXT, StepState.TODO, StepState.TODO]
    await journey.run(again, world.events.append)

    cluster_writes = [e.path for e in world.writes()[sent:] if "/clusters/" in e.path]
    assert sorted(p.rsplit("/", 1)[-1] for p in cluster_writes) == ["analytics", "payments-azure"]
    assert again.report.key.key == key_ref
