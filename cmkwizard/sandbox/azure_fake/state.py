"""Everything the Azure fake knows: the tenant, service principals and their tokens, key vaults with their
keys, key permissions and management rights, and private endpoint connections.

The HTTP layer, the verifier Atlas' simulator calls and scenario seeding all go through this object;
each public method holds the lock, so they may run on different threads.
"""

from __future__ import annotations

import hmac
import re
import secrets
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from cmkwizard.sandbox.azure_fake import crypto

KEY_PERMISSIONS = (
    "get", "list", "update", "create", "import", "delete", "recover", "backup", "restore",
    "decrypt", "encrypt", "unwrapKey", "wrapKey", "verify", "sign", "purge", "release", "rotate",
    "getrotationpolicy", "setrotationpolicy",
)  # fmt: skip
_PERMISSION_SPELLING = {p.lower(): p for p in KEY_PERMISSIONS}

RSA_KEY_OPS = ("encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey")
EC_KEY_OPS = ("sign", "verify")

VAULT_AUDIENCE = "https://vault.azure.net"
MANAGEMENT_AUDIENCE = "https://management.azure.com"
# Resource identifiers a token may be asked for, and the audience each one grants.
RESOURCES = {
    "https://vault.azure.net": VAULT_AUDIENCE,
    "https://management.azure.com": MANAGEMENT_AUDIENCE,
    "https://management.core.windows.net": MANAGEMENT_AUDIENCE,
}
TOKEN_LIFETIME_SECONDS = 3599

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})

PENDING, APPROVED, REJECTED, DISCONNECTED = "Pending", "Approved", "Rejected", "Disconnected"

_KEY_NAME = re.compile(r"^[0-9A-Za-z-]{1,127}$")
_VAULT_NAME = re.compile(r"^[A-Za-z](?!.*--)[0-9A-Za-z-]{1,22}[0-9A-Za-z]$")


class Clock(Protocol):
    def now(self) -> datetime: ...


class _SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ServiceError(Exception):
    """A refusal as the real service words it; the HTTP layer renders it in that service's error shape."""

    def __init__(self, status: int, code: str, message: str, *, inner_code: str | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.inner_code = inner_code


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()
"""Marks an attribute an update leaves alone (``None`` clears an expiry or activation date)."""


@dataclass
class ServicePrincipal:
    object_id: str
    app_id: str
    tenant_id: str
    display_name: str
    secret: str | None = field(default=None, repr=False, compare=False)
    secret_expires: datetime | None = None


@dataclass(frozen=True)
class TokenGrant:
    principal: ServicePrincipal
    audience: str
    expires_at: float

    def expired(self) -> bool:
        return time.time() >= self.expires_at


@dataclass
class KeyVersion:
    name: str
    version: str
    kty: str
    material: crypto.PrivateKey = field(repr=False, compare=False)
    key_ops: tuple[str, ...]
    enabled: bool
    created: datetime
    updated: datetime
    expires_on: datetime | None = None
    not_before: datetime | None = None
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def is_rsa(self) -> bool:
        return self.kty in crypto.RSA_KEY_TYPES


@dataclass
class Key:
    name: str
    versions: list[KeyVersion] = field(default_factory=list)
    rotation_policy: dict[str, Any] | None = None

    @property
    def latest(self) -> KeyVersion:
        return self.versions[-1]


@dataclass
class EndpointConnection:
    name: str
    region: str
    status: str
    description: str
    private_endpoint_id: str


@dataclass
class Vault:
    name: str
    subscription_id: str
    resource_group: str
    tenant_id: str
    location: str
    keys: dict[str, Key] = field(default_factory=dict, repr=False)
    key_permissions: dict[str, set[str]] = field(default_factory=dict, repr=False)
    management_access: dict[str, str] = field(default_factory=dict, repr=False)  # object id -> "read" | "write"
    connections: dict[str, EndpointConnection] = field(default_factory=dict, repr=False)

    @property
    def resource_id(self) -> str:
        return (
            f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}"
            f"/providers/Microsoft.KeyVault/vaults/{self.name}"
        )

    @property
    def host(self) -> str:
        return f"{self.name}.vault.azure.net"


class AzureFakeState:
    """The Azure side of the sandbox, seeded through this API and served by the fake's HTTP endpoints."""

    def __init__(
        self,
        tenant_id: str,
        *,
        operator_client_id: str,
        operator_client_secret: str,
        clock: Clock | None = None,
    ) -> None:
        self._lock = threading.RLock()
        self.tenant_id = tenant_id
        self.clock: Clock = clock or _SystemClock()
        self._principals: dict[str, ServicePrincipal] = {}
        self._tokens: dict[str, TokenGrant] = {}
        self._vaults: dict[str, Vault] = {}
        self.loopback_vault: str | None = None
        """The vault served when a request names the fake by address (127.0.0.1) instead of a vault host."""
        self.atlas_subscription_id = str(uuid.uuid4())
        self.operator = self.add_service_principal(
            operator_client_id, secret=operator_client_secret, display_name="cmkwizard operator"
        )

    def now(self) -> datetime:
        return self.clock.now()

    # --- Entra ID -------------------------------------------------------------------------------------

    def add_service_principal(
        self,
        app_id: str,
        *,
        tenant_id: str | None = None,
        secret: str | None = None,
        secret_expires: datetime | None = None,
        display_name: str | None = None,
    ) -> ServicePrincipal:
        """Register the service principal of application ``app_id`` in a tenant (``az ad sp create --id``).

        With a ``secret`` the application can sign in with client credentials, until ``secret_expires``.
        """
        principal = ServicePrincipal(
            object_id=str(uuid.uuid4()),
            app_id=app_id,
            tenant_id=tenant_id or self.tenant_id,
            display_name=display_name or f"app {app_id}",
            secret=secret,
            secret_expires=secret_expires,
        )
        with self._lock:
            self._principals[principal.object_id] = principal
        return principal

    def remove_service_principal(self, object_id: str) -> None:
        with self._lock:
            self._principals.pop(object_id, None)
            self._tokens = {t: g for t, g in self._tokens.items() if g.principal.object_id != object_id}

    def service_principal(self, object_id: str) -> ServicePrincipal | None:
        with self._lock:
            return self._principals.get(object_id)

    def find_service_principal(self, tenant_id: str, app_id: str) -> ServicePrincipal | None:
        with self._lock:
            return next(
                (
                    p
                    for p in self._principals.values()
                    if p.tenant_id.lower() == tenant_id.lower() and p.app_id.lower() == app_id.lower()
                ),
                None,
            )

    def knows_tenant(self, tenant_id: str) -> bool:
        with self._lock:
            known = {self.tenant_id.lower()} | {p.tenant_id.lower() for p in self._principals.values()}
        return tenant_id.lower() in known

    def issue_token(self, tenant_id: str, client_id: str, client_secret: str, scope: str) -> tuple[str, int]:
        """The client credentials grant: an access token and its lifetime, or a ServiceError worded as Entra ID."""
        if not self.knows_tenant(tenant_id):
            raise ServiceError(
                400,
                "invalid_request",
                f"AADSTS90002: Tenant '{tenant_id}' not found. Check to make sure you have the correct tenant ID "
                "and are signing into the correct cloud.",
            )
        audience = _audience_for_scope(scope, tenant_id)
        principal = self.find_service_principal(tenant_id, client_id)
        if principal is None:
            raise ServiceError(
                400,
                "unauthorized_client",
                f"AADSTS700016: Application with identifier '{client_id}' was not found in the directory "
                f"'{tenant_id}'. This can happen if the application has not been installed by the administrator "
                "of the tenant or consented to by any user in the tenant.",
            )
        if principal.secret is None or not hmac.compare_digest(principal.secret, client_secret):
            raise ServiceError(
                401,
                "invalid_client",
                "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the "
                f"client secret value, not the client secret ID, for a secret added to app '{client_id}'.",
            )
        if principal.secret_expires is not None and principal.secret_expires <= self.now():
            raise ServiceError(
                401,
                "invalid_client",
                f"AADSTS7000222: The provided client secret keys for app '{client_id}' are expired. Visit the Azure "
                "portal to create new keys for your app.",
            )
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens = {t: g for t, g in self._tokens.items() if not g.expired()}
            self._tokens[token] = TokenGrant(principal, audience, time.time() + TOKEN_LIFETIME_SECONDS)
        return token, TOKEN_LIFETIME_SECONDS

    def resolve_token(self, token: str) -> TokenGrant | None:
        """The grant behind a bearer token, or None when it is unknown, expired or its principal is gone."""
        with self._lock:
            grant = self._tokens.get(token)
            if grant is None or grant.expired() or grant.principal.object_id not in self._principals:
                return None
            return grant

    # --- Key vaults and access -------------------------------------------------------------------------

    def add_vault(
        self,
        name: str,
        *,
        subscription_id: str,
        resource_group: str,
        location: str = "eastus",
        tenant_id: str | None = None,
    ) -> Vault:
        """Create a vault that the operator's principal may manage and use with every key operation."""
        if not _VAULT_NAME.match(name):
            raise ValueError(f"invalid key vault name {name!r}: 3-24 letters, digits and single hyphens")
        vault = Vault(name.lower(), subscription_id, resource_group, tenant_id or self.tenant_id, location)
        with self._lock:
            self._vaults[vault.name] = vault
            if self.loopback_vault is None:
                self.loopback_vault = vault.name
        self.grant_key_permissions(self.operator.object_id, vault.name, KEY_PERMISSIONS)
        self.grant_management(self.operator.object_id, vault.name, write=True)
        return vault

    def vault(self, name: str) -> Vault:
        with self._lock:
            vault = self._vaults.get(name.lower())
        if vault is None:
            raise ServiceError(404, "VaultNotFound", f"The key vault '{name}' does not exist.")
        return vault

    def has_vault(self, name: str) -> bool:
        with self._lock:
            return name.lower() in self._vaults

    def vault_for_host(self, host: str) -> Vault:
        """The vault a request is for, from its Host header (``myvault.vault.azure.net`` or the fake's address)."""
        hostname = host.split(":", 1)[0].lower()
        if hostname.endswith(".vault.azure.net"):
            return self.vault(hostname.removesuffix(".vault.azure.net"))
        if hostname not in LOOPBACK_HOSTS or self.loopback_vault is None:
            raise ServiceError(404, "VaultNotFound", f"No key vault is served at {host}.")
        return self.vault(self.loopback_vault)

    def find_vault(self, subscription_id: str, resource_group: str, name: str) -> Vault:
        """Look a vault up by its ARM resource path, failing the way Azure Resource Manager does."""
        with self._lock:
            vaults = list(self._vaults.values())
        in_subscription = [v for v in vaults if v.subscription_id.lower() == subscription_id.lower()]
        if not in_subscription:
            raise ServiceError(404, "SubscriptionNotFound", f"The subscription '{subscription_id}' could not be found.")
        in_group = [v for v in in_subscription if v.resource_group.lower() == resource_group.lower()]
        if not in_group:
            raise ServiceError(404, "ResourceGroupNotFound", f"Resource group '{resource_group}' could not be found.")
        vault = next((v for v in in_group if v.name == name.lower()), None)
        if vault is None:
            raise ServiceError(
                404,
                "ResourceNotFound",
                f"The Resource 'Microsoft.KeyVault/vaults/{name}' under resource group '{resource_group}' was not "
                "found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
            )
        return vault

    def grant_key_permissions(self, object_id: str, vault_name: str, permissions: Iterable[str]) -> None:
        """Add key permissions (an access policy entry) for a principal on a vault."""
        granted = {_permission(p) for p in permissions}
        vault = self.vault(vault_name)
        with self._lock:
            vault.key_permissions.setdefault(object_id, set()).update(granted)

    def revoke_key_permissions(self, object_id: str, vault_name: str, permissions: Iterable[str] | None = None) -> None:
        """Remove some key permissions, or the principal's whole access policy entry when none are named."""
        vault = self.vault(vault_name)
        with self._lock:
            if permissions is None:
                vault.key_permissions.pop(object_id, None)
            else:
                vault.key_permissions.get(object_id, set()).difference_update(_permission(p) for p in permissions)

    def key_permissions(self, object_id: str, vault_name: str) -> frozenset[str]:
        vault = self.vault(vault_name)
        with self._lock:
            return frozenset(vault.key_permissions.get(object_id, ()))

    def access_policies(self, vault_name: str) -> dict[str, frozenset[str]]:
        """Object id -> key permissions, for every principal with an access policy entry on the vault."""
        vault = self.vault(vault_name)
        with self._lock:
            return {object_id: frozenset(p) for object_id, p in vault.key_permissions.items()}

    def grant_management(self, object_id: str, vault_name: str, *, write: bool) -> None:
        """Give a principal read (Reader) or read-write (Contributor) rights on the vault resource in ARM."""
        vault = self.vault(vault_name)
        with self._lock:
            vault.management_access[object_id] = "write" if write else "read"

    def authorize_key_operation(self, principal: ServicePrincipal, vault: Vault, permission: str) -> None:
        with self._lock:
            granted = vault.key_permissions.get(principal.object_id, set())
        if permission not in granted:
            raise ServiceError(
                403,
                "Forbidden",
                f"The user, group or application 'appid={principal.app_id};oid={principal.object_id};"
                f"iss=https://sts.windows.net/{principal.tenant_id}/' does not have keys {permission} permission on "
                f"key vault '{vault.name};location={vault.location}'. For help resolving this issue, please see "
                "https://go.microsoft.com/fwlink/?linkid=2125287",
                inner_code="AccessDenied",
            )

    def authorize_management(self, principal: ServicePrincipal, vault: Vault, action: str, *, write: bool) -> None:
        with self._lock:
            level = vault.management_access.get(principal.object_id)
        if level == "write" or (level == "read" and not write):
            return
        raise ServiceError(
            403,
            "AuthorizationFailed",
            f"The client '{principal.app_id}' with object id '{principal.object_id}' does not have authorization "
            f"to perform action '{action}' over scope '{vault.resource_id}' or the scope is invalid. If access was "
            "recently granted, please refresh your credentials.",
        )

    # --- Keys -------------------------------------------------------------------------------------------

    def create_key(
        self,
        vault_name: str,
        key_name: str,
        *,
        kty: str = "RSA",
        size: int | None = None,
        curve: str | None = None,
        key_ops: Iterable[str] | None = None,
        enabled: bool = True,
        expires_on: datetime | None = None,
        not_before: datetime | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> KeyVersion:
        """Create a key, or a new version of it when the name exists (as Key Vault's create does)."""
        vault = self.vault(vault_name)
        if not _KEY_NAME.match(key_name):
            raise ServiceError(
                400,
                "BadParameter",
                f"The request URI contains an invalid name: {key_name}. Key names are 1-127 letters, digits and '-'.",
            )
        try:
            material = crypto.generate_key(kty, size=size, curve=curve)
        except crypto.CryptoError as exc:
            raise ServiceError(400, "BadParameter", str(exc)) from exc
        default_ops = RSA_KEY_OPS if kty in crypto.RSA_KEY_TYPES else EC_KEY_OPS
        now = self.now()
        with self._lock:
            key = vault.keys.setdefault(key_name.lower(), Key(key_name))
            version = KeyVersion(
                name=key.name,
                version=uuid.uuid4().hex,
                kty=kty,
                material=material,
                key_ops=tuple(key_ops) if key_ops is not None else default_ops,
                enabled=enabled,
                created=now,
                updated=now,
                expires_on=expires_on,
                not_before=not_before,
                tags=dict(tags or {}),
            )
            key.versions.append(version)
        return version

    def rotate_key(self, vault_name: str, key_name: str) -> KeyVersion:
        """A new version with the same type, size and operations as the current one."""
        current = self.key_version(vault_name, key_name)
        return self.create_key(
            vault_name,
            current.name,
            kty=current.kty,
            size=crypto.key_size(current.material) if current.is_rsa else None,
            curve=crypto.curve_name(current.material),
            key_ops=current.key_ops,
            tags=current.tags,
        )

    def key(self, vault_name: str, key_name: str) -> Key:
        vault = self.vault(vault_name)
        with self._lock:
            key = vault.keys.get(key_name.lower())
        if key is None:
            raise _key_not_found(key_name)
        return key

    def key_version(self, vault_name: str, key_name: str, version: str | None = None) -> KeyVersion:
        """A version of a key, or its current (newest) version when ``version`` is empty."""
        key = self.key(vault_name, key_name)
        with self._lock:
            if not version:
                return key.latest
            found = next((v for v in key.versions if v.version == version.lower()), None)
        if found is None:
            raise _key_not_found(f"{key_name}/{version}")
        return found

    def list_keys(self, vault_name: str) -> list[KeyVersion]:
        """The current version of every key, by name."""
        vault = self.vault(vault_name)
        with self._lock:
            return [vault.keys[name].latest for name in sorted(vault.keys)]

    def list_key_versions(self, vault_name: str, key_name: str) -> list[KeyVersion]:
        key = self.key(vault_name, key_name)
        with self._lock:
            return list(key.versions)

    def update_key(
        self,
        vault_name: str,
        key_name: str,
        version: str | None = None,
        *,
        enabled: bool = UNSET,
        expires_on: datetime | None = UNSET,
        not_before: datetime | None = UNSET,
        key_ops: Iterable[str] = UNSET,
        tags: Mapping[str, str] = UNSET,
    ) -> KeyVersion:
        """Change the attributes of one version (the current one when ``version`` is empty)."""
        target = self.key_version(vault_name, key_name, version)
        with self._lock:
            if enabled is not UNSET:
                target.enabled = enabled
            if expires_on is not UNSET:
                target.expires_on = expires_on
            if not_before is not UNSET:
                target.not_before = not_before
            if key_ops is not UNSET:
                target.key_ops = tuple(key_ops)
            if tags is not UNSET:
                target.tags = dict(tags)
            target.updated = self.now()
        return target

    def rotation_policy(self, vault_name: str, key_name: str) -> dict[str, Any] | None:
        key = self.key(vault_name, key_name)
        with self._lock:
            return key.rotation_policy

    def set_rotation_policy(self, vault_name: str, key_name: str, policy: dict[str, Any]) -> None:
        key = self.key(vault_name, key_name)
        with self._lock:
            key.rotation_policy = policy

    def key_operation(self, version: KeyVersion, operation: str, algorithm: str, value: bytes) -> bytes:
        """encrypt / decrypt / wrapKey / unwrapKey with the version's real key, refused as Key Vault would."""
        now = self.now()
        refusal = None
        if not version.enabled:
            refusal = f"Operation {operation} is not allowed on a disabled key."
        elif version.expires_on is not None and version.expires_on <= now:
            refusal = f"Operation {operation} is not allowed on an expired key."
        elif version.not_before is not None and version.not_before > now:
            refusal = f"Operation {operation} is not allowed on a key that is not yet active."
        elif operation not in version.key_ops:
            refusal = f"Operation {operation} is not allowed by the key's permitted operations."
        if refusal:
            raise ServiceError(403, "Forbidden", refusal)
        try:
            if operation in ("encrypt", "wrapKey"):
                return crypto.rsa_encrypt(version.material, algorithm, value)
            return crypto.rsa_decrypt(version.material, algorithm, value)
        except crypto.CryptoError as exc:
            raise ServiceError(400, "BadParameter", str(exc)) from exc

    # --- Private endpoint connections -------------------------------------------------------------------

    def register_endpoint_connection(self, vault_name: str, connection_name: str, region: str) -> EndpointConnection:
        """A private endpoint (Atlas' side) asks to connect to the vault; it waits for the owner's approval."""
        vault = self.vault(vault_name)
        connection = EndpointConnection(
            name=connection_name,
            region=region,
            status=PENDING,
            description="Requested by MongoDB Atlas encryption at rest",
            private_endpoint_id=(
                f"/subscriptions/{self.atlas_subscription_id}/resourceGroups/atlas-private-endpoints"
                f"/providers/Microsoft.Network/privateEndpoints/{connection_name}"
            ),
        )
        with self._lock:
            vault.connections[connection_name] = connection
        return connection

    def endpoint_connections(self, vault_name: str) -> list[EndpointConnection]:
        vault = self.vault(vault_name)
        with self._lock:
            return list(vault.connections.values())

    def endpoint_connection(self, vault_name: str, connection_name: str) -> EndpointConnection | None:
        vault = self.vault(vault_name)
        with self._lock:
            return vault.connections.get(connection_name)

    def set_endpoint_connection_status(
        self, vault_name: str, connection_name: str, status: str, description: str = ""
    ) -> EndpointConnection:
        """Approve, reject or disconnect a connection, with the transitions Azure allows."""
        if status not in (APPROVED, REJECTED, DISCONNECTED):
            raise ServiceError(
                400, "BadRequest", f"Status '{status}' cannot be set: use Approved, Rejected or Disconnected."
            )
        connection = self.endpoint_connection(vault_name, connection_name)
        if connection is None:
            raise ServiceError(
                404,
                "PrivateEndpointConnectionNotFound",
                f"Private endpoint connection '{connection_name}' was not found on key vault '{vault_name}'.",
            )
        with self._lock:
            if connection.status in (REJECTED, DISCONNECTED) and status != connection.status:
                raise ServiceError(
                    400,
                    "BadRequest",
                    f"Private endpoint connection '{connection_name}' is {connection.status}; a rejected or "
                    "disconnected connection cannot change state. The private endpoint must be recreated.",
                )
            connection.status = status
            connection.description = description or connection.description
        return connection


def _permission(name: str) -> str:
    try:
        return _PERMISSION_SPELLING[name.lower()]
    except KeyError:
        raise ValueError(f"unknown key permission {name!r}; expected one of {', '.join(KEY_PERMISSIONS)}") from None


def _audience_for_scope(scope: str, tenant_id: str) -> str:
    resources = [s for s in scope.split() if s not in ("openid", "profile", "offline_access")]
    if len(resources) != 1 or not resources[0].endswith("/.default"):
        raise ServiceError(
            400,
            "invalid_scope",
            f"AADSTS1002012: The provided value for scope {scope} is not valid. Client credential flows must have "
            "a scope value with /.default suffixed to the resource identifier (application ID URI).",
        )
    resource = resources[0].removesuffix("/.default").rstrip("/")
    if resource not in RESOURCES:
        raise ServiceError(
            400,
            "invalid_resource",
            f"AADSTS500011: The resource principal named {resource} was not found in the tenant named {tenant_id}.",
        )
    return RESOURCES[resource]


def _key_not_found(name: str) -> ServiceError:
    return ServiceError(
        404,
        "KeyNotFound",
        f"A key with (name/id) {name} was not found in this key vault. If you recently deleted this key you may be "
        "able to recover it using the correct recovery command. For help resolving this issue, please see "
        "https://go.microsoft.com/fwlink/?linkid=2125182",
    )
