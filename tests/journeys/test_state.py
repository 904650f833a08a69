"""Reading a project's state: one list call per resource kind, partial reads, and what changed."""

from __future__ import annotations

from collections import Counter

import pytest

from cmkwizard.atlas.models import AwsKmsPatch
from cmkwizard.journeys.onboard_aws import ONBOARD_AWS
from cmkwizard.state import Subject, read_project_state
from tests.journeys.test_onboard_aws import full_inputs

LIST_PATHS = (
    "/encryptionAtRest",
    "/cloudProviderAccess",
    "/clusters",
    "/AWS/privateEndpoints",
    "/AZURE/privateEndpoints",
)


def answered_calls(world) -> Counter[str]:
    """Calls Atlas answered (the digest challenge round trips left out), by the resource they read."""
    calls = Counter()
    for exchange in world.exchanges:
        if exchange.status == 401:
            continue
        calls[next(p for p in LIST_PATHS if exchange.path.endswith(p))] += 1
    return calls


async def test_one_list_call_per_resource_kind(world):
    client = world.client()

    state = await read_project_state(client, world.project_id, clock=world.sandbox.clock)

    assert answered_calls(world) == Counter({p: 1 for p in LIST_PATHS})
    assert {c.name for c in state.clusters} == {"orders", "analytics", "playground", "archive", "payments-azure"}
    assert state.read_at == world.sandbox.clock.now()
    assert state.unavailable == () and state.caller is None


async def test_the_caller_is_read_when_asked(world):
    state = await read_project_state(world.client(), world.project_id, include_caller=True)

    assert "GROUP_OWNER" in state.caller.project_roles(world.project_id)


async def test_private_endpoints_need_project_owner_but_the_rest_is_read(world):
    state = await read_project_state(world.client(read_only=True), world.project_id)

    assert [u.part for u in state.unavailable] == ["AWS private endpoints", "AZURE private endpoints"]
    assert all("Project Owner" in u.reason and u.code for u in state.unavailable)
    assert not state.endpoints_known("AWS")
    assert len(state.clusters) == 5 and state.encryption.aws_kms.enabled is False


async def test_diff_names_what_changed_since_the_last_read(world):
    client = world.client()
    before = await read_project_state(client, world.project_id, clock=world.sandbox.clock)
    role = await client.create_aws_role(world.project_id)

    after = await read_project_state(client, world.project_id, clock=world.sandbox.clock)
    changes = after.diff(before)

    assert [(c.subject, c.key, c.added) for c in changes if c.subject is Subject.ROLE] == [
        (Subject.ROLE, role.role_id, True)
    ]
    assert after.diff(after) == []
    assert before.diff(None) == []
    assert "appeared" in str(next(c for c in changes if c.subject is Subject.ROLE))


@pytest.mark.parametrize("world", ["encrypted-aws"], indirect=True)
async def test_in_transition_while_a_cluster_updates(world):
    client = world.client()
    steady = await read_project_state(client, world.project_id)
    assert not steady.in_transition

    await client.set_cluster_encryption_provider(world.project_id, "orders", "NONE")
    moving = await read_project_state(client, world.project_id)

    assert moving.in_transition
    change = next(c for c in moving.diff(steady) if c.key == "orders" and c.field == "stateName")
    assert (change.before, change.after) == ("IDLE", "UPDATING")
    assert str(change) == "cluster orders: stateName IDLE -> UPDATING"


@pytest.mark.parametrize("world", ["large"], indirect=True)
async def test_a_large_project_is_read_whole_with_one_call_per_kind(world):
    state = await read_project_state(world.client(), world.project_id)

    assert len(state.clusters) == 500
    assert len(state.endpoints_for("AZURE")) == len({e.region_name for e in state.endpoints_for("AZURE")}) > 1
    assert answered_calls(world) == Counter({p: 1 for p in LIST_PATHS})


async def test_a_key_atlas_is_still_checking_is_told_apart_from_an_unusable_one(world):
    await ONBOARD_AWS.run(world.run(await full_inputs(world)), stop_after="enable")
    configured = (await world.state()).encryption.aws_kms.customer_master_key_id
    kms = world.boto("kms")
    key = kms.describe_key(KeyId=configured)["KeyMetadata"]
    same_key_other_form = key["KeyId"] if configured == key["Arn"] else key["Arn"]

    await world.client().update_encryption_at_rest(
        world.project_id, aws_kms=AwsKmsPatch(customer_master_key_id=same_key_other_form)
    )
    checking = await world.state()
    await world.sleep(world.sandbox.store.timings.key_validation)
    checked = await world.state()
    kms.disable_key(KeyId=key["KeyId"])
    try:
        unusable = await world.state()
    finally:
        kms.enable_key(KeyId=key["KeyId"])

    assert checking.encryption.valid is False and checking.key_being_checked and checking.in_transition
    assert checked.encryption.valid is True and not checked.key_being_checked
    assert unusable.encryption.valid is False and not unusable.key_being_checked


async def test_a_new_role_is_read_with_the_null_arn_and_date_atlas_sends(world):
    role = await world.client().create_aws_role(world.project_id)

    assert role.raw["iamAssumedRoleArn"] is None and role.raw["authorizedDate"] is None
    assert role.iam_assumed_role_arn is None and role.authorized_date is None and not role.authorized
    assert (await world.state()).aws_role(role.role_id) == role
