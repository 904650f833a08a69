"""What generic journey code knows about a key provider: its name, and its part of the project's configuration.

Atlas keeps one configuration per provider (``awsKms``, ``azureKeyVault``); generic steps and pages read
it through ``key_config`` and never reach for a provider's own fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from cmkwizard.atlas.models import PROVIDER_AWS, PROVIDER_AZURE, EncryptionAtRest

PROVIDER_LABELS = {PROVIDER_AWS: "AWS KMS", PROVIDER_AZURE: "Azure Key Vault"}
CONFIG_FIELDS = {PROVIDER_AWS: "awsKms", PROVIDER_AZURE: "azureKeyVault"}


def provider_label(provider: str) -> str:
    return PROVIDER_LABELS.get(provider, provider)


@dataclass(frozen=True)
class KeyConfig:
    """One provider's encryption-at-rest configuration, in terms every journey understands."""

    provider: str
    enabled: bool
    key: str | None
    location: str | None
    """Where the key lives: the AWS region, or the Azure key vault."""
    valid: bool | None
    require_private_networking: bool
    legacy_credentials: bool
    """Atlas reaches the key with long-lived credentials (IAM user access keys, an app secret), not a role."""

    @property
    def label(self) -> str:
        return provider_label(self.provider)

    def describe(self) -> str:
        if not self.enabled:
            return f"{self.label} encryption at rest is not enabled"
        private = ", private networking required" if self.require_private_networking else ""
        return f"{self.label}: key {self.key} in {self.location}, valid {self.valid}{private}"


def key_config(encryption: EncryptionAtRest, provider: str) -> KeyConfig:
    if provider == PROVIDER_AWS:
        kms = encryption.aws_kms
        return KeyConfig(
            provider,
            kms.enabled,
            kms.customer_master_key_id,
            kms.region,
            kms.valid,
            bool(kms.require_private_networking),
            kms.uses_legacy_credentials,
        )
    if provider == PROVIDER_AZURE:
        akv = encryption.azure_key_vault
        return KeyConfig(
            provider,
            akv.enabled,
            akv.key_identifier,
            f"key vault {akv.key_vault_name}" if akv.key_vault_name else None,
            akv.valid,
            bool(akv.require_private_networking),
            akv.uses_legacy_credentials,
        )
    raise ValueError(f"unknown key provider {provider!r}; expected one of {', '.join(PROVIDER_LABELS)}")


def active_config(encryption: EncryptionAtRest) -> KeyConfig | None:
    """The configuration of the provider the project uses, or None when none (or one the wizard does not know)."""
    provider = encryption.active_provider
    return key_config(encryption, provider) if provider in PROVIDER_LABELS else None
