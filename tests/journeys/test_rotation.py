"""Key rotation against the encrypted sandbox projects: the project ends on the new key with Atlas never
losing the old one's access, every cluster back to IDLE; resumed mid-way; refused before anything is sent
when the role could not use the new key; a second rotation is a run of its own."""

from __future__ import annotations

import pytest

from cmkwizard.atlas.models import CLUSTER_IDLE, PROVIDER_AWS, PROVIDER_AZURE
from cmkwizard.aws.arns import parse_key_ref
from cmkwizard.errors import InputError
from cmkwizard.journeys.aws_key import KMS_POLICY_NAME, same_key
from cmkwizard.journeys.base import CloudSession, StepError, StepState
from cmkwizard.journeys.catalog import JOURNEYS
from cmkwizard.journeys.rotate_inputs import KEEP_KEY, ROTATE, RotateInputs
from cmkwizard.journeys.rotate_journey import journey_name
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

    try:
        views = await AWS_ROTATION.journey.run(run, world.events.append)
    finally:
        print("\n".join(e.message for e in world.events))

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
    old = world.sandbox.store.projects[world.project_id]
    assert new_key in resources and len(resources) == 2
    assert any(
        "Do not disable or delete the previous key" in e.message or "do not disable" in e.message for e in world.events
    )
