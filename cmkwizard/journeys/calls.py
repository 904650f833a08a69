"""The calls journeys plan, each with the command an operator would type to do it by hand.

Atlas CLI equivalents use the dedicated commands where they exist (cloud provider access) and the
generated ``atlas api`` commands otherwise (encryption at rest, a cluster's encryption provider, EAR
private endpoints), reading the request body from standard input.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from typing import Any

from cmkwizard.journeys.base import PlannedCall, atlas_call, aws_call

EAR_CLI = "atlas api encryptionAtRestUsingCustomerKeyManagement"
AWS_CLI_ROLE_POLICY_NAME = "MongoDBAtlasEncryptionAtRestKms"


def _json_arg(document: Mapping[str, Any]) -> str:
    """A JSON document as one compact, shell-quoted argument."""
    return shlex.quote(json.dumps(document, separators=(",", ":")))


def _piped(body: Mapping[str, Any], command: str) -> str:
    return f"echo {_json_arg(body)} | {command}"


def create_aws_role(project_id: str) -> PlannedCall:
    return atlas_call(
        "createGroupCloudProviderAccess",
        "Create the Atlas role for AWS (gives the Atlas principal and external ID for the trust policy)",
        {"providerName": "AWS"},
        atlas_cli=f"atlas cloudProviders accessRoles aws create --projectId {project_id}",
        group_id=project_id,
    )


def authorize_aws_role(project_id: str, role_id: str, iam_role_arn: str) -> PlannedCall:
    return atlas_call(
        "authorizeGroupCloudProviderAccessRole",
        f"Authorize Atlas to assume {iam_role_arn} (retried while IAM propagates)",
        {"providerName": "AWS", "iamAssumedRoleArn": iam_role_arn},
        atlas_cli=(
            f"atlas cloudProviders accessRoles aws authorize {role_id} "
            f"--iamAssumedRoleArn {shlex.quote(iam_role_arn)} --projectId {project_id}"
        ),
        group_id=project_id,
        role_id=role_id,
    )


def update_encryption_at_rest(project_id: str, body: Mapping[str, Any], description: str) -> PlannedCall:
    return atlas_call(
        "updateGroupEncryptionAtRest",
        description,
        body,
        atlas_cli=_piped(body, f"{EAR_CLI} updateEncryptionAtRest --groupId {project_id}"),
        group_id=project_id,
    )


def set_cluster_provider(project_id: str, cluster_name: str, provider: str) -> PlannedCall:
    body = {"encryptionAtRestProvider": provider}
    return atlas_call(
        "updateGroupCluster",
        f"Set cluster {cluster_name}'s encryption provider to {provider}, then follow it to IDLE",
        body,
        atlas_cli=_piped(
            body,
            f"atlas api clusters updateCluster --groupId {project_id} --clusterName {shlex.quote(cluster_name)} "
            "--version 2024-10-23",
        ),
        group_id=project_id,
        cluster_name=cluster_name,
    )


def create_private_endpoint(project_id: str, provider: str, region: str) -> PlannedCall:
    body = {"regionName": region}
    return atlas_call(
        "createGroupEncryptionAtRestPrivateEndpoint",
        f"Create the {provider} private endpoint for the key service in {region}",
        body,
        atlas_cli=_piped(
            body, f"{EAR_CLI} createRestPrivateEndpoint --groupId {project_id} --cloudProvider {provider}"
        ),
        group_id=project_id,
        provider=provider,
    )


def delete_private_endpoint(project_id: str, provider: str, endpoint_id: str, region: str) -> PlannedCall:
    return atlas_call(
        "requestGroupEncryptionAtRestPrivateEndpointDeletion",
        f"Remove the {provider} private endpoint in {region} (retried while Atlas is still provisioning it)",
        atlas_cli=(
            f"{EAR_CLI} requestPrivateEndpointDeletion --groupId {project_id} "
            f"--cloudProvider {provider} --endpointId {endpoint_id}"
        ),
        group_id=project_id,
        provider=provider,
        endpoint_id=endpoint_id,
    )


def list_alert_configs(project_id: str) -> PlannedCall:
    return atlas_call(
        "listGroupAlertConfigs",
        "Find the key rotation alert Atlas creates with customer-managed keys",
        atlas_cli=f"atlas alerts settings list --projectId {project_id}",
        group_id=project_id,
    )


# --- AWS ------------------------------------------------------------------------------------


def update_trust_policy(role_name: str, trust_policy: Mapping[str, Any]) -> PlannedCall:
    return aws_call(
        "iam:UpdateAssumeRolePolicy",
        f"role/{role_name}",
        f"Put the Atlas statement into {role_name}'s trust policy, other statements kept (or create the role)",
        {"RoleName": role_name, "PolicyDocument": trust_policy},
        f"aws iam update-assume-role-policy --role-name {shlex.quote(role_name)} "
        f"--policy-document {_json_arg(trust_policy)}",
    )


def describe_key(key: str, region: str) -> PlannedCall:
    return aws_call(
        "kms:DescribeKey",
        key,
        "Check the key: symmetric, enabled, not pending deletion, in the chosen region",
        {"KeyId": key},
        f"aws kms describe-key --key-id {shlex.quote(key)} --region {region}",
    )


def put_role_policy(role_name: str, policy_name: str, document: Mapping[str, Any]) -> PlannedCall:
    return aws_call(
        "iam:PutRolePolicy",
        f"role/{role_name}",
        f"Allow {role_name} to use the key (kms:Encrypt, kms:Decrypt, kms:DescribeKey)",
        {"RoleName": role_name, "PolicyName": policy_name, "PolicyDocument": document},
        f"aws iam put-role-policy --role-name {shlex.quote(role_name)} --policy-name {policy_name} "
        f"--policy-document {_json_arg(document)}",
    )
