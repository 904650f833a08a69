"""What generic journey code knows about a key provider, through one interface: ``KeyProvider``.

Atlas keeps one configuration per provider (``awsKms``, ``azureKeyVault``); generic steps and pages read
it through ``key_config``, change it through ``KeyProvider.patch``, parse regions and wait with the
provider's own rules, and never reach for a provider's own fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cmkwizard.atlas.models import PROVIDER_AWS, PROVIDER_AZURE, AwsKmsPatch, AzureKeyVaultPatch, EncryptionAtRest
from cmkwizard.aws import regions as aws_regions
from cmkwizard.azure import regions as azure_regions
from cmkwizard.journeys.aws_inputs import atlas_partition, usable_region
from cmkwizard.journeys.base import Consequence, Timing


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
    region: str | None = None
    """The region the key lives in (Atlas form), for providers whose keys live in a region."""

    @property
    def label(self) -> str:
        return provider_label(self.provider)

    def describe(self) -> str:
        if not self.enabled:
            return f"{self.label} encryption at rest is not enabled"
        private = ", private networking required" if self.require_private_networking else ""
        valid = {True: "true", False: "false", None: "not reported yet"}[self.valid]
        return f"{self.label}: key {self.key} in {self.location}, valid: {valid}{private}"


def _aws_config(encryption: EncryptionAtRest) -> KeyConfig:
    kms = encryption.aws_kms
    return KeyConfig(
        PROVIDER_AWS,
        kms.enabled,
        kms.customer_master_key_id,
        kms.region,
        kms.valid,
        bool(kms.require_private_networking),
        kms.uses_legacy_credentials,
        region=kms.region,
    )


def _azure_config(encryption: EncryptionAtRest) -> KeyConfig:
    akv = encryption.azure_key_vault
    return KeyConfig(
        PROVIDER_AZURE,
        akv.enabled,
        akv.key_identifier,
        f"key vault {akv.key_vault_name}" if akv.key_vault_name else None,
        akv.valid,
        bool(akv.require_private_networking),
        akv.uses_legacy_credentials,
    )


PENDING_ACCEPTANCE = "waiting for the endpoint service to accept connection {name}"


def _any_region(region: str, atlas_base_url: str) -> bool:
    return True


@dataclass(frozen=True)
class KeyProvider:
    """A key provider as generic journeys and pages see it."""

    name: str
    """Atlas' name for it: AWS, AZURE."""
    label: str
    config_field: str
    """The block of the project's encryption-at-rest configuration that holds its settings."""
    read_config: Callable[[EncryptionAtRest], KeyConfig]
    patch_argument: str
    """The keyword of ``AtlasClient.update_encryption_at_rest`` that sends its block."""
    patch_type: Callable[..., Any]
    to_atlas_region: Callable[[str], str]
    """A region in any spelling the provider uses, in Atlas' form (InputError otherwise)."""
    timing: Timing
    offers_region: Callable[[str, str], bool] = _any_region
    """Whether an Atlas deployment (its base URL) can use keys and endpoints in a region (Atlas form)."""
    pending_acceptance: str = PENDING_ACCEPTANCE
    """What an endpoint in PENDING_ACCEPTANCE waits for (``{name}``: its connection's name)."""

    def patch(self, **fields: Any) -> dict[str, Any]:
        """Keyword arguments of ``AtlasClient.update_encryption_at_rest`` that change ``fields`` of its block."""
        return {self.patch_argument: self.patch_type(**fields)}


def _aws_offers_region(region: str, atlas_base_url: str) -> bool:
    return usable_region(region, atlas_partition(atlas_base_url))


PROVIDERS: dict[str, KeyProvider] = {
    PROVIDER_AWS: KeyProvider(
        PROVIDER_AWS,
        "AWS KMS",
        "awsKms",
        _aws_config,
        "aws_kms",
        AwsKmsPatch,
        aws_regions.to_atlas_region,
        # IAM: a new role or trust policy takes seconds to a few minutes to be honoured (access_budget).
        Timing(),
        offers_region=_aws_offers_region,
    ),
    PROVIDER_AZURE: KeyProvider(
        PROVIDER_AZURE,
        "Azure Key Vault",
        "azureKeyVault",
        _azure_config,
        "azure_key_vault",
        AzureKeyVaultPatch,
        azure_regions.to_atlas_region,
        # A role assignment on the vault takes up to 10 minutes to be honoured; until then Atlas cannot wrap
        # with the key and reports it not valid.
        Timing(valid_budget=600.0),
        pending_acceptance=(
            "approve the private endpoint connection {name} on the key vault (Networking > Private endpoint "
            "connections); Atlas notices an approval within about 3 minutes"
        ),
    ),
}
PROVIDER_LABELS = {name: provider.label for name, provider in PROVIDERS.items()}
CONFIG_FIELDS = {name: provider.config_field for name, provider in PROVIDERS.items()}


def key_provider(name: str) -> KeyProvider:
    try:
        return PROVIDERS[name]
    except KeyError:
        raise ValueError(f"unknown key provider {name!r}; expected one of {', '.join(PROVIDERS)}") from None


def provider_label(provider: str) -> str:
    return PROVIDER_LABELS.get(provider, provider)


def timing_for(provider: str) -> Timing:
    """How long a journey with ``provider``'s key waits and retries."""
    return key_provider(provider).timing


def key_config(encryption: EncryptionAtRest, provider: str) -> KeyConfig:
    return key_provider(provider).read_config(encryption)


def active_config(encryption: EncryptionAtRest) -> KeyConfig | None:
    """The configuration of the provider the project uses, or None when none (or one the wizard does not know)."""
    provider = encryption.active_provider
    return key_config(encryption, provider) if provider in PROVIDERS else None


def key_change_consequence(before: Mapping[str, Any], sent: Mapping[str, Any], previous_key: str) -> Consequence:
    """The confirmation of changing a configured project's key settings (``sent`` over ``before``)."""
    changes = ", ".join(f"{name} {before[name]} → {value}" for name, value in sent.items())
    return Consequence(
        "Change the project's key?",
        f"Atlas will use the new settings for every encrypted cluster of the project: {changes}. Keep the "
        f"previous {previous_key} enabled: snapshots taken with it still need it until they expire.",
        "Change the key",
    )


def other_provider(encryption: EncryptionAtRest, provider: str) -> str | None:
    """The provider the project is encrypted with when it is not ``provider`` (None when none or the same)."""
    active = encryption.active_provider
    return active if active not in (None, provider) else None


def provider_switch_refusal(other: str) -> tuple[str, str]:
    """Why a key of another provider cannot be configured in place: the summary and the reason."""
    label = provider_label(other)
    return (
        f"The project uses {label}",
        "Atlas cannot switch providers in place (CANNOT_CHANGE_ENCRYPTION_AT_REST_PROVIDER): disable "
        f"{label} encryption first (clusters to NONE, then the project).",
    )
