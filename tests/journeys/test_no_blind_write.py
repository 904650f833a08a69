"""No blind write: what a step is about to change is read again right before it is sent, and a change made
meanwhile by someone else (another operator, Terraform, the Atlas UI) stops it with the difference.

"Someone else" is another Atlas client on the same sandbox project, with its own credentials' session:
it changes the project between the operator's confirmation and the wizard's write, or between two writes
of one step. Each case checks that the wizard sent nothing over it, says what changed, and that confirming
again applies.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

import httpx
import pytest

from cmkwizard.atlas import AtlasClient
from cmkwizard.atlas.auth import digest_auth
from cmkwizard.atlas.models import ENDPOINT_ACTIVE, PROVIDER_AWS, AwsKmsPatch, AzureKeyVaultPatch
from cmkwizard.journeys.base import Journey, JourneyRun
from cmkwizard.journeys.confirmed import CHANGED_SINCE_CONFIRMED, ChangedSinceConfirmed, Confirmation, confirmation
from cmkwizard.journeys.endpoints_change import EndpointInputs, endpoints_journey
from cmkwizard.journeys.onboard_aws import ONBOARD_AWS
from cmkwizard.journeys.onboard_azure import ONBOARD_AZURE
from cmkwizard.sandbox.cloud_seed import KEY_ALIAS, MULTI_REGION_KEY_ALIAS
from cmkwizard.state import Subject
from tests.journeys.azure_world import azure_world_fixture  # noqa: F401  (the `azure` fixture)
from tests.journeys.test_concurrent_runs import OtherWizardFirst
from tests.journeys.test_onboard_aws import CHOSEN_CLUSTERS, full_inputs
from tests.journeys.test_private_endpoints import enabled_project


def other_operator(world) -> AtlasClient:
    """Someone else's Atlas client on the same project: its requests are not among the wizard's exchanges."""
    info = world.sandbox.info
    client = AtlasClient(
        "http://atlas.sandbox",
        digest_auth(info.public_key, info.private_key),
        transport=httpx.ASGITransport(app=world.sandbox.atlas_app),
        sleep=world.sleep,
    )
    world.clients.append(client)
    return client


async def switch_aws_key(world, other: AtlasClient, role_id: str) -> str:
    """The other operator lets the Atlas role use another key, and points the project at it."""
    key_arn = world.boto("kms").describe_key(KeyId=MULTI_REGION_KEY_ALIAS)["KeyMetadata"]["Arn"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], "Resource": key_arn}
        ],
    }
    world.boto("iam").put_role_policy(
        RoleName=world.role_name, PolicyName="another-key", PolicyDocument=json.dumps(policy)
    )
    patch = AwsKmsPatch(
        enabled=True,
        customer_master_key_id=key_arn,
        region="US_EAST_1",
        role_id=role_id,
        require_private_networking=False,
    )
    await other.update_encryption_at_rest(world.project_id, aws_kms=patch)
    for _ in range(30):  # Atlas checks the new key before it reports it valid
        if (await other.get_encryption_at_rest(world.project_id)).valid:
            return key_arn
        await world.sleep(10)
    raise AssertionError("Atlas never reported the other key valid")


async def confirmed_step(journey: Journey, run: JourneyRun, step_key: str) -> Confirmation:
    """What the operator reviews and confirms on the step's page."""
    return confirmation(journey.step(step_key), await run.read_state(), run.inputs)


def writes_since(world, count: int) -> list[str]:
    return [f"{e.method} {e.path}" for e in world.writes()[count:]]


async def refused_unsent(world, journey: Journey, run: JourneyRun, step_key: str, confirmed) -> ChangedSinceConfirmed:
    """Apply the confirmed step: it stops with what changed, having sent nothing."""
    count = len(world.writes())
    with pytest.raises(ChangedSinceConfirmed) as caught:
        await journey.apply_step(run, step_key, confirmed=confirmed)
    assert writes_since(world, count) == []
    return caught.value


def assert_says_what_changed(error: ChangedSinceConfirmed, subject: Subject, field: str, after: str) -> None:
    assert any(c.subject is subject and c.field == field and c.after == after for c in error.changes)
    assert error.code == CHANGED_SINCE_CONFIRMED
    assert f"{field} " in error.meaning and after in error.meaning and "not sent" in error.meaning
    record = json.loads(json.dumps(error.to_record()))
    assert record["code"] == CHANGED_SINCE_CONFIRMED
    assert {"subject": str(subject), "field": field, "after": after}.items() <= next(
        c for c in record["changes"] if c["field"] == field
    ).items()


def journal_refusals(world) -> list[dict]:
    return [e for e in world.journal().entries() if "the project changed since it was confirmed" in e.get("what", "")]


async def test_enabling_is_not_sent_over_a_key_set_meanwhile_and_confirming_again_applies(world):
    run = world.run(await full_inputs(world))
    await ONBOARD_AWS.run(run, stop_after="key")
    confirmed = await confirmed_step(ONBOARD_AWS, run, "enable")
    assert confirmed.consequence is not None
    assert confirmed.consequence.title == "Enable encryption at rest with your key?"
    ours = confirmed.calls[0].body["awsKms"]["customerMasterKeyID"]

    theirs = await switch_aws_key(world, other_operator(world), run.inputs.role_id)
    refusal = await refused_unsent(world, ONBOARD_AWS, run, "enable", confirmed)

    assert (await world.state()).encryption.aws_kms.customer_master_key_id == theirs
    assert_says_what_changed(refusal, Subject.ENCRYPTION, "customerMasterKeyID", theirs)
    assert len(journal_refusals(world)) == 1
    again = refusal.confirmation
    assert again is not None and again.consequence is not None
    assert again.consequence.title == "Change the project's key?" and theirs in again.consequence.text

    await ONBOARD_AWS.apply_step(run, "enable", confirmed=again)

    kms = (await world.state()).encryption.aws_kms
    assert kms.customer_master_key_id == ours and kms.valid is True


async def test_a_patch_retried_while_iam_propagates_is_not_sent_once_the_role_is_gone(world):
    run = world.run(await full_inputs(world))
    await ONBOARD_AWS.run(run, stop_after="key")
    confirmed = await confirmed_step(ONBOARD_AWS, run, "enable")
    # A trust-policy edit starts IAM propagation again: Atlas answers CANNOT_ASSUME_ROLE and the step waits.
    iam = world.boto("iam")
    trust = iam.get_role(RoleName=world.role_name)["Role"]["AssumeRolePolicyDocument"]
    trust["Statement"].append(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    )
    iam.update_assume_role_policy(RoleName=world.role_name, PolicyDocument=json.dumps(trust))
    other = other_operator(world)
    role_id = run.inputs.role_id
    run.sleep = during_first_wait(run.sleep, lambda: other.deauthorize_role(world.project_id, "AWS", role_id))
    count = len(world.writes())

    with pytest.raises(ChangedSinceConfirmed) as caught:
        await ONBOARD_AWS.apply_step(run, "enable", confirmed=confirmed)
    refusal = caught.value

    patches = [w for w in writes_since(world, count) if w.startswith("PATCH") and w.endswith("/encryptionAtRest")]
    assert len(patches) == 1, "the first attempt was refused by Atlas; the retry was not sent"
    assert [(c.subject, c.key) for c in refusal.changes] == [(Subject.ROLE, run.inputs.role_id)]
    assert "is gone" in refusal.meaning
    assert not (await world.state()).encryption.aws_kms.enabled


def during_first_wait(sleep: Callable[[float], Awaitable[None]], act: Callable[[], Awaitable[object]]):
    """A sleep that lets someone else act during the step's first wait."""
    acted = False

    async def sleeping(seconds: float) -> None:
        nonlocal acted
        if not acted:
            acted = True
            await act()
        await sleep(seconds)

    return sleeping


async def test_clusters_are_not_encrypted_with_a_key_switched_meanwhile_then_are_once_confirmed(world):
    run = world.run(await full_inputs(world))
    await ONBOARD_AWS.run(run, stop_after="enable")
    confirmed = await confirmed_step(ONBOARD_AWS, run, "clusters")
    assert confirmed.consequence is None, "the page itself is what the operator reviewed"

    theirs = await switch_aws_key(world, other_operator(world), run.inputs.role_id)
    refusal = await refused_unsent(world, ONBOARD_AWS, run, "clusters", confirmed)

    assert_says_what_changed(refusal, Subject.ENCRYPTION, "customerMasterKeyID", theirs)
    state = await world.state()
    assert {state.cluster(n).encryption_at_rest_provider for n in CHOSEN_CLUSTERS} == {"NONE"}

    await ONBOARD_AWS.apply_step(run, "clusters", confirmed=refusal.confirmation)

    state = await world.state()
    assert {state.cluster(n).encryption_at_rest_provider for n in CHOSEN_CLUSTERS} == {PROVIDER_AWS}
    assert state.encryption.aws_kms.customer_master_key_id == theirs


async def test_the_next_cluster_is_not_encrypted_once_the_key_changed_after_the_first(world):
    run = world.run(await full_inputs(world))
    await ONBOARD_AWS.run(run, stop_after="enable")
    confirmed = await confirmed_step(ONBOARD_AWS, run, "clusters")
    first, second = sorted(CHOSEN_CLUSTERS, key=run.inputs.clusters.index)
    other = other_operator(world)
    switched: list[str] = []

    async def switch() -> None:
        switched.append(await switch_aws_key(world, other, run.inputs.role_id))

    run.client = world.client(
        transport=OtherWizardFirst(httpx.ASGITransport(app=world.sandbox.atlas_app), "PATCH", f"/{first}", switch)
    )
    count = len(world.writes())
    with pytest.raises(ChangedSinceConfirmed) as caught:
        await ONBOARD_AWS.apply_step(run, "clusters", confirmed=confirmed)
    refusal = caught.value

    assert [w.rsplit("/", 1)[-1] for w in writes_since(world, count)] == [first]
    assert_says_what_changed(refusal, Subject.ENCRYPTION, "customerMasterKeyID", switched[0])
    state = await world.state()
    assert state.cluster(first).encryption_at_rest_provider == PROVIDER_AWS
    assert state.cluster(second).encryption_at_rest_provider == "NONE"


async def test_private_networking_is_not_required_over_a_key_switched_meanwhile(world):
    await enabled_project(world)
    journey = endpoints_journey(PROVIDER_AWS)
    endpoint_inputs = EndpointInputs(PROVIDER_AWS)
    endpoint_inputs.set_private_endpoint_regions(["us-east-1"])
    run = world.start(journey, endpoint_inputs)
    confirmed = await confirmed_step(journey, run, "private_endpoints")
    assert confirmed.consequence is not None and "private networking" in confirmed.consequence.title

    role_id = (await world.state()).encryption.aws_kms.role_id
    theirs = await switch_aws_key(world, other_operator(world), role_id)
    refusal = await refused_unsent(world, journey, run, "private_endpoints", confirmed)

    assert_says_what_changed(refusal, Subject.ENCRYPTION, "customerMasterKeyID", theirs)
    state = await world.state()
    assert not state.encryption.aws_kms.require_private_networking and not state.endpoints_for(PROVIDER_AWS)

    await journey.apply_step(run, "private_endpoints", confirmed=refusal.confirmation)

    state = await world.state()
    kms = state.encryption.aws_kms
    assert kms.require_private_networking is True and kms.customer_master_key_id == theirs
    assert [(e.region_name, e.status) for e in state.endpoints_for(PROVIDER_AWS)] == [("US_EAST_1", ENDPOINT_ACTIVE)]


async def test_azure_enabling_is_not_sent_over_another_key_and_confirming_again_applies(azure):
    world = azure.world
    run = azure.run(azure.inputs())
    await ONBOARD_AZURE.run(run, stop_after="key")
    confirmed = await confirmed_step(ONBOARD_AZURE, run, "enable")
    assert confirmed.consequence is not None
    ours = confirmed.calls[0].body["azureKeyVault"]
    theirs = azure.new_key("other")
    patch = AzureKeyVaultPatch(
        enabled=True,
        azure_environment=ours["azureEnvironment"],
        subscription_id=ours["subscriptionID"],
        resource_group_name=ours["resourceGroupName"],
        key_vault_name=ours["keyVaultName"],
        key_identifier=theirs,
        role_id=ours["roleId"],
        require_private_networking=False,
    )
    await other_operator(world).update_encryption_at_rest(world.project_id, azure_key_vault=patch)
    refusal = await refused_unsent(world, ONBOARD_AZURE, run, "enable", confirmed)

    assert (await world.state()).encryption.azure_key_vault.key_identifier == theirs
    assert_says_what_changed(refusal, Subject.ENCRYPTION, "keyIdentifier", theirs)

    await ONBOARD_AZURE.apply_step(run, "enable", confirmed=refusal.confirmation)

    akv = (await world.state()).encryption.azure_key_vault
    assert akv.key_identifier == ours["keyIdentifier"] and akv.valid is True


async def test_a_change_made_by_someone_else_the_same_way_is_not_a_conflict(world):
    run = world.run(await full_inputs(world))
    await ONBOARD_AWS.run(run, stop_after="enable")
    confirmed = await confirmed_step(ONBOARD_AWS, run, "clusters")
    first = run.inputs.clusters[0]
    await other_operator(world).set_cluster_encryption_provider(world.project_id, first, PROVIDER_AWS)

    await ONBOARD_AWS.apply_step(run, "clusters", confirmed=confirmed)

    state = await world.state()
    assert {state.cluster(n).encryption_at_rest_provider for n in CHOSEN_CLUSTERS} == {PROVIDER_AWS}
    assert journal_refusals(world) == []


async def test_the_same_key_set_meanwhile_in_another_spelling_is_not_a_conflict(world):
    run = world.run(await full_inputs(world))
    await ONBOARD_AWS.run(run, stop_after="key")
    confirmed = await confirmed_step(ONBOARD_AWS, run, "enable")
    ours = confirmed.calls[0].body["awsKms"]
    key_arn = world.boto("kms").describe_key(KeyId=KEY_ALIAS)["KeyMetadata"]["Arn"]
    spelling = key_arn if ours["customerMasterKeyID"] != key_arn else key_arn.rsplit("/", 1)[-1]
    assert spelling != ours["customerMasterKeyID"]
    patch = AwsKmsPatch(
        enabled=True,
        customer_master_key_id=spelling,
        region=ours["region"],
        role_id=ours["roleId"],
        require_private_networking=False,
    )
    await other_operator(world).update_encryption_at_rest(world.project_id, aws_kms=patch)

    await ONBOARD_AWS.apply_step(run, "enable", confirmed=confirmed)

    kms = (await world.state()).encryption.aws_kms
    assert kms.customer_master_key_id == spelling and kms.valid is True
    assert journal_refusals(world) == []
