"""Key rotation against the encrypted sandbox projects: the project ends on the new key with Atlas never
losing the old one's access, every cluster back to IDLE; resumed mid-way; refused before anything is sent
when the role could not use the new key; a second rotation is a run of its own."""

from __future__ import annotations

import json

import pytest

from cmkwizard.atlas.models import CLUSTER_IDLE, PROVIDER_AWS, PROVIDER_AZURE, AwsKmsPatch
from cmkwizard.aws.policies import kms_access_policy
from cmkwizard.errors import InputError
from cmkwizard.journeys.aws_key import KMS_POLICY_NAME, same_key
from cmkwizard.journeys.base import CloudSession, StepError, StepState
from cmkwizard.journeys.catalog import JOURNEYS
from cmkwizard.journeys.confirmed import ChangedSinceConfirmed, confirmation
from cmkwizard.journeys.rotate_inputs import KEEP_KEY, ROTATE, RotateInputs
from cmkwizard.journeys.rotate_journey import journey_name
from cmkwizard.journeys.rotate_steps import alert_body
from cmkwizard.journeys.rotation_facts import where_things_stand
from cmkwizard.sandbox.cloud_seed import ASYMMETRIC_KEY_ALIAS, ROLE_NAME
from tests.journeys.azure_world import azure_world_fixture  # noqa: F401  (the `azure` fixture)

AWS_ROTATION = JOURNEYS.get(journey_name(PROVIDER_AWS))
AZURE_ROTATION = JOURNEYS.get(journey_name(PROVIDER_AZURE))
NEVER_INVALID = ("ENCRYPTION_AT_REST_CONFIG_NO_LONGER_VALID", "ENCRYPTION_AT_REST_CONFIGURATION_VALIDATION_FAILED")

aws_project = pytest.mark.parametrize("world", ["encrypted-aws"], indirect=True)
azure_project = pytest.mark.parametrize("world", ["encrypted-azure"], indirect=True)


def new_aws_key(world, description: str = "next key") -> str:
    return world.boto("kms").create_key(Description=description)["KeyMetadata"]["Arn"]


async def aws_inputs(world, *, mode: str = ROTATE) -> RotateInputs:
    inputs = AWS_ROTATION.resumed_inputs(world.journal())
    inputs.begin(await world.state(), mode)
    inputs.set_region("us-east-1")
    return inputs


def project_events(world) -> list[str]:
    project = world.sandbox.store.projects[world.project_id]
    return [e.event_type for e in project.events]


def encryption_writes(world) -> list:
    return [e for e in world.writes() if e.path.endswith("/encryptionAtRest")]


@aws_project
async def test_aws_rotation_ends_on_the_new_key_with_every_cluster_idle(world):
    new_key = new_aws_key(world)
    inputs = await aws_inputs(world)
    inputs.set_new_key(new_key)
    inputs.alert_days = 90
    run = world.start(AWS_ROTATION.journey, inputs)

    views = await AWS_ROTATION.journey.run(run, world.events.append)

    assert all(v.finished for v in views[:-1]), views
    state = await world.state()
    kms = state.encryption.aws_kms
    assert same_key(kms.customer_master_key_id, new_key) and kms.region == "US_EAST_1" and kms.valid is True
    encrypted = [c for c in state.clusters if c.encryption_at_rest_provider == PROVIDER_AWS]
    assert encrypted and all(c.state_name == CLUSTER_IDLE for c in encrypted)
    # Only the key changed: one PATCH, with customerMasterKeyID alone.
    (patch,) = encryption_writes(world)
    assert patch.method == "PATCH" and set(patch.request_body["awsKms"]) == {"customerMasterKeyID"}
    events = project_events(world)
    assert "AWS_ENCRYPTION_KEY_ROTATED" in events and "ENCRYPTION_AT_REST_CONFIGURATION_VALIDATION_SUCCEEDED" in events
    assert not set(NEVER_INVALID) & set(events)
    # The role may use both keys: the old key's access was never taken away.
    policy = world.boto("iam").get_role_policy(RoleName=ROLE_NAME, PolicyName=KMS_POLICY_NAME)["PolicyDocument"]
    resources = policy["Statement"][0]["Resource"]
    assert new_key in resources and len(resources) == 2, "the new key and the old one"
    assert any("do not disable or delete the previous key" in e.message for e in world.events)


@aws_project
async def test_aws_rotation_resumes_mid_way_and_a_second_rotation_is_a_new_run(world):
    old_key = (await world.state()).encryption.aws_kms.customer_master_key_id
    inputs = await aws_inputs(world)
    inputs.choose_to_create()
    inputs.alert_days = 90
    first = world.start(AWS_ROTATION.journey, inputs)
    await AWS_ROTATION.journey.run(first, stop_after="new_key")
    created = first.inputs.new_key
    assert created and created.startswith("arn:aws:kms:us-east-1:")

    # The wizard starts again: the open run, its inputs from the journal, the key created once.
    resumed = AWS_ROTATION.resumed_inputs(world.journal())
    assert resumed.new_key == created and resumed.checked_key == created and not resumed.create_new
    second = world.start(AWS_ROTATION.journey, resumed)
    assert second.run_id == first.run_id
    views = await AWS_ROTATION.journey.run(second)
    assert all(v.finished for v in views[:-1])
    keys = world.boto("kms").list_keys()["Keys"]
    assert sum(1 for k in keys if created.endswith(k["KeyId"])) == 1
    assert same_key((await world.state()).encryption.aws_kms.customer_master_key_id, created)

    # Later, the next rotation: a run of its own, starting from the key the project uses now.
    world.sandbox.clock.advance(90 * 24 * 3600)
    again = AWS_ROTATION.resumed_inputs(world.journal())
    assert again == RotateInputs(PROVIDER_AWS), "a finished rotation is never resumed"
    again.begin(await world.state(), ROTATE)
    assert same_key(again.old_key, created) and not same_key(again.old_key, old_key)
    again.set_region("us-east-1")
    again.set_new_key(new_aws_key(world, "third key"))
    again.alert_days = 90
    third = world.start(AWS_ROTATION.journey, again)
    assert third.run_id != first.run_id
    await AWS_ROTATION.journey.run(third)
    assert same_key((await world.state()).encryption.aws_kms.customer_master_key_id, again.new_key)
    assert project_events(world).count("AWS_ENCRYPTION_KEY_ROTATED") == 2


@aws_project
async def test_a_key_the_role_cannot_use_is_refused_before_the_patch(world):
    new_key = new_aws_key(world)
    inputs = await aws_inputs(world)
    inputs.set_new_key(new_key)
    inputs.extend_policy = False  # the role's policies name only the old key
    run = world.start(AWS_ROTATION.journey, inputs)
    await AWS_ROTATION.journey.run(run, stop_after="new_key")

    with pytest.raises(StepError) as refused:
        await AWS_ROTATION.journey.apply_step(run, "switch")

    assert "may not use key" in refused.value.what and "Nothing was sent to Atlas" in refused.value.next_step
    assert encryption_writes(world) == []
    state = await world.state()
    assert state.encryption.aws_kms.valid is True and not same_key(
        state.encryption.aws_kms.customer_master_key_id, new_key
    )


@aws_project
async def test_a_key_whose_policy_denies_the_role_is_refused_before_the_patch(world):
    account = world.sandbox.info.aws_account_id
    role_arn = f"arn:aws:iam::{account}:role/{ROLE_NAME}"
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {"Effect": "Deny", "Principal": {"AWS": role_arn}, "Action": "kms:Decrypt", "Resource": "*"},
        ],
    }
    new_key = world.boto("kms").create_key(Policy=json.dumps(policy))["KeyMetadata"]["Arn"]
    inputs = await aws_inputs(world)
    inputs.set_new_key(new_key)
    run = world.start(AWS_ROTATION.journey, inputs)

    with pytest.raises(StepError) as refused:
        await AWS_ROTATION.journey.run(run)

    assert refused.value.step_key == "switch" and "key policy" in refused.value.what
    assert "Nothing was sent to Atlas" in refused.value.next_step
    assert encryption_writes(world) == []


@aws_project
async def test_a_key_atlas_cannot_use_is_refused_at_its_check(world):
    inputs = await aws_inputs(world)
    inputs.set_new_key(ASYMMETRIC_KEY_ALIAS)
    run = world.start(AWS_ROTATION.journey, inputs)

    with pytest.raises(StepError) as refused:
        await AWS_ROTATION.journey.run(run)

    assert refused.value.step_key == "new_key" and "Atlas cannot use key" in refused.value.what
    assert world.writes() == []


@aws_project
async def test_a_region_change_waits_for_its_confirmation(world):
    inputs = await aws_inputs(world)
    inputs.set_region("us-west-2")
    inputs.choose_to_create()
    keys_before = len(world.boto("kms", "us-west-2").list_keys()["Keys"])
    run = world.start(AWS_ROTATION.journey, inputs)

    with pytest.raises(StepError) as refused:
        await AWS_ROTATION.journey.run(run)

    assert "Confirm moving the key from US_EAST_1 to US_WEST_2" in refused.value.next_step
    assert len(world.boto("kms", "us-west-2").list_keys()["Keys"]) == keys_before, "no key created"


@aws_project
async def test_the_same_key_is_refused_as_the_new_one(world):
    inputs = await aws_inputs(world)
    with pytest.raises(InputError, match="the key the project uses now"):
        inputs.set_new_key(inputs.old_key or "")


@aws_project
async def test_keeping_the_key_with_automatic_rotation_only_raises_the_alert(world):
    state = await world.state()
    key = state.encryption.aws_kms.customer_master_key_id
    world.boto("kms").enable_key_rotation(KeyId=key)
    inputs = await aws_inputs(world, mode=KEEP_KEY)
    run = world.start(AWS_ROTATION.journey, inputs)
    standing = where_things_stand(await run.read_state(), PROVIDER_AWS, world.sandbox.clock.now())
    assert any(line.startswith("AWS automatic rotation: on") and "Atlas needs no change" in line for line in standing)
    assert any(
        line.startswith("Rotation alert: fires 90 days after the last rotation: it fires in") for line in standing
    )

    inputs.set_alert_days("400")
    assert AWS_ROTATION.journey.step("alert").consequence(await run.read_state(), inputs) is not None
    views = await AWS_ROTATION.journey.run(run)

    skipped = {v.key for v in views if v.state is StepState.SKIPPED}
    assert skipped == {"new_key", "switch", "clusters"}
    (put,) = world.writes()
    assert put.method == "PUT" and put.request_body["threshold"] == {
        "operator": "GREATER_THAN",
        "threshold": 400,
        "units": "DAYS",
    }
    alerts = await world.client().list_alert_configs(world.project_id)
    (alert,) = [a for a in alerts if a.event_type_name == "AWS_ENCRYPTION_KEY_NEEDS_ROTATION"]
    assert alert.threshold_days == 400 and alert.enabled


@aws_project
async def test_without_aws_credentials_the_facts_say_what_to_run(world):
    inputs = await aws_inputs(world)
    run = world.start(AWS_ROTATION.journey, inputs, with_aws=False)
    state = await run.read_state()
    standing = where_things_stand(state, PROVIDER_AWS, world.sandbox.clock.now())
    assert any("aws kms get-key-rotation-status --key-id" in line for line in standing)
    assert any(line.startswith("Last rotation: none recorded in the last 400 days") for line in standing)
    inputs.choose_to_create()
    with pytest.raises(StepError) as refused:
        await AWS_ROTATION.journey.run(run)
    assert "aws kms create-key --key-spec SYMMETRIC_DEFAULT" in refused.value.next_step


@azure_project
async def test_azure_rotation_to_a_new_version_ends_with_every_cluster_idle(world, azure):
    inputs = AZURE_ROTATION.resumed_inputs(world.journal())
    inputs.begin(await world.state(), ROTATE)
    inputs.choose_to_create()
    inputs.alert_days = 120
    run = world.start(AZURE_ROTATION.journey, inputs, with_aws=False)
    run.cloud = CloudSession("AZURE", azure.adapter())

    views = await AZURE_ROTATION.journey.run(run, world.events.append)

    assert all(v.finished for v in views[:-1]), views
    state = await world.state()
    akv = state.encryption.azure_key_vault
    assert akv.key_identifier == azure.key_identifier() != inputs.old_key, "the newest version of the same key"
    assert akv.valid is True
    encrypted = [c for c in state.clusters if c.encryption_at_rest_provider == PROVIDER_AZURE]
    assert encrypted and all(c.state_name == CLUSTER_IDLE for c in encrypted)
    (patch,) = encryption_writes(world)
    assert patch.request_body == {"azureKeyVault": {"keyIdentifier": akv.key_identifier}}
    events = project_events(world)
    assert "AZURE_ENCRYPTION_KEY_ROTATED" in events and not set(NEVER_INVALID) & set(events)
    alerts = await world.client().list_alert_configs(world.project_id)
    assert [a.threshold_days for a in alerts if a.event_type_name == "AZURE_ENCRYPTION_KEY_NEEDS_ROTATION"] == [120]


@azure_project
async def test_azure_key_in_another_vault_or_the_same_version_is_refused(world, azure):
    inputs = AZURE_ROTATION.resumed_inputs(world.journal())
    inputs.begin(await world.state(), ROTATE)
    with pytest.raises(InputError, match="the project's vault"):
        inputs.set_new_key("https://other-vault.vault.azure.net/keys/k/0123456789abcdef0123456789abcdef")
    with pytest.raises(InputError, match="the key version the project uses now"):
        inputs.set_new_key(inputs.old_key or "")


@azure_project
async def test_azure_rotation_resumes_after_the_switch(world, azure):
    other = azure.new_key("next")
    inputs = AZURE_ROTATION.resumed_inputs(world.journal())
    inputs.begin(await world.state(), ROTATE)
    inputs.set_new_key(other)
    inputs.alert_days = 90
    first = world.start(AZURE_ROTATION.journey, inputs, with_aws=False)
    first.cloud = CloudSession("AZURE", azure.adapter())
    await AZURE_ROTATION.journey.run(first, stop_after="switch")
    state = await world.state()
    assert any(c.state_name != CLUSTER_IDLE for c in state.clusters if c.encryption_at_rest_provider == PROVIDER_AZURE)

    resumed = AZURE_ROTATION.resumed_inputs(world.journal())
    second = world.start(AZURE_ROTATION.journey, resumed, with_aws=False)
    assert second.run_id == first.run_id
    views = await AZURE_ROTATION.journey.run(second)
    assert [v.key for v in views if not v.finished] == ["summary"]
    assert len(encryption_writes(world)) == 1, "the switch is not sent again"


@aws_project
async def test_the_alert_is_not_written_over_a_change_made_since_it_was_seen(world):
    inputs = await aws_inputs(world, mode=KEEP_KEY)
    inputs.alert_seen = 90
    inputs.set_alert_days("400")
    run = world.start(AWS_ROTATION.journey, inputs)
    await AWS_ROTATION.journey.run(run, stop_after="clusters")
    other = world.client()
    (alert,) = [a for a in await other.list_alert_configs(world.project_id) if "NEEDS_ROTATION" in a.event_type_name]
    await other.update_alert_config(world.project_id, alert.id, alert_body(alert, 120))  # another operator
    writes_before = len(world.writes())

    with pytest.raises(StepError) as refused:
        await AWS_ROTATION.journey.apply_step(run, "alert")

    assert "changed since you looked" in refused.value.what and "120 days now, not 90" in refused.value.meaning
    assert len(world.writes()) == writes_before


@aws_project
async def test_the_switch_is_not_sent_over_another_key_set_since_it_was_confirmed(world):
    new_key = new_aws_key(world)
    inputs = await aws_inputs(world)
    inputs.set_new_key(new_key)
    run = world.start(AWS_ROTATION.journey, inputs)
    await AWS_ROTATION.journey.run(run, stop_after="new_key")
    step = AWS_ROTATION.journey.step("switch")
    confirmed = confirmation(step, await run.read_state(), inputs)
    assert confirmed.consequence is not None and confirmed.consequence.title == "Switch the project to the new key?"
    meanwhile = new_aws_key(world, "someone else's key")
    world.boto("iam").put_role_policy(
        RoleName=ROLE_NAME, PolicyName="other", PolicyDocument=json.dumps(kms_access_policy([meanwhile]))
    )
    await world.client().update_encryption_at_rest(
        world.project_id, aws_kms=AwsKmsPatch(customer_master_key_id=meanwhile)
    )
    patches_before = len(encryption_writes(world))

    with pytest.raises(ChangedSinceConfirmed):
        await AWS_ROTATION.journey.apply_step(run, "switch", confirmed=confirmed)

    assert len(encryption_writes(world)) == patches_before, "nothing sent over the other key"
    assert same_key((await world.state()).encryption.aws_kms.customer_master_key_id, meanwhile)
