"""One consistent read of everything a journey needs to know about a project.

Journeys never remember what they did: they read the live state, decide which steps are done and
continue from there. ``read_project_state`` makes exactly one list call per resource kind (the
client follows every page), all at the same time, so a poll cycle costs a fixed number of requests
however many clusters or endpoints the project has.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from cmkwizard.atlas.errors import AtlasAuthError
from cmkwizard.atlas.models import (
    PROVIDER_AWS,
    PROVIDER_AZURE,
    AwsIamRole,
    AwsKmsConfig,
    AzureKeyVaultConfig,
    AzureServicePrincipal,
    Caller,
    CloudProviderAccess,
    Cluster,
    EncryptionAtRest,
    PrivateEndpoint,
)
from cmkwizard.clock import SYSTEM_CLOCK, Clock, SystemClock  # noqa: F401 - the state's clock, re-exported
from cmkwizard.observation import NOTHING_OBSERVED, Observation

if TYPE_CHECKING:
    from cmkwizard.atlas import AtlasClient

ENDPOINT_PROVIDERS = (PROVIDER_AWS, PROVIDER_AZURE)

# Atlas reports valid: false while it checks a key it was just given. It is still checking when its last
# configuration change is newer than any verdict on the key, and that change is recent.
KEY_CHECK_WINDOW = timedelta(minutes=10)
KEY_CHANGED_EVENT = "ENCRYPTION_AT_REST_CONFIGURATION_UPDATED"
KEY_VERDICT_EVENTS = (
    "ENCRYPTION_AT_REST_CONFIGURATION_VALIDATION_SUCCEEDED",
    "ENCRYPTION_AT_REST_CONFIGURATION_VALIDATION_FAILED",
    "ENCRYPTION_AT_REST_CONFIG_IS_VALID",
    "ENCRYPTION_AT_REST_CONFIG_NO_LONGER_VALID",
)


@dataclass(frozen=True)
class Unavailable:
    """A part of the state that could not be read, and why (for example a missing Project Owner role)."""

    part: str
    reason: str
    code: str | None = None


@dataclass(frozen=True)
class ProjectState:
    project_id: str
    read_at: datetime
    encryption: EncryptionAtRest
    access: CloudProviderAccess
    clusters: tuple[Cluster, ...]
    endpoints: tuple[PrivateEndpoint, ...]
    caller: Caller | None = None
    unavailable: tuple[Unavailable, ...] = ()
    key_being_checked: bool = False  # valid is false because Atlas is still checking a new or changed key
    observed: Observation = NOTHING_OBSERVED
    """What the journey reading this state observed beyond the status read (see journeys.observe)."""

    def cluster(self, name: str) -> Cluster | None:
        return next((c for c in self.clusters if c.name == name), None)

    def endpoints_for(self, provider: str) -> tuple[PrivateEndpoint, ...]:
        provider = provider.upper()
        return tuple(e for e in self.endpoints if e.cloud_provider.upper() == provider)

    def endpoints_known(self, provider: str) -> bool:
        """False when the endpoint list for that provider could not be read (see ``unavailable``)."""
        return endpoints_part(provider) not in {u.part for u in self.unavailable}

    def aws_role(self, role_id: str | None) -> AwsIamRole | None:
        return self.access.aws_role(role_id) if role_id else None

    def azure_principal(self, role_id: str | None) -> AzureServicePrincipal | None:
        return self.access.azure_principal(role_id) if role_id else None

    @property
    def in_transition(self) -> bool:
        """Something is moving on its own: poll faster until it settles."""
        return (
            self.key_being_checked
            or any(c.in_transition for c in self.clusters)
            or any(e.in_transition for e in self.endpoints)
        )

    def diff(self, previous: ProjectState | None) -> list[Change]:
        """What changed since ``previous`` (nothing when there is no previous read to compare with)."""
        if previous is None:
            return []
        changes: list[Change] = []
        before, after = previous.encryption, self.encryption
        changes += _compare_fields(
            Subject.ENCRYPTION, PROVIDER_AWS, aws_kms_fields(before.aws_kms), aws_kms_fields(after.aws_kms)
        )
        changes += _compare_fields(
            Subject.ENCRYPTION,
            PROVIDER_AZURE,
            azure_key_vault_fields(before.azure_key_vault),
            azure_key_vault_fields(after.azure_key_vault),
        )
        changes += _compare_items(Subject.ROLE, _roles(previous.access), _roles(self.access))
        changes += _compare_items(
            Subject.CLUSTER,
            {c.name: _cluster_fields(c) for c in previous.clusters},
            {c.name: _cluster_fields(c) for c in self.clusters},
        )
        # An endpoint list that could not be read in one of the two is not a list of removed endpoints.
        readable = [p for p in ENDPOINT_PROVIDERS if previous.endpoints_known(p) and self.endpoints_known(p)]
        changes += _compare_items(
            Subject.ENDPOINT,
            {e.id: _endpoint_fields(e) for p in readable for e in previous.endpoints_for(p)},
            {e.id: _endpoint_fields(e) for p in readable for e in self.endpoints_for(p)},
        )
        changes += _compare_items(
            Subject.AVAILABILITY,
            {u.part: {"reason": u.reason} for u in previous.unavailable},
            {u.part: {"reason": u.reason} for u in self.unavailable},
        )
        return changes


class Subject(StrEnum):
    ENCRYPTION = "encryption"
    ROLE = "role"
    CLUSTER = "cluster"
    ENDPOINT = "endpoint"
    AVAILABILITY = "unavailable"


@dataclass(frozen=True)
class Change:
    """One difference between two reads. ``field`` is None when the whole item appeared or disappeared."""

    subject: Subject
    key: str
    field: str | None
    before: Any
    after: Any

    @property
    def added(self) -> bool:
        return self.field is None and self.before is None

    @property
    def removed(self) -> bool:
        return self.field is None and self.after is None

    def __str__(self) -> str:
        return self.describe(f"{self.subject} {self.key}")

    def describe(self, subject: str, arrow: str = "->") -> str:
        """The difference, ``subject`` naming what changed: ``cluster orders: paused False -> True``."""
        if self.added:
            return f"{subject} appeared"
        if self.removed:
            return f"{subject} is gone"
        return f"{subject}: {self.field} {_show(self.before)} {arrow} {_show(self.after)}"


def endpoints_part(provider: str) -> str:
    return f"{provider.upper()} private endpoints"


async def read_project_state(
    client: AtlasClient,
    group_id: str,
    *,
    include_caller: bool = False,
    clock: Clock = SYSTEM_CLOCK,
) -> ProjectState:
    """Read encryption at rest, cloud provider access, clusters and both providers' EAR private endpoints.

    Private-endpoint lists need Project Owner even to read; without it that part is reported in
    ``unavailable`` instead of failing the whole read. Any other error propagates. Only while the key
    is not valid, the recent encryption events are read too, to tell a key being checked from an
    unusable one.
    """

    async def caller() -> Caller | None:
        return await client.whoami() if include_caller else None

    encryption, access, clusters, caller_info, aws_endpoints, azure_endpoints = await asyncio.gather(
        client.get_encryption_at_rest(group_id),
        client.list_cloud_provider_access(group_id),
        client.list_clusters(group_id),
        caller(),
        _endpoints_or_unavailable(client, group_id, PROVIDER_AWS),
        _endpoints_or_unavailable(client, group_id, PROVIDER_AZURE),
    )
    endpoints: list[PrivateEndpoint] = []
    unavailable: list[Unavailable] = []
    for result in (aws_endpoints, azure_endpoints):
        if isinstance(result, Unavailable):
            unavailable.append(result)
        else:
            endpoints.extend(result)
    read_at = clock.now()
    return ProjectState(
        project_id=group_id,
        read_at=read_at,
        encryption=encryption,
        access=access,
        clusters=tuple(clusters),
        endpoints=tuple(endpoints),
        caller=caller_info,
        unavailable=tuple(unavailable),
        key_being_checked=encryption.valid is False and await _key_being_checked(client, group_id, read_at),
    )


async def _key_being_checked(client: AtlasClient, group_id: str, now: datetime) -> bool:
    events = await client.list_events(
        group_id, (KEY_CHANGED_EVENT, *KEY_VERDICT_EVENTS), min_date=now - KEY_CHECK_WINDOW
    )
    return bool(events) and events[0].event_type_name == KEY_CHANGED_EVENT


async def _endpoints_or_unavailable(
    client: AtlasClient, group_id: str, provider: str
) -> list[PrivateEndpoint] | Unavailable:
    try:
        return await client.list_private_endpoints(group_id, provider)
    except AtlasAuthError as err:
        return Unavailable(
            endpoints_part(provider),
            f"reading them needs the Project Owner role ({err})",
            err.error_code,
        )


# --- diff helpers ---------------------------------------------------------------------------


def aws_kms_fields(kms: AwsKmsConfig) -> dict[str, Any]:
    """The AWS KMS settings an operator follows, under their API names."""
    return {
        "enabled": kms.enabled,
        "customerMasterKeyID": kms.customer_master_key_id,
        "region": kms.region,
        "roleId": kms.role_id,
        "requirePrivateNetworking": kms.require_private_networking,
        "valid": kms.valid,
    }


def azure_key_vault_fields(akv: AzureKeyVaultConfig) -> dict[str, Any]:
    """The Azure Key Vault settings an operator follows, under their API names."""
    return {
        "enabled": akv.enabled,
        "keyVaultName": akv.key_vault_name,
        "keyIdentifier": akv.key_identifier,
        "roleId": akv.role_id,
        "requirePrivateNetworking": akv.require_private_networking,
        "valid": akv.valid,
    }


def _roles(access: CloudProviderAccess) -> dict[str, dict[str, Any]]:
    roles: dict[str, dict[str, Any]] = {}
    for aws in access.aws_roles:
        roles[aws.role_id] = {
            "featureUsages": ",".join(aws.feature_types),
            "iamAssumedRoleArn": aws.iam_assumed_role_arn,
            "authorized": aws.authorized,
        }
    for azure in access.azure_principals:
        roles[azure.role_id] = {"featureUsages": ",".join(azure.feature_types)}
    return roles


def _cluster_fields(cluster: Cluster) -> dict[str, Any]:
    return {
        "stateName": cluster.state_name,
        "encryptionAtRestProvider": cluster.encryption_at_rest_provider,
        "paused": cluster.paused,
    }


def _endpoint_fields(endpoint: PrivateEndpoint) -> dict[str, Any]:
    return {
        "regionName": endpoint.region_name,
        "status": endpoint.status,
        "errorMessage": endpoint.error_message,
    }


def _compare_fields(subject: Subject, key: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    return [
        Change(subject, key, name, before.get(name), value)
        for name, value in after.items()
        if before.get(name) != value
    ]


def _compare_items(
    subject: Subject, before: Mapping[str, Mapping[str, Any]], after: Mapping[str, Mapping[str, Any]]
) -> list[Change]:
    changes = [Change(subject, key, None, None, dict(fields)) for key, fields in after.items() if key not in before]
    changes += [Change(subject, key, None, dict(fields), None) for key, fields in before.items() if key not in after]
    for key, fields in after.items():
        if key in before:
            changes += _compare_fields(subject, key, before[key], fields)
    return changes


def _show(value: Any) -> str:
    """A value as Atlas writes it (``true``, not Python's ``True``); ``-`` for none."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "-" if value is None else str(value)
