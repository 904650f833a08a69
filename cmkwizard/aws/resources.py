"""What the wizard reads from KMS and IAM, as plain values (no boto3 types)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from cmkwizard.aws.arns import KeyRef, RoleRef, parse_key_ref, parse_role_ref
from cmkwizard.aws.diagnosis import Problem
from cmkwizard.aws.regions import KMS_REGIONS

SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT"
ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT"
MULTI_REGION_PRIMARY = "PRIMARY"
MULTI_REGION_REPLICA = "REPLICA"
AWS_MANAGED_ALIAS_PREFIX = "alias/aws/"

# KeyState -> (problem code, what it means for Atlas, how to fix it)
_STATE_PROBLEMS = {
    "Disabled": ("key-disabled", "The key is disabled.", "Enable it: aws kms enable-key --key-id {key}"),
    "PendingDeletion": (
        "key-pending-deletion",
        "The key is scheduled for deletion.",
        "Cancel the deletion (aws kms cancel-key-deletion --key-id {key}), then enable the key.",
    ),
    "PendingReplicaDeletion": (
        "key-pending-deletion",
        "The multi-Region key is waiting for its replicas to be deleted before it is deleted.",
        "Cancel the deletion of the replicas and of this key, or choose another key.",
    ),
    "PendingImport": (
        "key-pending-import",
        "The key has no key material yet (imported-material key).",
        "Import the key material, or choose a key created by KMS.",
    ),
    "Unavailable": (
        "key-unavailable",
        "The key is unavailable (its custom key store is disconnected).",
        "Reconnect the custom key store, or choose another key.",
    ),
    "Creating": ("key-creating", "The key is still being created.", "Wait a moment and read it again."),
    "Updating": (
        "key-updating",
        "The key is being updated (a multi-Region change).",
        "Wait a moment and read it again.",
    ),
}


@dataclass(frozen=True)
class KmsKey:
    """A KMS key as ``DescribeKey`` reports it, with its aliases and multi-Region layout."""

    key_id: str
    arn: str
    region: str
    aliases: tuple[str, ...]
    description: str
    key_state: str
    enabled: bool
    key_spec: str
    key_usage: str
    key_manager: str
    origin: str
    multi_region: bool
    multi_region_type: str | None
    primary_region: str | None
    replica_regions: tuple[str, ...]
    created: datetime | None = field(default=None, compare=False)

    @property
    def ref(self) -> KeyRef:
        return parse_key_ref(self.arn)

    @property
    def account_id(self) -> str:
        return self.arn.split(":")[4]

    @property
    def atlas_region(self) -> str:
        return KMS_REGIONS.get(self.region, self.region)

    @property
    def label(self) -> str:
        """``alias/atlas-cmk (1234abcd-…)`` for lists."""
        return f"{self.aliases[0]} ({self.key_id})" if self.aliases else self.key_id

    @property
    def regions(self) -> tuple[str, ...]:
        """Every region this key exists in: itself, its primary and its replicas."""
        ordered = [self.region, self.primary_region, *self.replica_regions]
        return tuple(dict.fromkeys(r for r in ordered if r))

    def arn_in(self, region: str) -> str:
        """The ARN of this key (or of its multi-Region replica) in ``region``."""
        return self.arn if region == self.region else self.ref.replica_arn(region)

    @property
    def all_arns(self) -> tuple[str, ...]:
        """The ARN in every region it exists in: what the role's KMS policy should name."""
        return tuple(self.arn_in(r) for r in self.regions) if self.multi_region else (self.arn,)

    def problems_for_atlas(self) -> list[Problem]:
        """Why Atlas could not use this key for Encryption at Rest; empty when it can."""
        problems = []
        if self.key_manager != "CUSTOMER":
            problems.append(
                Problem(
                    "key-aws-managed",
                    f"{self.label} is an AWS managed key; its key policy cannot allow the Atlas role.",
                    "Choose (or create) a customer managed key.",
                )
            )
        if self.key_spec != SYMMETRIC_DEFAULT or self.key_usage != ENCRYPT_DECRYPT:
            problems.append(
                Problem(
                    "key-not-symmetric",
                    f"{self.label} is a {self.key_spec} key for {self.key_usage}; Atlas needs a symmetric "
                    f"encryption key ({SYMMETRIC_DEFAULT}, {ENCRYPT_DECRYPT}).",
                    "Choose a symmetric encryption key, or create one: aws kms create-key",
                )
            )
        if self.key_state in _STATE_PROBLEMS:
            code, message, fix = _STATE_PROBLEMS[self.key_state]
            problems.append(Problem(code, f"{self.label}: {message}", fix.format(key=self.key_id)))
        return problems


@dataclass(frozen=True)
class KmsAlias:
    name: str
    arn: str
    target_key_id: str | None


@dataclass(frozen=True)
class IamRoleInfo:
    """An IAM role with its trust policy and the names of its inline policies."""

    name: str
    arn: str
    path: str
    role_id: str
    trust_policy: dict[str, Any]
    inline_policy_names: tuple[str, ...]
    created: datetime | None = field(default=None, compare=False)

    @property
    def ref(self) -> RoleRef:
        return parse_role_ref(self.arn)

    @property
    def account_id(self) -> str:
        return self.arn.split(":")[4]


@dataclass(frozen=True)
class KeyRotation:
    """Whether KMS rotates the key's material itself (``GetKeyRotationStatus``): the key id stays the same."""

    enabled: bool
    period_days: int | None = None
    next_rotation: datetime | None = None


def kms_key_from_metadata(metadata: Mapping[str, Any], aliases: tuple[str, ...]) -> KmsKey:
    """Build a ``KmsKey`` from ``KeyMetadata``, tolerating what moto leaves out or gets wrong.

    moto omits ``MultiRegion`` for single-Region keys and ``KeyUsage`` when it was not given at
    creation, and after describing a replica it reports the primary as a replica too: the key's
    own ARN against ``PrimaryKey.Arn`` is authoritative.
    """
    arn = metadata["Arn"]
    key_id = metadata["KeyId"]
    config = metadata.get("MultiRegionConfiguration") or {}
    multi_region = bool(metadata.get("MultiRegion", key_id.startswith("mrk-") or bool(config)))
    primary = config.get("PrimaryKey") or {}
    if not multi_region:
        key_type = None
    elif primary.get("Arn"):
        key_type = MULTI_REGION_PRIMARY if primary["Arn"] == arn else MULTI_REGION_REPLICA
    else:
        key_type = config.get("MultiRegionKeyType")
    # An AWS managed key always carries an alias/aws/* alias; moto reports such keys as CUSTOMER.
    aws_managed = any(a.startswith(AWS_MANAGED_ALIAS_PREFIX) for a in aliases)
    return KmsKey(
        key_id=key_id,
        arn=arn,
        region=arn.split(":")[3],
        aliases=tuple(sorted(aliases)),
        description=metadata.get("Description") or "",
        key_state=metadata.get("KeyState", "Unknown"),
        enabled=bool(metadata.get("Enabled")),
        key_spec=metadata.get("KeySpec") or metadata.get("CustomerMasterKeySpec") or "",
        key_usage=metadata.get("KeyUsage", ENCRYPT_DECRYPT),  # the AWS default; moto omits it
        key_manager="AWS" if aws_managed else metadata.get("KeyManager", ""),
        origin=metadata.get("Origin", ""),
        multi_region=multi_region,
        multi_region_type=key_type,
        primary_region=primary.get("Region") if multi_region else None,
        replica_regions=tuple(r["Region"] for r in config.get("ReplicaKeys", []) if "Region" in r),
        created=metadata.get("CreationDate"),
    )


def iam_role_from_api(role: Mapping[str, Any], inline_policy_names: tuple[str, ...]) -> IamRoleInfo:
    return IamRoleInfo(
        name=role["RoleName"],
        arn=role["Arn"],
        path=role.get("Path", "/"),
        role_id=role.get("RoleId", ""),
        trust_policy=decode_policy_document(role.get("AssumeRolePolicyDocument")),
        inline_policy_names=inline_policy_names,
        created=role.get("CreateDate"),
    )


def decode_policy_document(document: Any) -> dict[str, Any]:
    """IAM returns policy documents URL-encoded; boto3 usually decodes them, a string may remain."""
    if isinstance(document, Mapping):
        return dict(document)
    if isinstance(document, str) and document:
        try:
            return json.loads(document)
        except ValueError:
            return json.loads(unquote(document))
    return {}
