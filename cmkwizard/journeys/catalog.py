"""Every journey the wizard offers, and what a project needs in each state.

The registry is filled here and only here: a new journey is one more entry below (its steps and its
inputs live in their own modules). What a project needs is said plainly even when no journey of this
wizard does it, so the home never offers a journey that does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cmkwizard.atlas.models import PROVIDER_AWS, PROVIDER_AZURE
from cmkwizard.journeys import disable, endpoints_change, more_clusters, rotate_journey
from cmkwizard.journeys.aws_inputs import OnboardAwsInputs
from cmkwizard.journeys.azure_inputs import OnboardAzureInputs
from cmkwizard.journeys.clusters import eligibility_table
from cmkwizard.journeys.failover import FAILOVER_AWS, FailoverInputs, offer_failover
from cmkwizard.journeys.onboard_aws import ONBOARD_AWS
from cmkwizard.journeys.onboard_azure import ONBOARD_AZURE
from cmkwizard.journeys.providers import active_config
from cmkwizard.journeys.registry import JourneyEntry, Offer, Registry
from cmkwizard.journeys.rotate_inputs import RotateInputs

if TYPE_CHECKING:
    from cmkwizard.state import ProjectState

INVALID_KEY_WARNING = "Atlas cannot use the project's key (valid: false): diagnose that first"
KEY_CHECK_WARNING = "Atlas is still checking the key (valid: false until it can encrypt and decrypt with it)"


def key_warning(state: ProjectState) -> str | None:
    """The warning every journey carries while Atlas reports the project's key invalid."""
    config = active_config(state.encryption)
    if config is None or config.valid is not False:
        return None
    return KEY_CHECK_WARNING if state.key_being_checked else INVALID_KEY_WARNING


def offer_onboard_aws(state: ProjectState) -> Offer | None:
    provider = state.encryption.active_provider
    kms = state.encryption.aws_kms
    if provider is None:
        return Offer("No customer-managed key is configured: set up AWS KMS from the Atlas role to the clusters")
    if provider == PROVIDER_AWS and kms.uses_legacy_credentials:
        return Offer(
            f"The project reaches AWS KMS with IAM user access key {kms.access_key_id}: move it to an Atlas role "
            "(cannot be undone; you confirm first)",
            key_warning(state),
        )
    return None


def offer_onboard_azure(state: ProjectState) -> Offer | None:
    provider = state.encryption.active_provider
    akv = state.encryption.azure_key_vault
    if provider is None:
        return Offer(
            "No customer-managed key is configured: set up Azure Key Vault from Atlas' service principal to the "
            "clusters"
        )
    if provider == PROVIDER_AZURE and akv.uses_legacy_credentials:
        return Offer(
            f"The project reaches Azure Key Vault with the secret of application {akv.client_id}, which expires: "
            "move it to Atlas' service principal (you confirm first)",
            key_warning(state),
        )
    return None


def _clusters_entry(provider: str) -> JourneyEntry[more_clusters.ClusterInputs]:
    journey = more_clusters.more_clusters_journey(provider)
    return JourneyEntry(
        journey.name,
        journey.title,
        journey,
        lambda state: more_clusters.offer_more_clusters(provider, state, key_warning(state)),
        lambda record: more_clusters.ClusterInputs(provider, clusters=_tuple(record.get("clusters"))),
    )


def _endpoints_entry(provider: str) -> JourneyEntry[endpoints_change.EndpointInputs]:
    journey = endpoints_change.endpoints_journey(provider)

    def inputs(record: dict) -> endpoints_change.EndpointInputs:
        known = {k: v for k, v in record.items() if k != "provider"}
        return endpoints_change.EndpointInputs(provider, **_tuples(known))

    return JourneyEntry(
        journey.name,
        journey.title,
        journey,
        lambda state: endpoints_change.offer_endpoints(provider, state, key_warning(state)),
        inputs,
    )


def _rotation_entry(provider: str) -> JourneyEntry[RotateInputs]:
    journey = rotate_journey.rotation_journey(provider)
    return JourneyEntry(
        journey.name,
        journey.title,
        journey,
        lambda state: rotate_journey.offer_rotation(provider, state),
        lambda record: RotateInputs.from_record(provider, record),
    )


def _disable_entry(provider: str) -> JourneyEntry[disable.DisableInputs]:
    journey = disable.disable_journey(provider)
    return JourneyEntry(
        journey.name,
        journey.title,
        journey,
        lambda state: disable.offer_disable(provider, state, key_warning(state)),
        lambda record: disable.DisableInputs.from_record(provider, record),
    )


def _tuple(value: object) -> tuple[str, ...] | None:
    return tuple(value) if isinstance(value, list | tuple) else None


def _tuples(record: dict) -> dict:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in record.items()}


def build_registry() -> Registry:
    registry = Registry()
    registry.register(
        JourneyEntry(ONBOARD_AWS.name, ONBOARD_AWS.title, ONBOARD_AWS, offer_onboard_aws, OnboardAwsInputs.from_record)
    )
    registry.register(
        JourneyEntry(
            ONBOARD_AZURE.name, ONBOARD_AZURE.title, ONBOARD_AZURE, offer_onboard_azure, OnboardAzureInputs.from_record
        )
    )
    registry.register(
        JourneyEntry(FAILOVER_AWS.name, FAILOVER_AWS.title, FAILOVER_AWS, offer_failover, FailoverInputs.from_record)
    )
    for provider in (PROVIDER_AWS, PROVIDER_AZURE):
        registry.register(_clusters_entry(provider))
    for provider in (PROVIDER_AWS, PROVIDER_AZURE):
        registry.register(_endpoints_entry(provider))
    for provider in (PROVIDER_AWS, PROVIDER_AZURE):
        registry.register(_rotation_entry(provider))
    for provider in (PROVIDER_AWS, PROVIDER_AZURE):
        registry.register(_disable_entry(provider))
    return registry


JOURNEYS = build_registry()


def project_needs(state: ProjectState) -> list[str]:
    """What the project needs now, in plain words, whether or not a journey of this wizard does it."""
    encryption = state.encryption
    provider = encryption.active_provider
    config = active_config(encryption)
    if provider is None:
        return [
            "Encryption at rest with a customer-managed key is not configured. This wizard sets it up with AWS KMS "
            "or Azure Key Vault."
        ]
    if config is None:
        return [f"The project uses {provider} keys, which this wizard does not manage."]
    if config.valid is False and state.key_being_checked:
        needs = [
            f"Encrypted with {config.label}; Atlas is still checking the key (valid: false until it can encrypt and "
            "decrypt with it). The live status shows when it is done."
        ]
    elif config.valid is False:
        needs = [
            f"Encrypted with {config.label}, but Atlas cannot use the key (valid: false). Diagnose first: is the "
            "key enabled, may the role still use it, is its region reachable? Journeys warn until it is valid."
        ]
    elif config.valid:
        needs = [f"Encrypted with {config.label}; Atlas can use the key."]
    else:
        needs = [f"{config.label} is configured; Atlas has not confirmed yet that it can use the key."]
    if config.legacy_credentials and provider == PROVIDER_AWS:
        needs.append(
            "Atlas reaches AWS KMS with an IAM user's access keys. Move it to an Atlas role (the AWS onboarding "
            "does it, after you confirm), then delete the access key in AWS."
        )
    elif config.legacy_credentials:
        needs.append(
            "Atlas reaches Azure Key Vault with an app registration's secret, which expires (Atlas does not say "
            "when). Move it to Atlas' service principal (the Azure onboarding does it, after you confirm), then "
            "delete the secret in Entra ID."
        )
    needs.append(_clusters_line(state, provider))
    unreadable = [u.part for u in state.unavailable]
    if unreadable:
        needs.append(f"Not readable with these credentials: {', '.join(unreadable)} (needs Project Owner).")
    return needs


def _clusters_line(state: ProjectState, provider: str) -> str:
    table = eligibility_table(state, provider)
    done = [e.name for e in table if e.already_enabled]
    waiting = [e.name for e in table if e.eligible and not e.already_enabled]
    unable = [e.name for e in table if not e.eligible and not e.already_enabled]
    parts = [f"Clusters using the key: {', '.join(done) or 'none'}"]
    if waiting:
        parts.append(f"eligible, not yet: {', '.join(waiting)}")
    if unable:
        parts.append(f"cannot use it: {', '.join(unable)}")
    return "; ".join(parts) + "."
