"""Azure identifiers as operators paste them: key identifiers, ids (GUIDs), vault and resource group names.

Atlas needs the *versioned* key identifier, ``https://<vault>.vault.azure.net/keys/<key>/<version>``.
What operators paste instead (a versionless URL, a secret's or certificate's URL, ``http://``, a Managed HSM
or private link host) is refused with what is wrong and how to get the right value.

Noise that cannot change which key is named is tolerated: surrounding quotes, a missing ``https://``,
the default port ``:443``, an ``?api-version=`` copied from a REST call, the letter case of the host and
of hexadecimal versions and GUIDs. Anything that could name something else or carry a secret (a user
name or password before the host, a fragment, a line break or look-alike letter inside a name) is
refused and named, never cleaned away.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from cmkwizard.azure.clouds import CLOUDS, AzureCloud
from cmkwizard.azure.errors import InputError
from cmkwizard.text_input import foreign_character, require_plain_text, unquote

KEY_IDENTIFIER_FORM = "https://<vault-name>.vault.azure.net/keys/<key-name>/<key-version>"
_KEY_NAME = re.compile(r"^[0-9A-Za-z-]{1,127}$")
_KEY_VERSION = re.compile(r"^[0-9A-Fa-f]{32}$")
_VAULT_NAME_CHARS = re.compile(r"^[0-9A-Za-z-]+$")
_CRYPTO_OPERATIONS = frozenset({"wrapkey", "unwrapkey", "encrypt", "decrypt", "sign", "verify", "release"})
_PRIVATE_LINK_SUFFIXES = (
    "privatelink.vaultcore.azure.net",
    "privatelink.vaultcore.azure.cn",
    "privatelink.vaultcore.usgovcloudapi.net",
)
_GUID = re.compile(
    r"\{?([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\}?|[0-9A-Fa-f]{32}"
)


@dataclass(frozen=True)
class KeyIdentifier:
    """A Key Vault key, by vault URL, key name and version (``None`` only when parsed without one)."""

    vault_url: str
    vault_name: str
    key_name: str
    version: str | None
    cloud: AzureCloud

    @property
    def azure_environment(self) -> str:
        return self.cloud.environment

    @property
    def versionless_url(self) -> str:
        return f"{self.vault_url}/keys/{self.key_name}"

    @property
    def url(self) -> str:
        """The identifier Atlas stores as ``keyIdentifier``."""
        return f"{self.versionless_url}/{self.version}" if self.version else self.versionless_url

    def __str__(self) -> str:
        return self.url


class MissingKeyVersionError(InputError):
    """A key URL without a version: ``key`` is what was parsed, so the current version can be looked up."""

    def __init__(self, message: str, key: KeyIdentifier) -> None:
        super().__init__(message)
        self.key = key


def parse_key_identifier(text: str, *, require_version: bool = True) -> KeyIdentifier:
    """Parse a pasted key identifier; InputError says what is wrong and what Atlas expects."""
    raw = unquote(text)
    if not raw:
        raise InputError(f"No key identifier given. Expected {KEY_IDENTIFIER_FORM}.")
    require_plain_text(raw, "key identifier", KEY_IDENTIFIER_FORM)
    parts = _split_url(raw)
    if parts.scheme.lower() == "http":
        raise InputError(f"'{raw}' uses http://. Key Vault is only served over HTTPS: use {KEY_IDENTIFIER_FORM}.")
    if parts.scheme.lower() != "https":
        raise InputError(f"'{raw}' is not an https:// URL. Expected {KEY_IDENTIFIER_FORM}.")
    _refuse_extras(parts, raw)
    cloud, vault_name = _vault_host(parts, raw)
    vault_url = cloud.vault_url(vault_name)
    if "//" in parts.path:
        raise InputError(f"'{raw}' has an empty part ('//') in its path. Expected {KEY_IDENTIFIER_FORM}.")
    segments = [s for s in parts.path.split("/") if s]
    key_name, version = _key_path(segments, vault_url, raw)
    key = KeyIdentifier(vault_url, vault_name, key_name, version, cloud)
    if version is None and require_version:
        raise MissingKeyVersionError(
            f"'{raw}' has no key version. Atlas needs the versioned key identifier "
            f"({key.versionless_url}/<key-version>). Get the current one with: "
            f"az keyvault key show --vault-name {vault_name} --name {key_name} --query key.kid -o tsv "
            f"(or in the portal: Key vaults > {vault_name} > Keys > {key_name} > current version > Key Identifier).",
            key,
        )
    return key


def _split_url(text: str) -> SplitResult:
    """``text`` as a URL (https:// assumed when no scheme is given); InputError when it cannot be one."""
    try:
        return urlsplit(text if "://" in text else "https://" + text)
    except ValueError:
        raise InputError(f"'{text}' is not a URL. Expected {KEY_IDENTIFIER_FORM}.") from None


def _refuse_extras(parts: SplitResult, given: str) -> None:
    if "@" in parts.netloc:
        raise InputError(
            f"The key identifier has a user name or password before the host ('...@'). Key Vault URLs carry no "
            f"credentials: remove them (and treat a password pasted here as exposed). Expected {KEY_IDENTIFIER_FORM}."
        )
    if parts.fragment or given.endswith("#"):
        raise InputError(f"'{given}' has a '#' part; key identifiers have none. Expected {KEY_IDENTIFIER_FORM}.")
    if parts.query and not parts.query.lower().startswith("api-version="):
        raise InputError(
            f"'{given}' has a query ('?{parts.query}'); key identifiers have none. Expected {KEY_IDENTIFIER_FORM}."
        )


def _vault_host(parts: SplitResult, given: str) -> tuple[AzureCloud, str]:
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:  # not a number
        port = -1
    if port not in (None, 443):
        raise InputError(f"'{given}' names a port. Key Vault URLs have none: expected {KEY_IDENTIFIER_FORM}.")
    for cloud in CLOUDS:
        if host.endswith("." + cloud.managed_hsm_suffix):
            raise InputError(
                f"'{given}' is a Managed HSM key. Atlas encryption at rest uses keys in an Azure Key Vault "
                f"(https://<vault-name>.{cloud.vault_suffix}/keys/...), not in a Managed HSM."
            )
    for suffix in _PRIVATE_LINK_SUFFIXES:
        if host.endswith("." + suffix):
            raise InputError(
                f"'{given}' uses the vault's private link host name. Atlas needs the public form of the identifier, "
                f"{KEY_IDENTIFIER_FORM}; with private networking Atlas reaches it through its own private endpoint."
            )
    for cloud in CLOUDS:
        if host.endswith("." + cloud.vault_suffix):
            name = host.removesuffix("." + cloud.vault_suffix)
            if "." in name:
                raise InputError(f"'{host}' is not a key vault host: expected <vault-name>.{cloud.vault_suffix}.")
            return cloud, validate_vault_name(name)
    raise InputError(
        f"'{host or given}' is not an Azure Key Vault host. Expected {KEY_IDENTIFIER_FORM} "
        "(vault.azure.cn for Azure China, vault.usgovcloudapi.net for Azure Government)."
    )


def _key_path(segments: list[str], vault_url: str, given: str) -> tuple[str, str | None]:
    if not segments:
        raise InputError(
            f"'{given}' is the vault's address only. Add the key and its version: "
            f"{vault_url}/keys/<key-name>/<key-version>."
        )
    collection = segments[0].lower()
    if collection == "secrets":
        raise InputError(
            f"'{given}' is a secret, not a key. Atlas needs a key: {vault_url}/keys/<key-name>/<key-version>."
        )
    if collection == "certificates":
        name = segments[1] if len(segments) > 1 else "<certificate-name>"
        raise InputError(
            f"'{given}' is a certificate, not a key. A certificate's key has its own identifier, "
            f"{vault_url}/keys/{name}/<key-version> (the certificate's 'kid'), but Atlas is normally given a "
            "key created as a key."
        )
    if collection == "deletedkeys":
        raise InputError(f"'{given}' is a deleted key. Recover it first or choose a current key in {vault_url}/keys.")
    if collection != "keys":
        raise InputError(f"'{given}' is not a key URL: expected {vault_url}/keys/<key-name>/<key-version>.")
    if len(segments) == 1:
        raise InputError(f"'{given}' names no key: expected {vault_url}/keys/<key-name>/<key-version>.")
    key_name = _key_name(segments[1])
    if len(segments) == 2:
        return key_name, None
    if segments[2].lower() == "versions":
        raise InputError(
            f"'{given}' is the list of the key's versions. Pick one: {vault_url}/keys/{key_name}/<key-version>."
        )
    if len(segments) > 3:
        extra = "/".join(segments[3:])
        hint = " (an operation, not part of the identifier)" if segments[3].lower() in _CRYPTO_OPERATIONS else ""
        raise InputError(
            f"'{given}' has '/{extra}' after the key version{hint}. Expected "
            f"{vault_url}/keys/{key_name}/<key-version> and nothing after it."
        )
    return key_name, _key_version(segments[2])


def _key_name(name: str) -> str:
    if not _KEY_NAME.match(name):
        bad = "".join(sorted({c for c in name if not (c.isascii() and (c.isalnum() or c == "-"))}))
        reason = f"has characters Key Vault does not allow ({bad!r})" if bad else "is longer than 127 characters"
        raise InputError(f"Key name '{name}' {reason}. Key names are 1-127 letters, digits and hyphens.")
    return name


def _key_version(version: str) -> str:
    if not _KEY_VERSION.match(version):
        if re.fullmatch(r"[0-9A-Fa-f-]{36}", version) and version.count("-") == 4:
            reason = "looks like a GUID; key versions have no hyphens"
        else:
            reason = f"is {len(version)} characters long" if len(version) != 32 else "has non-hexadecimal characters"
        raise InputError(
            f"Key version '{version}' {reason}. A key version is 32 hexadecimal characters, "
            "e.g. d891821e3d364e9eb88fbd3d11807b86."
        )
    return version.lower()


# --- ids and names ----------------------------------------------------------------------------------------

_UUID_FIELDS = {
    "tenant": ("tenant ID", "az account show --query tenantId -o tsv"),
    "subscription": ("subscription ID", "az account show --query id -o tsv"),
    "service_principal": (
        "service principal object ID",
        "az ad sp show --id <atlasAzureAppId> --query id -o tsv (the object ID, not the application ID)",
    ),
    "client": ("application (client) ID", "az ad app list --display-name <app-name> --query [].appId -o tsv"),
}


def parse_uuid(text: str, kind: str) -> str:
    """A GUID in canonical lower-case form. ``kind``: tenant, subscription, service_principal or client."""
    label, how = _UUID_FIELDS[kind]
    value = unquote(text)
    expected = f"a GUID such as 0a1b2c3d-4e5f-6789-abcd-ef0123456789. Find it with: {how}"
    require_plain_text(value, label, expected)
    if not value:
        raise InputError(f"No {label} given: expected {expected}.")
    if not _GUID.fullmatch(value):
        raise InputError(f"'{value}' is not a {label}: expected {expected}.")
    return str(uuid.UUID(value))


def parse_tenant_id(text: str) -> str:
    return parse_uuid(text, "tenant")


def parse_subscription_id(text: str) -> str:
    return parse_uuid(text, "subscription")


def parse_service_principal_id(text: str) -> str:
    return parse_uuid(text, "service_principal")


def validate_vault_name(name: str) -> str:
    """A key vault name: 3-24 letters, digits and hyphens, starting with a letter, ending with a letter or
    digit, no two hyphens in a row. Returned lower-case (vault names are DNS labels)."""
    value = (name or "").strip()
    problem = None
    if not 3 <= len(value) <= 24:
        problem = f"is {len(value)} characters long"
    elif foreign := foreign_character(value):
        problem = f"cannot be used: {foreign}"
    elif not _VAULT_NAME_CHARS.match(value):
        problem = "may only contain letters, digits and hyphens"
    elif not value[0].isalpha():
        problem = "must start with a letter"
    elif value[-1] == "-":
        problem = "must end with a letter or digit"
    elif "--" in value:
        problem = "has two hyphens in a row"
    if problem:
        raise InputError(
            f"Key vault name '{value}' {problem}. Vault names are 3-24 letters, digits and single hyphens, "
            "starting with a letter and ending with a letter or digit."
        )
    return value.lower()


def parse_vault_name(text: str) -> str:
    """A vault name, or the vault name out of a vault URI (``https://kv.vault.azure.net/``)."""
    value = unquote(text)
    if "://" in value or "." in value:
        require_plain_text(value, "key vault", "a vault name or its URI, https://<vault-name>.vault.azure.net/")
        parts = _split_url(value)
        _refuse_extras(parts, value)
        _, name = _vault_host(parts, value)
        return name
    return validate_vault_name(value)


def validate_resource_group(name: str) -> str:
    """A resource group name: 1-90 letters, digits, '_', '-', '.', '(' and ')', not ending with a period."""
    value = (name or "").strip()
    problem = None
    if not value:
        raise InputError(
            "No resource group given. Give the vault's resource group: "
            "az keyvault show --name <vault-name> --query resourceGroup -o tsv"
        )
    if len(value) > 90:
        problem = f"is {len(value)} characters long"
    elif bad := sorted({c for c in value if not (c.isalnum() or c in "_-.()")}):
        problem = f"has characters a resource group name cannot have ({''.join(bad)!r})"
    elif value.endswith("."):
        problem = "must not end with a period"
    if problem:
        raise InputError(
            f"Resource group name '{value}' {problem}. Expected 1-90 letters, digits, underscores, hyphens, "
            "periods and parentheses, not ending with a period."
        )
    return value
