"""Onboarding with AWS KMS against the sandbox: the whole journey, and resuming it after every step."""

from __future__ import annotations

import pytest

from cmkwizard.atlas.models import ENDPOINT_ACTIVE
from cmkwizard.journeys.aws_inputs import OnboardAwsInputs
from cmkwizard.journeys.base import StepError, StepState
from cmkwizard.journeys.onboard_aws import ONBOARD_AWS
from cmkwizard.journeys.summary import JourneySummary
from cmkwizard.sandbox.cloud_seed import KEY_ALIAS, MULTI_REGION_KEY_ALIAS

CHOSEN_CLUSTERS = ("orders", "analytics")
STEP_KEYS = [s.key for s in ONBOARD_AWS.steps]


async def full_inputs(world) -> OnboardAwsInputs:
    """What an operator types for a complete onboarding, through the validated setters."""
    inputs = OnboardAwsInputs(manage_trust_policy=True, attach_key_policy=True)
    inputs.set_role_arn(world.role_name, world.sandbox.info.aws_account_id)
    inputs.set_region("us-east-1")
    inputs.set_key(KEY_ALIAS)
    inputs.set_clusters(CHOSEN_CLUSTERS, await world.state())
    inputs.set_private_endpoint_regions(["us-east-1"])
    return inputs


async def test_fresh_project_is_fully_onboarded(world):
    run = world.run(await full_inputs(world))

    views = await ONBOARD_AWS.run(run, world.events.append)

    state = await world.state()
    kms = state.encryption.aws_kms
    assert kms.enabled and kms.valid is True
    assert kms.region == "US_EAST_1" and kms.require_private_networking is True
    assert state.aws_role(run.inputs.role_id).used_for_encryption
    for name in CHOSEN_CLUSTERS:
        cluster = state.cluster(name)
        assert (cluster.encryption_at_rest_provider, cluster.state_name) == ("AWS", "IDLE")
    assert state.cluster("playground").encryption_at_rest_provider == "NONE"
    assert [(e.region_name, e.status) for e in state.endpoints_for("AWS")] == [("US_EAST_1", ENDPOINT_ACTIVE)]
    assert len(state.access.aws_roles) == 1 and state.access.aws_roles[0].authorized
    assert all(v.state in (StepState.DONE, StepState.NEXT) for v in views)

    summary = run.report
    assert isinstance(summary, JourneySummary)
    assert summary.rotation_alert is not None and summary.rotation_alert.threshold_days == 90
    assert any("authorize Atlas role" in line for line in summary.changes)
    assert any("create AWS private endpoint in US_EAST_1" in line for line in summary.changes)
    # The IAM role exists with the Atlas trust policy and the key policy the wizard attached.
    iam = world.boto("iam")
    trust = iam.get_role(RoleName=world.role_name)["Role"]["AssumeRolePolicyDocument"]
    external_id = state.access.aws_roles[0].atlas_assumed_role_external_id
    assert trust["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"] == external_id
    assert iam.list_role_policies(RoleName=world.role_name)["PolicyNames"] == ["MongoDBAtlasEncryptionAtRestKms"]


async def test_waits_show_countdowns_and_per_cluster_progress(world):
    run = world.run(await full_inputs(world))
    await ONBOARD_AWS.run(run, world.events.append)

    waits = [e for e in world.events if e.waiting_until is not None]
    assert waits, "every wait announces when it ends"
    assert [e.waiting_until for e in waits] == sorted(e.waiting_until for e in waits)
    authorize_waits = [e.message for e in waits if e.step_key == "authorize"]
    assert authorize_waits and all(m.startswith("IAM propagation") for m in authorize_waits)
    cluster_lines = [e.message for e in world.events if e.step_key == "clusters"]
    assert any("orders: AWS, UPDATING" in m for m in cluster_lines)
    assert any("orders: AWS, IDLE" in m and "analytics: AWS, IDLE" in m for m in cluster_lines)


async def test_enabling_waits_visibly_while_atlas_checks_the_key(world):
    run = world.run(await full_inputs(world))
    await ONBOARD_AWS.run(run, world.events.append, stop_after="enable")

    enable = [e for e in world.events if e.step_key == "enable"]
    checking = [e for e in enable if e.waiting_until is not None and "valid: false" in e.message]
    assert checking, "the wait for valid announces each poll with its end time"
    waited = (checking[-1].waiting_until - checking[0].waiting_until).total_seconds() + run.timing.poll_interval
    assert waited >= world.sandbox.store.timings.key_validation
    assert enable[-1].message == "Atlas reports the key valid: it can encrypt and decrypt"
    assert enable[-1].fraction == 1.0
    assert (await world.state()).encryption.aws_kms.valid is True


async def test_resuming_after_each_step_continues_at_the_next(world):
    typed = await full_inputs(world)
    journal = world.journal()
    for index, key in enumerate(STEP_KEYS[:-1]):
        # Each time the wizard starts again: inputs come back from the journal, state from Atlas.
        inputs = OnboardAwsInputs.from_journal(journal) if index else typed
        run = world.run(inputs)
        state = await run.read_state()
        assert ONBOARD_AWS.current(state, inputs).key == key
        await ONBOARD_AWS.run(run, world.events.append, stop_after=key)

        resumed = OnboardAwsInputs.from_journal(journal)
        after = await world.state()
        assert ONBOARD_AWS.current(after, resumed).key == STEP_KEYS[index + 1]
        assert len(after.access.aws_roles) == 1

    # Applying every step again changes nothing: no second role, no second endpoint.
    inputs = OnboardAwsInputs.from_journal(journal)
    rerun = world.run(inputs)
    before = await world.state()
    for step in ONBOARD_AWS.steps:
        await step.apply(rerun, world.events.append)
    after = await world.state()
    assert len(after.access.aws_roles) == 1
    assert len(after.endpoints_for("AWS")) == 1
    assert after.diff(before) == []


async def test_resume_reuses_the_unauthorized_role_even_without_the_journal(world):
    first = world.run(OnboardAwsInputs())
    await ONBOARD_AWS.run(first, stop_after="role")

    second = world.run(OnboardAwsInputs())  # the journal was lost: nothing typed is known
    await ONBOARD_AWS.step("role").apply(second, world.events.append)

    state = await world.state()
    assert [r.role_id for r in state.access.aws_roles] == [first.inputs.role_id]
    assert second.inputs.role_id == first.inputs.role_id


async def test_inputs_typed_before_stopping_are_offered_again(world):
    inputs = await full_inputs(world)
    run = world.run(inputs)
    await ONBOARD_AWS.run(run, stop_after="key")

    resumed = OnboardAwsInputs.from_journal(world.journal())

    assert resumed.role_arn == f"arn:aws:iam::{world.sandbox.info.aws_account_id}:role/{world.role_name}"
    assert resumed.key_ref.startswith("arn:aws:kms:us-east-1:")  # the alias was resolved to its key
    assert resumed.region == "US_EAST_1"
    assert resumed.clusters == CHOSEN_CLUSTERS
    assert resumed.private_endpoint_regions == ("US_EAST_1",)


async def test_multi_region_key_is_noted_and_every_replica_granted(world):
    inputs = OnboardAwsInputs(manage_trust_policy=True, attach_key_policy=True)
    inputs.set_role_arn(world.role_name, world.sandbox.info.aws_account_id)
    inputs.set_region("US_EAST_1")
    inputs.set_key(MULTI_REGION_KEY_ALIAS)

    await ONBOARD_AWS.run(world.run(inputs), world.events.append, stop_after="key")

    assert any("multi-Region primary key with replicas in us-west-2" in e.message for e in world.events)
    policy = world.boto("iam").get_role_policy(RoleName=world.role_name, PolicyName="MongoDBAtlasEncryptionAtRestKms")
    resources = policy["PolicyDocument"]["Statement"][0]["Resource"]
    assert sorted(arn.split(":")[3] for arn in resources) == ["us-east-1", "us-west-2"]
    assert inputs.key_ref.startswith("arn:aws:kms:us-east-1:") and "mrk-" in inputs.key_ref


@pytest.mark.parametrize("world", ["legacy-credentials"], indirect=True)
async def test_legacy_access_keys_are_replaced_by_the_role_once_confirmed(world):
    before = (await world.state()).encryption.aws_kms
    assert before.uses_legacy_credentials
    inputs = OnboardAwsInputs(manage_trust_policy=True, attach_key_policy=True)
    inputs.set_role_arn(world.role_name, world.sandbox.info.aws_account_id)
    inputs.set_key(before.customer_master_key_id)

    with pytest.raises(StepError) as blocked:
        await ONBOARD_AWS.run(world.run(inputs), stop_after="enable")
    assert blocked.value.step_key == "enable" and "confirm" in blocked.value.next_step

    inputs.confirm_legacy_migration = True
    await ONBOARD_AWS.run(world.run(inputs), stop_after="enable")

    after = (await world.state()).encryption.aws_kms
    assert after.access_key_id is None and after.valid is True
    assert after.customer_master_key_id == before.customer_master_key_id
    decisions = [e for e in world.journal().entries() if e["kind"] == "operator_decision"]
    assert any("migrate from IAM user access keys" in e["what"] for e in decisions)
