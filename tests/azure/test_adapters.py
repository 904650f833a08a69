"""The wizard's Azure adapter, unmodified, reaching the fake through the proxy (HTTPS_PROXY + CA bundle)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from cmkwizard.azure.adapters import AzureKeyVault, client_secret_credential_factory
from cmkwizard.azure.errors import AzureError
from cmkwizard.sandbox.azure_fake import APPROVED, PENDING, REJECTED, AzureFake, Vault
from cmkwizard.sandbox.clock import SandboxClock
from tests.azure.conftest import CLIENT_ID, CLIENT_SECRET, RESOURCE_GROUP, SUBSCRIPTION_ID, TENANT_ID


@pytest.fixture
async def azure(proxied: AzureFake) -> AsyncIterator[AzureKeyVault]:
    async with AzureKeyVault() as adapter:
        yield adapter


def kid(vault: Vault, name: str, version: str) -> str:
    return f"https://{vault.name}.vault.azure.net/keys/{name}/{version}"


async def test_get_key_reads_the_version_atlas_will_use(fake: AzureFake, vault: Vault, azure: AzureKeyVault) -> None:
    first = fake.state.create_key(vault.name, "atlas-cmk", size=3072)
    latest = fake.state.rotate_key(vault.name, "atlas-cmk")

    named = await azure.get_key(kid(vault, "atlas-cmk", first.version))
    assert named.kid == kid(vault, "atlas-cmk", first.version)
    assert (named.version, named.key_type, named.enabled) == (first.version, "RSA", True)
    assert {"wrapKey", "unwrapKey", "encrypt", "decrypt"} <= set(named.key_ops)

    current = await azure.get_key(f"https://{vault.name}.vault.azure.net/keys/atlas-cmk")
    assert current.version == latest.version
    assert current.identifier.url == kid(vault, "atlas-cmk", latest.version)


async def test_check_key_raises_with_the_atlas_code(fake: AzureFake, vault: Vault, azure: AzureKeyVault) -> None:
    healthy = fake.state.create_key(vault.name, "healthy")
    assert (await azure.check_key(kid(vault, "healthy", healthy.version))).version == healthy.version

    soon = fake.state.now() + timedelta(hours=24)
    expiring = fake.state.create_key(vault.name, "expiring", expires_on=soon)
    with pytest.raises(AzureError) as refused:
        await azure.check_key(kid(vault, "expiring", expiring.version))
    assert refused.value.code == "AZURE_KEY_VAULT_KEY_EXPIRING"
    assert "az keyvault key set-attributes" in refused.value.next_step

    elliptic = fake.state.create_key(vault.name, "elliptic", kty="EC")
    with pytest.raises(AzureError) as wrong_type:
        await azure.check_key(kid(vault, "elliptic", elliptic.version))
    assert wrong_type.value.code == "NO_PERMISSION_TO_ENCRYPT_DECRYPT"


async def test_versions_newest_first_and_rotation(
    fake: AzureFake, vault: Vault, azure: AzureKeyVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = SandboxClock()
    monkeypatch.setattr(fake.state, "clock", clock)
    vault_url = f"https://{vault.name}.vault.azure.net"
    first = fake.state.create_key(vault.name, "rotating")
    clock.advance(5)
    rotated = await azure.create_key_version(vault_url, "rotating")
    assert rotated.version == fake.state.key_version(vault.name, "rotating").version != first.version
    versions = await azure.list_key_versions(vault_url, "rotating")
    assert [v.version for v in versions] == [rotated.version, first.version]


async def test_missing_key_and_unknown_vault(vault: Vault, azure: AzureKeyVault) -> None:
    with pytest.raises(AzureError) as missing:
        await azure.get_key(f"https://{vault.name}.vault.azure.net/keys/absent")
    assert (missing.value.code, missing.value.status) == ("KeyNotFound", 404)
    assert f"az keyvault key list --vault-name {vault.name}" in missing.value.next_step

    started = time.monotonic()
    with pytest.raises(AzureError) as unreachable:
        await azure.get_key("https://kv-nowhere.vault.azure.net/keys/cmk")
    assert unreachable.value.code == "ServiceRequestError"
    assert "az keyvault show --name kv-nowhere" in unreachable.value.next_step
    assert time.monotonic() - started < 3


async def test_missing_permission_names_the_permission(fake: AzureFake, vault: Vault, azure: AzureKeyVault) -> None:
    key = fake.state.create_key(vault.name, "guarded")
    fake.state.revoke_key_permissions(fake.state.operator.object_id, vault.name, ["get"])
    with pytest.raises(AzureError) as forbidden:
        await azure.get_key(kid(vault, "guarded", key.version))
    assert (forbidden.value.code, forbidden.value.status) == ("AccessDenied", 403)
    assert "lacks the key permission 'get'" in forbidden.value.meaning
    assert f"az keyvault set-policy --name {vault.name}" in forbidden.value.next_step


async def test_wrong_secret_is_explained_without_the_secret(proxied: AzureFake, vault: Vault) -> None:
    secret = "this-is-the-wrong-secret"
    factory = client_secret_credential_factory(TENANT_ID, CLIENT_ID, secret)
    async with AzureKeyVault(factory) as azure:
        with pytest.raises(AzureError) as refused:
            await azure.get_key(f"https://{vault.name}.vault.azure.net/keys/cmk")
        with pytest.raises(AzureError) as refused_by_arm:
            await azure.get_vault(SUBSCRIPTION_ID, RESOURCE_GROUP, vault.name)
    for error in (refused.value, refused_by_arm.value):
        assert error.code == "AADSTS7000215"
        assert "secret's Value" in error.next_step
        assert secret not in str(error) + error.meaning + error.next_step + repr(error)
        assert CLIENT_SECRET not in str(error)


async def test_vault_triple_is_confirmed(vault: Vault, azure: AzureKeyVault) -> None:
    info = await azure.get_vault(SUBSCRIPTION_ID, RESOURCE_GROUP, vault.name)
    assert (info.name, info.tenant_id) == (vault.name, TENANT_ID)
    assert info.vault_uri == f"https://{vault.name}.vault.azure.net/"
    with pytest.raises(AzureError) as wrong_group:
        await azure.get_vault(SUBSCRIPTION_ID, "rg-elsewhere", vault.name)
    assert (wrong_group.value.code, wrong_group.value.status) == ("ResourceGroupNotFound", 404)
    assert f"az keyvault show --name {vault.name}" in wrong_group.value.next_step


async def test_approve_the_connection_atlas_requested(fake: AzureFake, vault: Vault, azure: AzureKeyVault) -> None:
    fake.state.register_endpoint_connection(vault.name, "atlas-pe.eastus2", "US_EAST_2")
    where = (SUBSCRIPTION_ID, RESOURCE_GROUP, vault.name)
    assert [(c.name, c.status) for c in await azure.list_private_endpoint_connections(*where)] == [
        ("atlas-pe.eastus2", PENDING)
    ]
    approved = await azure.approve_private_endpoint_connection(*where, "atlas-pe.eastus2")
    assert approved.status == APPROVED
    assert fake.state.endpoint_connection(vault.name, "atlas-pe.eastus2").status == APPROVED
    again = await azure.approve_private_endpoint_connection(*where, "atlas-pe.eastus2")
    assert again == approved

    with pytest.raises(AzureError) as unknown:
        await azure.approve_private_endpoint_connection(*where, "atlas-pe.typo")
    assert unknown.value.code == "PrivateEndpointConnectionNotFound"
    assert "atlas-pe.eastus2 (Approved)" in unknown.value.next_step


async def test_without_rights_the_approval_is_handed_over(fake: AzureFake, vault: Vault, azure: AzureKeyVault) -> None:
    fake.state.register_endpoint_connection(vault.name, "atlas-pe.westeurope", "EUROPE_WEST")
    fake.state.grant_management(fake.state.operator.object_id, vault.name, write=False)
    with pytest.raises(AzureError) as refused:
        await azure.approve_private_endpoint_connection(
            SUBSCRIPTION_ID, RESOURCE_GROUP, vault.name, "atlas-pe.westeurope"
        )
    assert (refused.value.code, refused.value.status) == ("AuthorizationFailed", 403)
    assert (
        f"az keyvault private-endpoint-connection approve --subscription {SUBSCRIPTION_ID} "
        f"--resource-group {RESOURCE_GROUP} --vault-name {vault.name} --name atlas-pe.westeurope"
    ) in refused.value.next_step
    assert "Key vaults > " + vault.name + " > Settings > Networking > Private endpoint connections" in (
        refused.value.next_step
    )
    assert fake.state.endpoint_connection(vault.name, "atlas-pe.westeurope").status == PENDING


async def test_a_rejected_connection_cannot_be_approved(fake: AzureFake, vault: Vault, azure: AzureKeyVault) -> None:
    fake.state.register_endpoint_connection(vault.name, "atlas-pe.old", "US_EAST")
    fake.state.set_endpoint_connection_status(vault.name, "atlas-pe.old", REJECTED)
    with pytest.raises(AzureError) as refused:
        await azure.approve_private_endpoint_connection(SUBSCRIPTION_ID, RESOURCE_GROUP, vault.name, "atlas-pe.old")
    assert refused.value.status == 400
    assert "delete the private endpoint in Atlas" in refused.value.next_step
