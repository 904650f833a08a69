"""Atlas' checks against Azure, answered from the Azure fake's state.

Real Atlas signs in to the customer's tenant as its own application, reads the key through Key Vault
and wraps/unwraps with it. This verifier reaches the same verdicts from ``AzureFakeState`` and words
refusals as Atlas does (error code, detail, parameters). It parses key identifiers itself, as the
other party, rather than borrowing the wizard's parser.
"""

from __future__ import annotations

import re

from cmkwizard.sandbox.atlas_sim.verifier import Refusal
from cmkwizard.sandbox.azure_fake.state import (
    DISCONNECTED,
    AzureFakeState,
    KeyVersion,
    ServiceError,
    Vault,
)

SERVICE_PRINCIPAL_INVALID = "CLOUD_PROVIDER_ACCESS_AZURE_SERVICE_PRINCIPAL_INVALID"
CANNOT_AUTHENTICATE = "CANNOT_AUTHENTICATE_SERVICE_PRINCIPAL"
KEY_IDENTIFIER_INVALID = "AZURE_KEY_VAULT_KEY_IDENTIFIER_INVALID_FORMAT"
KEY_NOT_FOUND = "AZURE_KEY_VAULT_KEY_NOT_FOUND"
KEY_NOT_ENABLED = "AZURE_KEY_VAULT_KEY_NOT_ENABLED"
KEY_NOT_ACTIVE = "AZURE_KEY_VAULT_KEY_NOT_ACTIVE"
KEY_EXPIRED = "AZURE_KEY_VAULT_KEY_EXPIRED"
NO_PERMISSION = "NO_PERMISSION_TO_ENCRYPT_DECRYPT"
INVALID_REQUEST = "INVALID_AZURE_API_REQUEST"

_KEY_IDENTIFIER = re.compile(
    r"^https://(?P<vault>[A-Za-z0-9-]{3,24})\.(?P<suffix>vault\.azure\.net|vault\.azure\.cn|vault\.usgovcloudapi\.net)"
    r"(?::443)?/keys/(?P<name>[0-9A-Za-z-]{1,127})/(?P<version>[0-9A-Fa-f]{32})$",
    re.IGNORECASE,
)
# Either pair lets Atlas protect its data keys with the customer key.
_KEY_OPERATION_PAIRS = (("wrapKey", "unwrapKey"), ("encrypt", "decrypt"))


class FakeAzureVerifier:
    """The ``AzureVerifier`` the Atlas simulator calls, backed by the Azure fake."""

    def __init__(self, state: AzureFakeState) -> None:
        self._state = state

    def check_service_principal(self, tenant_id: str, service_principal_id: str, atlas_azure_app_id: str) -> None:
        if not self._state.knows_tenant(tenant_id):
            raise Refusal(400, SERVICE_PRINCIPAL_INVALID, f"Azure tenant {tenant_id} does not exist.", [tenant_id])
        atlas_principal = self._state.find_service_principal(tenant_id, atlas_azure_app_id)
        if atlas_principal is None:
            raise Refusal(
                400,
                CANNOT_AUTHENTICATE,
                f"Atlas cannot authenticate as application {atlas_azure_app_id} in tenant {tenant_id}: the tenant has "
                "no service principal for it.",
                [atlas_azure_app_id, tenant_id],
            )
        if atlas_principal.object_id.lower() != service_principal_id.lower():
            raise Refusal(
                400,
                SERVICE_PRINCIPAL_INVALID,
                f"Service principal {service_principal_id} is not the service principal of application "
                f"{atlas_azure_app_id} in tenant {tenant_id}.",
                [service_principal_id],
            )

    def check_key_access(self, key_identifier: str, key_vault_name: str, service_principal_id: str | None) -> None:
        """Without a service principal (legacy client-secret access) only the key itself is checked."""
        match = _KEY_IDENTIFIER.match(key_identifier.strip())
        if match is None:
            raise Refusal(
                400,
                KEY_IDENTIFIER_INVALID,
                f"Key identifier {key_identifier} is not a versioned Key Vault key identifier "
                "(https://<vault>.vault.azure.net/keys/<key-name>/<key-version>).",
                [key_identifier],
            )
        if match["vault"].lower() != key_vault_name.lower():
            raise Refusal(
                400,
                KEY_IDENTIFIER_INVALID,
                f"Key identifier {key_identifier} names key vault {match['vault']}, not {key_vault_name}.",
                [key_identifier, key_vault_name],
            )
        vault = self._vault(key_vault_name, match["suffix"].lower(), key_identifier)
        if service_principal_id is not None:
            self._check_principal_may_read(vault, service_principal_id)
        version = self._key_version(vault, match["name"], match["version"], key_identifier)
        self._check_usable(version, key_identifier)
        if service_principal_id is not None:
            self._check_principal_may_protect(vault, service_principal_id)

    def register_endpoint_connection(self, key_vault_name: str, connection_name: str, region: str) -> None:
        if not self._state.has_vault(key_vault_name):
            raise Refusal(
                400,
                INVALID_REQUEST,
                f"Key vault {key_vault_name} does not exist, so no private endpoint can connect to it.",
                [key_vault_name],
            )
        self._state.register_endpoint_connection(key_vault_name, connection_name, region)

    def endpoint_connection_status(self, key_vault_name: str, connection_name: str) -> str:
        """A connection that is gone (or whose vault is gone) reads as Disconnected."""
        if not self._state.has_vault(key_vault_name):
            return DISCONNECTED
        connection = self._state.endpoint_connection(key_vault_name, connection_name)
        return connection.status if connection is not None else DISCONNECTED

    # --- steps of check_key_access -----------------------------------------------------------------------

    def _vault(self, name: str, suffix: str, key_identifier: str) -> Vault:
        if suffix != "vault.azure.net" or not self._state.has_vault(name):
            raise Refusal(400, KEY_NOT_FOUND, f"Key vault {name} does not exist.", [key_identifier])
        return self._state.vault(name)

    def _check_principal_may_read(self, vault: Vault, service_principal_id: str) -> None:
        principal = self._state.service_principal(service_principal_id)
        if principal is None:
            raise Refusal(
                400,
                CANNOT_AUTHENTICATE,
                f"Service principal {service_principal_id} no longer exists in the tenant.",
                [service_principal_id],
            )
        if principal.tenant_id.lower() != vault.tenant_id.lower():
            raise Refusal(
                400,
                NO_PERMISSION,
                f"Key vault {vault.name} belongs to tenant {vault.tenant_id}, not to the service principal's tenant "
                f"{principal.tenant_id}.",
                [service_principal_id],
            )
        if "get" not in self._state.key_permissions(service_principal_id, vault.name):
            raise Refusal(
                400,
                NO_PERMISSION,
                f"Service principal {service_principal_id} lacks the key permission 'get' on key vault {vault.name}.",
                [service_principal_id, vault.name],
            )

    def _key_version(self, vault: Vault, name: str, version: str, key_identifier: str) -> KeyVersion:
        try:
            return self._state.key_version(vault.name, name, version)
        except ServiceError:
            raise Refusal(
                400,
                KEY_NOT_FOUND,
                f"Key vault {vault.name} has no key {name} with version {version}.",
                [key_identifier],
            ) from None

    def _check_usable(self, version: KeyVersion, key_identifier: str) -> None:
        now = self._state.now()
        if not version.enabled:
            raise Refusal(400, KEY_NOT_ENABLED, f"Key {key_identifier} is disabled.", [key_identifier])
        if version.not_before is not None and version.not_before > now:
            raise Refusal(
                400,
                KEY_NOT_ACTIVE,
                f"Key {key_identifier} is not active until {version.not_before.isoformat()}.",
                [key_identifier],
            )
        if version.expires_on is not None and version.expires_on <= now:
            raise Refusal(
                400, KEY_EXPIRED, f"Key {key_identifier} expired on {version.expires_on.isoformat()}.", [key_identifier]
            )
        if not version.is_rsa:
            raise Refusal(
                400,
                NO_PERMISSION,
                f"Key {key_identifier} is an {version.kty} key; Atlas encrypts with RSA keys.",
                [key_identifier],
            )
        if not any(set(pair) <= set(version.key_ops) for pair in _KEY_OPERATION_PAIRS):
            raise Refusal(
                400,
                NO_PERMISSION,
                f"Key {key_identifier} permits only {', '.join(version.key_ops) or 'no operations'}; Atlas needs "
                "wrapKey and unwrapKey, or encrypt and decrypt.",
                [key_identifier],
            )

    def _check_principal_may_protect(self, vault: Vault, service_principal_id: str) -> None:
        granted = self._state.key_permissions(service_principal_id, vault.name)
        if not any(set(pair) <= granted for pair in _KEY_OPERATION_PAIRS):
            raise Refusal(
                400,
                NO_PERMISSION,
                f"Service principal {service_principal_id} may not wrap and unwrap (or encrypt and decrypt) with "
                f"keys in key vault {vault.name}.",
                [service_principal_id, vault.name],
            )
