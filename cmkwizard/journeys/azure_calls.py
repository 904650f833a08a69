"""The calls the Azure onboarding plans: Atlas' service principal role, and Key Vault / Resource Manager
reads and approvals, each with the command an operator would type (``atlas api ...``, ``az ...``)."""

from __future__ import annotations

import json
import shlex

from cmkwizard.azure import guidance
from cmkwizard.journeys.base import PlannedCall, atlas_call, azure_call


def create_azure_principal(
    project_id: str, atlas_azure_app_id: str, service_principal_id: str, tenant_id: str
) -> PlannedCall:
    body = {
        "providerName": "AZURE",
        "atlasAzureAppId": atlas_azure_app_id,
        "servicePrincipalId": service_principal_id,
        "tenantId": tenant_id,
    }
    return atlas_call(
        "createGroupCloudProviderAccess",
        f"Create the Atlas role for Azure: Atlas signs in to tenant {tenant_id} as service principal "
        f"{service_principal_id}",
        body,
        atlas_cli=(
            f"echo {shlex.quote(json.dumps(body, separators=(',', ':')))} | "
            f"atlas api cloudProviderAccess createCloudProviderAccessRole --groupId {project_id}"
        ),
        group_id=project_id,
    )


def get_key(key_identifier: str, vault_name: str, key_name: str) -> PlannedCall:
    return azure_call(
        "keyvault:GetKey",
        key_identifier,
        "Check the key: RSA or RSA-HSM, enabled, active, not expiring within 48 hours",
        None,
        f"az keyvault key show --vault-name {vault_name} --name {key_name}",
    )


def get_vault(subscription_id: str, resource_group: str, vault_name: str) -> PlannedCall:
    return azure_call(
        "GET",
        guidance.vault_resource_id(subscription_id, resource_group, vault_name),
        "Confirm the vault is in this subscription and resource group (the values Atlas is given)",
        None,
        f"az keyvault show --subscription {subscription_id} --resource-group {shlex.quote(resource_group)} "
        f"--name {vault_name}",
    )


def approve_connection(subscription_id: str, resource_group: str, vault_name: str, connection: str) -> PlannedCall:
    path = guidance.vault_resource_id(subscription_id, resource_group, vault_name)
    return azure_call(
        "PUT",
        f"{path}/privateEndpointConnections/{connection}",
        f"Approve Atlas' private endpoint connection {connection} on key vault {vault_name}",
        {"properties": {"privateLinkServiceConnectionState": {"status": "Approved"}}},
        guidance.approve_connection_command(subscription_id, resource_group, vault_name, connection),
    )
