"""What the Atlas simulator asks of the cloud side.

Atlas itself calls AWS STS/KMS and Azure Entra/Key Vault to decide whether a role can be assumed or a key
used. The simulator delegates those facts to verifiers, so it never needs to know how the clouds are faked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class Refusal(Exception):
    """A check Atlas would fail, carried back to the API caller as an Atlas error envelope."""

    def __init__(self, status: int, error_code: str, detail: str, parameters: Sequence[object] = ()) -> None:
        super().__init__(f"{status} {error_code}: {detail}")
        self.status = status
        self.error_code = error_code
        self.detail = detail
        self.parameters = list(parameters)


class AwsVerifier(Protocol):
    def check_assume_role(self, role_arn: str, atlas_principal_arn: str, external_id: str) -> None:
        """Raise Refusal(400, "CANNOT_ASSUME_ROLE", ...) unless Atlas could assume the role now.

        That is: the role exists, its trust policy allows sts:AssumeRole for the principal with that
        sts:ExternalId, and IAM propagation of the last trust-policy change has completed.
        """
        ...

    def check_key_access(self, role_arn: str, key_id: str, region: str) -> None:
        """Raise Refusal unless the role can use the key in that region (Atlas form, e.g. US_EAST_1).

        key_id is a key id, key ARN or alias. Codes: AWS_CUSTOMER_MASTER_KEY_NOT_FOUND,
        AWS_KMS_CUSTOMER_MASTER_KEY_NOT_ENABLED, AWS_KMS_CUSTOMER_MASTER_KEY_PENDING_DELETION,
        AWS_KMS_CUSTOMER_MASTER_KEY_PENDING_IMPORT, NO_PERMISSION_TO_ENCRYPT_DECRYPT,
        AWS_KMS_REGION_NOT_SUPPORTED, ENCRYPTION_AT_REST_SETTINGS_INVALID (key region unreachable).
        """
        ...


class AzureVerifier(Protocol):
    def check_service_principal(self, tenant_id: str, service_principal_id: str, atlas_azure_app_id: str) -> None:
        """Raise Refusal unless the service principal exists in the tenant for Atlas' application."""
        ...

    def check_key_access(self, key_identifier: str, key_vault_name: str, service_principal_id: str | None) -> None:
        """Raise Refusal unless the principal can wrap/unwrap with the key in that vault."""
        ...

    def register_endpoint_connection(self, key_vault_name: str, connection_name: str, region: str) -> None:
        """Record a pending private endpoint connection on the vault, as Atlas' endpoint creation does."""
        ...

    def endpoint_connection_status(self, key_vault_name: str, connection_name: str) -> str:
        """Return "Pending", "Approved", "Rejected" or "Disconnected"."""
        ...


@dataclass
class Verifiers:
    aws: AwsVerifier
    azure: AzureVerifier
