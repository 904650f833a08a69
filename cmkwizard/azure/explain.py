"""Turn what the Azure SDK raises, or what Resource Manager answers, into an AzureError that keeps
Azure's code and says what it means and what to do next."""

from __future__ import annotations

import re
from typing import Any

from cmkwizard.azure import guidance
from cmkwizard.azure.clouds import AZURE, AzureCloud
from cmkwizard.azure.errors import AzureError

_MAX_DETAIL = 400
_CREDENTIAL_HELP = (
    "The wizard signs in with DefaultAzureCredential: the AZURE_TENANT_ID, AZURE_CLIENT_ID and "
    "AZURE_CLIENT_SECRET variables, a managed identity, or the Azure CLI's login"
)
_SIGN_IN_FAILURES = {
    "7000215": (
        "The client secret is not the one Entra ID holds for this application (a secret's ID pasted instead of "
        "its value is the usual cause).",
        "Use the secret's Value, or create a new secret: az ad app credential reset --id <client-id> --append",
    ),
    "7000222": (
        "The application's client secret has expired.",
        "Create a new secret (az ad app credential reset --id <client-id> --append) and use it.",
    ),
    "700016": (
        "No application with this client ID exists in the tenant.",
        "Check AZURE_CLIENT_ID and AZURE_TENANT_ID: the application must be registered in, or consented to by, "
        "that tenant.",
    ),
    "90002": (
        "The tenant does not exist in this Azure cloud.",
        "Check AZURE_TENANT_ID (az account show --query tenantId -o tsv) and that you sign in to the right cloud.",
    ),
    "500011": (
        "The service asked for is not known in this tenant's cloud.",
        "Check that the vault and your sign-in are in the same Azure cloud (public, China or US Government).",
    ),
}


def explain_sign_in_error(exc: BaseException) -> AzureError:
    """An AzureError for a failure to get a token from azure-identity."""
    from azure.identity import CredentialUnavailableError

    if isinstance(exc, CredentialUnavailableError):
        return AzureError(
            "No Azure credentials were found.",
            meaning=f"{_CREDENTIAL_HELP}; none of them is set up on this machine.",
            next_step="Run `az login` (after `az cloud set` for China or US Government), or set AZURE_TENANT_ID, "
            "AZURE_CLIENT_ID and AZURE_CLIENT_SECRET.",
            code="CredentialUnavailable",
        )
    sign_in = re.search(r"AADSTS(\d+)", str(exc))
    meaning, next_step = _SIGN_IN_FAILURES.get(
        sign_in[1] if sign_in else "",
        ("Entra ID did not issue a token for your identity.", f"{_CREDENTIAL_HELP}; check the one in use."),
    )
    return AzureError(
        f"Sign-in to Azure failed: {_summary(exc)}",
        meaning=meaning,
        next_step=next_step,
        code=f"AADSTS{sign_in[1]}" if sign_in else type(exc).__name__,
        status=_status(exc),
    )


def explain_sdk_error(exc: BaseException, *, vault_name: str, key_name: str | None = None) -> AzureError:
    """An AzureError for anything azure-identity or azure-keyvault-keys raised while using a vault."""
    from azure.core.exceptions import (
        ClientAuthenticationError,
        HttpResponseError,
        ResourceNotFoundError,
        ServiceRequestError,
        ServiceResponseError,
    )
    from azure.identity import CredentialUnavailableError

    detail = _summary(exc)
    if isinstance(exc, CredentialUnavailableError) or (
        isinstance(exc, ClientAuthenticationError) and "AADSTS" in str(exc)
    ):
        return explain_sign_in_error(exc)
    if isinstance(exc, ResourceNotFoundError):
        next_step = f"List the vault's keys: az keyvault key list --vault-name {vault_name} -o table"
        if key_name:
            next_step += (
                f"; the key's versions: az keyvault key list-versions --vault-name {vault_name} --name {key_name}"
            )
        return AzureError(
            f"Key vault {vault_name} has no such key: {detail}",
            meaning="The key name or version is wrong, or the key was deleted.",
            next_step=next_step,
            code=_service_code(exc) or "NotFound",
            status=404,
        )
    if isinstance(exc, ClientAuthenticationError):
        return _vault_sign_in_refused(exc, vault_name, detail)
    if isinstance(exc, HttpResponseError) and exc.status_code == 403:
        return _vault_forbidden(exc, vault_name, detail)
    if isinstance(exc, HttpResponseError) and exc.status_code == 429:
        return AzureError(
            f"Key vault {vault_name} is throttling requests: {detail}",
            meaning="Key Vault limits how many requests a vault serves per caller.",
            next_step="Wait a few seconds and try again.",
            code=_service_code(exc) or "Throttled",
            status=429,
        )
    if isinstance(exc, HttpResponseError):
        return AzureError(
            f"Key vault {vault_name} refused the request: {detail}",
            meaning="Key Vault did not accept the request as sent.",
            next_step="Check the key name and version; if it persists, try the same with the az CLI to compare.",
            code=_service_code(exc),
            status=exc.status_code,
        )
    if isinstance(exc, ServiceRequestError | ServiceResponseError):
        return AzureError(
            f"Could not reach key vault {vault_name}: {detail}",
            meaning="The vault name does not resolve, or the network (firewall, proxy, DNS) blocks the way to it.",
            next_step=f"Check the vault name (az keyvault show --name {vault_name}) and that this machine can reach "
            "*.vault.azure.net over HTTPS.",
            code="ServiceRequestError",
        )
    return AzureError(
        f"Using key vault {vault_name} failed: {detail}",
        meaning="The Azure SDK stopped with an error the wizard does not recognise.",
        next_step="Check the details; trying the same with the az CLI usually shows the cause.",
        code=type(exc).__name__,
    )


def explain_arm_error(
    status: int,
    body: Any,
    *,
    subscription_id: str,
    resource_group: str,
    vault_name: str,
    action: str,
    connection_name: str | None = None,
    cloud: AzureCloud = AZURE,
) -> AzureError:
    """An AzureError for a Resource Manager error response (``{"error": {"code", "message"}}``)."""
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    message = _clip(str(error.get("message"))) if isinstance(error, dict) else f"HTTP {status}"
    what = f"Azure Resource Manager refused to {action}: {message}"
    if status == 403 and code in ("AuthorizationFailed", "LinkedAuthorizationFailed"):
        if connection_name is not None:
            next_step = guidance.approval_instructions(
                subscription_id, resource_group, vault_name, connection_name, cloud
            )
        else:
            next_step = "Ask for the Reader role on the key vault, or have someone who has it read it for you."
        return AzureError(
            what,
            meaning=f"Your Azure identity has no right to {action} on key vault {vault_name}.",
            next_step=next_step,
            code=code,
            status=status,
        )
    if status == 404:
        return AzureError(
            what,
            meaning=f"The subscription, resource group or vault name does not match key vault {vault_name}.",
            next_step=f"Read the right values with: {guidance.vault_lookup_command(vault_name)}",
            code=code,
            status=status,
        )
    if status == 401:
        return AzureError(
            what,
            meaning="Resource Manager did not accept your sign-in (wrong tenant for this subscription, or an "
            "expired or invalid token).",
            next_step="Sign in to the tenant that owns the subscription (az login --tenant <tenant-id>, or set "
            "AZURE_TENANT_ID) and try again.",
            code=code,
            status=status,
        )
    if status == 429 or status >= 500:
        return AzureError(
            what,
            meaning="Resource Manager is busy or failing for now.",
            next_step="Wait a minute and try again.",
            code=code,
            status=status,
        )
    return AzureError(
        what,
        meaning="Resource Manager did not accept the request as sent.",
        next_step="Check the details; a rejected or disconnected connection cannot be approved: delete the private "
        "endpoint in Atlas so it requests a new connection.",
        code=code,
        status=status,
    )


def _vault_sign_in_refused(exc: Any, vault_name: str, detail: str) -> AzureError:
    if "AKV10032" in detail:
        meaning = "The vault belongs to another tenant than the one you signed in to."
        next_step = "Sign in to the vault's tenant (az login --tenant <tenant-id>, or set AZURE_TENANT_ID)."
    else:
        meaning = "Key Vault did not accept your sign-in."
        next_step = f"{_CREDENTIAL_HELP}; sign in again and retry."
    return AzureError(
        f"Key vault {vault_name} refused your sign-in: {detail}",
        meaning=meaning,
        next_step=next_step,
        code=_service_code(exc) or "Unauthorized",
        status=401,
    )


def _vault_forbidden(exc: Any, vault_name: str, detail: str) -> AzureError:
    inner = _inner_code(exc)
    code = inner or _service_code(exc) or "Forbidden"
    permission = re.search(r"does not have keys (\w+) permission", detail)
    if inner == "ForbiddenByFirewall" or "Client address is not authorized" in detail:
        meaning = "The vault's firewall does not let this machine in."
        next_step = (
            f"Run the wizard from a network the vault allows, or allow your address: "
            f"az keyvault network-rule add --name {vault_name} --ip-address <your-public-ip>"
        )
    elif inner == "ForbiddenByConnection":
        meaning = "The vault accepts only private endpoint traffic, and this machine is not on such a network."
        next_step = "Run the wizard from a network with a private endpoint to the vault."
    elif inner == "ForbiddenByRbac":
        meaning = "The vault uses Azure RBAC and your identity has no key role on it."
        next_step = (
            "Ask for 'Key Vault Crypto Officer' on the vault (or 'Key Vault Reader' to only read keys): "
            "az role assignment create --role 'Key Vault Crypto Officer' --assignee <you> --scope <vault-id>"
        )
    elif permission:
        meaning = f"Your identity's access policy on the vault lacks the key permission '{permission[1]}'."
        next_step = (
            f"Add it: az keyvault set-policy --name {vault_name} --upn <you> (or --spn <client-id>) "
            f"--key-permissions {permission[1]}"
        )
    elif "disabled key" in detail:
        meaning = "The key version is disabled, so no operation is allowed with it."
        next_step = f"Enable it: az keyvault key set-attributes --vault-name {vault_name} --name <key> --enabled true"
    elif "expired key" in detail:
        meaning = "The key version has expired."
        next_step = "Extend its expiry date or create a new version."
    else:
        meaning = "Key Vault refused the operation for your identity."
        next_step = "Check your access to the vault (access policy or RBAC role)."
    return AzureError(
        f"Key vault {vault_name} refused the operation: {detail}",
        meaning=meaning,
        next_step=next_step,
        code=code,
        status=403,
    )


def _service_code(exc: Any) -> str | None:
    error = getattr(exc, "error", None)
    return getattr(error, "code", None)


def _inner_code(exc: Any) -> str | None:
    inner = getattr(getattr(exc, "error", None), "innererror", None)
    return inner.get("code") if isinstance(inner, dict) else None


def _status(exc: Any) -> int | None:
    return getattr(exc, "status_code", None)


def _summary(exc: BaseException) -> str:
    """The first meaningful line of an SDK message, without the request's trace and correlation ids."""
    error = getattr(exc, "error", None)
    text = getattr(error, "message", None) or str(exc)
    return _clip(text)


def _clip(text: str) -> str:
    line = next((part.strip() for part in re.split(r"[\r\n]+", text) if part.strip()), "")
    return line if len(line) <= _MAX_DETAIL else line[: _MAX_DETAIL - 1] + "…"
