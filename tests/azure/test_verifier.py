"""Atlas' verdicts on service principals, keys and endpoint connections, from the Azure fake's state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from cmkwizard.sandbox.atlas_sim.verifier import AzureVerifier, Refusal
from cmkwizard.sandbox.azure_fake import AzureFakeState
from cmkwizard.sandbox.azure_verifier import FakeAzureVerifier

TENANT = "11111111-2222-3333-4444-555555555555"
ATLAS_APP = "9f2deb0d-be22-4524-a403-df531868bac0"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


class FixedClock:
    def now(self) -> datetime:
        return NOW


@pytest.fixture
def state() -> AzureFakeState:
    state = AzureFakeState(TENANT, operator_client_id="op-app", operator_client_secret="s", clock=FixedClock())
    state.add_vault("kv-atlas", subscription_id="sub", resource_group="rg")
    return state


@pytest.fixture
def atlas(state: AzureFakeState) -> str:
    """Atlas' service principal in the tenant, with the access Atlas needs on the vault."""
    principal = state.add_service_principal(ATLAS_APP, display_name="MongoDB Atlas")
    state.grant_key_permissions(principal.object_id, "kv-atlas", ["get", "wrapKey", "unwrapKey"])
    return principal.object_id


@pytest.fixture
def verifier(state: AzureFakeState) -> FakeAzureVerifier:
    return FakeAzureVerifier(state)


def kid(state: AzureFakeState, name: str = "cmk", **attributes: object) -> str:
    version = state.create_key("kv-atlas", name, **attributes)
    return f"https://kv-atlas.vault.azure.net/keys/{name}/{version.version}"


def refusal(call: Callable[[], object]) -> Refusal:
    with pytest.raises(Refusal) as raised:
        call()
    assert raised.value.status == 400
    return raised.value


def test_it_is_the_verifier_the_simulator_expects(verifier: FakeAzureVerifier) -> None:
    typed: AzureVerifier = verifier
    assert typed is verifier


def test_service_principal_of_the_atlas_app_passes(verifier: FakeAzureVerifier, atlas: str) -> None:
    verifier.check_service_principal(TENANT, atlas, ATLAS_APP)
    verifier.check_service_principal(TENANT.upper(), atlas.upper(), ATLAS_APP)


def test_service_principal_refusals(verifier: FakeAzureVerifier, state: AzureFakeState, atlas: str) -> None:
    stranger = "99999999-0000-0000-0000-000000000000"
    unknown_tenant = refusal(lambda: verifier.check_service_principal(stranger, atlas, ATLAS_APP))
    assert unknown_tenant.error_code == "CLOUD_PROVIDER_ACCESS_AZURE_SERVICE_PRINCIPAL_INVALID"

    other_app = state.add_service_principal("another-app").object_id
    wrong_principal = refusal(lambda: verifier.check_service_principal(TENANT, other_app, ATLAS_APP))
    assert wrong_principal.error_code == "CLOUD_PROVIDER_ACCESS_AZURE_SERVICE_PRINCIPAL_INVALID"
    assert wrong_principal.parameters == [other_app]

    state.remove_service_principal(atlas)
    not_created = refusal(lambda: verifier.check_service_principal(TENANT, atlas, ATLAS_APP))
    assert not_created.error_code == "CANNOT_AUTHENTICATE_SERVICE_PRINCIPAL"
    assert "no service principal" in not_created.detail


def test_a_usable_key_passes(verifier: FakeAzureVerifier, state: AzureFakeState, atlas: str) -> None:
    verifier.check_key_access(kid(state), "kv-atlas", atlas)
    verifier.check_key_access(kid(state, "legacy"), "KV-ATLAS", None)


@pytest.mark.parametrize(
    ("identifier", "vault"),
    [
        ("https://kv-atlas.vault.azure.net/keys/cmk", "kv-atlas"),
        ("http://kv-atlas.vault.azure.net/keys/cmk/0123456789abcdef0123456789abcdef", "kv-atlas"),
        ("https://kv-atlas.vault.azure.net/secrets/cmk/0123456789abcdef0123456789abcdef", "kv-atlas"),
        ("https://kv-atlas.vault.azure.net/keys/cmk/not-a-version", "kv-atlas"),
        ("https://other-kv.vault.azure.net/keys/cmk/0123456789abcdef0123456789abcdef", "kv-atlas"),
    ],
)
def test_malformed_identifiers(verifier: FakeAzureVerifier, atlas: str, identifier: str, vault: str) -> None:
    refused = refusal(lambda: verifier.check_key_access(identifier, vault, atlas))
    assert refused.error_code == "AZURE_KEY_VAULT_KEY_IDENTIFIER_INVALID_FORMAT"
    assert identifier in refused.parameters


@pytest.mark.parametrize(
    "missing",
    [
        "https://kv-gone.vault.azure.net/keys/cmk/{version}",
        "https://kv-atlas.vault.azure.net/keys/absent/{version}",
        "https://kv-atlas.vault.azure.cn/keys/cmk/{version}",
        "https://kv-atlas.vault.azure.net/keys/cmk/{version}",
    ],
)
def test_missing_vault_key_and_version(
    verifier: FakeAzureVerifier, state: AzureFakeState, atlas: str, missing: str
) -> None:
    kid(state)  # key cmk exists, with another version
    identifier = missing.format(version="0123456789abcdef0123456789abcdef")
    vault = identifier.split("//")[1].split(".")[0]
    refused = refusal(lambda: verifier.check_key_access(identifier, vault, atlas))
    assert refused.error_code == "AZURE_KEY_VAULT_KEY_NOT_FOUND"


@pytest.mark.parametrize(
    ("attributes", "code"),
    [
        ({"enabled": False}, "AZURE_KEY_VAULT_KEY_NOT_ENABLED"),
        ({"expires_on": NOW - timedelta(seconds=1)}, "AZURE_KEY_VAULT_KEY_EXPIRED"),
        ({"not_before": NOW + timedelta(hours=1)}, "AZURE_KEY_VAULT_KEY_NOT_ACTIVE"),
        ({"kty": "EC"}, "NO_PERMISSION_TO_ENCRYPT_DECRYPT"),
        ({"key_ops": ["sign", "verify"]}, "NO_PERMISSION_TO_ENCRYPT_DECRYPT"),
    ],
)
def test_key_state_refusals(
    verifier: FakeAzureVerifier, state: AzureFakeState, atlas: str, attributes: dict, code: str
) -> None:
    identifier = kid(state, **attributes)
    refused = refusal(lambda: verifier.check_key_access(identifier, "kv-atlas", atlas))
    assert refused.error_code == code
    assert refused.parameters == [identifier]


def test_a_key_expiring_later_still_works(verifier: FakeAzureVerifier, state: AzureFakeState, atlas: str) -> None:
    verifier.check_key_access(kid(state, expires_on=NOW + timedelta(hours=1)), "kv-atlas", atlas)


def test_encrypt_and_decrypt_serve_as_well_as_wrap_and_unwrap(
    verifier: FakeAzureVerifier, state: AzureFakeState, atlas: str
) -> None:
    identifier = kid(state, key_ops=["encrypt", "decrypt"])
    state.revoke_key_permissions(atlas, "kv-atlas", ["wrapKey", "unwrapKey"])
    state.grant_key_permissions(atlas, "kv-atlas", ["Encrypt", "DECRYPT"])
    verifier.check_key_access(identifier, "kv-atlas", atlas)


@pytest.mark.parametrize("revoked", [["get"], ["unwrapKey"], None])
def test_missing_permissions(
    verifier: FakeAzureVerifier, state: AzureFakeState, atlas: str, revoked: list[str] | None
) -> None:
    identifier = kid(state)
    state.revoke_key_permissions(atlas, "kv-atlas", revoked)
    refused = refusal(lambda: verifier.check_key_access(identifier, "kv-atlas", atlas))
    assert refused.error_code == "NO_PERMISSION_TO_ENCRYPT_DECRYPT"
    assert atlas in refused.parameters


def test_a_deleted_principal_cannot_authenticate(
    verifier: FakeAzureVerifier, state: AzureFakeState, atlas: str
) -> None:
    identifier = kid(state)
    state.remove_service_principal(atlas)
    assert refusal(lambda: verifier.check_key_access(identifier, "kv-atlas", atlas)).error_code == (
        "CANNOT_AUTHENTICATE_SERVICE_PRINCIPAL"
    )


def test_endpoint_connection_registry(verifier: FakeAzureVerifier, state: AzureFakeState) -> None:
    verifier.register_endpoint_connection("kv-atlas", "atlas-pe.eastus2", "US_EAST_2")
    assert verifier.endpoint_connection_status("kv-atlas", "atlas-pe.eastus2") == "Pending"
    connection = state.endpoint_connection("kv-atlas", "atlas-pe.eastus2")
    assert (connection.region, connection.status) == ("US_EAST_2", "Pending")

    state.set_endpoint_connection_status("kv-atlas", "atlas-pe.eastus2", "Approved")
    assert verifier.endpoint_connection_status("kv-atlas", "atlas-pe.eastus2") == "Approved"
    assert verifier.endpoint_connection_status("kv-atlas", "never-registered") == "Disconnected"
    assert verifier.endpoint_connection_status("kv-gone", "atlas-pe.eastus2") == "Disconnected"

    refused = refusal(lambda: verifier.register_endpoint_connection("kv-gone", "pe", "US_EAST"))
    assert refused.error_code == "INVALID_AZURE_API_REQUEST"
