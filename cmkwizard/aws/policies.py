"""Policy documents for Atlas: generate them, merge the Atlas statement into a role's trust policy,
and diagnose why Atlas cannot assume a role or use a key.

Generation lives in ``templates``, parsing in ``policy_document``, diagnoses in ``diagnosis``;
this module is the one place callers import them from, and owns the merge.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from cmkwizard.aws.diagnosis import Problem, diagnose_key_policy, diagnose_kms_access, diagnose_trust_policy
from cmkwizard.aws.policy_document import (
    POLICY_VERSION,
    PolicyError,
    label,
    load_policy,
    render_policy,
    statements,
)
from cmkwizard.aws.policy_eval import (
    EXTERNAL_ID_KEY,
    account_of,
    action_matches,
    aws_principals,
    check_conditions,
    has_non_aws_principals,
)
from cmkwizard.aws.templates import (
    ASSUME_ROLE,
    ATLAS_KMS_SID,
    ATLAS_TRUST_SID,
    KMS_ACTIONS,
    atlas_trust_statement,
    key_policy_statement,
    kms_access_policy,
    trust_policy,
)

__all__ = [
    "ATLAS_KMS_SID",
    "ATLAS_TRUST_SID",
    "KMS_ACTIONS",
    "POLICY_VERSION",
    "MergeResult",
    "PolicyError",
    "Problem",
    "atlas_trust_statement",
    "diagnose_key_policy",
    "diagnose_kms_access",
    "diagnose_trust_policy",
    "key_policy_statement",
    "kms_access_policy",
    "load_policy",
    "merge_trust_policy",
    "render_policy",
    "trust_policy",
]

# AWS accounts Atlas assumes customer roles from (atlasAWSAccountArn is arn:aws:iam::<account>:root):
# 299602853325 is seen in live Atlas responses,
# 536727724300 in Atlas documentation examples.
ATLAS_AWS_ACCOUNTS = frozenset({"299602853325", "536727724300"})


@dataclass(frozen=True)
class MergeResult:
    """The merged trust policy and, in order, what the merge changed (or why nothing changed)."""

    policy: dict[str, Any]
    changes: list[str] = field(default_factory=list)
    changed: bool = True

    @property
    def text(self) -> str:
        return render_policy(self.policy)


def merge_trust_policy(
    existing: str | Mapping[str, Any],
    principal_arn: str,
    external_id: str,
    *,
    keep_external_ids: Collection[str] = (),
) -> MergeResult:
    """Put the Atlas statement into an existing trust policy, touching nothing else.

    An earlier Atlas statement (the same Sid, or a statement whose only principals are Atlas' and
    that checks ``sts:ExternalId`` or allows ``sts:AssumeRole``) is replaced in place rather than
    duplicated; further ones are removed. Statements pinned to an external id listed in
    ``keep_external_ids`` (another Atlas project sharing this role) are left alone. Merging the
    result again changes nothing.
    """
    document = load_policy(existing, "trust")
    items = statements(document)
    keep = set(keep_external_ids)
    stale = [
        index
        for index, statement in enumerate(items)
        if (_has_atlas_sid(statement) or _is_atlas_statement(statement, principal_arn))
        and not (_external_ids(statement) and _external_ids(statement) <= keep)
    ]
    remaining_sids = {s.get("Sid") for i, s in enumerate(items) if i not in stale}
    desired = atlas_trust_statement(principal_arn, external_id, sid=_free_sid(remaining_sids))
    changes: list[str] = []
    merged = list(items)
    if not stale:
        merged.append(desired)
        changes.append(f'Added statement "{desired["Sid"]}": {_summary(desired)}.')
    else:
        first = stale[0]
        if items[first] != desired:
            merged[first] = desired
            changes.append(
                f"Replaced {label(items[first], first + 1)} ({_summary(items[first])}) with "
                f'"{desired["Sid"]}": {_summary(desired)}.'
            )
        for index in stale[1:]:
            changes.append(
                f"Removed {label(items[index], index + 1)} ({_summary(items[index])}), an older Atlas "
                "statement: its external id can no longer assume this role."
            )
        merged = [s for i, s in enumerate(merged) if i not in stale[1:]]
    if not changes:
        return MergeResult(
            document,
            ["No change: the trust policy already lets Atlas assume the role with this external id."],
            changed=False,
        )
    if "Version" not in document:
        changes.append(f'Added "Version": "{POLICY_VERSION}".')
        document = {"Version": POLICY_VERSION, **document}
    document["Statement"] = merged
    return MergeResult(document, changes)


def _has_atlas_sid(statement: Mapping[str, Any]) -> bool:
    sid = statement.get("Sid")
    return isinstance(sid, str) and re.fullmatch(rf"{ATLAS_TRUST_SID}\d*", sid) is not None


def _is_atlas_statement(statement: Mapping[str, Any], principal_arn: str) -> bool:
    if statement.get("Effect") != "Allow" or "NotPrincipal" in statement or has_non_aws_principals(statement):
        return False
    principals = aws_principals(statement)
    if not principals or not all(_looks_like_atlas(p, principal_arn) for p in principals):
        return False
    return bool(_external_ids(statement)) or action_matches(statement, ASSUME_ROLE)


def _looks_like_atlas(entry: str, principal_arn: str) -> bool:
    account = account_of(entry)
    return entry == principal_arn or (
        account is not None and (account == account_of(principal_arn) or account in ATLAS_AWS_ACCOUNTS)
    )


def _external_ids(statement: Mapping[str, Any]) -> set[str]:
    return {v for c in check_conditions(statement, {}) if c.key.lower() == EXTERNAL_ID_KEY for v in c.values}


def _free_sid(taken: set[Any]) -> str:
    sid, n = ATLAS_TRUST_SID, 1
    while sid in taken:
        n += 1
        sid = f"{ATLAS_TRUST_SID}{n}"
    return sid


def _summary(statement: Mapping[str, Any]) -> str:
    principals = ", ".join(aws_principals(statement)) or "no AWS principal"
    ids = ", ".join(sorted(_external_ids(statement))) or "none"
    return f"principal {principals}, external id {ids}"
