"""``cmkwizard status``: one read of a project, as a JSON-ready document and as text.

The document is built field by field from the typed models (never from raw API payloads), so it
holds nothing the operator did not ask for and no secret.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cmkwizard.atlas.models import PROVIDER_AWS, PROVIDER_AZURE, AwsIamRole, Caller, Project
from cmkwizard.journal import to_jsonable
from cmkwizard.state import SYSTEM_CLOCK, Clock, ProjectState, read_project_state

if TYPE_CHECKING:
    from cmkwizard.atlas import AtlasClient
    from cmkwizard.settings import Settings


async def status_document(
    client: AtlasClient, settings: Settings, project_name: str | None = None, *, clock: Clock = SYSTEM_CLOCK
) -> dict[str, Any]:
    """Read the project named ``project_name``, or else the settings' project, and describe it."""
    if project_name is not None:
        project = await client.get_project_by_name(project_name)
        state = await read_project_state(client, project.id, include_caller=True, clock=clock)
    else:
        assert settings.project_id is not None
        project, state = await asyncio.gather(
            client.get_project(settings.project_id.value),
            read_project_state(client, settings.project_id.value, include_caller=True, clock=clock),
        )
    return _document(project, state, settings)


def _document(project: Project, state: ProjectState, settings: Settings) -> dict[str, Any]:
    ear = state.encryption
    return {
        "project": {"id": project.id, "name": project.name, "org_id": project.org_id},
        "read_at": state.read_at.isoformat(),
        "connection": {
            "base_url": settings.base_url.value,
            "credentials": settings.identity,
            "roles": _roles(state.caller, project),
        },
        "encryption_at_rest": {
            "active_provider": ear.active_provider,
            "valid": ear.valid,
            "aws_kms": {
                **to_jsonable(ear.aws_kms),
                "role_id": ear.aws_kms.role_id or state.access.encryption_role_id(PROVIDER_AWS),
                "uses_legacy_credentials": ear.aws_kms.uses_legacy_credentials,
            },
            "azure_key_vault": {
                **to_jsonable(ear.azure_key_vault),
                "role_id": ear.azure_key_vault.role_id or state.access.encryption_role_id(PROVIDER_AZURE),
                "uses_legacy_credentials": ear.azure_key_vault.uses_legacy_credentials,
            },
            "google_cloud_kms_enabled": ear.google_cloud_kms_enabled,
        },
        "cloud_provider_access": [_role(role) for role in (*state.access.aws_roles, *state.access.azure_principals)],
        "clusters": [
            {
                "name": cluster.name,
                "state": cluster.state_name,
                "encryption_at_rest_provider": cluster.encryption_at_rest_provider,
                "paused": cluster.paused,
                "providers": list(cluster.providers),
                "instance_sizes": list(cluster.instance_sizes),
            }
            for cluster in state.clusters
        ],
        "private_endpoints": [
            {
                "provider": endpoint.cloud_provider,
                "id": endpoint.id,
                "region": endpoint.region_name,
                "status": endpoint.status,
                "error_message": endpoint.error_message,
            }
            for endpoint in state.endpoints
        ],
        "unavailable": [{"part": u.part, "reason": u.reason, "code": u.code} for u in state.unavailable],
    }


def _roles(caller: Caller | None, project: Project) -> list[str]:
    if caller is None:
        return []
    return sorted(
        {r.role_name for r in caller.roles if r.group_id == project.id or (r.org_id and r.org_id == project.org_id)}
    )


def _role(role: Any) -> dict[str, Any]:
    if isinstance(role, AwsIamRole):
        return {
            "provider": role.provider,
            "role_id": role.role_id,
            "iam_assumed_role_arn": role.iam_assumed_role_arn,
            "atlas_aws_account_arn": role.atlas_aws_account_arn,
            "authorized": role.authorized,
            "used_for_encryption_at_rest": role.used_for_encryption,
        }
    return {
        "provider": role.provider,
        "role_id": role.role_id,
        "service_principal_id": role.service_principal_id,
        "tenant_id": role.tenant_id,
        "used_for_encryption_at_rest": role.used_for_encryption,
    }


# --- text ------------------------------------------------------------------------------------


def render_status(document: dict[str, Any]) -> str:
    project, connection, ear = document["project"], document["connection"], document["encryption_at_rest"]
    roles = ", ".join(connection["roles"]) or "none found"
    lines = [
        f"Project {project['name']} ({project['id']}), read at {_moment(document['read_at'])}",
        f"Connected to {connection['base_url']} as {connection['credentials']}; roles: {roles}",
        "",
        "Encryption at rest",
        *_indent(_encryption_lines(ear)),
        "",
        "Cloud provider access",
        *_indent(
            _table(
                [_role_row(r) for r in document["cloud_provider_access"]], ("PROVIDER", "ROLE ID", "IDENTITY", "STATUS")
            )
        ),
        "",
        "Clusters",
        *_indent(
            _table(
                [
                    (
                        c["name"],
                        c["state"] + (" (paused)" if c["paused"] else ""),
                        c["encryption_at_rest_provider"],
                        ",".join(c["providers"]),
                        ",".join(c["instance_sizes"]),
                    )
                    for c in document["clusters"]
                ],
                ("NAME", "STATE", "EAR PROVIDER", "CLOUD", "SIZE"),
            )
        ),
        "",
        "Encryption-at-rest private endpoints",
        *_indent(
            _table(
                [
                    (e["provider"], e["region"], e["status"], e["error_message"] or "")
                    for e in document["private_endpoints"]
                ],
                ("PROVIDER", "REGION", "STATUS", "ERROR"),
            )
        ),
    ]
    for part in document["unavailable"]:
        lines += ["", f"Not read: {part['part']}: {part['reason']}"]
    return "\n".join(lines)


def _encryption_lines(ear: dict[str, Any]) -> list[str]:
    aws, azure = ear["aws_kms"], ear["azure_key_vault"]
    valid = {True: "valid", False: "NOT VALID", None: "validity unknown"}[ear["valid"]]
    lines = [f"active provider: {ear['active_provider'] or 'none'}" + (f", {valid}" if ear["active_provider"] else "")]
    if aws["enabled"]:
        details = [
            f"key {aws['customer_master_key_id']}",
            f"region {aws['region']}",
            _access(aws, "IAM user access keys"),
        ]
        lines.append(f"AWS KMS: {', '.join(details)}, private networking {_on_off(aws['require_private_networking'])}")
    if azure["enabled"]:
        details = [
            f"vault {azure['key_vault_name']}",
            f"key {azure['key_identifier']}",
            _access(azure, "client secret"),
        ]
        lines.append(
            f"Azure Key Vault: {', '.join(details)}, private networking {_on_off(azure['require_private_networking'])}"
        )
    return lines


def _access(config: dict[str, Any], legacy: str) -> str:
    """How Atlas reaches the key: a cloud provider access role, or legacy credentials stored in Atlas."""
    if config["role_id"]:
        return f"role {config['role_id']}"
    return f"legacy {legacy}" if config["uses_legacy_credentials"] else "role not reported"


def _role_row(role: dict[str, Any]) -> tuple[str, ...]:
    if role["provider"] == "AWS":
        identity = role["iam_assumed_role_arn"] or "(no IAM role yet)"
        status = "authorized" if role["authorized"] else "not authorized"
    else:
        identity = f"service principal {role['service_principal_id']}"
        status = "registered"
    if role["used_for_encryption_at_rest"]:
        status += ", used for encryption at rest"
    return role["provider"], role["role_id"], identity, status


def _table(rows: list[tuple[str, ...]], headers: tuple[str, ...]) -> list[str]:
    if not rows:
        return ["none"]
    table = (headers, *rows)
    widths = [max(len(str(row[i])) for row in table) for i in range(len(headers))]
    return ["  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in table]


def _moment(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _indent(lines: list[str]) -> list[str]:
    return [f"  {line}" for line in lines]


def _on_off(value: bool | None) -> str:
    return {True: "on", False: "off", None: "unknown"}[value]
