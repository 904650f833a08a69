"""Azure CLI commands and portal paths for the steps an operator does by hand (or hands to a colleague
with the rights the wizard's identity lacks)."""

from __future__ import annotations

import shlex

from cmkwizard.azure.clouds import AZURE, AzureCloud

ATLAS_AZURE_APP_ID = "9f2deb0d-be22-4524-a403-df531868bac0"
"""MongoDB Atlas' multi-tenant application in Entra ID, as the official Terraform modules use it."""

ATLAS_KEY_PERMISSIONS = ("get", "encrypt", "decrypt")
ATLAS_KEY_ROLE = "Key Vault Crypto User"
APPROVAL_DESCRIPTION = "Approved for MongoDB Atlas encryption at rest"


def _cloud_prefix(cloud: AzureCloud) -> list[str]:
    return [] if cloud is AZURE else [f"az cloud set --name {cloud.cli_name}"]


def create_service_principal_command(atlas_azure_app_id: str = ATLAS_AZURE_APP_ID) -> str:
    """Create, in your tenant, the service principal of Atlas' application (done once per tenant)."""
    return f"az ad sp create --id {atlas_azure_app_id}"


def service_principal_id_command(atlas_azure_app_id: str = ATLAS_AZURE_APP_ID) -> str:
    """Print the object ID Atlas calls ``servicePrincipalId`` (not the application ID)."""
    return f"az ad sp show --id {atlas_azure_app_id} --query id -o tsv"


def service_principal_steps(atlas_azure_app_id: str = ATLAS_AZURE_APP_ID, cloud: AzureCloud = AZURE) -> list[str]:
    """What to run so Atlas can authenticate in the tenant, in order, with why."""
    return [
        *(f"{c}    # use the {cloud.title}" for c in _cloud_prefix(cloud)),
        f"{create_service_principal_command(atlas_azure_app_id)}    # once per tenant; needs a role that may "
        "create service principals (e.g. Application Administrator)",
        f"{service_principal_id_command(atlas_azure_app_id)}    # the servicePrincipalId Atlas asks for",
        "az account show --query tenantId -o tsv    # the tenantId Atlas asks for",
    ]


def access_policy_command(vault_name: str, service_principal_id: str) -> str:
    """Grant Atlas' service principal the key permissions it needs, on a vault using access policies."""
    return (
        f"az keyvault set-policy --name {vault_name} --object-id {service_principal_id} "
        f"--key-permissions {' '.join(ATLAS_KEY_PERMISSIONS)}"
    )


def role_assignment_command(vault_resource_id: str, service_principal_id: str) -> str:
    """The same grant on a vault using Azure RBAC (``enableRbacAuthorization``)."""
    return (
        f"az role assignment create --role {shlex.quote(ATLAS_KEY_ROLE)} --assignee-object-id {service_principal_id} "
        f"--assignee-principal-type ServicePrincipal --scope {vault_resource_id}"
    )


def vault_resource_id(subscription_id: str, resource_group: str, vault_name: str) -> str:
    return (
        f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}"
        f"/providers/Microsoft.KeyVault/vaults/{vault_name}"
    )


def vault_lookup_command(vault_name: str) -> str:
    """Prints the vault's subscription and resource group (the values Atlas asks for)."""
    return f'az keyvault show --name {vault_name} --query "{{id: id, resourceGroup: resourceGroup}}" -o json'


def approve_connection_command(
    subscription_id: str,
    resource_group: str,
    vault_name: str,
    connection_name: str,
    description: str = APPROVAL_DESCRIPTION,
) -> str:
    return (
        f"az keyvault private-endpoint-connection approve --subscription {subscription_id} "
        f"--resource-group {shlex.quote(resource_group)} --vault-name {vault_name} "
        f"--name {shlex.quote(connection_name)} --description {shlex.quote(description)}"
    )


def approve_connection_portal_path(vault_name: str, connection_name: str, cloud: AzureCloud = AZURE) -> str:
    return (
        f"{cloud.portal} > Key vaults > {vault_name} > Settings > Networking > Private endpoint connections > "
        f"select {connection_name} > Approve"
    )


def approval_instructions(
    subscription_id: str,
    resource_group: str,
    vault_name: str,
    connection_name: str,
    cloud: AzureCloud = AZURE,
) -> str:
    """Both ways to approve, for someone with write rights on the vault's private endpoint connections."""
    commands = [
        *_cloud_prefix(cloud),
        approve_connection_command(subscription_id, resource_group, vault_name, connection_name),
    ]
    return (
        "Run (as someone who may write Microsoft.KeyVault/vaults/privateEndpointConnections, e.g. an Owner or "
        f"Contributor of the vault): {' && '.join(commands)} -- or in the portal: "
        f"{approve_connection_portal_path(vault_name, connection_name, cloud)}."
    )


REVOKED_ACCESS = """\
**If Atlas loses access to the key.** Removing the service principal's key permissions (its access policy
or role assignment), deleting the service principal, or disabling, deleting or letting the key expire
makes Atlas report the key invalid (`valid: false`, alert `AZURE_ENCRYPTION_KEY_INVALID`) and **pause
the clusters that use it**: their data stays encrypted and cannot be read or written until access returns.

To recover, restore what was removed (the permissions get, wrapKey/encrypt and unwrapKey/decrypt, the
service principal, or an enabled key version), wait until Atlas reports the key valid again, then resume
the clusters that are still paused (`atlas clusters start <name>`, or Resume in the Atlas UI).
"""
"""What revoking access does and how to come back, shown where access is granted and in help."""
