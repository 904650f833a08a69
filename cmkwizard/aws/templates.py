"""The policy documents and statements the wizard generates for Atlas."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cmkwizard.aws.arns import parse_key_ref, parse_role_ref
from cmkwizard.aws.errors import InputError
from cmkwizard.aws.policy_document import POLICY_VERSION

ATLAS_TRUST_SID = "MongoDBAtlasAccess"
ATLAS_KMS_SID = "MongoDBAtlasKmsAccess"
ATLAS_KEY_POLICY_SID = "AllowMongoDBAtlasRole"
ASSUME_ROLE = "sts:AssumeRole"
KMS_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:DescribeKey")


def atlas_trust_statement(principal_arn: str, external_id: str, *, sid: str = ATLAS_TRUST_SID) -> dict[str, Any]:
    """Lets Atlas' principal assume the role, only with this project's external id."""
    if not principal_arn.strip().startswith("arn:"):
        raise InputError(
            f"'{principal_arn}' is not Atlas' principal ARN: use atlasAWSAccountArn of the Atlas "
            "role (e.g. arn:aws:iam::<account id>:root)."
        )
    if not external_id.strip():
        raise InputError("The external id is empty: use atlasAssumedRoleExternalId of the Atlas role.")
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"AWS": principal_arn.strip()},
        "Action": ASSUME_ROLE,
        "Condition": {"StringEquals": {"sts:ExternalId": external_id.strip()}},
    }


def trust_policy(principal_arn: str, external_id: str) -> dict[str, Any]:
    """A complete trust policy for a role that only Atlas assumes."""
    return {"Version": POLICY_VERSION, "Statement": [atlas_trust_statement(principal_arn, external_id)]}


def kms_access_policy(key_arns: Iterable[str]) -> dict[str, Any]:
    """The role's permissions policy: the three KMS actions Atlas needs, on exactly these keys.

    For a multi-Region key, pass the ARN of every replica Atlas may use (e.g. for failover):
    each replica has its own ARN.
    """
    arns: list[str] = []
    for text in key_arns:
        ref = parse_key_ref(text)
        if ref.kind != "key-arn" or ref.arn is None:
            raise InputError(
                f"'{text}' is not a key ARN. IAM grants use of a key on its key ARN "
                "(arn:aws:kms:<region>:<account id>:key/<key id>); aliases and bare ids do not work here."
            )
        if ref.arn not in arns:
            arns.append(ref.arn)
    if not arns:
        raise InputError("No key ARN given: the policy must name the key (and its replicas) Atlas uses.")
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": ATLAS_KMS_SID,
                "Effect": "Allow",
                "Action": list(KMS_ACTIONS),
                "Resource": arns if len(arns) > 1 else arns[0],
            }
        ],
    }


def key_policy_statement(role_arn: str) -> dict[str, Any]:
    """The key policy statement that lets the Atlas role use the key (needed for cross-account keys,
    and for keys whose policy does not delegate to IAM)."""
    role = parse_role_ref(role_arn)
    return {
        "Sid": ATLAS_KEY_POLICY_SID,
        "Effect": "Allow",
        "Principal": {"AWS": role.arn},
        "Action": list(KMS_ACTIONS),
        "Resource": "*",
    }
