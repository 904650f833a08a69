"""How a `ProjectState` reads in the status pane: one block of text per resource kind.

Lines are laid out for a narrow pane (`width` columns): long values such as ARNs move under their
label and wrap with an indent. Items that changed in the latest read carry a marker. Colours come
from the theme, so the pane follows light and dark themes alike.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from datetime import UTC, datetime

from textual.content import Content

from cmkwizard.atlas.models import (
    ENDPOINT_ACTIVE,
    ENDPOINT_DELETING,
    ENDPOINT_FAILED,
    ENDPOINT_INITIATING,
    ENDPOINT_PENDING_ACCEPTANCE,
    ENDPOINT_PENDING_RECREATION,
    PROVIDER_AWS,
    PROVIDER_AZURE,
    PROVIDER_NONE,
    AwsIamRole,
    AzureServicePrincipal,
    Cluster,
    PrivateEndpoint,
)
from cmkwizard.state import Change, ProjectState, Subject

Changed = set[tuple[Subject, str]]

CHANGED_MARK = "[$warning]◆[/] "
NO_MARK = "  "

ENDPOINT_STYLES = {
    ENDPOINT_ACTIVE: "$success",
    ENDPOINT_FAILED: "$error",
    ENDPOINT_PENDING_ACCEPTANCE: "$warning",
    ENDPOINT_PENDING_RECREATION: "$warning",
    ENDPOINT_INITIATING: "$text-primary",
    ENDPOINT_DELETING: "$text-primary",
}

ENDPOINT_NOTES = {
    ENDPOINT_INITIATING: "Atlas is creating it.",
    ENDPOINT_PENDING_ACCEPTANCE: "Waiting for the connection to be approved.",
    ENDPOINT_PENDING_RECREATION: "Rejected or removed on the provider side; Atlas is recreating it.",
    ENDPOINT_DELETING: "Atlas is removing it.",
}

# The alerts Atlas raises in this situation, without their shared ENCRYPTION_AT_REST_ prefix (too wide for the pane).
INVALID_KEY_ALERTS = ("KMS_NETWORK_ACCESS_DENIED", "CONFIG_NO_LONGER_VALID")
KEY_CHECK_NOTE = "Atlas reports valid: false until it has checked it can encrypt and decrypt with the key."
INVALID_KEY_WARNING = (
    "A node that restarts while valid is false stays down until Atlas can use the key again: "
    "do not restart, resize or pause clusters."
)


def changed_items(changes: Iterable[Change]) -> Changed:
    return {(change.subject, change.key) for change in changes}


def encryption_block(state: ProjectState, changed: Changed, width: int) -> Content:
    ear = state.encryption
    lines = [_heading("Encryption at rest")]
    provider_changed = {(Subject.ENCRYPTION, PROVIDER_AWS), (Subject.ENCRYPTION, PROVIDER_AZURE)} & changed
    mark = CHANGED_MARK if provider_changed else NO_MARK
    if ear.aws_kms.enabled:
        kms = ear.aws_kms
        lines.append(Content.from_markup(f"{mark}AWS KMS  {_valid_markup(kms.valid, state.key_being_checked)}"))
        lines += _field("key", kms.customer_master_key_id, width)
        lines += _field("region", kms.region, width)
        lines += _field("private networking", _required(kms.require_private_networking), width)
        if kms.uses_legacy_credentials:
            lines += _note("Uses IAM user access keys (legacy).", "$warning", width)
    elif ear.azure_key_vault.enabled:
        akv = ear.azure_key_vault
        lines.append(Content.from_markup(f"{mark}Azure Key Vault  {_valid_markup(akv.valid, state.key_being_checked)}"))
        lines += _field("vault", akv.key_vault_name, width)
        lines += _field("key", akv.key_identifier, width)
        lines += _field("private networking", _required(akv.require_private_networking), width)
        if akv.uses_legacy_credentials:
            lines += _note("Uses an app client secret (legacy).", "$warning", width)
    elif ear.google_cloud_kms_enabled:
        lines.append(Content.from_markup(f"{mark}Google Cloud KMS (managed elsewhere)"))
    else:
        lines.append(Content.from_markup(f"{mark}[$text-muted]not enabled[/]"))
    if ear.valid is False and state.key_being_checked:
        lines += _note(KEY_CHECK_NOTE, "$warning", width)
    elif ear.valid is False:
        lines.append(Content.from_markup("[b $error]⚠ Atlas cannot use the key.[/]"))
        lines.append(Content.from_markup("  [$error]Alerts ENCRYPTION_AT_REST_…[/]"))
        lines += [Content.from_markup("    [$error]$alert[/]", alert=alert) for alert in INVALID_KEY_ALERTS]
        lines += _note(INVALID_KEY_WARNING, "$error", width)
    return _join(lines)


def roles_block(state: ProjectState, changed: Changed, width: int) -> Content:
    """The role encryption uses; without one, every role Atlas has for this project."""
    ear = state.encryption
    in_use = ear.aws_kms.role_id or ear.azure_key_vault.role_id
    roles: list[AwsIamRole | AzureServicePrincipal] = [*state.access.aws_roles, *state.access.azure_principals]
    if in_use:
        roles = [r for r in roles if r.role_id == in_use] or roles
    lines = [_heading("Cloud provider access")]
    if not roles:
        lines.append(Content.from_markup(f"{NO_MARK}[$text-muted]no role yet[/]"))
    for role in roles:
        mark = CHANGED_MARK if (Subject.ROLE, role.role_id) in changed else NO_MARK
        if isinstance(role, AwsIamRole):
            status = "[$success]authorized[/]" if role.authorized else "[$warning]not authorized[/]"
            lines.append(Content.from_markup(f"{mark}AWS IAM role  {status}"))
            lines += _field("id", role.role_id, width)
            if role.iam_assumed_role_arn:
                lines += _field("arn", role.iam_assumed_role_arn, width)
        else:
            lines.append(Content.from_markup(f"{mark}Azure service principal"))
            lines += _field("id", role.role_id, width)
            lines += _field("object id", role.service_principal_id, width)
    return _join(lines)


def clusters_block(state: ProjectState, changed: Changed, width: int) -> Content:
    lines = [_heading(f"Clusters ({len(state.clusters)})")]
    if not state.clusters:
        lines.append(Content.from_markup(f"{NO_MARK}[$text-muted]none[/]"))
    name_width = max((len(c.name) for c in state.clusters), default=0)
    name_width = min(name_width, width - 20)
    for cluster in state.clusters:
        mark = CHANGED_MARK if (Subject.CLUSTER, cluster.name) in changed else NO_MARK
        lines.append(_cluster_line(cluster, mark, name_width))
    return _join(lines)


def _cluster_line(cluster: Cluster, mark: str, name_width: int) -> Content:
    provider = cluster.encryption_at_rest_provider
    provider_style = "$text-muted" if provider == PROVIDER_NONE else "$success"
    state_style = "$text-primary" if cluster.in_transition else "$text"
    state = "PAUSED" if cluster.paused else cluster.state_name
    name = cluster.name if len(cluster.name) <= name_width else cluster.name[: name_width - 1] + "…"
    return Content.from_markup(
        f"{mark}$name  [{provider_style}]$provider[/]  [{state_style}]$state[/]",
        name=name.ljust(name_width),
        provider=provider.ljust(5),
        state=state,
    )


def endpoints_block(state: ProjectState, changed: Changed, width: int) -> Content:
    lines = [_heading("Private endpoints")]
    for part in state.unavailable:
        lines.append(Content.from_markup(f"{NO_MARK}[$warning]$part not readable[/]", part=part.part))
        lines += _note(part.reason, "$text-muted", width)
    if not state.endpoints and not state.unavailable:
        lines.append(Content.from_markup(f"{NO_MARK}[$text-muted]none[/]"))
    for endpoint in state.endpoints:
        mark = CHANGED_MARK if (Subject.ENDPOINT, endpoint.id) in changed else NO_MARK
        lines += _endpoint_lines(endpoint, mark, width)
    return _join(lines)


def _endpoint_lines(endpoint: PrivateEndpoint, mark: str, width: int) -> list[Content]:
    style = ENDPOINT_STYLES.get(endpoint.status, "$text")
    place = f"{endpoint.cloud_provider} {endpoint.region_name}".ljust(18)
    status = Content.from_markup(f"[{style}]$status[/]", status=endpoint.status)
    if 2 + len(place) + 1 + len(status) <= width:
        lines = [Content.from_markup(f"{mark}$place ", place=place) + status]
    else:
        lines = [Content.from_markup(f"{mark}$place", place=place), Content("    ") + status]
    if endpoint.error_message:
        lines += _note(endpoint.error_message, "$error", width)
    elif endpoint.status in ENDPOINT_NOTES:
        lines += _note(ENDPOINT_NOTES[endpoint.status], "$text-muted", width)
    return lines


def read_line(read_at: datetime, next_poll_in: int | None, *, paused: bool = False) -> Content:
    """When the state shown was read (wall clock) and how long until the next read, or that one is under way."""
    text = f"Read {clock_time(read_at)}"
    if paused:
        text += " · paused"
    else:
        text += f" · next in {next_poll_in} s" if next_poll_in is not None else " · reading…"
    return Content.from_markup("[$text-muted]$text[/]", text=text)


def simulated_line(simulated_at: datetime, width: int) -> Content:
    """The sandbox's own (faster) time of the read, marked as simulated."""
    return _join(_note(f"Simulated {clock_time(simulated_at)} (sandbox)", "$text-muted", width))


def stale_block(failed_at: datetime, what: str, next_poll_in: int | None, width: int) -> Content:
    lines = [Content.from_markup("[b $error]STALE[/] [$error]read failed at $time[/]", time=clock_time(failed_at))]
    lines += _note(what, "$error", width)
    retry = f"Retrying in {next_poll_in} s (ctrl+r: now)." if next_poll_in is not None else "Retrying now."
    lines += _note(retry, "$text-muted", width)
    return _join(lines)


def changes_block(changes: Iterable[Change], at: datetime, width: int, limit: int = 6) -> Content:
    listed = list(changes)
    lines = [_heading(f"Changed at {clock_time(at)}")]
    for change in listed[:limit]:
        wrapped = textwrap.wrap(str(change), width - 2) or [""]
        lines.append(Content.from_markup(f"{CHANGED_MARK}$line", line=wrapped[0]))
        lines += [Content("  " + rest) for rest in wrapped[1:]]
    if len(listed) > limit:
        lines.append(Content.from_markup("  [$text-muted]and $n more[/]", n=len(listed) - limit))
    return _join(lines)


def clock_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%H:%M:%S UTC")


def _heading(text: str) -> Content:
    return Content.from_markup("[b $text-primary]$text[/]", text=text)


def _field(label: str, value: str | None, width: int) -> list[Content]:
    """`label value` on one line when it fits, else the value (wrapped if need be) under the label."""
    value = value or "-"
    if 2 + len(label) + 1 + len(value) <= width:
        return [Content.from_markup("  [$text-muted]$label[/] $value", label=label, value=value)]
    lines = [Content.from_markup("  [$text-muted]$label[/]", label=label)]
    lines += [Content("  " + chunk) for chunk in _chunks(value, width - 2)]
    return lines


def _note(text: str, style: str, width: int) -> list[Content]:
    return [
        Content.from_markup(f"  [{style}]$line[/]", line=line)
        for line in textwrap.wrap(text, width - 2, break_on_hyphens=False)
    ]


def _chunks(value: str, size: int) -> list[str]:
    """Lines of at most `size`, broken after a `:` or `/` where possible (ARNs, key paths)."""
    lines = [""]
    for part in re.split(r"(?<=[:/])", value):
        while len(part) > size:
            room = size - len(lines[-1])
            lines[-1] += part[:room]
            part = part[room:]
            lines.append("")
        if len(lines[-1]) + len(part) > size:
            lines.append("")
        lines[-1] += part
    return [line for line in lines if line]


def _join(lines: list[Content]) -> Content:
    return Content("\n").join(lines)


def _required(value: bool | None) -> str:
    return {True: "required", False: "off", None: "-"}[value]


def _valid_markup(valid: bool | None, being_checked: bool) -> str:
    if valid is True:
        return "[$success]valid[/]"
    if valid is False and being_checked:
        return "[$warning]being checked[/]"
    if valid is False:
        return "[b $error]NOT VALID[/]"
    return "[$text-muted]validity unknown[/]"
