"""Onboarding with Azure Key Vault against the sandbox: the whole journey with an endpoint approved on the
vault, resuming after every step, and each refusal with its code before anything is changed."""

from __future__ import annotations

import pytest

from cmkwizard.atlas.errors import AtlasApiError
from cmkwizard.atlas.models import ENDPOINT_ACTIVE
from cmkwizard.azure.errors import AzureError
from cmkwizard.errors import InputError
from cmkwizard.journeys.azure_inputs import OnboardAzureInputs
from cmkwizard.journeys.base import StepError, StepState
from cmkwizard.journeys.onboard_azure import ONBOARD_AZURE
from cmkwizard.journeys.summary import JourneySummary
from cmkwizard.sandbox.azure_fake import APPROVED
from cmkwizard.sandbox.cloud_seed import KEY_VAULT_NAME, RESOURCE_GROUP
from tests.journeys.azure_world import azure_world_fixture  # noqa: F401  (the `azure` fixture)

CHOSEN_CLUSTERS = ("orders", "analytics")
STEP_KEYS = [s.key for s in ONBOARD_AZURE.steps]


async def full_inputs(azure) -> OnboardAzureInputs:
    inputs = azure.inputs()
    inputs.set_clusters(CHOSEN_CLUSTERS, await azure.world.state())
    inputs.set_private_endpoint_regions(["eastus2"])
    inputs.approve_endpoints = True
    return inputs


async def test_fresh_project_is_onboarded_and_its_endpoint_approved(azure):
    world = azure.world
    run = azure.run(await full_inputs(azure))

    views = await ONBOARD_AZURE.run(run, world.events.append)

    state = await world.state()
    akv = state.encryption.azure_key_vault
    assert akv.enabled and akv.valid is True and akv.require_private_networking is True
    assert (akv.key_vault_name, akv.resource_group_name) == (KEY_VAULT_NAME, RESOURCE_GROUP)
    assert akv.key_identifier == azure.key_identifier()
    assert akv.role_id == run.inputs.role_id
    [principal] = state.access.azure_principals
    assert (principal.tenant_id, principal.service_principal_id) == (azure.tenant_id, azure.service_principal_id)
    for name in CHOSEN_CLUSTERS:
        cluster = state.cluster(name)
        assert (cluster.encryption_at_rest_provider, cluster.state_name) == ("AZURE", "IDLE")
    assert state.cluster("playground").encryption_at_rest_provider == "NONE"
    [endpoint] = state.endpoints_for("AZURE")
    assert (endpoint.region_name, endpoint.status) == ("US_EAST_2", ENDPOINT_ACTIVE)
    connection = azure.fake.endpoint_connection(KEY_VAULT_NAME, endpoint.private_endpoint_connection_name)
    assert connection.status == APPROVED
    assert all(v.state in (StepState.DONE, StepState.NEXT) for v in views)

    summary = run.report
    assert isinstance(summary, JourneySummary)
    assert any("create Azure service principal role" in line for line in summary.changes)
    assert any(f"AZURE: approve private endpoint connection {connection.name}" in line for line in summary.changes)
    messages = [e.message for e in world.events]
    assert any(f"approving connection {connection.name}" in m for m in messages)
    assert any("Key atlas-cmk: RSA, enabled" in m for m in messages)


async def test_resuming_after_each_step_continues_at_the_next(azure):
    world = azure.world
    typed = await full_inputs(azure)
    journal = world.journal()
    for index, key in enumerate(STEP_KEYS[:-1]):
        inputs = OnboardAzureInputs.from_journal(journal) if index else typed
        run = azure.run(inputs)
        assert ONBOARD_AZURE.current(await run.read_state(), inputs).key == key
        await ONBOARD_AZURE.run(run, world.events.append, stop_after=key)

        resumed = OnboardAzureInputs.from_journal(journal)
        after = await world.state()
        assert ONBOARD_AZURE.current(after, resumed).key == STEP_KEYS[index + 1]
        assert len(after.access.azure_principals) == 1
    assert resumed.key_identifier == typed.key_identifier and resumed.clusters == CHOSEN_CLUSTERS

    before = await world.state()
    rerun = azure.run(OnboardAzureInputs.from_journal(journal))
    for step in ONBOARD_AZURE.steps[:-1]:
        await step.apply(rerun, world.events.append)
    after = await world.state()
    assert len(after.access.azure_principals) == 1 and len(after.endpoints_for("AZURE")) == 1
    assert after.diff(before) == []


async def test_without_approval_rights_the_exact_steps_are_given_and_the_approval_is_followed(azure):
    world = azure.world
    inputs = await full_inputs(azure)
    inputs.approve_endpoints = False
    await ONBOARD_AZURE.run(azure.run(inputs), world.events.append, stop_after="clusters")

    with pytest.raises(StepError) as waiting:
        await ONBOARD_AZURE.apply_step(azure.run(inputs), "private_endpoints", world.events.append)

    [endpoint] = (await world.state()).endpoints_for("AZURE")
    name = endpoint.private_endpoint_connection_name
    assert waiting.value.code == "PENDING_ACCEPTANCE"
    assert (
        f"az keyvault private-endpoint-connection approve --subscription {azure.subscription_id} "
        f"--resource-group {RESOURCE_GROUP} --vault-name {KEY_VAULT_NAME} --name {name}" in waiting.value.next_step
    )
    assert f"Key vaults > {KEY_VAULT_NAME} > Settings > Networking" in waiting.value.next_step
    assert azure.fake.endpoint_connection(KEY_VAULT_NAME, name).status == "Pending"

    azure.fake.set_endpoint_connection_status(KEY_VAULT_NAME, name, APPROVED, "approved by the vault's owner")
    await ONBOARD_AZURE.apply_step(azure.run(inputs), "private_endpoints", world.events.append)
    assert [e.status for e in (await world.state()).endpoints_for("AZURE")] == [ENDPOINT_ACTIVE]


async def test_a_tenant_atlas_cannot_sign_in_to_is_refused_with_its_code(azure):
    world = azure.world
    inputs = azure.inputs()
    inputs.set_tenant_id("11111111-2222-4333-8444-555555555555")

    with pytest.raises(AtlasApiError) as refused:
        await ONBOARD_AZURE.run(azure.run(inputs), stop_after="access")

    assert refused.value.error_code == "CLOUD_PROVIDER_ACCESS_AZURE_SERVICE_PRINCIPAL_INVALID"
    assert (await world.state()).access.azure_principals == ()


@pytest.mark.parametrize(
    ("options", "code", "words"),
    [
        ({"kty": "EC"}, "NO_PERMISSION_TO_ENCRYPT_DECRYPT", "Atlas encrypts with RSA keys"),
        ({"enabled": False}, "AZURE_KEY_VAULT_KEY_NOT_ENABLED", "is disabled"),
        ({"expires_in": 24}, "AZURE_KEY_VAULT_KEY_EXPIRING", "within 48 hours"),
        ({"expires_in": -1}, "AZURE_KEY_VAULT_KEY_EXPIRED", "expired on"),
        ({"active_in": 5}, "AZURE_KEY_VAULT_KEY_NOT_ACTIVE", "not active until"),
    ],
)
async def test_a_key_atlas_cannot_use_is_refused_by_the_key_check_with_atlas_code(azure, options, code, words):
    world = azure.world
    if "expires_in" in options:
        options = {"expires_on": azure.expiring_in(options.pop("expires_in"))}
    if "active_in" in options:
        options = {"not_before": azure.expiring_in(options.pop("active_in"))}
    inputs = azure.inputs(key_identifier=azure.new_key("refused", **options))
    await ONBOARD_AZURE.run(azure.run(inputs), stop_after="access")
    world.exchanges.clear()

    with pytest.raises(StepError) as refused:
        await ONBOARD_AZURE.apply_step(azure.run(inputs), "key")

    assert refused.value.code == code and words in refused.value.meaning
    assert "az keyvault key" in refused.value.next_step
    assert world.writes() == [], "Atlas was asked nothing that changes the project"
    assert not (await world.state()).encryption.azure_key_vault.enabled


async def test_a_key_disabled_after_its_check_is_caught_before_atlas_is_asked(azure):
    world = azure.world
    key = azure.new_key("later-disabled")
    inputs = azure.inputs(key_identifier=key)
    await ONBOARD_AZURE.run(azure.run(inputs), stop_after="key")
    name, version = key.rsplit("/", 2)[1:]
    azure.fake.update_key(KEY_VAULT_NAME, name, version, enabled=False)
    world.exchanges.clear()

    with pytest.raises(StepError) as refused:
        await ONBOARD_AZURE.apply_step(azure.run(inputs), "enable")

    assert refused.value.code == "AZURE_KEY_VAULT_KEY_NOT_ENABLED"
    assert not [x for x in world.exchanges if x.method == "PATCH"]


async def test_a_vault_in_another_resource_group_is_refused_by_resource_manager(azure):
    inputs = azure.inputs()
    inputs.set_resource_group("not-the-vaults-group")
    await ONBOARD_AZURE.run(azure.run(inputs), stop_after="access")

    with pytest.raises(AzureError) as refused:
        await ONBOARD_AZURE.apply_step(azure.run(inputs), "key")

    assert refused.value.code == "ResourceGroupNotFound" and "not-the-vaults-group" in refused.value.what
    assert f"az keyvault show --name {KEY_VAULT_NAME}" in refused.value.next_step
    assert inputs.checked_key is None


WRONG_INPUTS = [
    ("set_tenant_id", "contoso.onmicrosoft.com", "is not a tenant ID"),
    ("set_service_principal_id", "12345", "is not a service principal object ID"),
    ("set_subscription_id", "my-subscription", "is not a subscription ID"),
    ("set_resource_group", "rg with spaces", "Resource group name"),
    ("set_environment", "AZURE_GERMANY", "is not an Azure cloud Atlas supports"),
    ("set_key_identifier", f"https://{KEY_VAULT_NAME}.vault.azure.net/keys/atlas-cmk", "has no key version"),
    ("set_key_identifier", f"https://{KEY_VAULT_NAME}.vault.azure.cn/keys/k/{'a' * 32}", "is in Azure operated by"),
    ("set_key_identifier", f"https://{KEY_VAULT_NAME}.vault.azure.net/secrets/s/{'a' * 32}", "is a secret, not a key"),
    ("set_key_identifier", f"https://{KEY_VAULT_NAME}.vault.azure.net/keys/k/{'a' * 31}", "32 hexadecimal"),
]


@pytest.mark.parametrize(("setter", "text", "message"), WRONG_INPUTS)
async def test_each_wrong_input_is_caught_with_a_message_before_any_request(azure, setter, text, message):
    world = azure.world
    inputs = azure.inputs()
    before = inputs.to_record()
    world.exchanges.clear()

    with pytest.raises(InputError) as refused:
        getattr(inputs, setter)(text)

    assert message in str(refused.value)
    assert inputs.to_record() == before, "the wrong value replaced nothing"
    assert world.exchanges == []


def test_a_versionless_identifier_says_how_to_get_the_versioned_one():
    with pytest.raises(InputError) as refused:
        OnboardAzureInputs().set_key_identifier("https://kv-prod.vault.azure.net/keys/atlas")
    message = str(refused.value)
    assert "az keyvault key show --vault-name kv-prod --name atlas --query key.kid -o tsv" in message


def test_the_service_principal_must_be_the_object_id_not_the_application_id():
    inputs = OnboardAzureInputs()
    with pytest.raises(InputError) as refused:
        inputs.set_service_principal_id(inputs.atlas_azure_app_id)
    assert "object ID" in str(refused.value) and inputs.service_principal_id is None


def test_choosing_an_environment_the_key_is_not_in_is_refused():
    inputs = OnboardAzureInputs()
    inputs.set_key_identifier(f"https://kv-prod.vault.azure.net/keys/atlas/{'b' * 32}")
    with pytest.raises(InputError) as refused:
        inputs.set_environment("AzureChinaCloud")
    assert "choose AZURE" in str(refused.value) and inputs.azure_environment == "AZURE"


async def test_the_dry_run_plans_atlas_and_azure_calls_with_their_commands(azure):
    world = azure.world
    inputs = await full_inputs(azure)
    state = await world.state()
    world.exchanges.clear()

    dry_run = ONBOARD_AZURE.dry_run(state, inputs)

    by_step = {step.view.key: step.calls for step in dry_run.steps}
    [create] = by_step["access"]
    assert create.method == "POST" and create.body["tenantId"] == azure.tenant_id
    assert create.body["servicePrincipalId"] == azure.service_principal_id and create.atlas_cli
    assert [c.cli_name for c in by_step["key"]] == ["az", "az"]
    assert by_step["key"][0].command.startswith(f"az keyvault key show --vault-name {KEY_VAULT_NAME}")
    [enable] = by_step["enable"]
    sent = enable.body["azureKeyVault"]
    assert sent["enabled"] is True and sent["keyIdentifier"] == inputs.key_identifier
    assert sent["keyVaultName"] == KEY_VAULT_NAME and sent["roleId"].startswith("<")
    assert "curl" in enable.curl and "updateEncryptionAtRest" in enable.atlas_cli
    endpoints = by_step["private_endpoints"]
    assert [c.service for c in endpoints] == ["atlas", "atlas", "azure"]
    assert endpoints[-1].command.startswith("az keyvault private-endpoint-connection approve")
    assert world.exchanges == [], "a dry run sends nothing"
