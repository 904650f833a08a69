"""Why Atlas cannot assume a role or use a key, read from the policies themselves.

Each diagnosis returns a list of ``Problem``; an empty list means the documents let Atlas do what
it needs, with the external id pinned. Problems name the statement, the value found and the value
expected, so the operator can fix the document without guessing.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cmkwizard.aws.arns import parse_role_ref
from cmkwizard.aws.policy_document import as_list, label, load_policy, statements, upper_first
from cmkwizard.aws.policy_eval import (
    EXTERNAL_ID_KEY,
    ConditionCheck,
    account_of,
    action_matches,
    aws_principals,
    check_conditions,
    conditions_hold,
    principal_matches,
    resource_matches,
)
from cmkwizard.aws.templates import ASSUME_ROLE, KMS_ACTIONS, atlas_trust_statement, key_policy_statement

_PINNING_OPERATORS = ("StringEquals", "StringEqualsIgnoreCase")


@dataclass(frozen=True)
class Problem:
    """What is wrong (``message``) and how to fix it (``fix``); ``code`` is stable for programs."""

    code: str
    message: str
    fix: str


@dataclass(frozen=True)
class _Match:
    """How one statement relates to a request."""

    index: int
    statement: Mapping[str, Any]
    principal: bool
    action: bool
    resource: bool
    checks: list[ConditionCheck]

    @property
    def where(self) -> str:
        return label(self.statement, self.index)

    @property
    def conditions(self) -> bool | None:
        return conditions_hold(self.checks)

    @property
    def applies(self) -> bool:
        return self.principal and self.action and self.resource and self.conditions is True

    @property
    def may_apply(self) -> bool:
        return self.principal and self.action and self.resource and self.conditions is not False

    @property
    def allows(self) -> bool:
        return self.statement.get("Effect") == "Allow"


def diagnose_trust_policy(policy: str | Mapping[str, Any], principal_arn: str, external_id: str) -> list[Problem]:
    """Problems that stop Atlas (``principal_arn`` + ``external_id``) from assuming the role."""
    document = load_policy(policy, "trust")
    context = {
        EXTERNAL_ID_KEY: external_id,
        "aws:principalarn": principal_arn,
        "aws:principalaccount": account_of(principal_arn),
    }
    matches = _match_all(document, principal_arn, ASSUME_ROLE, None, context)
    problems = [
        _deny_problem(m.where, m.checks, f"{ASSUME_ROLE} to Atlas' principal {principal_arn}", "Atlas")
        for m in matches
        if not m.allows and m.may_apply
    ]
    granting = [m for m in matches if m.allows and m.applies]
    if granting:
        return problems + [p for m in granting if (p := _unpinned_problem(m, principal_arn, external_id))]
    return problems + _why_not_allowed(matches, principal_arn, external_id)


def diagnose_kms_access(policies: Mapping[str, Mapping[str, Any]], key_arn: str) -> list[Problem]:
    """Problems in the role's permissions policies (name -> document) for using ``key_arn``."""
    documents = {name: load_policy(doc, "permissions") for name, doc in policies.items()}
    matches = {name: _match_all(doc, None, None, key_arn, {}) for name, doc in documents.items()}
    actions = ", ".join(KMS_ACTIONS)
    fix = f"Attach a policy to the role allowing {actions} on {key_arn} (the wizard generates it)."
    return _kms_problems(matches, key_arn, "The role's permissions policies do not allow", fix)


def diagnose_key_policy(key_policy: str | Mapping[str, Any], role_arn: str, key_arn: str) -> list[Problem]:
    """Problems in a key's policy for ``role_arn`` using the key.

    A statement for the role's account root delegates to IAM: it counts as allowing here, and
    ``diagnose_kms_access`` then checks the role's own policies.
    """
    role_arn = parse_role_ref(role_arn).arn
    document = load_policy(key_policy, "key")
    context = {
        "aws:principalarn": role_arn,
        "aws:principalaccount": account_of(role_arn),
        "kms:calleraccount": account_of(role_arn),
    }
    matches = {"key policy": _match_all(document, role_arn, None, key_arn, context)}
    fix = (
        "Add this statement to the key policy (key policies are per key, and per region for multi-Region "
        f"replicas): {json.dumps(key_policy_statement(role_arn))}"
    )
    return _kms_problems(matches, key_arn, "The key policy does not allow", fix)


def _match_all(
    document: Mapping[str, Any],
    principal_arn: str | None,
    action: str | None,
    resource: str | None,
    context: Mapping[str, str | None],
) -> list[_Match]:
    """Match every statement; ``None`` for principal/action/resource means "not checked here"."""
    return [
        _Match(
            index,
            statement,
            principal_arn is None or principal_matches(statement, principal_arn),
            action is None or action_matches(statement, action),
            resource is None or resource_matches(statement, resource),
            check_conditions(statement, context),
        )
        for index, statement in enumerate(statements(document), start=1)
    ]


def _deny_problem(where: str, checks: list[ConditionCheck], what: str, covers: str) -> Problem:
    unknown = [c.key for c in checks if c.outcome is None]
    when = f" when its condition on {', '.join(unknown)} holds" if unknown else ""
    return Problem(
        "deny",
        f"{upper_first(where)} denies {what}{when}. A Deny overrides every Allow.",
        f"Remove {where} or narrow it so it does not cover {covers}.",
    )


def _external_id_checks(match: _Match) -> list[ConditionCheck]:
    return [c for c in match.checks if c.key.lower() == EXTERNAL_ID_KEY]


def _atlas_condition(external_id: str) -> str:
    return json.dumps({"StringEquals": {"sts:ExternalId": external_id}})


def _unpinned_problem(match: _Match, principal_arn: str, external_id: str) -> Problem | None:
    """A statement that lets Atlas in must also keep everyone else out: a pinned external id."""
    checks = _external_id_checks(match)
    pinned = any(
        c.operator in _PINNING_OPERATORS and c.outcome is True and "*" not in "".join(c.values) for c in checks
    )
    if "*" in aws_principals(match.statement):
        return Problem(
            "principal-wildcard",
            f'{upper_first(match.where)} lets any AWS principal ("*") assume the role; the external '
            "id alone is not a secret.",
            f'Set "Principal": {{"AWS": "{principal_arn}"}} in {match.where}.',
        )
    if pinned:
        return None
    if not checks:
        return Problem(
            "external-id-missing",
            f"{upper_first(match.where)} lets {principal_arn} assume the role without requiring the "
            "external id, so any Atlas project could use this role (confused deputy).",
            f'Add "Condition": {_atlas_condition(external_id)} to {match.where}.',
        )
    operators = ", ".join(sorted({c.operator for c in checks}))
    return Problem(
        "condition-operator",
        f"{upper_first(match.where)} checks sts:ExternalId with {operators}, which does not pin it "
        f"to exactly {external_id}: other external ids could match.",
        f'Use "Condition": {_atlas_condition(external_id)} in {match.where}.',
    )


def _why_not_allowed(matches: list[_Match], principal_arn: str, external_id: str) -> list[Problem]:
    allows = [m for m in matches if m.allows]
    add_statement = f"Add the Atlas statement: {json.dumps(atlas_trust_statement(principal_arn, external_id))}"
    for_principal = [m for m in allows if m.principal]
    if for_principal:
        best = min(for_principal, key=lambda m: (not m.action) + (m.conditions is not True))
        problems = []
        if not best.action:
            actions = json.dumps(best.statement.get("Action", best.statement.get("NotAction")))
            problems.append(
                Problem(
                    "action-missing",
                    f"{upper_first(best.where)} names Atlas' principal but allows {actions}, not {ASSUME_ROLE}.",
                    f'Set "Action": "{ASSUME_ROLE}" in {best.where}.',
                )
            )
        problems.extend(_condition_problems(best, external_id))
        return problems
    for_atlas = [m for m in allows if _external_id_checks(m)]
    if for_atlas:
        best = for_atlas[0]
        found = ", ".join(aws_principals(best.statement)) or json.dumps(best.statement.get("Principal"))
        different = Problem(
            "principal-different",
            f"{upper_first(best.where)} allows {found}, but Atlas assumes the role as {principal_arn}.",
            f'Set "Principal": {{"AWS": "{principal_arn}"}} in {best.where}.',
        )
        return [different, *_condition_problems(best, external_id)]
    return [
        Problem(
            "principal-missing",
            f"No statement allows Atlas' principal {principal_arn} to assume the role.",
            add_statement,
        )
    ]


def _condition_problems(match: _Match, external_id: str) -> list[Problem]:
    problems = []
    id_checks = _external_id_checks(match)
    for check in match.checks:
        if check.outcome is True:
            continue
        if check in id_checks:
            problems.append(_external_id_problem(match, check, external_id))
        elif check.outcome is None:
            problems.append(_unknown_condition_problem(match, check))
        else:
            problems.append(
                Problem(
                    "condition-failed",
                    f"{upper_first(match.where)} requires {check.key} {check.operator} "
                    f"{', '.join(check.values)}, which Atlas' request does not meet.",
                    f"Remove that condition from {match.where}.",
                )
            )
    if not id_checks and not problems:
        problems.append(
            Problem(
                "external-id-missing",
                f"{upper_first(match.where)} does not require the external id.",
                f'Add "Condition": {_atlas_condition(external_id)} to {match.where}.',
            )
        )
    return problems


def _external_id_problem(match: _Match, check: ConditionCheck, external_id: str) -> Problem:
    found = ", ".join(check.values)
    if check.base_operator in ("StringEquals", "StringEqualsIgnoreCase", "StringLike"):
        return Problem(
            "external-id-different",
            f"{upper_first(match.where)} requires sts:ExternalId {found}, but Atlas sends {external_id} "
            "(the external id of this project's Atlas role).",
            f"Replace {found} with {external_id} in {match.where}.",
        )
    return Problem(
        "condition-operator",
        f"{upper_first(match.where)} checks sts:ExternalId with {check.operator}, so Atlas' external id "
        f"{external_id} does not satisfy it.",
        f'Use "Condition": {_atlas_condition(external_id)} in {match.where}.',
    )


def _unknown_condition_problem(match: _Match, check: ConditionCheck) -> Problem:
    close = difflib.get_close_matches(check.key.lower(), [EXTERNAL_ID_KEY], n=1, cutoff=0.8)
    if close:
        return Problem(
            "condition-key",
            f"{upper_first(match.where)} has a condition on '{check.key}', which is not a key AWS "
            "knows; did you mean sts:ExternalId?",
            f"Rename '{check.key}' to 'sts:ExternalId' in {match.where}.",
        )
    return Problem(
        "condition-unknown",
        f"{upper_first(match.where)} also requires {check.key} {check.operator} {', '.join(check.values)}; "
        "the wizard cannot tell whether Atlas' requests meet that.",
        f"Remove that condition from {match.where} unless you know Atlas meets it.",
    )


def _kms_problems(matches: Mapping[str, list[_Match]], key_arn: str, not_allowed: str, fix: str) -> list[Problem]:
    """Deny statements, the actions nothing allows, and conditions that may be why; per policy name."""
    several = len(matches) > 1
    problems: list[Problem] = []
    missing: list[str] = []
    uncertain: dict[tuple[str, int], _Match] = {}
    for action in KMS_ACTIONS:
        relevant = [
            (name, m) for name, ms in matches.items() for m in ms if m.allows and action_matches(m.statement, action)
        ]
        if not any(m.applies for _, m in relevant):
            missing.append(action)
            uncertain.update({(name, m.index): m for name, m in relevant if m.may_apply})
    for name, policy_matches in matches.items():
        for m in policy_matches:
            denied = [a for a in KMS_ACTIONS if action_matches(m.statement, a)]
            if not m.allows and m.may_apply and denied:
                where = f"{m.where} of policy '{name}'" if several else m.where
                problems.append(_deny_problem(where, m.checks, f"{', '.join(denied)} on {key_arn}", "this key"))
    if missing:
        hints = _resource_hints(matches, key_arn)
        problems.append(Problem("kms-actions-missing", f"{not_allowed} {', '.join(missing)} on {key_arn}.{hints}", fix))
    for m in uncertain.values():
        problems.extend(_unknown_condition_problem(m, c) for c in m.checks if c.outcome is None)
    return problems


def _resource_hints(matches: Mapping[str, list[_Match]], key_arn: str) -> str:
    """Explain the near misses operators make: an alias ARN, or the key in another region."""
    key_id = key_arn.rsplit("/", 1)[-1]
    hints = []
    for m in (m for ms in matches.values() for m in ms):
        for resource in map(str, as_list(m.statement.get("Resource"))):
            if ":alias/" in resource:
                hints.append(
                    f" {upper_first(m.where)} names the alias {resource}; IAM grants use of a "
                    "key on the key ARN, not on an alias ARN."
                )
            elif resource.endswith(f":key/{key_id}") and resource != key_arn:
                hints.append(
                    f" {upper_first(m.where)} names {resource}: the same key id in another "
                    "region is a different ARN (each multi-Region replica has its own)."
                )
    return "".join(dict.fromkeys(hints))
