"""The real azure-identity and azure-keyvault-keys clients against the fake, addressed directly
(explicit authority, CA bundle and challenge-resource override)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceNotFoundError
from azure.identity import ClientSecretCredential
from azure.keyvault.keys import KeyClient, KeyRotationLifetimeAction, KeyRotationPolicy, KeyRotationPolicyAction
from azure.keyvault.keys.crypto import CryptographyClient, KeyWrapAlgorithm

from cmkwizard.sandbox.azure_fake import AzureFake, Vault
from tests.azure.conftest import CLIENT_ID, CLIENT_SECRET, TENANT_ID


def credential(fake: AzureFake, secret: str = CLIENT_SECRET) -> ClientSecretCredential:
    return ClientSecretCredential(
        TENANT_ID,
        CLIENT_ID,
        secret,
        authority=fake.base_url,
        disable_instance_discovery=True,
        connection_verify=fake.ca_bundle_path,
    )


def key_client(fake: AzureFake, secret: str = CLIENT_SECRET) -> KeyClient:
    return KeyClient(
        fake.base_url,
        credential(fake, secret),
        verify_challenge_resource=False,
        connection_verify=fake.ca_bundle_path,
    )


def test_create_get_rotate_and_list_versions(fake: AzureFake, vault: Vault) -> None:
    client = key_client(fake)
    created = client.create_rsa_key("atlas-cmk", size=2048)
    assert created.key_type == "RSA"
    assert created.id == f"{fake.base_url}/keys/atlas-cmk/{created.properties.version}"
    assert len(created.key.n) == 256  # a real 2048-bit modulus

    current = client.get_key("atlas-cmk")  # no version: GET /keys/atlas-cmk/
    assert current.id == created.id
    rotated = client.rotate_key("atlas-cmk")
    assert rotated.properties.version != created.properties.version
    assert client.get_key("atlas-cmk").id == rotated.id
    assert client.get_key("atlas-cmk", created.properties.version).id == created.id

    versions = {p.version for p in client.list_properties_of_key_versions("atlas-cmk")}
    assert versions == {created.properties.version, rotated.properties.version}
    assert [p.name for p in client.list_properties_of_keys()] == ["atlas-cmk"]
    assert len(fake.state.list_key_versions(vault.name, "atlas-cmk")) == 2


def test_wrap_locally_and_unwrap_in_the_vault_with_real_rsa(fake: AzureFake, vault: Vault) -> None:
    client = key_client(fake)
    key = client.create_rsa_key("wrapping")
    crypto = CryptographyClient(
        key, credential(fake), verify_challenge_resource=False, connection_verify=fake.ca_bundle_path
    )
    data_key = os.urandom(32)
    wrapped = crypto.wrap_key(KeyWrapAlgorithm.rsa_oaep_256, data_key)
    assert wrapped.encrypted_key != data_key
    assert crypto.unwrap_key(KeyWrapAlgorithm.rsa_oaep_256, wrapped.encrypted_key).key == data_key

    client.update_key_properties("wrapping", key.properties.version, enabled=False)
    with pytest.raises(HttpResponseError) as refused:
        crypto.unwrap_key(KeyWrapAlgorithm.rsa_oaep_256, wrapped.encrypted_key)
    assert refused.value.status_code == 403
    assert "disabled key" in refused.value.message


def test_update_properties_sets_expiry_and_enabled(fake: AzureFake, vault: Vault) -> None:
    client = key_client(fake)
    key = client.create_rsa_key("expiring")
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    updated = client.update_key_properties("expiring", expires_on=expires, enabled=False)
    assert updated.properties.expires_on == expires
    assert updated.properties.enabled is False
    stored = fake.state.key_version(vault.name, "expiring", key.properties.version)
    assert (stored.enabled, stored.expires_on) == (False, expires)


def test_listing_many_keys_follows_next_links(fake: AzureFake, vault: Vault) -> None:
    for index in range(30):
        fake.state.create_key(vault.name, f"ec-{index:02d}", kty="EC")
    names = [p.name for p in key_client(fake).list_properties_of_keys()]
    assert names == [f"ec-{index:02d}" for index in range(30)]


def test_rotation_policy_round_trip(fake: AzureFake, vault: Vault) -> None:
    client = key_client(fake)
    client.create_rsa_key("rotating")
    action = KeyRotationLifetimeAction(KeyRotationPolicyAction.rotate, time_after_create="P90D")
    client.update_key_rotation_policy("rotating", KeyRotationPolicy(lifetime_actions=[action], expires_in="P2Y"))
    policy = client.get_key_rotation_policy("rotating")
    assert policy.expires_in == "P2Y"
    assert [(a.action, a.time_after_create) for a in policy.lifetime_actions] == [("Rotate", "P90D")]


def test_missing_key_is_not_found(fake: AzureFake, vault: Vault) -> None:
    with pytest.raises(ResourceNotFoundError) as missing:
        key_client(fake).get_key("no-such-key")
    assert missing.value.error.code == "KeyNotFound"


def test_wrong_client_secret_is_refused_by_entra(fake: AzureFake, vault: Vault) -> None:
    with pytest.raises(ClientAuthenticationError) as refused:
        key_client(fake, secret="not-the-secret").get_key("anything")
    assert "AADSTS7000215" in str(refused.value)


def test_a_principal_without_key_permissions_is_forbidden(fake: AzureFake, vault: Vault) -> None:
    fake.state.create_key(vault.name, "guarded")
    fake.state.revoke_key_permissions(fake.state.operator.object_id, vault.name, ["get"])
    with pytest.raises(HttpResponseError) as forbidden:
        key_client(fake).get_key("guarded")
    assert forbidden.value.status_code == 403
    assert f"does not have keys get permission on key vault '{vault.name}" in forbidden.value.message
