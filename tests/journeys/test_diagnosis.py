"""The diagnosis tells a regional outage, a disabled key and a missing permission apart, from Atlas and KMS."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from cmkwizard.atlas.models import Event, PrivateEndpoint
from cmkwizard.aws.adapters import AwsAccount
from cmkwizard.journeys.base import CloudSession
from cmkwizard.journeys.diagnosis import DIAGNOSIS_OBSERVERS, Cause, Diagnosis, diagnose
from cmkwizard.journeys.observe import SourcesOf, observe
from cmkwizard.observation import Fact, Observation
from cmkwizard.sandbox.cloud_seed import MULTI_REGION_KEY_ALIAS, ROLE_NAME, ROLE_POLICY_NAME
from tests.journeys.conftest import World
from tests.ui.states import READ_AT, cluster, project_state

outage = pytest.mark.parametrize("world", ["outage"], indirect=True)


async def _diagnose(world: World, *, with_aws: bool = True) -> Diagnosis:
    state = await world.state()
    aws = AwsAccount(region="us-east-1", endpoint_url=world.sandbox.info.aws_endpoint_url, max_attempts=1)
    cloud = CloudSession("AWS", aws) if with_aws else None
    sources = SourcesOf(world.client(), world.project_id, cloud, world.sandbox.clock)
    return diagnose(await observe(DIAGNOSIS_OBSERVERS, sources, state))


@outage
async def test_a_region_that_does_not_answer_is_an_outage_with_a_replica_to_move_to(world: World) -> None:
    found = await _diagnose(world)

    assert found.cause is Cause.OUTAGE and found.failover_possible is True
    assert "us-east-1 is not answering" in found.headline
    assert "us-west-2" in found.remedy
    assert "us-west-2: enabled, key policy allows the Atlas role" in found.evidence
    assert any(e.startswith("ENCRYPTION_AT_REST_KMS_NETWORK_ACCESS_DENIED since") for e in found.open_events)
    assert {"orders", "analytics"} <= {r.cluster for r in found.at_risk}
    assert all("restart" in r.note or "down" in r.note for r in found.at_risk)


@outage
async def test_without_aws_credentials_atlas_events_still_point_to_an_outage(world: World) -> None:
    found = await _diagnose(world, with_aws=False)

    assert found.cause is Cause.OUTAGE and found.failover_possible is None
    assert "multi-Region" in found.remedy and "credentials" in found.remedy


@outage
async def test_a_disabled_key_in_a_region_that_answers_is_not_an_outage(world: World) -> None:
    world.sandbox.set_kms_region_down("us-east-1", False)
    kms = world.boto("kms")
    kms.disable_key(KeyId=kms.describe_key(KeyId=MULTI_REGION_KEY_ALIAS)["KeyMetadata"]["KeyId"])

    found = await _diagnose(world)

    assert found.cause is Cause.KEY_UNUSABLE
    assert "Disabled" in found.headline and "enable-key" in found.remedy
    assert "does not help" in found.remedy


@outage
async def test_a_role_that_lost_its_kms_permission_is_a_permissions_problem(world: World) -> None:
    world.sandbox.set_kms_region_down("us-east-1", False)
    unrelated = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    world.boto("iam").put_role_policy(
        RoleName=ROLE_NAME, PolicyName=ROLE_POLICY_NAME, PolicyDocument=json.dumps(unrelated)
    )

    found = await _diagnose(world)

    assert found.cause is Cause.PERMISSIONS
    assert "may no longer use the key" in found.headline and "kms:Decrypt" in found.remedy


@pytest.mark.parametrize("world", ["encrypted-aws"], indirect=True)
async def test_a_single_region_key_in_an_outage_cannot_fail_over(world: World) -> None:
    world.sandbox.set_kms_region_down("us-east-1")
    await world.state()  # Atlas notices on its next look at the key

    found = await _diagnose(world)

    assert found.cause is Cause.OUTAGE and found.failover_possible is False
    assert "cannot be converted" in found.remedy and "rotation" in found.remedy


@pytest.mark.parametrize("world", ["encrypted-aws"], indirect=True)
async def test_a_healthy_key_needs_nothing(world: World) -> None:
    found = await _diagnose(world)

    assert found.cause is Cause.HEALTHY and not found.needs_attention and found.at_risk == ()


def test_azure_outage_explains_the_paired_region_failover_and_the_manual_move() -> None:
    state = project_state(provider="AZURE", valid=False, clusters=[cluster("orders", provider="AZURE")])
    endpoint = {"id": "e1", "cloudProvider": "AZURE", "regionName": "UK_SOUTH", "status": "ACTIVE"}
    denied = Event("1", "ENCRYPTION_AT_REST_KMS_NETWORK_ACCESS_DENIED", READ_AT)
    state = replace(
        state,
        endpoints=(PrivateEndpoint.from_api(endpoint),),
        observed=Observation((Fact("key_events", "Key events", (denied,)),)),
    )

    found = diagnose(state)

    assert found.cause is Cause.OUTAGE
    assert "paired region" in found.remedy and "needs no change" in found.remedy
    assert "both regions of the pair are down" in found.remedy and "az keyvault key restore" in found.remedy
    assert any("uksouth" in line and "fails over to ukwest" in line for line in found.evidence)
    assert [r.cluster for r in found.at_risk] == ["orders"]
