"""What the operator tells the AWS onboarding journey, validated as it is typed.

The setters normalise every accepted spelling (region code or Atlas name, key id, ARN or alias,
role name or ARN) and raise InputError saying what is wrong and what is expected. Inputs that the
cloud cannot give back (the role ARN before authorization, the cluster choice) are recorded in the
journal and offered again on resume.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from cmkwizard.atlas.models import PROVIDER_AWS
from cmkwizard.aws.arns import parse_key_ref, parse_role_ref
from cmkwizard.aws.regions import partition_for, to_atlas_region, to_aws_region
from cmkwizard.errors import InputError
from cmkwizard.journeys.clusters import choose_clusters
from cmkwizard.journeys.inputs import from_record, open_run_inputs, to_record

if TYPE_CHECKING:
    from cmkwizard.journal import Journal
    from cmkwizard.state import ProjectState

JOURNEY_NAME = "onboard_aws"
ATLAS_PARTITIONS = {"aws": "commercial Atlas", "aws-us-gov": "Atlas for Government"}


def atlas_partition(base_url: str) -> str:
    """The AWS partition whose roles and keys an Atlas deployment can use: aws-us-gov for Atlas for Government."""
    host = urlsplit(base_url).hostname or ""
    return "aws-us-gov" if host == "mongodbgov.com" or host.endswith(".mongodbgov.com") else "aws"


def check_region(text: str, partition: str = "aws") -> str:
    """A region in Atlas form; InputError for one in a partition the Atlas deployment cannot use."""
    region = to_atlas_region(text)
    region_partition = partition_for(region)
    if region_partition != partition:
        raise InputError(
            f"{to_aws_region(region)} is in partition '{region_partition}': "
            f"{ATLAS_PARTITIONS.get(partition, 'this Atlas')} cannot use keys or endpoints there. "
            f"Choose a region in '{partition}'."
        )
    return region


def usable_region(region: str, partition: str) -> bool:
    """Whether the Atlas deployment can use keys and endpoints in ``region`` (Atlas form)."""
    try:
        check_region(region, partition)
    except InputError:
        return False
    return True


def check_role(text: str, account_id: str | None, partition: str, managed_by: str | None = None) -> str:
    """The canonical ARN of a role Atlas can assume; InputError, before anything is sent, for a role in a
    partition the Atlas deployment cannot use, or, when the wizard is to create or update the role with the
    AWS credentials of account ``managed_by``, for a role in another account."""
    is_arn = text.strip().lower().startswith("arn:")
    ref = parse_role_ref(text, account_id, partition=None if is_arn else partition)
    if ref.partition != partition:
        raise InputError(
            f"{ref.arn} is in partition '{ref.partition}', but {ATLAS_PARTITIONS.get(partition, 'this Atlas')} "
            f"can only assume roles in '{partition}': arn:{partition}:iam::<account id>:role/<name>."
        )
    if managed_by is not None and ref.account_id != managed_by:
        raise InputError(
            f"The role is in account {ref.account_id}, but the AWS credentials in use are for account {managed_by}, "
            "so the wizard cannot create or update it. Use a role in that account, AWS credentials for "
            f"{ref.account_id}, or set the trust policy yourself (untick the option on the trust policy page)."
        )
    return ref.arn


@dataclass
class OnboardAwsInputs:
    role_id: str | None = None
    """The Atlas cloud provider access role to use (reused when it exists; never a second one)."""
    create_new_role: bool = False
    """Create a new Atlas role even though a reusable one exists."""
    role_arn: str | None = None
    """The IAM role Atlas assumes (canonical ARN)."""
    manage_trust_policy: bool = False
    """With AWS credentials: create the IAM role, or merge the Atlas statement into its trust policy."""
    key_ref: str | None = None
    """The KMS key: key ARN, key id or alias (an alias is resolved to its key before Atlas sees it)."""
    region: str | None = None
    """The key's region in Atlas form (US_EAST_1)."""
    attach_key_policy: bool = False
    """With AWS credentials: put the KMS access policy on the role as an inline policy."""
    checked_key: str | None = None
    """Set by the key step: the key that passed its checks (or was accepted without credentials)."""
    confirm_legacy_migration: bool = False
    """The project uses IAM-user access keys; moving to a role cannot be undone."""
    clusters: tuple[str, ...] | None = None
    """Clusters to encrypt; None until the operator chooses (an empty choice skips the step)."""
    private_endpoint_regions: tuple[str, ...] | None = None
    """Regions (Atlas form) that get a private endpoint to AWS KMS; None until the operator chooses."""
    require_private_networking: bool = False
    replace_failed_endpoints: bool = False
    """Remove a FAILED endpoint and create it again instead of stopping with its error."""

    # --- validated setters --------------------------------------------------------------

    def set_role_arn(
        self, text: str, account_id: str | None = None, *, atlas_partition: str = "aws", managed_by: str | None = None
    ) -> str:
        """A role ARN, or a role name when the AWS account is known; see ``check_role``."""
        self.role_arn = check_role(text, account_id, atlas_partition, managed_by if self.manage_trust_policy else None)
        return self.role_arn

    def set_region(self, text: str, *, atlas_partition: str = "aws") -> str:
        region = check_region(text, atlas_partition)
        if self.key_ref:
            parse_key_ref(self.key_ref, region)  # a key ARN in another region is refused here
        self.region = region
        self._forget_key_check()
        return region

    def set_key(self, text: str) -> str:
        """Key id, key ARN, multi-Region key id, alias or alias ARN; an ARN also sets the region."""
        ref = parse_key_ref(text, self.region)
        self.key_ref = ref.arn or ref.key_id or ref.alias
        if ref.atlas_region:
            self.region = ref.atlas_region
        self._forget_key_check()
        return self.key_ref or ""

    def set_clusters(self, names: Iterable[str], state: ProjectState) -> tuple[str, ...]:
        """The clusters to encrypt; every one must exist and be eligible."""
        self.clusters = choose_clusters(names, state, PROVIDER_AWS)
        return self.clusters

    def set_private_endpoint_regions(self, texts: Iterable[str]) -> tuple[str, ...]:
        """AWS regions in any spelling; an empty choice turns private networking off."""
        regions = tuple(dict.fromkeys(to_atlas_region(t) for t in texts if t.strip()))
        self.private_endpoint_regions = regions
        self.require_private_networking = bool(regions)
        return regions

    def _forget_key_check(self) -> None:
        self.checked_key = None

    # --- journal --------------------------------------------------------------------------

    def to_record(self) -> dict[str, Any]:
        """The inputs as plain JSON values (none of them is a secret)."""
        return to_record(self)

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> OnboardAwsInputs:
        return from_record(cls, record)

    @classmethod
    def from_journal(cls, journal: Journal) -> OnboardAwsInputs:
        """The inputs of this journey's unfinished run in the project's journal (empty inputs if none)."""
        return cls.from_record(open_run_inputs(journal, JOURNEY_NAME))
