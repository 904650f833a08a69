"""Alert configurations (the key-rotation reminder Atlas creates) and the project's event feed."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from cmkwizard.sandbox.atlas_sim import enums, errors, views
from cmkwizard.sandbox.atlas_sim.bodies import HEX_ID, Field, check_object, check_value
from cmkwizard.sandbox.atlas_sim.context import Call, Reply, ok, require_body
from cmkwizard.sandbox.atlas_sim.errors import ApiError
from cmkwizard.sandbox.atlas_sim.pagination import Page, bool_param, paginate
from cmkwizard.sandbox.atlas_sim.store import AlertConfig

_SEVERITIES = ("INFO", "WARNING", "ERROR", "CRITICAL")
_MATCH_OPERATORS = ("EQUALS", "CONTAINS", "STARTS_WITH", "ENDS_WITH", "NOT_EQUALS", "NOT_CONTAINS", "REGEX")
_CONFIG = {
    "eventTypeName": Field("string"),
    "enabled": Field("boolean"),
    "notifications": Field("array"),
    "matchers": Field("array"),
    "threshold": Field("object"),
    "severityOverride": Field("string", enum=_SEVERITIES),
    **{name: Field("string", read_only=True) for name in ("created", "groupId", "id", "updated")},
    "links": Field("array", read_only=True),
}
_THRESHOLD = {
    "operator": Field("string", enum=("GREATER_THAN",)),
    "threshold": Field("integer", minimum=0),
    "units": Field("string", enum=("DAYS",)),
}
_MATCHER = {
    "fieldName": Field("string"),
    "operator": Field("string", enum=_MATCH_OPERATORS),
    "value": Field("string"),
}
_TEXT = Field("string")
_NOTIFICATION = {
    "typeName": Field("string", enum=enums.NOTIFICATION_TYPES),
    "intervalMin": Field("integer", minimum=5),
    "delayMin": Field("integer", minimum=0),
    "emailEnabled": Field("boolean"),
    "smsEnabled": Field("boolean"),
    "roles": Field("array"),
    "notifierId": Field("string", pattern=HEX_ID, pattern_hint="a 24-character hexadecimal id"),
    **{
        name: _TEXT
        for name in [
            "apiToken",
            "channelName",
            "datadogApiKey",
            "datadogRegion",
            "emailAddress",
            "integrationId",
            "microsoftTeamsWebhookUrl",
            "mobileNumber",
            "notificationToken",
            "opsGenieApiKey",
            "opsGenieRegion",
            "region",
            "roomName",
            "serviceKey",
            "teamId",
            "teamName",
            "username",
            "victorOpsApiKey",
            "victorOpsRoutingKey",
            "webhookSecret",
            "webhookUrl",
        ]
    },
}
_ALERTABLE = frozenset(enums.ENCRYPTION_KEY_ALERT_EVENTS) | enums.PLAIN_ALERT_EVENTS


def _view(call: Call, config: AlertConfig) -> dict[str, Any]:
    return views.alert_config(config, call.group_id, call.url)


def list_alert_configs(call: Call) -> Reply:
    items = [_view(call, c) for c in call.project.alert_configs.values()]
    return ok(paginate(items, Page.from_query(call.query), call.url))


def _find(call: Call) -> AlertConfig:
    config_id = call.params["alertConfigId"]
    if not HEX_ID.match(config_id):
        raise errors.invalid_id("alertConfigId", config_id)
    config = call.project.alert_configs.get(config_id)
    if config is None:
        raise ApiError(
            404, "ALERT_CONFIG_NOT_FOUND", f"No alert configuration with ID {config_id} exists.", [config_id]
        )
    return config


def get_alert_config(call: Call) -> Reply:
    return ok(_view(call, _find(call)))


def replace_alert_config(call: Call) -> Reply:
    config = _find(call)
    fields = check_object(require_body(call), _CONFIG)
    missing = [name for name in ("eventTypeName", "notifications") if name not in fields]
    if missing:
        raise errors.missing_attribute(missing, "an alert configuration (PUT replaces the whole configuration)")
    event_type = fields["eventTypeName"]
    if event_type not in _ALERTABLE:
        raise ApiError(
            400,
            "INVALID_EVENT_TYPE_FOR_ALERT",
            f"Event type {event_type} cannot be used for this alert configuration.",
            [event_type],
        )
    if event_type in enums.THRESHOLD_ALERT_EVENTS:
        if "threshold" not in fields:
            raise ApiError(400, "MISSING_THRESHOLD", f"Alerts for {event_type} need a threshold.", [event_type])
        check_object(fields["threshold"], _THRESHOLD, path="threshold")
        _require(fields["threshold"], "threshold", ("operator", "threshold", "units"))
    elif "threshold" in fields:
        raise ApiError(400, "THRESHOLD_PRESENT", f"Alerts for {event_type} take no threshold.", [event_type])
    _check_notifications(fields["notifications"])
    for index, matcher in enumerate(fields.get("matchers", [])):
        check_object(matcher, _MATCHER, path=f"matchers[{index}]")
        _require(matcher, f"matchers[{index}]", ("fieldName", "operator", "value"))
    config.body = {"enabled": False, "matchers": [], **fields}
    config.updated = call.now
    return ok(_view(call, config))


def _check_notifications(notifications: list[Any]) -> None:
    if not 1 <= len(notifications) <= 25:
        raise errors.validation_error("notifications", "between 1 and 25 notifications are required")
    for index, notification in enumerate(notifications):
        path = f"notifications[{index}]"
        given = check_object(notification, _NOTIFICATION, path=path)
        _require(given, path, ("typeName",))
        for role_index, role in enumerate(given.get("roles", [])):
            check_value(f"{path}.roles[{role_index}]", role, _TEXT)
        if given["typeName"] in ("GROUP", "ORG", "USER") and not ({"emailEnabled", "smsEnabled"} & set(given)):
            raise errors.missing_attribute([f"{path}.emailEnabled"], f"a {given['typeName']} notification")


def _require(given: dict[str, Any], path: str, names: tuple[str, ...]) -> None:
    missing = [f"{path}.{name}" for name in names if name not in given]
    if missing:
        raise errors.missing_attribute(missing)


# Events.

_EVENT_TYPE = re.compile(r"^[A-Z][A-Z0-9_]*$")


def list_events(call: Call) -> Reply:
    query = call.query
    wanted = set(_event_types(query.getlist("eventType"), "eventType"))
    excluded = set(_event_types(query.getlist("excludedEventType"), "excludedEventType"))
    clusters = set(query.getlist("clusterNames"))
    min_date = _date_param(query.get("minDate"), "minDate")
    max_date = _date_param(query.get("maxDate"), "maxDate")
    include_raw = bool_param(query, "includeRaw", False)
    project = call.project
    selected = [
        e
        for e in project.events
        if (not wanted or e.event_type in wanted)
        and e.event_type not in excluded
        and (not clusters or e.cluster_name in clusters)
        and (min_date is None or e.created >= min_date)
        and (max_date is None or e.created <= max_date)
    ]
    selected.sort(key=lambda e: e.created, reverse=True)
    items = [views.event(e, project.id, project.org_id, call.url, include_raw=include_raw) for e in selected]
    return ok(paginate(items, Page.from_query(query), call.url))


def _event_types(values: list[str], name: str) -> list[str]:
    for value in values:
        if not _EVENT_TYPE.match(value):
            raise errors.invalid_enum_value(name, value)
    return values


def _date_param(raw: str | None, name: str) -> datetime | None:
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise errors.validation_error(
            name, f"expected an ISO 8601 date-time such as 2026-01-31T00:00:00Z, got {raw!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
