"""The dry run: the exact calls the remaining steps would make, with curl and CLI equivalents."""

from __future__ import annotations

import json
import shlex

from cmkwizard.journeys.aws_inputs import OnboardAwsInputs
from cmkwizard.journeys.base import StepState
from cmkwizard.journeys.onboard_aws import ONBOARD_AWS
from cmkwizard.sandbox.cloud_seed import KEY_ALIAS


async def typed_inputs(world) -> OnboardAwsInputs:
    inputs = OnboardAwsInputs(manage_trust_policy=True, attach_key_policy=True)
    inputs.set_role_arn(world.role_name, world.sandbox.info.aws_account_id)
    inputs.set_key(world.boto("kms").describe_key(KeyId=KEY_ALIAS)["KeyMetadata"]["Arn"])
    inputs.set_clusters(["orders"], await world.state())
    inputs.set_private_endpoint_regions(["us-east-1"])
    return inputs


async def test_dry_run_of_a_fresh_project_lists_every_call_and_sends_nothing(world):
    inputs = await typed_inputs(world)
    state = await world.state()
    world.exchanges.clear()

    dry_run = ONBOARD_AWS.dry_run(state, inputs)
    text = dry_run.render()

    assert world.exchanges == []
    pid = world.project_id
    first = dry_run.calls[0]
    assert (first.method, first.path, first.body) == (
        "POST",
        f"/api/atlas/v2/groups/{pid}/cloudProviderAccess",
        {"providerName": "AWS"},
    )
    assert first.atlas_cli == f"atlas cloudProviders accessRoles aws create --projectId {pid}"
    assert first.curl == (
        'curl --digest -u "$MONGODB_ATLAS_PUBLIC_API_KEY:$MONGODB_ATLAS_PRIVATE_API_KEY" -X POST '
        "-H 'Accept: application/vnd.atlas.2023-01-01+json' -H 'Content-Type: application/vnd.atlas.2023-01-01+json' "
        '--data \'{"providerName":"AWS"}\' '
        f"https://cloud.mongodb.com/api/atlas/v2/groups/{pid}/cloudProviderAccess"
    )
    # A role that does not exist yet is shown as a placeholder, readable in the path and the CLI.
    authorize = next(c for c in dry_run.calls if c.method == "PATCH" and "cloudProviderAccess" in c.path)
    assert authorize.path.endswith("/cloudProviderAccess/<roleId>")
    assert "atlas cloudProviders accessRoles aws authorize <roleId> --iamAssumedRoleArn" in authorize.atlas_cli
    enable = next(c for c in dry_run.calls if c.path.endswith("/encryptionAtRest") and "enabled" in c.body["awsKms"])
    assert enable.body["awsKms"]["roleId"] == "<roleId>"
    assert enable.body["awsKms"]["customerMasterKeyID"] == inputs.key_ref.rsplit("/", 1)[-1]
    cluster = next(c for c in dry_run.calls if c.path.endswith("/clusters/orders"))
    assert cluster.media_type == "application/vnd.atlas.2024-10-23+json"
    assert cluster.body == {"encryptionAtRestProvider": "AWS"}
    for step in (
        "Atlas role",
        "Trust policy and authorization",
        "Key and region",
        "Enable the project",
        "Clusters",
        "Private endpoints (optional)",
        "Summary",
    ):
        assert step in text
    assert f"aws iam update-assume-role-policy --role-name {world.role_name}" in text


async def test_every_curl_command_is_valid_shell_with_the_exact_body(world):
    inputs = await typed_inputs(world)
    await ONBOARD_AWS.run(world.run(inputs), stop_after="key")

    dry_run = ONBOARD_AWS.dry_run(await world.state(), inputs, base_url=world.sandbox.info.atlas_base_url)

    enable = next(c for c in dry_run.calls if c.path.endswith("/encryptionAtRest"))
    words = shlex.split(enable.curl)
    assert words[words.index("-X") + 1] == "PATCH"
    sent = json.loads(words[words.index("--data") + 1])
    assert sent == {
        "awsKms": {
            "enabled": True,
            "customerMasterKeyID": inputs.key_ref.rsplit("/", 1)[-1],
            "region": "US_EAST_1",
            "roleId": inputs.role_id,
            "requirePrivateNetworking": False,
        }
    }
    assert words[-1] == f"{world.sandbox.info.atlas_base_url}/api/atlas/v2/groups/{world.project_id}/encryptionAtRest"
    assert "atlas api encryptionAtRestUsingCustomerKeyManagement updateEncryptionAtRest" in enable.atlas_cli


async def test_dry_run_after_a_stop_shows_only_the_remaining_steps(world):
    inputs = await typed_inputs(world)
    await ONBOARD_AWS.run(world.run(inputs), stop_after="enable")

    dry_run = ONBOARD_AWS.dry_run(await world.state(), inputs)

    done = [s.view.key for s in dry_run.steps if s.view.state is StepState.DONE]
    assert done == ["role", "authorize", "key", "enable"]
    assert all(not s.calls for s in dry_run.steps if s.view.state is StepState.DONE)
    paths = [(c.method, c.path.rsplit("/api/atlas/v2/groups/", 1)[-1]) for c in dry_run.calls]
    pid = world.project_id
    assert paths == [
        ("PATCH", f"{pid}/clusters/orders"),
        ("PATCH", f"{pid}/encryptionAtRest"),
        ("POST", f"{pid}/encryptionAtRest/AWS/privateEndpoints"),
        ("GET", f"{pid}/alertConfigs"),
    ]
    assert dry_run.calls[1].body == {"awsKms": {"requirePrivateNetworking": True}}
    assert "[next] Clusters" in dry_run.render()


def test_cloud_calls_carry_their_own_cli_and_no_curl():
    from cmkwizard.journeys.base import azure_call
    from cmkwizard.journeys.dry_run import render_call

    call = azure_call(
        "Microsoft.KeyVault/vaults/privateEndpointConnections/write",
        "vaults/payments-kv/privateEndpointConnections/pe-1",
        "Approve Atlas' private endpoint connection on the key vault",
        {"properties": {"privateLinkServiceConnectionState": {"status": "Approved"}}},
        "az keyvault private-endpoint-connection approve --vault-name payments-kv --name pe-1",
    )
    assert call.service == "azure" and call.cli_name == "az" and call.curl == ""
    assert call.command.startswith("az keyvault private-endpoint-connection approve")
    rendered = render_call(call)
    assert rendered.startswith("Microsoft.KeyVault/vaults/privateEndpointConnections/write vaults/payments-kv/")
    assert "\naz: az keyvault" in rendered and "curl" not in rendered
