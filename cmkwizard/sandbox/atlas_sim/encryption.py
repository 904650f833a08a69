"""Project encryption at rest with customer key management: ``GET`` and ``PATCH /encryptionAtRest``.

A PATCH is checked completely (attributes, roles, the clouds' answers) before anything changes, so a refused
request leaves the project as it was.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

from cmkwizard.sandbox.atlas_sim import enums, errors, keys, views
from cmkwizard.sandbox.atlas_sim.bodies import HEX_ID_FIELD, UUID_FIELD, Field, check_object
from cmkwizard.sandbox.atlas_sim.context import Call, Reply, ok, require_body
from cmkwizard.sandbox.atlas_sim.errors import ApiError
from cmkwizard.sandbox.atlas_sim.lifecycle import start_cluster_change
from cmkwizard.sandbox.atlas_sim.store import AwsKms, AzureKeyVault, KeyHealth, Project

Apply = Callable[[], None]

_READ_ONLY_VALID = Field("boolean", read_only=True)
_TOP = {
    "awsKms": Field("object"),
    "azureKeyVault": Field("object"),
    "googleCloudKms": Field("object"),
    "enabledForSearchNodes": Field("boolean"),
}
_AWS = {
    "enabled": Field("boolean"),
    "customerMasterKeyID": Field("string", min_length=1, max_length=2048),
    "region": Field("string", enum=enums.AWS_REGIONS),
    "roleId": HEX_ID_FIELD,
    "requirePrivateNetworking": Field("boolean"),
    "accessKeyID": Field("string", min_length=16, max_length=128),
    "secretAccessKey": Field("string"),
    "valid": _READ_ONLY_VALID,
}
_AZURE = {
    "enabled": Field("boolean"),
    "azureEnvironment": Field("string", enum=enums.AZURE_ENVIRONMENTS),
    "subscriptionID": UUID_FIELD,
    "resourceGroupName": Field("string", min_length=1, max_length=90),
    "keyVaultName": Field("string", min_length=3, max_length=24),
    "keyIdentifier": Field("string", min_length=1),
    "roleId": HEX_ID_FIELD,
    "clientID": UUID_FIELD,
    "tenantID": UUID_FIELD,
    "secret": Field("string"),
    "requirePrivateNetworking": Field("boolean"),
    "valid": _READ_ONLY_VALID,
}
_GCP = {
    "enabled": Field("boolean"),
    "keyVersionResourceID": Field("string"),
    "roleId": HEX_ID_FIELD,
    "serviceAccountKey": Field("string"),
    "valid": _READ_ONLY_VALID,
}
_VAULT_DOMAINS = {
    "AZURE": "vault.azure.net",
    "AZURE_CHINA": "vault.azure.cn",
    "AZURE_US_GOVERNMENT": "vault.usgovcloudapi.net",
}
_AWS_ATTRIBUTES = {
    "customerMasterKeyID": "customer_master_key_id",
    "region": "region",
    "roleId": "role_id",
    "requirePrivateNetworking": "require_private_networking",
}
_AZURE_ATTRIBUTES = {
    "azureEnvironment": "azure_environment",
    "subscriptionID": "subscription_id",
    "resourceGroupName": "resource_group_name",
    "keyVaultName": "key_vault_name",
    "keyIdentifier": "key_identifier",
    "roleId": "role_id",
    "clientID": "client_id",
    "tenantID": "tenant_id",
    "secret": "secret",
    "requirePrivateNetworking": "require_private_networking",
}
_ROTATED_EVENT = {"AWS": "AWS_ENCRYPTION_KEY_ROTATED", "AZURE": "AZURE_ENCRYPTION_KEY_ROTATED"}


def get_encryption(call: Call) -> Reply:
    keys.check_key(call.project, call.store, call.verifiers, call.now)
    return ok(views.encryption(call.project.encryption))


def update_encryption(call: Call) -> Reply:
    enc = call.project.encryption
    top = check_object(require_body(call), _TOP)
    if not top:
        raise ApiError(
            400,
            "MISSING_ENCRYPTION_AT_REST_PROVIDER",
            "At least one encryption at rest provider (awsKms, azureKeyVault or googleCloudKms) must be specified.",
        )
    plans: list[Apply] = []
    if "googleCloudKms" in top:
        plans.append(_plan_gcp(check_object(top["googleCloudKms"], _GCP, path="googleCloudKms")))
    if "awsKms" in top:
        plans.append(_plan_aws(call, check_object(top["awsKms"], _AWS, path="awsKms")))
    if "azureKeyVault" in top:
        plans.append(_plan_azure(call, check_object(top["azureKeyVault"], _AZURE, path="azureKeyVault")))
    for apply in plans:
        apply()
    if "enabledForSearchNodes" in top:
        enc.enabled_for_search_nodes = top["enabledForSearchNodes"]
    return ok(views.encryption(enc))


def _no_change() -> None:
    return None


def _plan_gcp(fields: dict[str, Any]) -> Apply:
    if fields.get("enabled") is True or set(fields) - {"enabled"}:
        raise ApiError(
            400,
            "INVALID_GOOGLE_CLOUD_CREDENTIALS",
            'The sandbox has no Google Cloud KMS; googleCloudKms can only be sent as {"enabled": false}.',
        )
    return _no_change


def _only_enabled_false(path: str, fields: dict[str, Any]) -> None:
    extra = sorted(set(fields) - {"enabled"})
    if extra:
        raise ApiError(
            400,
            "INVALID_ATTRIBUTE",
            f'To disable and remove the {path} configuration send only {{"{path}": {{"enabled": false}}}}; '
            f"remove {', '.join(extra)}.",
            [path],
        )


def _check_can_disable(project: Project, provider: str) -> None:
    clusters = sorted(c.name for c in project.clusters.values() if c.encryption_provider == provider)
    if clusters:
        raise ApiError(
            409,
            "CANNOT_DISABLE_ENCRYPTION_AT_REST",
            f"Cannot disable encryption at rest while clusters use it: {', '.join(clusters)}. "
            'Set each cluster\'s encryptionAtRestProvider to "NONE" and wait for it to be IDLE first.',
            clusters,
        )
    if project.endpoints_for(provider):
        raise ApiError(
            400,
            "CANNOT_DISABLE_ENCRYPTION_AT_REST_DUE_TO_PRIVATE_ENDPOINTS",
            "Encryption at Rest cannot be disabled when private endpoints are present.",
        )


def _check_no_endpoints_for_public_access(project: Project, provider: str) -> None:
    regions = sorted({e.region for e in project.endpoints_for(provider)})
    if regions:
        raise ApiError(
            400,
            "CANNOT_DISABLE_ENCRYPTION_AT_REST_REQUIRE_PRIVATE_NETWORKING_WHILE_PRIVATE_ENDPOINTS_EXIST",
            "Cannot disable requirePrivateNetworking field when there are private endpoints present in regions "
            f"{', '.join(regions)}. Delete those endpoints first.",
            regions,
        )


def _check_provider_switch(project: Project, provider: str) -> None:
    enabled = project.encryption.enabled_provider
    if enabled is not None and enabled != provider:
        raise ApiError(
            409,
            "CANNOT_CHANGE_ENCRYPTION_AT_REST_PROVIDER",
            f"Encryption at rest already uses {enabled}. Disable it (every cluster to NONE, then "
            f'{{"enabled": false}}) before configuring {provider}.',
            [enabled, provider],
        )


def _require_all(path: str, fields: dict[str, Any], names: list[str]) -> None:
    missing = [name for name in names if name not in fields]
    if missing:
        raise errors.missing_attribute(
            [f"{path}.{name}" for name in missing],
            f"{path}: every attribute is required until encryption at rest is enabled",
        )


def _plan_disable(call: Call, path: str, provider: str, fields: dict[str, Any]) -> Apply:
    _only_enabled_false(path, fields)
    project = call.project
    if project.encryption.config(provider) is None:
        return _no_change
    _check_can_disable(project, provider)

    def apply() -> None:
        enc = project.encryption
        if provider == "AWS":
            enc.aws = None
        else:
            enc.azure = None
        enc.health = KeyHealth()
        project.record_event("ENCRYPTION_AT_REST_CONFIGURATION_UPDATED", call.now, principal=call.principal)

    return apply


def _plan_aws(call: Call, fields: dict[str, Any]) -> Apply:
    project = call.project
    if fields.get("enabled") is False:
        return _plan_disable(call, "awsKms", "AWS", fields)
    legacy = sorted({"accessKeyID", "secretAccessKey"} & set(fields))
    if legacy:
        raise ApiError(
            400,
            "INVALID_ATTRIBUTE",
            f"IAM user credentials ({', '.join(legacy)}) are no longer accepted; authorize an IAM role with "
            "cloud provider access and send its roleId.",
            legacy,
        )
    current = project.encryption.aws
    if current is None:
        _check_provider_switch(project, "AWS")
        _require_all("awsKms", fields, ["enabled", "customerMasterKeyID", "region", "roleId"])
        new = AwsKms(fields["customerMasterKeyID"], fields["region"], fields["roleId"])
    else:
        new = dataclasses.replace(current)
        if "roleId" in fields:
            new.access_key_id = new.secret_access_key = None
    for name, attribute in _AWS_ATTRIBUTES.items():
        if name in fields:
            setattr(new, attribute, fields[name])
    if new.region == "GLOBAL":
        raise ApiError(
            400,
            "AWS_KMS_REGION_NOT_SUPPORTED",
            "GLOBAL is not an AWS KMS region; send the region the key lives in, such as US_EAST_1.",
            ["GLOBAL"],
        )
    if current is not None and current.require_private_networking and not new.require_private_networking:
        _check_no_endpoints_for_public_access(project, "AWS")
    if new.role_id is not None:
        _check_aws_role(project, new.role_id)
    _raise_refusal(keys.aws_refusal(project, new, call.store, call.verifiers))
    key_moved = current is None or (current.customer_master_key_id, current.region, current.role_id) != (
        new.customer_master_key_id,
        new.region,
        new.role_id,
    )
    rotated = current is not None and current.customer_master_key_id != new.customer_master_key_id

    def apply() -> None:
        project.encryption.aws = new
        _after_change(call, "AWS", first=current is None, key_moved=key_moved, rotated=rotated)

    return apply


def _check_aws_role(project: Project, role_id: str) -> None:
    role = project.aws_roles.get(role_id)
    if role is None:
        raise ApiError(
            404,
            "RESOURCE_NOT_FOUND",
            f"No AWS cloud provider access role with ID {role_id} exists in group {project.id}.",
            [role_id, project.id],
        )
    if role.iam_role_arn is None or role.authorized is None:
        raise ApiError(
            400,
            "CLOUD_PROVIDER_ACCESS_ROLE_NOT_AUTHORIZED",
            f"Cloud provider access role {role_id} is not authorized yet; authorize it with the IAM role ARN first.",
            [role_id],
        )


_KEY_IDENTIFIER = re.compile(
    r"^https://(?P<vault>[a-zA-Z0-9-]{3,24})\.(?P<domain>[a-z.]+)/keys/(?P<name>[a-zA-Z0-9-]{1,127})"
    r"/(?P<version>[0-9a-fA-F]{32})$"
)


def _check_key_identifier(config: AzureKeyVault) -> None:
    domain = _VAULT_DOMAINS[config.azure_environment]
    match = _KEY_IDENTIFIER.match(config.key_identifier)
    expected = f"https://<vault>.{domain}/keys/<key name>/<32-character version>"
    if match is None or match.group("domain") != domain:
        raise ApiError(
            400,
            "AZURE_KEY_VAULT_KEY_IDENTIFIER_INVALID_FORMAT",
            f"Invalid keyIdentifier {config.key_identifier}: expected {expected}.",
            [config.key_identifier],
        )
    if match.group("vault").lower() != config.key_vault_name.lower():
        raise ApiError(
            400,
            "AZURE_KEY_VAULT_KEY_IDENTIFIER_INVALID_FORMAT",
            f"keyIdentifier names key vault {match.group('vault')} but keyVaultName is {config.key_vault_name}; "
            "the key must be in the configured key vault.",
            [config.key_identifier, config.key_vault_name],
        )


def _plan_azure(call: Call, fields: dict[str, Any]) -> Apply:
    project = call.project
    if fields.get("enabled") is False:
        return _plan_disable(call, "azureKeyVault", "AZURE", fields)
    current = project.encryption.azure
    if current is None:
        _check_provider_switch(project, "AZURE")
        base = ["enabled", "azureEnvironment", "subscriptionID", "resourceGroupName", "keyVaultName", "keyIdentifier"]
        legacy = ["clientID", "tenantID", "secret"]
        _require_all("azureKeyVault", fields, base + (legacy if "roleId" not in fields else []))
        new = AzureKeyVault(
            fields["azureEnvironment"],
            fields["subscriptionID"],
            fields["resourceGroupName"],
            fields["keyVaultName"],
            fields["keyIdentifier"],
        )
    else:
        new = dataclasses.replace(current)
        if "roleId" in fields:
            new.client_id = new.tenant_id = new.secret = None
        pinned = [n for n in ("subscriptionID", "resourceGroupName", "keyVaultName") if n in fields]
        if pinned and project.endpoints_for("AZURE"):
            changed = [n for n in pinned if fields[n] != getattr(current, _AZURE_ATTRIBUTES[n])]
            if changed:
                raise ApiError(
                    400,
                    "INVALID_ATTRIBUTE",
                    f"{', '.join(changed)} cannot change while Azure private endpoints exist; delete them first.",
                    changed,
                )
    for name, attribute in _AZURE_ATTRIBUTES.items():
        if name in fields:
            setattr(new, attribute, fields[name])
    _check_key_identifier(new)
    if current is not None and current.require_private_networking and not new.require_private_networking:
        _check_no_endpoints_for_public_access(project, "AZURE")
    if new.role_id is not None and new.role_id not in project.azure_principals:
        raise ApiError(
            404,
            "RESOURCE_NOT_FOUND",
            f"No Azure service principal with ID {new.role_id} exists in group {project.id}.",
            [new.role_id, project.id],
        )
    _raise_refusal(keys.azure_refusal(project, new, call.verifiers))
    key_moved = current is None or (current.key_identifier, current.role_id) != (new.key_identifier, new.role_id)
    rotated = current is not None and current.key_identifier != new.key_identifier

    def apply() -> None:
        project.encryption.azure = new
        _after_change(call, "AZURE", first=current is None, key_moved=key_moved, rotated=rotated)

    return apply


def _raise_refusal(refusal: Any) -> None:
    if refusal is not None:
        raise ApiError.from_refusal(refusal)


def _after_change(call: Call, provider: str, *, first: bool, key_moved: bool, rotated: bool) -> None:
    project, now = call.project, call.now
    keys.record_health(project, None, now)
    project.record_event("ENCRYPTION_AT_REST_CONFIGURATION_UPDATED", now, principal=call.principal)
    if key_moved:
        keys.start_validation(project, now, call.store.timings)
    if first:
        _ensure_rotation_alert(call, provider)
    if rotated:
        project.record_event(_ROTATED_EVENT[provider], now, principal=call.principal)
    if key_moved and not first:
        # Every node re-wraps its master key with the new key (or from the new region) in a rolling change.
        project.record_event("ENCRYPTION_AT_REST_KEY_ROTATION_STARTED", now, principal=call.principal)
        for cluster in project.clusters.values():
            if cluster.encryption_provider == provider and not cluster.paused:
                start_cluster_change(cluster, now, call.store.timings)


def _ensure_rotation_alert(call: Call, provider: str) -> None:
    project = call.project
    event_type = enums.ROTATION_ALERT_EVENT[provider]
    if not any(config.event_type == event_type for config in project.alert_configs.values()):
        call.store.add_rotation_alert(project.id, provider, call.now)
