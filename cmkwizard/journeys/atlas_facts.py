"""Observers of Atlas itself that several journeys judge from: recent key events and the rotation alert."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from cmkwizard.journeys.observe import NotObservable, Observer

if TYPE_CHECKING:
    from cmkwizard.atlas.models import AlertConfig, Event
    from cmkwizard.journeys.observe import Sources
    from cmkwizard.state import ProjectState

EVENT_WINDOW = timedelta(days=400)
"""Long enough to see the last rotation of a key rotated yearly."""

KEY_EVENT_TYPES = (
    *(
        f"{provider}_ENCRYPTION_KEY_{what}"
        for provider in ("AWS", "AZURE")
        for what in ("ROTATED", "NEEDS_ROTATION", "VALID", "INVALID")
    ),
    "ENCRYPTION_AT_REST_CONFIGURATION_UPDATED",
    "ENCRYPTION_AT_REST_CONFIGURATION_VALIDATION_FAILED",
    "ENCRYPTION_AT_REST_CONFIGURATION_VALIDATION_SUCCEEDED",
    "ENCRYPTION_AT_REST_KMS_NETWORK_ACCESS_DENIED",
    "ENCRYPTION_AT_REST_KMS_NETWORK_ACCESS_RESTORED",
    "ENCRYPTION_AT_REST_CONFIG_NO_LONGER_VALID",
    "ENCRYPTION_AT_REST_CONFIG_IS_VALID",
)


async def _key_events(sources: Sources, state: ProjectState) -> tuple[Event, ...]:
    since = sources.clock.now() - EVENT_WINDOW
    events = await sources.client.list_events(sources.project_id, KEY_EVENT_TYPES, since, include_raw=True)
    return tuple(events)


def _describe_events(events: tuple[Event, ...]) -> str:
    if not events:
        return "none in the last 400 days"
    latest = events[0]
    when = latest.created.strftime("%Y-%m-%d %H:%M UTC") if latest.created else "at an unknown time"
    return f"{len(events)}, the latest {latest.event_type_name} on {when}"


KEY_EVENTS = Observer("key_events", "Key events", _key_events, _describe_events)
"""Encryption-key and configuration events of the last 400 days, newest first."""


async def _rotation_alert(sources: Sources, state: ProjectState) -> AlertConfig | None:
    provider = state.encryption.active_provider
    if provider is None:
        raise NotObservable("no customer-managed key is configured")
    wanted = f"{provider}_ENCRYPTION_KEY_NEEDS_ROTATION"
    configs = await sources.client.list_alert_configs(sources.project_id)
    return next((c for c in configs if c.event_type_name == wanted), None)


def _describe_alert(config: AlertConfig | None) -> str:
    if config is None:
        return "no rotation alert is configured"
    state = "on" if config.enabled else "off"
    after = f"after {config.threshold_days} days" if config.threshold_days is not None else "without a day threshold"
    return f"{config.event_type_name} {state}, {after}"


ROTATION_ALERT = Observer("rotation_alert", "Rotation alert", _rotation_alert, _describe_alert)
"""The project's key-rotation reminder for the configured provider (None when there is none)."""
