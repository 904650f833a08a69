"""Key Vault and Resource Manager calls the wizard makes with the operator's Azure identity.

azure-identity and azure-keyvault-keys are imported inside the calls, and run in worker threads
(``asyncio.to_thread``), so importing this module costs nothing and never blocks the event loop.
Resource Manager is called with httpx and a token from the same credential; like the Azure SDK, it
honours HTTPS_PROXY / NO_PROXY and trusts REQUESTS_CA_BUNDLE when that is set. An ``AzureConnection``
(by default from the wizard's own CMKWIZARD_AZURE_* variables) sets a proxy, CA and identity for
these clients alone.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

import httpx

from cmkwizard.azure import guidance
from cmkwizard.azure.clouds import AZURE, AzureCloud
from cmkwizard.azure.connection import AzureConnection
from cmkwizard.azure.errors import AzureError
from cmkwizard.azure.explain import explain_arm_error, explain_sdk_error, explain_sign_in_error
from cmkwizard.azure.identifiers import KeyIdentifier, parse_key_identifier
from cmkwizard.azure.keys import VaultKey

ARM_API_VERSION = "2023-07-01"
CredentialFactory = Callable[[], Any]
"""Returns an azure-identity credential (anything with ``get_token``); called once, in a worker thread."""


@dataclass(frozen=True)
class EndpointConnection:
    """A private endpoint connection on a key vault, as Resource Manager reports it."""

    name: str
    status: str  # Pending | Approved | Rejected | Disconnected
    description: str
    private_endpoint_id: str | None
    provisioning_state: str | None

    @classmethod
    def from_arm(cls, data: dict[str, Any]) -> EndpointConnection:
        properties = data.get("properties") or {}
        state = properties.get("privateLinkServiceConnectionState") or {}
        return cls(
            name=data.get("name") or str(data.get("id", "")).rsplit("/", 1)[-1],
            status=state.get("status") or "Unknown",
            description=state.get("description") or "",
            private_endpoint_id=(properties.get("privateEndpoint") or {}).get("id"),
            provisioning_state=properties.get("provisioningState"),
        )


@dataclass(frozen=True)
class VaultInfo:
    """The key vault resource: what Atlas' subscriptionID / resourceGroupName / keyVaultName point at."""

    name: str
    resource_id: str
    location: str
    tenant_id: str | None
    vault_uri: str | None
    uses_rbac: bool
    connections: tuple[EndpointConnection, ...]


def environment_credential_factory(
    cloud: AzureCloud = AZURE, connection: AzureConnection | None = None
) -> CredentialFactory:
    """The wizard's own identity when ``connection`` has one; otherwise DefaultAzureCredential for ``cloud``
    (environment variables, managed identity, then the az CLI login)."""
    connection = connection or AzureConnection()
    if connection.has_identity:
        assert connection.tenant_id and connection.client_id and connection.client_secret
        return client_secret_credential_factory(
            connection.tenant_id, connection.client_id, connection.client_secret, cloud, connection
        )

    def create() -> Any:
        from azure.identity import DefaultAzureCredential

        return DefaultAzureCredential(authority=cloud.authority_host, **connection.sdk_options())

    return create


def client_secret_credential_factory(
    tenant_id: str,
    client_id: str,
    client_secret: str,
    cloud: AzureCloud = AZURE,
    connection: AzureConnection | None = None,
) -> CredentialFactory:
    """An application's client credentials (the legacy Atlas set-up, or a dedicated wizard identity)."""
    options = (connection or AzureConnection()).sdk_options()

    def create() -> Any:
        from azure.identity import ClientSecretCredential

        return ClientSecretCredential(tenant_id, client_id, client_secret, authority=cloud.authority_host, **options)

    return create


class AzureKeyVault:
    """Reads and rotates Key Vault keys and approves the vault's private endpoint connections."""

    def __init__(
        self,
        credential_factory: CredentialFactory | None = None,
        *,
        cloud: AzureCloud = AZURE,
        connection: AzureConnection | None = None,
    ) -> None:
        self.cloud = cloud
        self.connection = connection if connection is not None else AzureConnection.from_env()
        self._credential_factory = credential_factory or environment_credential_factory(cloud, self.connection)
        self._credential: Any = None
        self._key_clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._http: httpx.AsyncClient | None = None

    async def __aenter__(self) -> AzureKeyVault:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        await asyncio.to_thread(self._close_sdk_clients)

    async def sign_in(self) -> None:
        """Obtain a Resource Manager token: the credentials work, before anything else is asked of Azure."""
        await asyncio.to_thread(self._management_token)

    # --- keys ------------------------------------------------------------------------------------------

    async def get_key(self, identifier: KeyIdentifier | str) -> VaultKey:
        """The key version the identifier names (the current version when it has none)."""
        key = _as_identifier(identifier)
        return await self._in_thread(
            key.vault_url, key.key_name, lambda client: _vault_key(client.get_key(key.key_name, key.version))
        )

    async def check_key(self, identifier: KeyIdentifier | str) -> VaultKey:
        """``get_key``, then an AzureError carrying the Atlas error code if Atlas could not use the key."""
        vault_key = await self.get_key(identifier)
        problems = vault_key.problems()
        if problems:
            first = problems[0]
            raise AzureError(
                first.what,
                meaning=f"Atlas would refuse this key with {first.code}.",
                next_step=first.next_step,
                code=first.code,
            )
        return vault_key

    async def list_key_versions(self, vault_url: str, name: str) -> list[VaultKey]:
        """Every version of a key, newest first (without key type and operations: Key Vault lists none)."""

        def versions(client: Any) -> list[VaultKey]:
            found = [_listed_version(p) for p in client.list_properties_of_key_versions(name)]
            return sorted(found, key=lambda k: k.created.timestamp() if k.created else 0.0, reverse=True)

        return await self._in_thread(vault_url, name, versions)

    async def create_key_version(self, vault_url: str, name: str) -> VaultKey:
        """Rotate: a new version of the key with the same type, size and operations (needs 'rotate')."""
        return await self._in_thread(vault_url, name, lambda client: _vault_key(client.rotate_key(name)))

    # --- the vault resource and its private endpoint connections ------------------------------------------

    async def get_vault(self, subscription_id: str, resource_group: str, vault_name: str) -> VaultInfo:
        """Confirms the subscription / resource group / vault triple Atlas will be given."""
        data = await self._arm("GET", subscription_id, resource_group, vault_name, action="read the key vault")
        properties = data.get("properties") or {}
        return VaultInfo(
            name=data.get("name", vault_name),
            resource_id=data.get("id", guidance.vault_resource_id(subscription_id, resource_group, vault_name)),
            location=data.get("location", ""),
            tenant_id=properties.get("tenantId"),
            vault_uri=properties.get("vaultUri"),
            uses_rbac=bool(properties.get("enableRbacAuthorization")),
            connections=tuple(
                EndpointConnection.from_arm(c) for c in properties.get("privateEndpointConnections") or []
            ),
        )

    async def list_private_endpoint_connections(
        self, subscription_id: str, resource_group: str, vault_name: str
    ) -> list[EndpointConnection]:
        data = await self._arm(
            "GET",
            subscription_id,
            resource_group,
            vault_name,
            "privateEndpointConnections",
            action="list the key vault's private endpoint connections",
        )
        return [EndpointConnection.from_arm(c) for c in data.get("value") or []]

    async def approve_private_endpoint_connection(
        self,
        subscription_id: str,
        resource_group: str,
        vault_name: str,
        connection_name: str,
        *,
        description: str = guidance.APPROVAL_DESCRIPTION,
    ) -> EndpointConnection:
        """Approve the connection Atlas' private endpoint requested (``privateEndpointConnectionName``).

        Already approved: returned as it is. Without the right to approve, the AzureError's next step
        is the exact az command and portal path for someone who has it.
        """
        where = (subscription_id, resource_group, vault_name, "privateEndpointConnections", connection_name)
        current = await self._arm(
            "GET", *where, action="read the private endpoint connection", connection_name=connection_name
        )
        if not current:
            existing = await self.list_private_endpoint_connections(subscription_id, resource_group, vault_name)
            names = ", ".join(f"{c.name} ({c.status})" for c in existing) or "none"
            raise AzureError(
                f"Key vault {vault_name} has no private endpoint connection named {connection_name}.",
                meaning="The name must be the privateEndpointConnectionName Atlas shows for the endpoint.",
                next_step=f"Connections on the vault: {names}. Wait for Atlas' endpoint to reach PENDING_ACCEPTANCE "
                "and use its privateEndpointConnectionName.",
                code="PrivateEndpointConnectionNotFound",
                status=404,
            )
        if EndpointConnection.from_arm(current).status == "Approved":
            return EndpointConnection.from_arm(current)
        approval = {"privateLinkServiceConnectionState": {"status": "Approved", "description": description}}
        updated = await self._arm(
            "PUT",
            *where,
            body={"properties": approval},
            action="approve the private endpoint connection",
            connection_name=connection_name,
        )
        return EndpointConnection.from_arm(updated)

    # --- plumbing --------------------------------------------------------------------------------------

    async def _in_thread(self, vault_url: str, key_name: str, call: Callable[[Any], Any]) -> Any:
        vault_name = vault_url.split("//", 1)[-1].split(".", 1)[0]

        def run() -> Any:
            try:
                return call(self._key_client(vault_url))
            except Exception as exc:
                raise explain_sdk_error(exc, vault_name=vault_name, key_name=key_name) from None

        return await asyncio.to_thread(run)

    def _credential_once(self) -> Any:
        with self._lock:
            if self._credential is None:
                self._credential = self._credential_factory()
            return self._credential

    def _key_client(self, vault_url: str) -> Any:
        from azure.keyvault.keys import KeyClient

        credential = self._credential_once()
        with self._lock:
            client = self._key_clients.get(vault_url)
            if client is None:
                # One quick retry on a connection failure: a wrong vault name should not cost five seconds.
                client = self._key_clients[vault_url] = KeyClient(
                    vault_url, credential, retry_connect=1, **self.connection.sdk_options()
                )
            return client

    def _close_sdk_clients(self) -> None:
        with self._lock:
            clients, self._key_clients = list(self._key_clients.values()), {}
            credential, self._credential = self._credential, None
        for client in clients:
            client.close()
        if credential is not None and hasattr(credential, "close"):
            credential.close()

    def _management_token(self) -> str:
        try:
            return self._credential_once().get_token(self.cloud.management_scope).token
        except Exception as exc:
            raise explain_sign_in_error(exc) from None

    async def _arm(
        self,
        method: str,
        subscription_id: str,
        resource_group: str,
        vault_name: str,
        *children: str,
        action: str,
        body: dict[str, Any] | None = None,
        connection_name: str | None = None,
    ) -> dict[str, Any]:
        """One Resource Manager call on the vault (or a child of it); ``{}`` for a 204 answer."""
        token = await asyncio.to_thread(self._management_token)
        path = guidance.vault_resource_id(*(quote(p, safe="") for p in (subscription_id, resource_group, vault_name)))
        path += "".join(f"/{quote(c, safe='')}" for c in children)
        try:
            response = await self._http_client().request(
                method,
                f"{self.cloud.resource_manager}{path}",
                params={"api-version": ARM_API_VERSION},
                headers={"Authorization": f"Bearer {token}"},
                json=body,
            )
        except httpx.HTTPError as exc:
            raise AzureError(
                f"Could not reach Azure Resource Manager ({self.cloud.resource_manager}): {type(exc).__name__}",
                meaning="The network, a proxy or DNS blocks the way to Resource Manager.",
                next_step="Check this machine can reach it over HTTPS (and HTTPS_PROXY, if you use a proxy).",
                code="ServiceRequestError",
            ) from None
        if response.status_code == 204:
            return {}
        data = _json(response)
        if response.is_success:
            return data
        raise explain_arm_error(
            response.status_code,
            data,
            subscription_id=subscription_id,
            resource_group=resource_group,
            vault_name=vault_name,
            action=action,
            connection_name=connection_name,
            cloud=self.cloud,
        )

    def _http_client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(**self.connection.httpx_options(), trust_env=True, timeout=30.0)
        return self._http


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _as_identifier(identifier: KeyIdentifier | str) -> KeyIdentifier:
    if isinstance(identifier, KeyIdentifier):
        return identifier
    return parse_key_identifier(identifier, require_version=False)


def _vault_key(key: Any) -> VaultKey:
    """From azure-keyvault-keys' KeyVaultKey: its properties, with the key's type and operations."""
    return replace(
        _listed_version(key.properties),
        key_type=_text(key.key_type),
        key_ops=tuple(_text(op) or "" for op in key.key_operations or ()),
    )


def _listed_version(properties: Any) -> VaultKey:
    """From azure-keyvault-keys' KeyProperties (what list calls return)."""
    return VaultKey(
        kid=properties.id,
        name=properties.name,
        version=properties.version,
        enabled=properties.enabled,
        expires_on=properties.expires_on,
        not_before=properties.not_before,
        key_type=None,
        key_ops=(),
        created=properties.created_on,
    )


def _text(value: Any) -> str | None:
    """Enum members of the SDK (KeyType, KeyOperation) as their wire value."""
    if value is None:
        return None
    return str(getattr(value, "value", value))
