"""Onboarding with AWS KMS: role, trust policy and authorization, key, project, clusters, private
endpoints, summary. Each step is judged from the live project state, so the journey resumes where the
project is, never where a local file says it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from cmkwizard.atlas.models import PROVIDER_AWS, AwsKmsConfig, Caller, EncryptionAtRest
from cmkwizard.journeys.aws_access import AuthorizeStep, RoleChoice, RoleStep, reusable_roles
from cmkwizard.journeys.aws_enable import EnableProjectStep
from cmkwizard.journeys.aws_inputs import JOURNEY_NAME, OnboardAwsInputs
from cmkwizard.journeys.aws_key import KeyStep
from cmkwizard.journeys.base import Journey
from cmkwizard.journeys.clusters import ClustersStep, eligibility_table
from cmkwizard.journeys.eligibility import Eligibility
from cmkwizard.journeys.private_endpoints import PrivateEndpointsStep
from cmkwizard.journeys.providers import timing_for
from cmkwizard.journeys.summary import SummaryStep, describe_setup
from cmkwizard.state import ProjectState

__all__ = ["ONBOARD_AWS", "OnboardAwsInputs", "Preflight", "preflight"]

OWNER_ROLES = frozenset({"GROUP_OWNER", "ORG_OWNER"})


ONBOARD_AWS: Journey[OnboardAwsInputs] = Journey(
    JOURNEY_NAME,
    [
        RoleStep(),
        AuthorizeStep(),
        KeyStep(),
        EnableProjectStep(),
        ClustersStep(PROVIDER_AWS),
        PrivateEndpointsStep(PROVIDER_AWS),
        SummaryStep(PROVIDER_AWS, describe_setup(PROVIDER_AWS)),
    ],
    title="Onboard with AWS KMS",
    timing=timing_for(PROVIDER_AWS),
)


@dataclass(frozen=True)
class Preflight:
    """What to know before onboarding starts."""

    clusters: tuple[Eligibility, ...]
    reusable_roles: tuple[RoleChoice, ...]
    encryption: EncryptionAtRest
    legacy_credentials: bool
    """The project reaches KMS with IAM-user access keys; moving to a role cannot be undone (confirm)."""
    is_project_owner: bool | None
    """None when the caller's roles are unknown (for example a service account without role details)."""

    @property
    def eligible_clusters(self) -> tuple[Eligibility, ...]:
        return tuple(e for e in self.clusters if e.eligible)

    @property
    def ineligible_clusters(self) -> tuple[Eligibility, ...]:
        return tuple(e for e in self.clusters if not e.eligible)

    @property
    def aws_kms(self) -> AwsKmsConfig:
        return self.encryption.aws_kms

    def warnings(self) -> list[str]:
        found = []
        if self.is_project_owner is False:
            found.append(
                "The credentials are not Project Owner: creating roles, enabling encryption and private "
                "endpoints will be refused. Use an API key or service account with Project Owner."
            )
        if self.legacy_credentials:
            found.append(
                f"The project reaches KMS with IAM user access key {self.aws_kms.access_key_id}. Moving to an "
                "Atlas role is recommended and cannot be undone: you will be asked to confirm."
            )
        akv = self.encryption.azure_key_vault
        if akv.uses_legacy_credentials:
            found.append(
                f"The project reaches Azure Key Vault with the secret of application {akv.client_id}, which "
                "expires: the Azure onboarding moves it to Atlas' service principal, after you confirm."
            )
        other = self.encryption.active_provider
        if other not in (None, PROVIDER_AWS):
            found.append(f"The project already uses {other} keys; disable that first to move to AWS KMS.")
        if not self.eligible_clusters and self.clusters:
            found.append("No cluster can use a customer-managed key yet; see the reasons per cluster.")
        return found


def preflight(state: ProjectState, caller: Caller | None) -> Preflight:
    return Preflight(
        clusters=tuple(eligibility_table(state, PROVIDER_AWS)),
        reusable_roles=tuple(reusable_roles(state)),
        encryption=state.encryption,
        legacy_credentials=state.encryption.aws_kms.uses_legacy_credentials,
        is_project_owner=_is_project_owner(caller, state.project_id),
    )


def _is_project_owner(caller: Caller | None, project_id: str) -> bool | None:
    if caller is None or not caller.roles:
        return None
    return any(
        r.role_name in OWNER_ROLES and (r.group_id == project_id or (r.role_name == "ORG_OWNER" and r.org_id))
        for r in caller.roles
    )
