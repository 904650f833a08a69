"""A Key Vault key version as the wizard sees it, and what would stop Atlas from using it.

The checks mirror the refusals Atlas answers an encryption-at-rest change with, so the operator
hears about them (with the Atlas error code) before Atlas does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cmkwizard.azure.identifiers import KeyIdentifier, parse_key_identifier

RSA_KEY_TYPES = frozenset({"RSA", "RSA-HSM"})
# Atlas protects its data keys with either pair of operations.
PROTECT_OPERATION_PAIRS = (("wrapKey", "unwrapKey"), ("encrypt", "decrypt"))
EXPIRY_WARNING = timedelta(hours=48)

KEY_NOT_ENABLED = "AZURE_KEY_VAULT_KEY_NOT_ENABLED"
KEY_NOT_ACTIVE = "AZURE_KEY_VAULT_KEY_NOT_ACTIVE"
KEY_EXPIRED = "AZURE_KEY_VAULT_KEY_EXPIRED"
KEY_EXPIRING = "AZURE_KEY_VAULT_KEY_EXPIRING"
NO_PERMISSION = "NO_PERMISSION_TO_ENCRYPT_DECRYPT"


@dataclass(frozen=True)
class KeyProblem:
    code: str  # the Atlas error code Atlas would answer with
    what: str
    next_step: str


@dataclass(frozen=True)
class VaultKey:
    """One version of a key. ``key_type`` and ``key_ops`` are unknown (None, ()) for listed versions."""

    kid: str
    name: str
    version: str | None
    enabled: bool | None
    expires_on: datetime | None
    not_before: datetime | None
    key_type: str | None
    key_ops: tuple[str, ...]
    created: datetime | None

    @property
    def identifier(self) -> KeyIdentifier:
        """The key identifier (versioned when ``version`` is known), parsed from ``kid``."""
        return parse_key_identifier(self.kid, require_version=False)

    def problems(self, now: datetime | None = None) -> tuple[KeyProblem, ...]:
        """Everything that stops Atlas from using this version now, or within 48 hours."""
        now = now or datetime.now(UTC)
        vault, where = self.identifier.vault_name, f"--vault-name {self.identifier.vault_name} --name {self.name}"
        version = f" --version {self.version}" if self.version else ""
        found: list[KeyProblem] = []
        if self.enabled is False:
            found.append(
                KeyProblem(
                    KEY_NOT_ENABLED,
                    f"Key {self.name} (version {self.version}) is disabled.",
                    f"Enable it: az keyvault key set-attributes {where}{version} --enabled true",
                )
            )
        if self.not_before is not None and self.not_before > now:
            found.append(
                KeyProblem(
                    KEY_NOT_ACTIVE,
                    f"Key {self.name} is not active until {_when(self.not_before)}.",
                    f"Wait until then, or move its activation date: az keyvault key set-attributes {where}{version} "
                    f"--not-before {now:%Y-%m-%dT%H:%M:%SZ}",
                )
            )
        if self.expires_on is not None and self.expires_on <= now:
            found.append(
                KeyProblem(
                    KEY_EXPIRED,
                    f"Key {self.name} expired on {_when(self.expires_on)}.",
                    f"Extend it (az keyvault key set-attributes {where}{version} --expires <date>) or create a new "
                    f"version and use that one: az keyvault key rotate {where}",
                )
            )
        elif self.expires_on is not None and self.expires_on <= now + EXPIRY_WARNING:
            found.append(
                KeyProblem(
                    KEY_EXPIRING,
                    f"Key {self.name} expires on {_when(self.expires_on)}, within 48 hours; Atlas refuses such a key.",
                    f"Extend it: az keyvault key set-attributes {where}{version} --expires <a later date>",
                )
            )
        if self.key_type is not None and self.key_type not in RSA_KEY_TYPES:
            found.append(
                KeyProblem(
                    NO_PERMISSION,
                    f"Key {self.name} is an {self.key_type} key; Atlas encrypts with RSA keys.",
                    f"Create an RSA key and use it instead: az keyvault key create --vault-name {vault} "
                    "--name <new-key-name> --kty RSA --size 3072",
                )
            )
        elif self.key_type is not None and not any(set(pair) <= set(self.key_ops) for pair in PROTECT_OPERATION_PAIRS):
            allowed = ", ".join(self.key_ops) or "no operations"
            found.append(
                KeyProblem(
                    NO_PERMISSION,
                    f"Key {self.name} permits {allowed}; Atlas needs wrapKey and unwrapKey, or encrypt and decrypt.",
                    f"Allow them: az keyvault key set-attributes {where}{version} "
                    "--ops encrypt decrypt wrapKey unwrapKey",
                )
            )
        return tuple(found)


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
