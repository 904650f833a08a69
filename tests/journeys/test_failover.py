"""Region failover with AWS KMS against the sandbox's outage: moves that work, and those refused with the reason."""

from __future__ import annotations

import json

import pytest

from cmkwizard.journeys.base import StepError, StepState
from cmkwizard.journeys.catalog import JOURNEYS
from cmkwizard.journeys.failover import FAILOVER_AWS, FailoverInputs, FailoverReport
from cmkwizard.sandbox.cloud_seed import MULTI_REGION_KEY_ALIAS, ROLE_NAME, ROLE_POLICY_NAME
from tests.journeys.conftest import World

outage = pytest.mark.parametrize("world", ["outage"], indirect=True)
KMS_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"]


def _key_arn(world: World, region: str) -> str:
    """The key's ARN in ``region``, read in the replica region (us-east-1 does not answer during the outage)."""
    replica = world.boto("kms", "us-west-2").describe_key(KeyId=MULTI_REGION_KEY_ALIAS)["KeyMetadata"]["Arn"]
    return replica.replace(":us-west-2:", f":{region}:")


def _ear_writes(world: World) -> list:
    return [e for e in world.writes() if e.path.endswith("/encryptionAtRest")]


def _role_may_use_only(world: World, arn: str) -> None:
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": KMS_ACTIONS, "Resource": arn}]}
    world.boto("iam").put_role_policy(
        RoleName=ROLE_NAME, PolicyName=ROLE_POLICY_NAME, PolicyDocument=json.dumps(policy)
    )


@outage
async def test_a_multi_region_key_fails_over_to_its_replica_and_the_clusters_recover(world: World) -> None:
    run = world.start(FAILOVER_AWS, FailoverInputs(target_region="us-west-2"))

    views = await FAILOVER_AWS.run(run)

    state = await world.state()
    kms = state.encryption.aws_kms
    assert kms.region == "US_WEST_2" and kms.customer_master_key_id == _key_arn(world, "us-west-2")
    assert kms.valid is True
    assert all(c.state_name == "IDLE" for c in state.clusters if c.encryption_at_rest_provider == "AWS")
    assert all(v.finished or v.key == "summary" for v in views)
    [patch] = _ear_writes(world)
    assert patch.request_body["awsKms"] == {
        "customerMasterKeyID": _key_arn(world, "us-west-2"),
        "region": "US_WEST_2",
    }
    report = run.report
    assert isinstance(report, FailoverReport)
    lines = report.lines()
    assert "When us-east-1 recovers, move back: run Region failover again and choose us-east-1." in lines
    record = lines[lines.index(next(line for line in lines if line.startswith("Failover record: took "))) :]
    assert any("failover region: us-east-1 → us-west-2" in line for line in record)
    assert (
        "  done: Move the project to the replica: The project uses the key in US_WEST_2; Atlas reports it valid"
        in record
    )
    assert any(line.startswith("  done: Clusters back to health: Every encrypted cluster is IDLE") for line in record)
    assert any("ATLAS: move encryption at rest to another region: done" in line for line in lines)


@pytest.mark.parametrize("world", ["encrypted-aws"], indirect=True)
async def test_a_single_region_key_is_refused_at_once_with_what_remains(world: World) -> None:
    world.sandbox.set_kms_region_down("us-east-1")
    run = world.start(FAILOVER_AWS, FailoverInputs(target_region="us-west-2"))

    with pytest.raises(StepError) as refused:
        await FAILOVER_AWS.run(run)

    assert refused.value.step_key == "replica"
    assert "cannot be converted" in refused.value.next_step and "rotation" in refused.value.next_step
    assert world.writes() == []


@outage
async def test_a_replica_whose_key_policy_leaves_out_the_atlas_role_is_refused(world: World) -> None:
    replica = world.boto("kms", "us-west-2")
    key_id = replica.describe_key(KeyId=MULTI_REGION_KEY_ALIAS)["KeyMetadata"]["KeyId"]
    admin = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{world.sandbox.info.aws_account_id}:user/sandbox-operator"},
        "Action": "kms:*",
        "Resource": "*",
    }
    replica.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps({"Statement": [admin]}))
    run = world.start(FAILOVER_AWS, FailoverInputs(target_region="us-west-2"))

    with pytest.raises(StepError) as refused:
        await FAILOVER_AWS.run(run)

    assert refused.value.step_key == "replica"
    assert "key policy in us-west-2 does not let the Atlas role use it" in refused.value.next_step
    assert _ear_writes(world) == []


@outage
async def test_the_role_is_given_access_to_the_replica_before_the_move(world: World) -> None:
    _role_may_use_only(world, _key_arn(world, "us-east-1"))
    run = world.start(FAILOVER_AWS, FailoverInputs(target_region="us-west-2"))
    state = await run.read_state()
    assert FAILOVER_AWS.view_of("replica_access", state, run.inputs).state is StepState.NEXT
    consequence = FAILOVER_AWS.step("replica_access").consequence(state, run.inputs)
    assert consequence is not None and _key_arn(world, "us-west-2") in consequence.text

    await FAILOVER_AWS.run(run)

    added = world.boto("iam").get_role_policy(
        RoleName=ROLE_NAME, PolicyName="MongoDBAtlasEncryptionAtRestKms-us-west-2"
    )
    assert added["PolicyDocument"]["Statement"][0]["Resource"] == _key_arn(world, "us-west-2")
    assert (await world.state()).encryption.aws_kms.region == "US_WEST_2"


@outage
async def test_without_aws_credentials_the_exact_policy_is_shown(world: World) -> None:
    run = world.start(FAILOVER_AWS, FailoverInputs(target_region="us-west-2"), with_aws=False)
    state = await run.read_state()

    view = FAILOVER_AWS.view_of("replica_access", state, run.inputs)

    assert view.state is StepState.NEXT
    assert f'"Resource": "{_key_arn(world, "us-west-2")}"' in (view.reason or "")
    assert "kms:Decrypt" in (view.reason or "")


@outage
async def test_an_interrupted_failover_resumes_from_the_journal_and_the_live_state(world: World) -> None:
    _role_may_use_only(world, _key_arn(world, "us-east-1"))
    first = world.start(FAILOVER_AWS, FailoverInputs(target_region="us-west-2"))
    await FAILOVER_AWS.run(first, stop_after="replica_access")
    assert _ear_writes(world) == []

    entry = JOURNEYS.get(FAILOVER_AWS.name)
    resumed_inputs = entry.resumed_inputs(world.journal())
    assert resumed_inputs.target_region == "us-west-2" and resumed_inputs.from_region == "us-east-1"
    second = world.start(FAILOVER_AWS, resumed_inputs)
    assert second.run_id == first.run_id
    state = await second.read_state()
    assert FAILOVER_AWS.current(state, second.inputs).key == "move"

    await FAILOVER_AWS.run(second)

    assert len(_ear_writes(world)) == 1
    assert (await world.state()).encryption.aws_kms.region == "US_WEST_2"


@outage
async def test_a_second_run_moves_back_once_the_primary_region_recovers(world: World) -> None:
    await FAILOVER_AWS.run(world.start(FAILOVER_AWS, FailoverInputs(target_region="us-west-2")))
    world.sandbox.set_kms_region_down("us-east-1", False)
    entry = JOURNEYS.get(FAILOVER_AWS.name)
    assert entry.offer(await world.state()) is not None

    back = world.start(FAILOVER_AWS, entry.resumed_inputs(world.journal()))
    back.inputs.target_region = "us-east-1"
    await FAILOVER_AWS.run(back)

    kms = (await world.state()).encryption.aws_kms
    assert kms.region == "US_EAST_1" and kms.customer_master_key_id == _key_arn(world, "us-east-1")
    assert kms.valid is True
