"""A KMS region taken down in the sandbox is down for everyone: Atlas, and the wizard's own KMS calls."""

from __future__ import annotations

import pytest

from cmkwizard.aws.adapters import AwsAccount
from cmkwizard.aws.errors import AwsError
from cmkwizard.sandbox import Sandbox
from cmkwizard.sandbox.cloud_seed import MULTI_REGION_KEY_ALIAS
from tests.sandbox.sandbox_fixtures import atlas_fixture, sandbox_fixture

sandbox = sandbox_fixture("outage")
atlas = atlas_fixture()


@pytest.fixture
def aws(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> AwsAccount:
    """The wizard's AWS adapter with the sandbox operator's credentials, failing fast."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", sandbox.info.aws_access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", sandbox.info.aws_secret_access_key)
    return AwsAccount(region="us-east-1", endpoint_url=sandbox.info.aws_endpoint_url, max_attempts=1)


async def _event_types(atlas, project: str) -> list[str]:
    response = await atlas.request("GET", f"/groups/{project}/events?itemsPerPage=500")
    return [e["eventTypeName"] for e in response.json()["results"]]


async def test_the_wizards_kms_calls_to_a_region_that_is_down_fail_as_an_outage(aws: AwsAccount) -> None:
    with pytest.raises(AwsError) as refused:
        await aws.describe_key(MULTI_REGION_KEY_ALIAS, "us-east-1")

    assert refused.value.code == "ServiceUnavailable" and refused.value.http_status == 503
    assert "us-east-1" in refused.value.message and "outage" in refused.value.meaning
    replica = await aws.describe_key(MULTI_REGION_KEY_ALIAS, "us-west-2")
    assert replica.enabled and replica.multi_region_type == "REPLICA"
    assert (await aws.caller_identity())["Arn"].endswith(":user/sandbox-operator")  # IAM and STS stay up


async def test_atlas_reports_the_key_invalid_with_the_outage_events(atlas, sandbox: Sandbox) -> None:
    project = sandbox.info.project_id

    assert (await atlas.encryption(project))["awsKms"]["valid"] is False
    events = await _event_types(atlas, project)
    assert "AWS_ENCRYPTION_KEY_INVALID" in events
    assert "ENCRYPTION_AT_REST_KMS_NETWORK_ACCESS_DENIED" in events


async def test_bringing_the_region_back_restores_kms_and_the_key(atlas, sandbox: Sandbox, aws: AwsAccount) -> None:
    project = sandbox.info.project_id
    await atlas.encryption(project)
    back = await atlas.client.post("/_sandbox/outage", json={"region": "US_EAST_1", "down": False})
    try:
        assert back.json()["regionsDown"] == []
        assert (await aws.describe_key(MULTI_REGION_KEY_ALIAS, "us-east-1")).enabled
        assert (await atlas.encryption(project))["awsKms"]["valid"] is True
        events = await _event_types(atlas, project)
        assert {"AWS_ENCRYPTION_KEY_VALID", "ENCRYPTION_AT_REST_KMS_NETWORK_ACCESS_RESTORED"} <= set(events)
    finally:
        sandbox.set_kms_region_down("us-east-1")

    with pytest.raises(AwsError):
        await aws.describe_key(MULTI_REGION_KEY_ALIAS, "us-east-1")


async def test_a_rehearsal_takes_the_region_of_any_scenarios_aws_key_down() -> None:
    with Sandbox("encrypted-aws", speed=0.0, rehearse=True) as rehearsal:
        assert rehearsal.moto.outages.regions == frozenset({"us-east-1"})
        events = [e.event_type for e in rehearsal.store.projects[rehearsal.info.project_id].events]
        assert "AWS_ENCRYPTION_KEY_INVALID" in events

    with Sandbox("fresh", speed=0.0, rehearse=True) as nothing_to_take_down:
        assert nothing_to_take_down.moto.outages.regions == frozenset()
