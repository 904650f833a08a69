"""The fake's Entra ID token endpoint and Resource Manager private endpoint connections, over HTTPS."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx
import pytest

from cmkwizard.sandbox.azure_fake import APPROVED, PENDING, REJECTED, AzureFake, Vault
from tests.azure.conftest import CLIENT_ID, CLIENT_SECRET, RESOURCE_GROUP, SUBSCRIPTION_ID, TENANT_ID

API = {"api-version": "2023-07-01"}


@pytest.fixture
def http(fake: AzureFake) -> Iterator[httpx.Client]:
    trust = ssl.create_default_context(cafile=fake.ca_bundle_path)
    with httpx.Client(base_url=fake.base_url, verify=trust, trust_env=False) as client:
        yield client


def token(http: httpx.Client, scope: str = "https://management.azure.com/.default", **form: str) -> httpx.Response:
    body = {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "scope": scope}
    return http.post(f"/{form.pop('tenant', TENANT_ID)}/oauth2/v2.0/token", data={**body, **form})


def bearer(http: httpx.Client, scope: str = "https://management.azure.com/.default") -> dict[str, str]:
    return {"Authorization": f"Bearer {token(http, scope).json()['access_token']}"}


def connections_path(vault: Vault, name: str | None = None, group: str = RESOURCE_GROUP) -> str:
    path = (
        f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{group}/providers/Microsoft.KeyVault/vaults/{vault.name}"
        "/privateEndpointConnections"
    )
    return f"{path}/{name}" if name else path


def approve_body(status: str = "Approved") -> dict:
    return {"properties": {"privateLinkServiceConnectionState": {"status": status, "description": "by test"}}}


def test_openid_configuration_points_at_the_host_used(fake: AzureFake, http: httpx.Client) -> None:
    config = http.get(f"/{TENANT_ID}/v2.0/.well-known/openid-configuration").json()
    assert config["token_endpoint"] == f"{fake.base_url}/{TENANT_ID}/oauth2/v2.0/token"
    assert config["issuer"] == f"https://login.microsoftonline.com/{TENANT_ID}/v2.0"


@pytest.mark.parametrize(
    ("form", "status", "error", "aadsts"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client", 7000215),
        ({"client_id": "00000000-0000-0000-0000-000000000001"}, 400, "unauthorized_client", 700016),
        ({"tenant": "00000000-0000-0000-0000-000000000002"}, 400, "invalid_request", 90002),
        ({"scope": "https://vault.azure.net/user_impersonation"}, 400, "invalid_scope", 1002012),
        ({"scope": "https://graph.microsoft.com/.default"}, 400, "invalid_resource", 500011),
        ({"grant_type": "password"}, 400, "unsupported_grant_type", 70003),
    ],
)
def test_token_endpoint_refuses_like_entra(
    http: httpx.Client, form: dict, status: int, error: str, aadsts: int
) -> None:
    response = token(http, **form)
    assert response.status_code == status
    body = response.json()
    assert body["error"] == error
    assert body["error_codes"] == [aadsts]
    assert body["error_description"].startswith(f"AADSTS{aadsts}:")
    assert CLIENT_SECRET not in response.text


def test_approve_then_reject_a_pending_connection(fake: AzureFake, vault: Vault, http: httpx.Client) -> None:
    fake.state.register_endpoint_connection(vault.name, "atlas-pe-eastus2", "US_EAST_2")
    headers = bearer(http)

    listed = http.get(connections_path(vault), params=API, headers=headers).json()
    assert [(c["name"], c["properties"]["privateLinkServiceConnectionState"]["status"]) for c in listed["value"]] == [
        ("atlas-pe-eastus2", PENDING)
    ]
    assert listed["value"][0]["type"] == "Microsoft.KeyVault/vaults/privateEndpointConnections"
    assert listed["value"][0]["id"].endswith(f"/vaults/{vault.name}/privateEndpointConnections/atlas-pe-eastus2")

    approved = http.put(connections_path(vault, "atlas-pe-eastus2"), params=API, headers=headers, json=approve_body())
    assert approved.status_code == 200
    assert approved.json()["properties"]["privateLinkServiceConnectionState"] == {
        "status": APPROVED,
        "description": "by test",
        "actionsRequired": "None",
    }
    assert fake.state.endpoint_connection(vault.name, "atlas-pe-eastus2").status == APPROVED

    rejected = http.put(
        connections_path(vault, "atlas-pe-eastus2"), params=API, headers=headers, json=approve_body("Rejected")
    )
    assert rejected.json()["properties"]["privateLinkServiceConnectionState"]["status"] == REJECTED
    again = http.put(connections_path(vault, "atlas-pe-eastus2"), params=API, headers=headers, json=approve_body())
    assert again.status_code == 400
    assert "cannot change state" in again.json()["error"]["message"]


def test_resource_manager_paths_are_case_insensitive(fake: AzureFake, vault: Vault, http: httpx.Client) -> None:
    fake.state.register_endpoint_connection(vault.name, "pe-1", "EUROPE_WEST")
    path = connections_path(vault, "pe-1")
    path = path.replace("resourceGroups", "resourcegroups").replace("Microsoft.KeyVault", "microsoft.keyvault")
    response = http.get(path, params=API, headers=bearer(http))
    assert response.json()["name"] == "pe-1"


def test_an_unknown_connection_reads_as_no_content(vault: Vault, http: httpx.Client) -> None:
    response = http.get(connections_path(vault, "no-such-connection"), params=API, headers=bearer(http))
    assert (response.status_code, response.content) == (204, b"")


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"params": {}}, 400, "MissingApiVersionParameter"),
        ({"headers": {}}, 401, "AuthenticationFailed"),
        ({"headers": {"Authorization": "Bearer forged"}}, 401, "InvalidAuthenticationToken"),
        ({"vault_token": True}, 401, "InvalidAuthenticationTokenAudience"),
        ({"group": "rg-elsewhere"}, 404, "ResourceGroupNotFound"),
    ],
)
def test_resource_manager_refusals(vault: Vault, http: httpx.Client, change: dict, status: int, code: str) -> None:
    headers = bearer(http, "https://vault.azure.net/.default") if change.get("vault_token") else bearer(http)
    response = http.get(
        connections_path(vault, group=change.get("group", RESOURCE_GROUP)),
        params=change.get("params", API),
        headers=change.get("headers", headers),
    )
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_approving_without_write_rights_is_authorization_failed(
    fake: AzureFake, vault: Vault, http: httpx.Client
) -> None:
    fake.state.register_endpoint_connection(vault.name, "pe-2", "US_EAST")
    fake.state.grant_management(fake.state.operator.object_id, vault.name, write=False)
    headers = bearer(http)
    assert http.get(connections_path(vault, "pe-2"), params=API, headers=headers).status_code == 200
    response = http.put(connections_path(vault, "pe-2"), params=API, headers=headers, json=approve_body())
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "AuthorizationFailed"
    assert "'Microsoft.KeyVault/vaults/privateEndpointConnections/write'" in error["message"]
    assert fake.state.endpoint_connection(vault.name, "pe-2").status == PENDING


def test_key_vault_answers_an_unauthenticated_request_with_its_challenge(vault: Vault, http: httpx.Client) -> None:
    response = http.get("/keys/any/", params={"api-version": "2025-07-01"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == (
        f'Bearer authorization="https://login.microsoftonline.com/{TENANT_ID}", resource="https://vault.azure.net"'
    )
    assert response.json()["error"]["code"] == "Unauthorized"


def test_a_management_token_does_not_open_key_vault(vault: Vault, http: httpx.Client) -> None:
    response = http.get("/keys/any/", params={"api-version": "2025-07-01"}, headers=bearer(http))
    assert response.status_code == 401
    assert "AKV10022" in response.json()["error"]["message"]
