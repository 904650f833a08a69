"""Whether Atlas can use a project's customer master key right now, asked of the cloud verifiers."""

from __future__ import annotations

from datetime import datetime, timedelta

from cmkwizard.sandbox.atlas_sim.store import AwsKms, AzureKeyVault, Project, SimStore, SimTimings
from cmkwizard.sandbox.atlas_sim.verifier import Refusal, Verifiers

# The verifier's code for "the key's region cannot be reached" (a KMS outage or lost network path).
UNREACHABLE = "ENCRYPTION_AT_REST_SETTINGS_INVALID"


def aws_refusal(project: Project, config: AwsKms, store: SimStore, verifiers: Verifiers) -> Refusal | None:
    """Atlas assumes the role, then uses the key: the first Refusal on that path, or None."""
    if config.role_id is None:
        # IAM-user credentials are not simulated: a legacy configuration keeps the validity it was seeded with.
        return None if config.valid else Refusal(400, "INVALID_AWS_CREDENTIALS", "The AWS credentials are invalid.")
    role = project.aws_roles.get(config.role_id)
    if role is None or role.iam_role_arn is None:
        return Refusal(
            400,
            "CLOUD_PROVIDER_ACCESS_ROLE_NOT_AUTHORIZED",
            f"Cloud provider access role {config.role_id} is not authorized.",
            [config.role_id],
        )
    try:
        verifiers.aws.check_assume_role(role.iam_role_arn, store.atlas_aws_principal_arn, role.external_id)
        verifiers.aws.check_key_access(role.iam_role_arn, config.customer_master_key_id, config.region)
    except Refusal as refusal:
        return refusal
    return None


def azure_refusal(project: Project, config: AzureKeyVault, verifiers: Verifiers) -> Refusal | None:
    principal_id = None
    if config.role_id is not None:
        principal = project.azure_principals.get(config.role_id)
        if principal is None:
            return Refusal(
                400,
                "CLOUD_PROVIDER_ACCESS_AZURE_SERVICE_PRINCIPAL_INVALID",
                f"Azure service principal {config.role_id} no longer exists in this project.",
                [config.role_id],
            )
        principal_id = principal.service_principal_id
    try:
        verifiers.azure.check_key_access(config.key_identifier, config.key_vault_name, principal_id)
    except Refusal as refusal:
        return refusal
    return None


def key_refusal(project: Project, store: SimStore, verifiers: Verifiers) -> Refusal | None:
    enc = project.encryption
    if enc.aws is not None:
        return aws_refusal(project, enc.aws, store, verifiers)
    if enc.azure is not None:
        return azure_refusal(project, enc.azure, verifiers)
    return None


def check_key(project: Project, store: SimStore, verifiers: Verifiers, now: datetime) -> bool:
    """Whether Atlas can use the key now; records each change of health, and a finished validation, as events."""
    if project.encryption.enabled_provider is None:
        return False
    refusal = key_refusal(project, store, verifiers)
    record_health(project, refusal, now)
    _finish_validation(project, refusal, now)
    return refusal is None


def start_validation(project: Project, now: datetime, timings: SimTimings) -> None:
    """After the key is set or changed Atlas reports ``valid: false`` until it has checked the new key."""
    for config in (project.encryption.aws, project.encryption.azure):
        if config is not None:
            config.validating_until = now + timedelta(seconds=timings.key_validation)


def reported_valid(config: AwsKms | AzureKeyVault) -> bool:
    """The ``valid`` Atlas reports: the key is usable and its validation has finished."""
    return config.valid and config.validating_until is None


def _finish_validation(project: Project, refusal: Refusal | None, now: datetime) -> None:
    for config in (project.encryption.aws, project.encryption.azure):
        finished = config.validating_until if config is not None else None
        if config is None or finished is None or finished > now:
            continue
        config.validating_until = None
        if refusal is None:
            project.record_event("ENCRYPTION_AT_REST_CONFIGURATION_VALIDATION_SUCCEEDED", finished)
        else:
            project.record_event(
                "ENCRYPTION_AT_REST_CONFIGURATION_VALIDATION_FAILED", finished, description=_reason(refusal)
            )


def _reason(refusal: Refusal) -> str:
    return f"{refusal.error_code}: {refusal.detail}"


def record_health(project: Project, refusal: Refusal | None, now: datetime) -> None:
    enc = project.encryption
    valid = refusal is None
    unreachable = refusal is not None and refusal.error_code == UNREACHABLE
    health = enc.health
    if health.unreachable and not unreachable:
        project.record_event("ENCRYPTION_AT_REST_KMS_NETWORK_ACCESS_RESTORED", now)
    if unreachable and not health.unreachable:
        project.record_event("ENCRYPTION_AT_REST_KMS_NETWORK_ACCESS_DENIED", now)
    provider = enc.enabled_provider
    if health.valid and not valid and refusal is not None:
        project.record_event("ENCRYPTION_AT_REST_CONFIG_NO_LONGER_VALID", now, description=_reason(refusal))
        if provider is not None:
            project.record_event(f"{provider}_ENCRYPTION_KEY_INVALID", now, description=_reason(refusal))
    if valid and not health.valid:
        project.record_event("ENCRYPTION_AT_REST_CONFIG_IS_VALID", now)
        if provider is not None:
            project.record_event(f"{provider}_ENCRYPTION_KEY_VALID", now)
    health.valid, health.unreachable = valid, unreachable
    for config in (enc.aws, enc.azure):
        if config is not None:
            config.valid = valid
