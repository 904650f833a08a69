"""Where a project's key stands before a rotation: its age, the rotation alert, what the cloud rotates itself.

Observers of the key service (AWS automatic rotation, Azure key versions) join the Atlas ones
(``KEY_EVENTS``, ``ROTATION_ALERT``); ``where_things_stand`` turns the observation into the lines the
first page and the dry run show.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cmkwizard.atlas.models import PROVIDER_AWS, PROVIDER_AZURE
from cmkwizard.aws.regions import to_aws_region
from cmkwizard.azure.identifiers import parse_key_identifier
from cmkwizard.journeys.atlas_facts import KEY_EVENTS, ROTATION_ALERT
from cmkwizard.journeys.observe import NotObservable, Observer
from cmkwizard.journeys.providers import key_config

if TYPE_CHECKING:
    from cmkwizard.atlas.models import AlertConfig, Event
    from cmkwizard.aws.resources import KeyRotation
    from cmkwizard.azure.keys import VaultKey
    from cmkwizard.journeys.observe import Sources
    from cmkwizard.state import ProjectState

CONFIGURATION_UPDATED = "ENCRYPTION_AT_REST_CONFIGURATION_UPDATED"
AUTOMATIC_ROTATION_DAYS = 365
"""AWS' default rotation period: with automatic rotation on, a rotation alert above it avoids false reminders."""


def rotation_status_command(key: str, region: str) -> str:
    return f"aws kms get-key-rotation-status --key-id {shlex.quote(key)} --region {to_aws_region(region)}"


async def _aws_rotation(sources: Sources, state: ProjectState) -> KeyRotation:
    kms = state.encryption.aws_kms
    if state.encryption.active_provider != PROVIDER_AWS or not kms.customer_master_key_id or not kms.region:
        raise NotObservable("the project's key is not an AWS KMS key")
    aws = sources.cloud.client_for(PROVIDER_AWS) if sources.cloud is not None else None
    if aws is None:
        command = rotation_status_command(kms.customer_master_key_id, kms.region)
        raise NotObservable(f"no AWS credentials; check by hand: {command}")
    return await aws.key_rotation_status(kms.customer_master_key_id, kms.region)


def _describe_rotation(rotation: KeyRotation) -> str:
    if not rotation.enabled:
        return "off"
    period = f" every {rotation.period_days} days" if rotation.period_days else ""
    following = f", next on {rotation.next_rotation:%Y-%m-%d}" if rotation.next_rotation else ""
    return f"on{period}{following}"


AWS_KEY_ROTATION = Observer("aws_key_rotation", "AWS automatic rotation", _aws_rotation, _describe_rotation)
"""Whether KMS rotates the project's key material itself (GetKeyRotationStatus, needs AWS credentials)."""


async def _azure_versions(sources: Sources, state: ProjectState) -> tuple[VaultKey, ...]:
    akv = state.encryption.azure_key_vault
    if state.encryption.active_provider != PROVIDER_AZURE or not akv.key_identifier:
        raise NotObservable("the project's key is not an Azure Key Vault key")
    azure = sources.cloud.client_for(PROVIDER_AZURE) if sources.cloud is not None else None
    if azure is None:
        key = parse_key_identifier(akv.key_identifier, require_version=False)
        raise NotObservable(
            f"no Azure credentials; list them by hand: az keyvault key list-versions --vault-name {key.vault_name} "
            f"--name {key.key_name}"
        )
    key = parse_key_identifier(akv.key_identifier, require_version=False)
    return tuple(await azure.list_key_versions(key.vault_url, key.key_name))


def _describe_versions(versions: tuple[VaultKey, ...]) -> str:
    if not versions:
        return "none listed"
    newest = versions[0]
    when = f", created {newest.created:%Y-%m-%d}" if newest.created else ""
    return f"{len(versions)}, the newest {newest.version}{when}"


AZURE_KEY_VERSIONS = Observer("azure_key_versions", "Key versions", _azure_versions, _describe_versions)
"""Every version of the project's Key Vault key, newest first (needs Azure credentials)."""


def rotation_observers(provider: str) -> tuple[Observer, ...]:
    cloud = AWS_KEY_ROTATION if provider == PROVIDER_AWS else AZURE_KEY_VERSIONS
    return (KEY_EVENTS, ROTATION_ALERT, cloud)


@dataclass(frozen=True)
class KeyChange:
    """The last time the project's key changed: a rotation event, else the last configuration update."""

    when: datetime
    rotated: bool


def last_key_change(events: tuple[Event, ...], provider: str) -> KeyChange | None:
    rotated = f"{provider}_ENCRYPTION_KEY_ROTATED"
    for wanted, is_rotation in ((rotated, True), (CONFIGURATION_UPDATED, False)):
        found = next((e for e in events if e.event_type_name == wanted and e.created is not None), None)
        if found is not None and found.created is not None:
            return KeyChange(found.created, is_rotation)
    return None


def where_things_stand(state: ProjectState, provider: str, now: datetime) -> list[str]:
    """The project's key, when it last changed, the rotation alert, and what the key service rotates itself."""
    config = key_config(state.encryption, provider)
    if not config.enabled:
        return [f"{config.label} encryption at rest is not enabled: there is no key to rotate."]
    valid = {True: "Atlas reports it valid", False: "Atlas reports it INVALID (valid: false)"}
    lines = [f"Key: {config.key} in {config.location}; {valid.get(config.valid, 'not validated yet')}."]
    observed = state.observed
    change = None
    if (reason := observed.unavailable(KEY_EVENTS.name)) is not None:
        lines.append(f"Last rotation: unknown, the project's events could not be read ({reason}).")
    else:
        change = last_key_change(observed.get(KEY_EVENTS.name, ()), provider)
        lines.append(_age_line(change, now))
    lines.append(_alert_line(observed.get(ROTATION_ALERT.name), observed.unavailable(ROTATION_ALERT.name), change, now))
    if provider == PROVIDER_AWS:
        lines.append(_automatic_line(observed.get(AWS_KEY_ROTATION.name), observed.unavailable(AWS_KEY_ROTATION.name)))
    else:
        versions = observed.get(AZURE_KEY_VERSIONS.name)
        lines.append(_versions_line(versions, observed.unavailable(AZURE_KEY_VERSIONS.name), config.key or ""))
    return lines


def _days(since: datetime, now: datetime) -> int:
    return max(0, (now - since).days)


def _age_line(change: KeyChange | None, now: datetime) -> str:
    if change is None:
        return "Last rotation: no key rotation or configuration change in the last 400 days."
    ago = _days(change.when, now)
    if change.rotated:
        return f"Last rotation: {change.when:%Y-%m-%d} ({ago} days ago)."
    return (
        f"Last rotation: none recorded in the last 400 days; the configuration last changed on "
        f"{change.when:%Y-%m-%d} ({ago} days ago)."
    )


def _alert_line(alert: AlertConfig | None, unavailable: str | None, change: KeyChange | None, now: datetime) -> str:
    if unavailable is not None:
        return f"Rotation alert: unknown ({unavailable})."
    if alert is None:
        return "Rotation alert: none. Atlas normally creates a 90-day one; without it nobody is reminded to rotate."
    if not alert.enabled:
        return f"Rotation alert: {alert.event_type_name} is OFF: nobody is reminded to rotate."
    if alert.threshold_days is None:
        return f"Rotation alert: {alert.event_type_name} on, without a day threshold."
    due = ""
    if change is not None:
        left = alert.threshold_days - _days(change.when, now)
        due = f": it fires in {left} days" if left > 0 else ": the key is due for rotation now"
    return f"Rotation alert: fires {alert.threshold_days} days after the last rotation{due}."


def _automatic_line(rotation: KeyRotation | None, unavailable: str | None) -> str:
    if unavailable is not None or rotation is None:
        return f"AWS automatic rotation: unknown ({unavailable})."
    if not rotation.enabled:
        return (
            "AWS automatic rotation: off. Rotate by moving Atlas to a new key (this journey), or turn automatic "
            "rotation on in KMS."
        )
    return (
        f"AWS automatic rotation: {_describe_rotation(rotation)}. KMS rotates the key material under the same key "
        "id, so Atlas needs no change: you may keep the key and set the rotation alert above "
        f"{AUTOMATIC_ROTATION_DAYS} days."
    )


def _versions_line(versions: tuple[Any, ...] | None, unavailable: str | None, current: str) -> str:
    if unavailable is not None or versions is None:
        return f"Key versions: unknown ({unavailable})."
    if not versions:
        return "Key versions: none listed."
    newest = versions[0]
    if newest.version and current.lower().endswith(newest.version.lower()):
        return f"Key versions: {len(versions)}; the project uses the newest ({newest.version})."
    return (
        f"Key versions: {len(versions)}; a newer version {newest.version} exists than the one the project uses: "
        "rotate to it here."
    )
