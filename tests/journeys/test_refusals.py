"""Every refusal reaches the operator with its code, what it means and what to do next."""

from __future__ import annotations

import json

import pytest

from cmkwizard.atlas import AtlasApiError
from cmkwizard.aws.errors import InputError
from cmkwizard.journeys.aws_inputs import OnboardAwsInputs, atlas_partition, usable_region
from cmkwizard.journeys.base import StepError, StepState
from cmkwizard.journeys.onboard_aws import ONBOARD_AWS
from cmkwizard.sandbox.cloud_seed import ASYMMETRIC_KEY_ALIAS, DISABLED_KEY_ALIAS, KEY_ALIAS


async def role_with_trust_policy(world, external_id: str | None = None) -> OnboardAwsInputs:
    """An Atlas role, and an IAM role whose trust policy names Atlas with ``external_id`` (the right one if None)."""
    inputs = OnboardAwsInputs()
    await ONBOARD_AWS.run(world.run(inputs), stop_after="role")
    role = (await world.state()).aws_role(inputs.role_id)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": role.atlas_aws_account_arn},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": external_id or role.atlas_assumed_role_external_id}},
            }
        ],
    }
    world.boto("iam").create_role(RoleName=world.role_name, AssumeRolePolicyDocument=json.dumps(trust))
    inputs.set_role_arn(world.role_name, world.sandbox.info.aws_account_id)
    return inputs


def allow_role_to_use(world, key_arn: str) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], "Resource": key_arn}
        ],
    }
    world.boto("iam").put_role_policy(RoleName=world.role_name, PolicyName="kms", PolicyDocument=json.dumps(policy))


def key_arn(world, alias: str) -> str:
    return world.boto("kms").describe_key(KeyId=alias)["KeyMetadata"]["Arn"]


async def test_wrong_external_id_without_aws_credentials_retries_then_says_misconfiguration(world):
    inputs = await role_with_trust_policy(world, external_id="not-this-projects-external-id")
    run = world.run(inputs, with_aws=False)

    with pytest.raises(StepError) as caught:
        await ONBOARD_AWS.step("authorize").apply(run, world.events.append)

    error = caught.value
    role = (await world.state()).aws_role(inputs.role_id)
    assert error.code == "CANNOT_ASSUME_ROLE"
    assert role.atlas_assumed_role_external_id in error.next_step
    assert not role.authorized
    waits = [e for e in world.events if e.waiting_until is not None]
    assert waits[0].message.startswith("IAM propagation")
    assert waits[-1].message.startswith("Misconfiguration")
    # The retries lasted about the configured budget of simulated time, not real time.
    assert run.timing.access_budget - 60 <= (waits[-1].waiting_until - waits[0].waiting_until).total_seconds()


async def test_wrong_external_id_with_aws_credentials_is_diagnosed_before_asking_atlas(world):
    inputs = await role_with_trust_policy(world, external_id="not-this-projects-external-id")
    run = world.run(inputs, with_aws=True)
    world.exchanges.clear()

    with pytest.raises(StepError) as caught:
        await ONBOARD_AWS.step("authorize").apply(run, world.events.append)

    assert caught.value.what.startswith("Misconfiguration")
    assert "not-this-projects-external-id" in caught.value.meaning
    assert not [x for x in world.exchanges if x.method == "PATCH"], "Atlas was not asked to authorize"


async def test_wrong_external_id_is_fixed_when_the_wizard_may_manage_the_trust_policy(world):
    inputs = await role_with_trust_policy(world, external_id="not-this-projects-external-id")
    inputs.manage_trust_policy = True

    await ONBOARD_AWS.step("authorize").apply(world.run(inputs), world.events.append)

    assert (await world.state()).aws_role(inputs.role_id).authorized


@pytest.mark.parametrize(
    ("alias", "problem", "fix"),
    [
        (DISABLED_KEY_ALIAS, "disabled", "aws kms enable-key"),
        (ASYMMETRIC_KEY_ALIAS, "symmetric", "aws kms create-key"),
    ],
)
async def test_unusable_key_is_refused_by_the_key_check(world, alias, problem, fix):
    inputs = await role_with_trust_policy(world)
    await ONBOARD_AWS.run(world.run(inputs), stop_after="authorize")
    inputs.set_region("us-east-1")
    inputs.set_key(alias)

    with pytest.raises(StepError) as caught:
        await ONBOARD_AWS.step("key").apply(world.run(inputs), world.events.append)

    assert problem in caught.value.meaning
    assert fix in caught.value.next_step
    assert inputs.checked_key is None


async def test_disabled_key_is_refused_by_atlas_with_its_code(world):
    inputs = await role_with_trust_policy(world)
    await ONBOARD_AWS.run(world.run(inputs), stop_after="authorize")
    disabled = key_arn(world, DISABLED_KEY_ALIAS)
    allow_role_to_use(world, disabled)
    inputs.set_key(disabled)
    run = world.run(inputs, with_aws=False)  # no AWS credentials: only Atlas can tell
    await ONBOARD_AWS.run(run, stop_after="key")

    with pytest.raises(AtlasApiError) as caught:
        await ONBOARD_AWS.step("enable").apply(run, world.events.append)

    assert caught.value.error_code == "AWS_KMS_CUSTOMER_MASTER_KEY_NOT_ENABLED"
    assert caught.value.next_step
    assert not (await world.state()).encryption.aws_kms.enabled


async def test_key_in_another_region_is_refused_as_typed(world):
    inputs = OnboardAwsInputs()
    inputs.set_key(key_arn(world, KEY_ALIAS))

    with pytest.raises(InputError) as caught:
        inputs.set_region("eu-west-1")

    assert "us-east-1" in caught.value.message and "eu-west-1" in caught.value.message
    assert inputs.region == "US_EAST_1"


async def test_key_id_in_the_wrong_region_is_refused_by_atlas(world):
    inputs = await role_with_trust_policy(world)
    await ONBOARD_AWS.run(world.run(inputs), stop_after="authorize")
    key_id = key_arn(world, KEY_ALIAS).rsplit("/", 1)[-1]
    inputs.set_region("us-west-2")
    inputs.set_key(key_id)
    run = world.run(inputs, with_aws=False)
    await ONBOARD_AWS.run(run, stop_after="key")

    with pytest.raises(AtlasApiError) as caught:
        await ONBOARD_AWS.step("enable").apply(run, world.events.append)

    assert caught.value.error_code == "AWS_CUSTOMER_MASTER_KEY_NOT_FOUND"
    assert "region" in caught.value.next_step


async def encrypted_project(world) -> OnboardAwsInputs:
    inputs = OnboardAwsInputs(manage_trust_policy=True, attach_key_policy=True)
    inputs.set_role_arn(world.role_name, world.sandbox.info.aws_account_id)
    inputs.set_key(key_arn(world, KEY_ALIAS))
    await ONBOARD_AWS.run(world.run(inputs), stop_after="enable")
    return inputs


@pytest.mark.parametrize(
    ("cluster", "code", "reason"),
    [
        ("playground", "CANNOT_USE_ENCRYPTION_AT_REST_TENANT", "shared-tier"),
        ("archive", "CANNOT_UPDATE_PAUSED_CLUSTER", "paused"),
    ],
)
async def test_ineligible_cluster_is_refused_and_the_others_still_encrypted(world, cluster, code, reason):
    inputs = await encrypted_project(world)
    state = await world.state()
    with pytest.raises(InputError) as typed:
        inputs.set_clusters(["orders", cluster], state)
    assert reason in typed.value.message

    inputs.clusters = ("orders", cluster)  # as if the cluster changed after it was chosen
    assert ONBOARD_AWS.step("clusters").assess(state, inputs).state is StepState.BLOCKED
    with pytest.raises(StepError) as caught:
        await ONBOARD_AWS.step("clusters").apply(world.run(inputs), world.events.append)

    assert caught.value.code == code
    assert cluster in caught.value.meaning and cluster in caught.value.next_step
    after = await world.state()
    assert (after.cluster("orders").encryption_at_rest_provider, after.cluster("orders").state_name) == ("AWS", "IDLE")
    assert after.cluster(cluster).encryption_at_rest_provider == "NONE"


async def test_enabling_retries_while_a_trust_policy_change_propagates(world):
    inputs = await role_with_trust_policy(world)
    inputs.attach_key_policy = True
    inputs.set_key(key_arn(world, KEY_ALIAS))
    await ONBOARD_AWS.run(world.run(inputs), stop_after="key")
    # A harmless edit of the trust policy after authorization: IAM propagates it again.
    iam = world.boto("iam")
    trust = iam.get_role(RoleName=world.role_name)["Role"]["AssumeRolePolicyDocument"]
    trust["Statement"][0]["Sid"] = "EditedAfterAuthorization"
    iam.update_assume_role_policy(RoleName=world.role_name, PolicyDocument=json.dumps(trust))

    await ONBOARD_AWS.step("enable").apply(world.run(inputs), world.events.append)

    retries = [e.message for e in world.events if e.step_key == "enable" and e.waiting_until]
    assert any("CANNOT_ASSUME_ROLE" in m for m in retries)
    assert (await world.state()).encryption.aws_kms.valid is True


async def test_a_key_atlas_cannot_reach_is_reported_after_the_valid_wait(world):
    inputs = OnboardAwsInputs(manage_trust_policy=True, attach_key_policy=True)
    inputs.set_role_arn(world.role_name, world.sandbox.info.aws_account_id)
    inputs.set_key(key_arn(world, KEY_ALIAS))
    run = world.run(inputs)
    await ONBOARD_AWS.run(run, stop_after="enable")
    world.sandbox.set_kms_region_down("us-east-1")
    try:
        view = ONBOARD_AWS.step("enable").assess(await world.state(), inputs)
        assert view.state is StepState.TODO and "valid" in view.summary
        with pytest.raises(StepError) as caught:
            await ONBOARD_AWS.step("enable").apply(run, world.events.append)
    finally:
        world.sandbox.set_kms_region_down("us-east-1", down=False)

    assert "did not finish" in caught.value.what
    assert "ENCRYPTION_AT_REST_SETTINGS_INVALID" in caught.value.meaning  # the reason Atlas recorded
    assert "kms:Decrypt" in caught.value.next_step


async def test_a_key_disabled_while_atlas_checks_it_is_reported_with_atlas_reason(world):
    inputs = OnboardAwsInputs(manage_trust_policy=True, attach_key_policy=True)
    inputs.set_role_arn(world.role_name, world.sandbox.info.aws_account_id)
    inputs.set_key(key_arn(world, KEY_ALIAS))
    await ONBOARD_AWS.run(world.run(inputs), stop_after="key")
    kms = world.boto("kms")
    key_id = kms.describe_key(KeyId=KEY_ALIAS)["KeyMetadata"]["KeyId"]

    def disable_key_during_the_check(event):
        world.events.append(event)
        if event.step_key == "enable" and event.waiting_until and "valid: false" in event.message:
            kms.disable_key(KeyId=key_id)

    try:
        with pytest.raises(StepError) as caught:
            await ONBOARD_AWS.step("enable").apply(world.run(inputs), disable_key_during_the_check)
    finally:
        kms.enable_key(KeyId=key_id)

    assert "did not finish" in caught.value.what
    assert "AWS_KMS_CUSTOMER_MASTER_KEY_NOT_ENABLED" in caught.value.meaning


@pytest.mark.parametrize(
    ("arn", "message"),
    [
        ("arn:aws-us-gov:iam::123456789012:role/atlas-kms", "can only assume roles in 'aws'"),
        ("arn:aws-cn:iam::123456789012:role/atlas-kms", "is in partition 'aws-cn'"),
    ],
)
def test_a_role_in_a_partition_atlas_cannot_use_is_refused_as_typed(arn, message):
    with pytest.raises(InputError) as refused:
        OnboardAwsInputs().set_role_arn(arn)
    assert message in refused.value.message


def test_atlas_for_government_uses_the_gov_partition():
    assert atlas_partition("https://cloud.mongodbgov.com") == "aws-us-gov"
    assert atlas_partition("https://cloud.mongodb.com") == "aws"
    inputs = OnboardAwsInputs()
    assert inputs.set_role_arn("atlas-kms", "123456789012", atlas_partition="aws-us-gov").startswith(
        "arn:aws-us-gov:iam::123456789012:role/"
    )


async def test_a_role_in_another_account_than_the_credentials_is_refused_before_anything_is_sent(world):
    await ONBOARD_AWS.run(world.run(OnboardAwsInputs()), stop_after="role")
    inputs = OnboardAwsInputs.from_journal(world.journal())
    inputs.manage_trust_policy = True
    inputs.role_arn = "arn:aws:iam::210987654321:role/atlas-kms"  # as a resumed run would hold it
    world.exchanges.clear()

    with pytest.raises(StepError) as refused:
        await ONBOARD_AWS.apply_step(world.run(inputs), "authorize")

    assert "cannot create or update atlas-kms" in refused.value.what
    assert "account 210987654321" in refused.value.meaning and "nothing was sent" in refused.value.next_step
    assert world.writes() == []
    with pytest.raises(InputError, match="AWS credentials in use are for account"):
        OnboardAwsInputs(manage_trust_policy=True).set_role_arn(inputs.role_arn, managed_by="123456789012")


def encryption_writes(world) -> list[str]:
    return [f"{e.method} {e.path}" for e in world.writes() if e.path.endswith("/encryptionAtRest")]


async def test_a_role_without_access_to_the_key_is_caught_before_atlas_is_asked(world):
    inputs = await role_with_trust_policy(world)  # the operator did not let the wizard attach the key policy
    inputs.set_key(key_arn(world, KEY_ALIAS))
    await ONBOARD_AWS.run(world.run(inputs), stop_after="key")

    with pytest.raises(StepError) as refused:
        await ONBOARD_AWS.apply_step(world.run(inputs), "enable")

    assert refused.value.what.startswith("The role may not use key")
    assert "kms:Decrypt" in refused.value.next_step and "Nothing was sent to Atlas" in refused.value.next_step
    assert encryption_writes(world) == []

    allow_role_to_use(world, key_arn(world, KEY_ALIAS))
    await ONBOARD_AWS.apply_step(world.run(inputs), "enable")
    assert (await world.state()).encryption.aws_kms.valid is True


async def test_a_key_disabled_after_its_check_is_caught_before_atlas_is_asked(world):
    inputs = await role_with_trust_policy(world)
    inputs.attach_key_policy = True
    arn = key_arn(world, KEY_ALIAS)
    inputs.set_key(arn)
    await ONBOARD_AWS.run(world.run(inputs), stop_after="key")
    key_id = arn.rsplit("/", 1)[1]
    world.boto("kms").disable_key(KeyId=key_id)  # the sandbox's key is shared: enabled again below
    try:
        with pytest.raises(StepError) as refused:
            await ONBOARD_AWS.apply_step(world.run(inputs), "enable")
    finally:
        world.boto("kms").enable_key(KeyId=key_id)

    assert "Atlas cannot use key" in refused.value.what and "disabled" in refused.value.meaning.lower()
    assert encryption_writes(world) == []


def test_a_region_in_a_partition_atlas_cannot_use_is_refused_as_typed():
    with pytest.raises(InputError, match="us-gov-west-1 is in partition 'aws-us-gov': commercial Atlas cannot"):
        OnboardAwsInputs().set_region("us-gov-west-1")
    assert OnboardAwsInputs().set_region("us-gov-west-1", atlas_partition="aws-us-gov") == "US_GOV_WEST_1"
    assert not usable_region("CN_NORTH_1", "aws") and usable_region("EU_WEST_1", "aws")
