"""Cloud provider access: the AWS IAM roles and Azure service principals Atlas may use for a project."""

from __future__ import annotations

import re
from typing import Any

from cmkwizard.sandbox.atlas_sim import enums, errors, views
from cmkwizard.sandbox.atlas_sim.bodies import HEX_ID, UUID_FIELD, Field, check_object
from cmkwizard.sandbox.atlas_sim.context import Call, Reply, no_content, ok, require_body
from cmkwizard.sandbox.atlas_sim.errors import ApiError
from cmkwizard.sandbox.atlas_sim.store import AwsRole, AzurePrincipal, Project
from cmkwizard.sandbox.atlas_sim.verifier import Refusal

IAM_ROLE_ARN = re.compile(r"^arn:aws(-cn|-us-gov)?:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")

_PROVIDER = Field("string", enum=enums.CLOUD_PROVIDERS)
_AWS_READ_ONLY = {
    name: Field("string", read_only=True)
    for name in ("atlasAWSAccountArn", "atlasAssumedRoleExternalId", "authorizedDate", "createdDate", "roleId")
}
_AZURE_READ_ONLY = {name: Field("string", read_only=True) for name in ("_id", "createdDate", "lastUpdatedDate")}
_FEATURE_USAGES = {"featureUsages": Field("array", read_only=True)}
_AZURE_FIELDS = {"atlasAzureAppId": UUID_FIELD, "servicePrincipalId": UUID_FIELD, "tenantId": UUID_FIELD}

AWS_CREATE = {"providerName": _PROVIDER, **_AWS_READ_ONLY, **_FEATURE_USAGES}
AWS_AUTHORIZE = {
    "providerName": _PROVIDER,
    "iamAssumedRoleArn": Field("string", min_length=20, max_length=2048),
    **_AWS_READ_ONLY,
    **_FEATURE_USAGES,
}
AZURE_FIELDS = {"providerName": _PROVIDER, **_AZURE_FIELDS, **_AZURE_READ_ONLY, **_FEATURE_USAGES}


def role_in_use(project: Project, role_id: str) -> bool:
    enc = project.encryption
    return any(config is not None and config.role_id == role_id for config in (enc.aws, enc.azure))


def render(call: Call, role: AwsRole | AzurePrincipal) -> dict[str, Any]:
    in_use = role_in_use(call.project, role.role_id)
    if isinstance(role, AwsRole):
        return views.aws_role(role, call.store.atlas_aws_principal_arn, in_use)
    return views.azure_principal(role, in_use)


def list_roles(call: Call) -> Reply:
    project = call.project
    return ok(
        {
            "awsIamRoles": [render(call, r) for r in project.aws_roles.values()],
            "azureServicePrincipals": [render(call, p) for p in project.azure_principals.values()],
            "gcpServiceAccounts": [],
        }
    )


def _provider_of(body: Any) -> str:
    if not isinstance(body, dict):
        raise errors.invalid_json_attribute("body", "a JSON object")
    provider = body.get("providerName")
    if provider is None:
        raise errors.missing_attribute(["providerName"])
    if provider not in enums.CLOUD_PROVIDERS:
        raise errors.invalid_enum_value("providerName", provider, enums.CLOUD_PROVIDERS)
    if provider == "GCP":
        raise ApiError(
            400,
            "INVALID_ATTRIBUTE",
            "The sandbox simulates AWS IAM roles and Azure service principals only; providerName GCP is not "
            "available here.",
            ["providerName"],
        )
    return provider


def create_role(call: Call) -> Reply:
    body = require_body(call)
    provider = _provider_of(body)
    project = call.project
    if provider == "AWS":
        check_object(body, AWS_CREATE)
        role = call.store.add_aws_role(project.id, call.now)
        project.record_event("CLOUD_PROVIDER_ACCESS_AWS_IAM_ROLE_ADDED", call.now, principal=call.principal)
        return ok(render(call, role))
    fields = check_object(body, AZURE_FIELDS)
    missing = [name for name in ("servicePrincipalId", "tenantId") if name not in fields]
    if missing:
        raise errors.missing_attribute(missing, "an Azure service principal")
    app_id = fields.get("atlasAzureAppId", call.store.atlas_azure_app_id)
    _check_service_principal(call, fields["tenantId"], fields["servicePrincipalId"], app_id)
    principal = call.store.add_azure_principal(
        project.id,
        call.now,
        service_principal_id=fields["servicePrincipalId"],
        tenant_id=fields["tenantId"],
        atlas_app_id=app_id,
    )
    project.record_event("CLOUD_PROVIDER_ACCESS_AZURE_SERVICE_PRINCIPAL_ADDED", call.now, principal=call.principal)
    return ok(render(call, principal))


def _check_service_principal(call: Call, tenant_id: str, principal_id: str, app_id: str) -> None:
    try:
        call.verifiers.azure.check_service_principal(tenant_id, principal_id, app_id)
    except Refusal as refusal:
        raise ApiError.from_refusal(refusal) from None


def find_role(project: Project, role_id: str) -> AwsRole | AzurePrincipal:
    if not HEX_ID.match(role_id):
        raise errors.invalid_id("roleId", role_id)
    role = project.aws_roles.get(role_id) or project.azure_principals.get(role_id)
    if role is None:
        raise ApiError(
            404,
            "RESOURCE_NOT_FOUND",
            f"No cloud provider access role with ID {role_id} exists in group {project.id}.",
            [role_id, project.id],
        )
    return role


def get_role(call: Call) -> Reply:
    return ok(render(call, find_role(call.project, call.params["roleId"])))


def authorize_role(call: Call) -> Reply:
    body = require_body(call)
    provider = _provider_of(body)
    role = find_role(call.project, call.params["roleId"])
    role_provider = "AWS" if isinstance(role, AwsRole) else "AZURE"
    if provider != role_provider:
        raise ApiError(
            400,
            "INVALID_ATTRIBUTE",
            f"Role {role.role_id} is an {role_provider} role; the request names providerName {provider}.",
            ["providerName"],
        )
    if isinstance(role, AwsRole):
        _authorize_aws(call, role, check_object(body, AWS_AUTHORIZE))
    else:
        _authorize_azure(call, role, check_object(body, AZURE_FIELDS))
    return ok(render(call, role))


def _authorize_aws(call: Call, role: AwsRole, fields: dict[str, Any]) -> None:
    arn = fields.get("iamAssumedRoleArn")
    if arn is None:
        raise errors.missing_attribute(["iamAssumedRoleArn"], "an AWS role authorization")
    if not IAM_ROLE_ARN.match(arn):
        raise ApiError(
            400,
            "INVALID_ATTRIBUTE",
            f"Invalid iamAssumedRoleArn {arn}: expected an IAM role ARN such as "
            "arn:aws:iam::123456789012:role/atlas-kms-role.",
            ["iamAssumedRoleArn", arn],
            bad_fields=[("iamAssumedRoleArn", "expected arn:aws:iam::<12-digit account>:role/<name>")],
        )
    if role.iam_role_arn not in (None, arn) and role_in_use(call.project, role.role_id):
        # The spec lists 409 for this operation; re-pointing a role that encryption at rest uses is that case.
        raise ApiError(
            409,
            errors.UNVERIFIED_ROLE_REPOINTED_WHILE_IN_USE,
            f"Role {role.role_id} is in use by encryption at rest with {role.iam_role_arn}; "
            "it cannot be re-authorized with a different IAM role.",
            [role.role_id],
        )
    try:
        call.verifiers.aws.check_assume_role(arn, call.store.atlas_aws_principal_arn, role.external_id)
    except Refusal as refusal:
        raise ApiError.from_refusal(refusal) from None
    role.iam_role_arn = arn
    role.authorized = call.now
    call.project.record_event("CLOUD_PROVIDER_ACCESS_AWS_IAM_ROLE_UPDATED", call.now, principal=call.principal)


def _authorize_azure(call: Call, principal: AzurePrincipal, fields: dict[str, Any]) -> None:
    tenant_id = fields.get("tenantId", principal.tenant_id)
    principal_id = fields.get("servicePrincipalId", principal.service_principal_id)
    app_id = fields.get("atlasAzureAppId", principal.atlas_app_id)
    _check_service_principal(call, tenant_id, principal_id, app_id)
    principal.tenant_id, principal.service_principal_id, principal.atlas_app_id = tenant_id, principal_id, app_id
    principal.last_updated = call.now
    call.project.record_event(
        "CLOUD_PROVIDER_ACCESS_AZURE_SERVICE_PRINCIPAL_UPDATED", call.now, principal=call.principal
    )


def deauthorize_role(call: Call) -> Reply:
    provider = call.params["cloudProvider"]
    if provider not in enums.CLOUD_PROVIDERS:
        raise errors.invalid_enum_value("cloudProvider", provider, enums.CLOUD_PROVIDERS)
    project = call.project
    role = find_role(project, call.params["roleId"])
    if (provider == "AWS") != isinstance(role, AwsRole):
        raise errors.resource_not_found(f"{provider} role {role.role_id}")
    if role_in_use(project, role.role_id):
        raise _role_in_use(role)
    if isinstance(role, AwsRole):
        del project.aws_roles[role.role_id]
        project.record_event("CLOUD_PROVIDER_ACCESS_AWS_IAM_ROLE_DELETED", call.now, principal=call.principal)
    else:
        del project.azure_principals[role.role_id]
        project.record_event(
            "CLOUD_PROVIDER_ACCESS_AZURE_SERVICE_PRINCIPAL_DELETED", call.now, principal=call.principal
        )
    return no_content()


def _role_in_use(role: AwsRole | AzurePrincipal) -> ApiError:
    if isinstance(role, AwsRole):
        return ApiError(
            400,
            "AWS_IAM_ROLE_IN_USE",
            "Cannot remove the AWS IAM role because it is still in use.",
            [f"The AWS IAM role {role.role_id} is still in use by encryption at rest."],
        )
    return ApiError(
        400,
        errors.UNVERIFIED_AZURE_PRINCIPAL_IN_USE,
        f"Cannot remove the Azure service principal {role.role_id} because encryption at rest still uses it.",
        [role.role_id],
    )
