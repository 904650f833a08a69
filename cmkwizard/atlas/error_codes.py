"""What each Atlas error code means for an operator, and what to do next.

Atlas puts an ``errorCode`` in every error body. ``guide_for(status, code)`` returns the entry for
the code, or one chosen by HTTP status when the code is unknown. ``transient`` marks codes where
the same call can succeed later without anyone changing anything (propagation delays, load).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Guide:
    meaning: str
    next_step: str
    transient: bool = False


_CHECK_FIELDS = "Correct the fields Atlas lists in the error details and submit again"
_RESUBMIT_KEY_AWS = "Fix the key in AWS KMS or choose another key, then apply the configuration again"
_RESUBMIT_KEY_AZURE = "Fix the key in Azure Key Vault or choose another key, then apply the configuration again"
_RESUBMIT_KEY_GCP = "Fix the key version in Google Cloud KMS or choose another one, then apply the configuration again"
_ELIGIBLE_CLUSTERS = "Encryption with your own key needs a dedicated cluster (M10 or larger) with Cloud Backup"

CODE_GUIDES: dict[str, Guide] = {
    # --- cloud provider access: IAM role / Azure service principal ---
    "CANNOT_ASSUME_ROLE": Guide(
        "Atlas could not assume the IAM role",
        "Check the role's trust policy names the Atlas principal and external ID; "
        "IAM changes can take a few minutes to propagate",
        transient=True,
    ),
    "CLOUD_PROVIDER_ACCESS_ROLE_NOT_AUTHORIZED": Guide(
        "The cloud provider access role exists in Atlas but is not authorized yet",
        "Authorize the role (give Atlas the IAM role ARN) and try again in a minute",
        transient=True,
    ),
    "INVALID_AWS_CREDENTIALS": Guide(
        "Atlas could not use the AWS credentials for this role",
        "Wait a minute for IAM to propagate and try again; if it persists, check the role still exists",
        transient=True,
    ),
    "AWS_IAM_ROLE_IN_USE": Guide(
        "The AWS IAM role is still used by an Atlas feature (encryption at rest, data federation, ...)",
        "Move that feature to another role, or disable it, before removing this role",
    ),
    "CANNOT_AUTHENTICATE_SERVICE_PRINCIPAL": Guide(
        "Atlas could not sign in as the Azure service principal",
        "Create the service principal for the Atlas application in your tenant "
        "(az ad sp create --id <atlasAzureAppId>) and grant admin consent, then try again",
    ),
    "CLOUD_PROVIDER_ACCESS_AZURE_SERVICE_PRINCIPAL_INVALID": Guide(
        "The Azure tenant ID or service principal ID is not valid",
        "Copy the tenant ID and the service principal's object ID from Microsoft Entra ID and try again",
    ),
    # --- AWS KMS keys ---
    "AWS_KMS_CUSTOMER_MASTER_KEY_NOT_ENABLED": Guide("The AWS KMS key is disabled", _RESUBMIT_KEY_AWS),
    "AWS_KMS_CUSTOMER_MASTER_KEY_PENDING_DELETION": Guide(
        "The AWS KMS key is scheduled for deletion",
        "Cancel the key deletion in AWS KMS and enable the key, or choose another key",
    ),
    "AWS_KMS_CUSTOMER_MASTER_KEY_PENDING_IMPORT": Guide(
        "The AWS KMS key has no key material yet (it waits for an import)",
        "Import the key material in AWS KMS or choose a key with AWS-generated material",
    ),
    "AWS_KMS_REGION_NOT_SUPPORTED": Guide(
        "Atlas does not support AWS KMS in that region",
        "Choose a key in a supported AWS region",
    ),
    "AWS_CUSTOMER_MASTER_KEY_NOT_FOUND": Guide(
        "Atlas could not find the AWS KMS key",
        "Check the key ID or ARN and its region; use the full key ARN when the key is in another AWS account",
    ),
    "NO_PERMISSION_TO_ENCRYPT_DECRYPT": Guide(
        "The role Atlas uses is not allowed to encrypt and decrypt with the key",
        "Allow kms:Encrypt, kms:Decrypt and kms:DescribeKey (Azure: key Get, Encrypt, Decrypt) "
        "for the role on this key, and make sure the key is a symmetric encryption key",
    ),
    # --- Azure Key Vault keys ---
    "AZURE_KEY_VAULT_ENVIRONMENT_NOT_SUPPORTED": Guide(
        "Atlas does not support that Azure environment",
        "Use AZURE, AZURE_CHINA or AZURE_US_GOVERNMENT",
    ),
    "AZURE_KEY_VAULT_KEY_EXPIRED": Guide("The Azure Key Vault key has expired", _RESUBMIT_KEY_AZURE),
    "AZURE_KEY_VAULT_KEY_EXPIRING": Guide(
        "The Azure Key Vault key expires within 48 hours",
        "Extend the key's expiry date or rotate to a new key version before it expires",
    ),
    "AZURE_KEY_VAULT_KEY_IDENTIFIER_INVALID_FORMAT": Guide(
        "The key identifier is not a Key Vault key URL",
        "Use the versioned key URL, e.g. https://<vault>.vault.azure.net/keys/<key>/<version>",
    ),
    "AZURE_KEY_VAULT_KEY_NOT_ACTIVE": Guide(
        "The Azure Key Vault key is not active (outside its activation window)", _RESUBMIT_KEY_AZURE
    ),
    "AZURE_KEY_VAULT_KEY_NOT_ENABLED": Guide("The Azure Key Vault key is disabled", _RESUBMIT_KEY_AZURE),
    "AZURE_KEY_VAULT_KEY_NOT_FOUND": Guide(
        "Atlas could not find the Azure Key Vault key",
        "Check the key vault name, resource group, subscription and key identifier",
    ),
    "INVALID_AZURE_CREDENTIALS": Guide(
        "Atlas could not authenticate to Azure with the given credentials",
        "Check the tenant, client and service principal details and that the principal has access to the vault",
    ),
    "INVALID_AZURE_API_REQUEST": Guide(
        "Azure rejected the request Atlas made with these settings",
        "Check the subscription ID, resource group and key vault name",
    ),
    # --- Google Cloud KMS keys ---
    "GOOGLE_CLOUD_KMS_KEY_VERSION_DESTROY_SCHEDULED": Guide(
        "The Google Cloud KMS key version is scheduled for destruction",
        "Restore the key version in Google Cloud KMS or choose another one",
    ),
    "GOOGLE_CLOUD_KMS_KEY_VERSION_DESTROYED": Guide(
        "The Google Cloud KMS key version was destroyed", _RESUBMIT_KEY_GCP
    ),
    "GOOGLE_CLOUD_KMS_KEY_VERSION_DISABLED": Guide("The Google Cloud KMS key version is disabled", _RESUBMIT_KEY_GCP),
    "GOOGLE_CLOUD_KMS_KEY_VERSION_NOT_FOUND": Guide(
        "Atlas could not find the Google Cloud KMS key version",
        "Check the full key version resource ID (projects/.../cryptoKeyVersions/<n>)",
    ),
    "GOOGLE_CLOUD_KMS_KEY_VERSION_PENDING_GENERATION": Guide(
        "The Google Cloud KMS key version is still being generated",
        "Wait until the key version is enabled, then try again",
        transient=True,
    ),
    "INVALID_GOOGLE_CLOUD_CREDENTIALS": Guide(
        "Atlas could not authenticate to Google Cloud",
        "Check the service account or role Atlas uses has access to the key",
    ),
    # --- encryption at rest configuration ---
    "MISSING_ENCRYPTION_AT_REST_PROVIDER": Guide(
        "The request named no key provider",
        "Send the settings of one provider (AWS KMS, Azure Key Vault or Google Cloud KMS)",
    ),
    "ENCRYPTION_AT_REST_NOT_ENABLED": Guide(
        "The project has no customer-managed key configured for that provider",
        "Configure and validate the project's key provider first, then enable it on the cluster",
    ),
    "ENCRYPTION_AT_REST_PROVIDER_NOT_SUPPORTED": Guide(
        "This cluster cannot use that key provider",
        _ELIGIBLE_CLUSTERS + "; check the cluster's tier and type",
    ),
    "INVALID_ENCRYPTION_AT_REST_PROVIDER": Guide("The key provider value is not valid", "Use AWS, AZURE, GCP or NONE"),
    "ENCRYPTION_AT_REST_SETTINGS_INVALID": Guide(
        "Atlas cannot reach the key currently configured, so it cannot change the key settings",
        "Restore Atlas' access to the current key (key state, permissions, network or KMS region) "
        "and wait until the configuration shows valid, then retry",
        transient=True,
    ),
    "CANNOT_USE_ENCRYPTION_AT_REST_TENANT": Guide(
        "Free, shared and Flex clusters (M0, M2, M5, Flex) cannot use customer-managed keys",
        "Upgrade the cluster to M10 or larger first",
    ),
    "CANNOT_USE_ENCRYPTION_AT_REST_BACKUP_TYPE": Guide(
        "The cluster uses a legacy backup type that does not support customer-managed keys",
        "Switch the cluster to Cloud Backup first",
    ),
    "INSUFFICIENT_INSTANCE_SIZE": Guide(
        "The cluster tier is too small for customer-managed keys", "Scale the cluster to M10 or larger first"
    ),
    "CANNOT_DISABLE_ENCRYPTION_AT_REST": Guide(
        "Clusters still use this key provider",
        "Set every cluster's encryption provider to NONE and wait until they are idle, then disable it",
    ),
    "CANNOT_DISABLE_ENCRYPTION_AT_REST_REQUIRE_PRIVATE_NETWORKING_WHILE_PRIVATE_ENDPOINTS_EXIST": Guide(
        "Private endpoints for the key service still exist",
        "Delete the encryption-at-rest private endpoints in the listed regions first",
    ),
    "CANNOT_DISABLE_ENCRYPTION_AT_REST_DUE_TO_PRIVATE_ENDPOINTS": Guide(
        "Encryption at rest cannot be disabled while private endpoints for the key service exist",
        "Delete every encryption-at-rest private endpoint of this provider, wait until they are gone, then disable it",
    ),
    "ENCRYPTION_AT_REST_PRIVATE_ENDPOINT_DELETE_BLOCKED_DURING_PROVISIONING": Guide(
        "Atlas is still provisioning this private endpoint and refuses to delete it now",
        "Wait until the endpoint has left INITIATING, then delete it again",
        transient=True,
    ),
    "CANNOT_CHANGE_ENCRYPTION_AT_REST_PROVIDER": Guide(
        "The key provider cannot be switched while it is in use",
        "Disable encryption with the current provider on every cluster, then enable the new provider",
    ),
    "CANNOT_ROTATE_KEY_ENCRYPTION_DISABLED": Guide(
        "Encryption at rest is not enabled, so there is no key to rotate",
        "Enable encryption at rest with the new key instead",
    ),
    "CANNOT_DISABLE_ENCRYPTION_AT_REST_WITH_BACKUP_COMPLIANCE_POLICY": Guide(
        "The project's Backup Compliance Policy requires encryption at rest",
        "Ask MongoDB support to change the Backup Compliance Policy if this is really intended",
    ),
    "CAN_NOT_DISABLE_ALL_ENCRYPTION_AT_REST_SETTINGS_WHILE_BACKUP_COMPLIANCE_POLICY_ENCRYPTION_ENABLED": Guide(
        "The project's Backup Compliance Policy requires a key provider to stay configured",
        "Keep one provider enabled, or ask MongoDB support to change the Backup Compliance Policy",
    ),
    "INVALID_SNAPSHOT_RESTORE_ENCRYPTION": Guide(
        "The restore target's encryption settings differ from the snapshot's",
        "Restore to a cluster with the same encryption provider settings",
    ),
    # --- clusters ---
    "CANNOT_UPDATE_PAUSED_CLUSTER": Guide(
        "The cluster is paused and cannot be changed", "Resume the cluster, wait until it is idle, then retry"
    ),
    "CLUSTER_NOT_FOUND": Guide(
        "No cluster with that name exists in the project", "Check the cluster name and the project"
    ),
    "CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API": Guide(
        "This is a Flex cluster, which cannot use customer-managed keys",
        "Migrate it to a dedicated cluster (M10 or larger) to use your own key",
    ),
    # --- projects and resources ---
    "GROUP_NOT_FOUND": Guide(
        "The project does not exist or these credentials cannot see it",
        "Check the project ID and that the API key or service account belongs to the project",
    ),
    "GROUP_NAME_NOT_FOUND": Guide(
        "No project with that name is visible to these credentials",
        "Check the project name, or use the project ID",
    ),
    "MULTIPLE_GROUPS": Guide("Several projects have that name", "Use the project ID, or pick the organization first"),
    "RESOURCE_NOT_FOUND": Guide(
        "Atlas has no resource with that ID in the project",
        "Refresh the status; it may have been deleted or the ID may belong to another project",
    ),
    # --- request validation ---
    "VALIDATION_ERROR": Guide("Atlas rejected the request as invalid", _CHECK_FIELDS),
    "INVALID_ATTRIBUTE": Guide("A field in the request has an invalid value", _CHECK_FIELDS),
    "INVALID_JSON_ATTRIBUTE": Guide("A field in the request is not valid JSON or has the wrong type", _CHECK_FIELDS),
    "MISSING_ATTRIBUTE": Guide("A required field is missing from the request", _CHECK_FIELDS),
    "ATTRIBUTE_READ_ONLY": Guide("The request tried to set a read-only field", _CHECK_FIELDS),
    "INVALID_ENUM_VALUE": Guide("A field has a value outside its allowed list", _CHECK_FIELDS),
    "INVALID_REGION": Guide(
        "The region is not valid for this provider",
        "Use an Atlas region name such as US_EAST_1 (AWS) or US_EAST_2 (Azure)",
    ),
    # --- alerts ---
    "MISSING_THRESHOLD": Guide("The alert configuration needs a threshold", "Add a threshold in days"),
    "THRESHOLD_PRESENT": Guide(
        "This alert type does not take a threshold", "Remove the threshold from the alert configuration"
    ),
    "INVALID_EVENT_TYPE_FOR_ALERT": Guide(
        "That event type cannot be used for an alert",
        "Use an alertable event type such as AWS_ENCRYPTION_KEY_NEEDS_ROTATION",
    ),
    "MAX_ALERT_CONFIGS_PER_GROUP_EXCEEDED": Guide(
        "The project has reached its limit of alert configurations",
        "Update an existing alert configuration instead of creating another",
    ),
    "ALERT_CONFIG_NOT_FOUND": Guide(
        "The alert configuration no longer exists", "Refresh the list of alert configurations and retry"
    ),
    # --- permissions and access ---
    "USER_UNAUTHORIZED": Guide(
        "These credentials lack the role this call needs",
        "Grant the API key or service account the Project Owner role on this project",
    ),
    "NOT_IN_GROUP": Guide(
        "These credentials are not a member of the project",
        "Add the API key or service account to the project with the Project Owner role",
    ),
    "USER_CANNOT_ACCESS_GROUP": Guide(
        "These credentials cannot access the project",
        "Add the API key or service account to the project with the Project Owner role",
    ),
    "IP_ADDRESS_NOT_ON_WHITELIST": Guide(
        "This machine's IP address is not on the API access list of the credentials",
        "Add this machine's public IP address to the API key's or service account's access list",
    ),
    "ORG_REQUIRES_WHITELIST": Guide(
        "The organization requires an API access list for every credential",
        "Add an access list entry for this machine to the API key or service account",
    ),
    "ACCESS_FORBIDDEN": Guide(
        "Atlas refused access to this resource",
        "Check the credentials' roles and access list for this organization and project",
    ),
    # --- protocol ---
    "VERSION_GONE": Guide(
        "Atlas no longer serves the API version this tool asked for",
        "Upgrade cmkwizard to a release that uses a current API version",
    ),
    "RATE_LIMITED": Guide(
        "Atlas is limiting the request rate of these credentials",
        "Wait for the time Atlas asks for, then continue",
        transient=True,
    ),
    "RATE_LIMITED_TOKEN_BUCKET": Guide(
        "Atlas is limiting the request rate for this endpoint",
        "Wait for the time Atlas asks for, then continue",
        transient=True,
    ),
    "UNEXPECTED_ERROR": Guide(
        "Atlas hit an unexpected internal error",
        "Try again in a minute; if it persists, check status.mongodb.com",
        transient=True,
    ),
    "SERVICE_UNAVAILABLE": Guide(
        "Atlas is temporarily unavailable",
        "Try again in a few minutes; check status.mongodb.com",
        transient=True,
    ),
}

# OAuth 2.0 token endpoint errors (RFC 6749 §5.2).
CODE_GUIDES |= {
    "invalid_client": Guide(
        "Atlas did not accept the service account client ID or secret",
        "Check the client ID and secret; generate a new secret if it was rotated or has expired",
    ),
    "unauthorized_client": Guide(
        "The service account is not allowed to obtain tokens",
        "Check the service account is active in the Atlas organization",
    ),
    "invalid_grant": Guide("Atlas refused the token request", "Check the client ID and secret and try again"),
}

STATUS_GUIDES: dict[int, Guide] = {
    400: Guide("Atlas rejected the request as invalid", _CHECK_FIELDS),
    401: Guide(
        "Atlas did not accept the credentials",
        "Check the API public and private key (or service account client ID and secret) "
        "and that they are not disabled or expired",
    ),
    402: Guide("The organization has no valid payment method", "Add a payment method in the Atlas billing page"),
    403: Guide(
        "The credentials are valid but not allowed to do this",
        "Check the roles and the API access list of the API key or service account",
    ),
    404: Guide("Atlas could not find the resource", "Check the IDs and names you entered and the project"),
    405: Guide("Atlas does not allow this operation on the resource", "Check the resource's current state"),
    409: Guide(
        "The change conflicts with the resource's current state",
        "Refresh the status, wait for pending changes to finish, then retry",
    ),
    410: CODE_GUIDES["VERSION_GONE"],
    429: CODE_GUIDES["RATE_LIMITED"],
    500: CODE_GUIDES["UNEXPECTED_ERROR"],
    502: Guide("A gateway in front of Atlas failed", "Try again in a minute", transient=True),
    503: CODE_GUIDES["SERVICE_UNAVAILABLE"],
    504: Guide("Atlas did not answer in time", "Try again in a minute", transient=True),
}

_CLIENT_ERROR = Guide("Atlas rejected the request", "Read the detail Atlas gave, correct the input and try again")
_SERVER_ERROR = Guide("Atlas failed to process the request", "Try again in a few minutes", transient=True)

# Atlas also puts this code on its 401 digest challenge and credential failures; there the
# status says more than the code does.
_CODES_EXPLAINED_BY_STATUS = frozenset({"UNEXPECTED_ERROR"})


def guide_for(status: int, code: str | None) -> Guide:
    guide = CODE_GUIDES.get(code or "")
    if guide is not None and not (code in _CODES_EXPLAINED_BY_STATUS and status < 500):
        return guide
    return STATUS_GUIDES.get(status) or (_SERVER_ERROR if status >= 500 else _CLIENT_ERROR)
