"""Does one policy statement apply to one request? The parts of IAM evaluation the wizard needs.

Principals, actions (case-insensitive wildcards), resources (case-sensitive wildcards) and the
string, ARN and Null condition operators, with ``IfExists`` and the ``ForAnyValue:`` /
``ForAllValues:`` qualifiers (every key checked here is single-valued). A condition the wizard
cannot evaluate (an unknown key or operator) is reported as unknown, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cmkwizard.aws.policy_document import as_list

EXTERNAL_ID_KEY = "sts:externalid"

_ACCOUNT_ID = re.compile(r"\d{12}")
_POSITIVE_STRING_OPS = {"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike"}
_NEGATED_STRING_OPS = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


@dataclass(frozen=True)
class ConditionCheck:
    """One ``operator -> key -> values`` entry of a statement's Condition and its outcome.

    ``outcome`` is ``None`` when the wizard cannot evaluate it (unknown key or operator).
    """

    operator: str
    key: str
    values: tuple[str, ...]
    outcome: bool | None

    @property
    def base_operator(self) -> str:
        """``ForAnyValue:StringEqualsIfExists`` -> ``StringEquals``."""
        return _base_operator(self.operator)[0]


def account_of(arn: str) -> str | None:
    """The account id in an ARN (or a bare account id), else ``None``."""
    if _ACCOUNT_ID.fullmatch(arn):
        return arn
    parts = arn.split(":")
    return parts[4] if len(parts) >= 6 and _ACCOUNT_ID.fullmatch(parts[4]) else None


def aws_principals(statement: Mapping[str, Any], field: str = "Principal") -> list[str]:
    """The ``AWS`` principals of a statement (``"*"`` for ``"Principal": "*"``)."""
    principal = statement.get(field)
    if principal == "*":
        return ["*"]
    if isinstance(principal, Mapping):
        return [str(p) for p in as_list(principal.get("AWS"))]
    return []


def has_non_aws_principals(statement: Mapping[str, Any]) -> bool:
    principal = statement.get("Principal")
    return isinstance(principal, Mapping) and any(key != "AWS" for key in principal)


def aws_principal_matches(entry: str, principal_arn: str) -> bool:
    """Whether a policy's ``AWS`` principal entry covers the caller ``principal_arn``.

    An account id or ``arn:…:iam::<account>:root`` covers every principal of that account.
    """
    if entry == "*" or entry == principal_arn:
        return True
    account = account_of(principal_arn)
    if _ACCOUNT_ID.fullmatch(entry):
        return entry == account
    parts = entry.split(":")
    if len(parts) == 6 and parts[2] == "iam" and parts[5] == "root":
        return parts[4] == account and principal_arn.split(":")[1:2] == parts[1:2]
    return False


def principal_matches(statement: Mapping[str, Any], principal_arn: str) -> bool:
    if "NotPrincipal" in statement:
        return not any(aws_principal_matches(p, principal_arn) for p in aws_principals(statement, "NotPrincipal"))
    return any(aws_principal_matches(p, principal_arn) for p in aws_principals(statement))


def action_matches(statement: Mapping[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        return not any(_wildcard(str(a), action, ignore_case=True) for a in as_list(statement["NotAction"]))
    return any(_wildcard(str(a), action, ignore_case=True) for a in as_list(statement.get("Action")))


def resource_matches(statement: Mapping[str, Any], resource: str) -> bool:
    """Statements without Resource (trust policies) apply to their own resource."""
    if "NotResource" in statement:
        return not any(_wildcard(str(r), resource) for r in as_list(statement["NotResource"]))
    if "Resource" not in statement:
        return True
    return any(_wildcard(str(r), resource) for r in as_list(statement["Resource"]))


def check_conditions(statement: Mapping[str, Any], context: Mapping[str, str | None]) -> list[ConditionCheck]:
    """Evaluate every condition entry against ``context`` (lower-case keys; ``None`` = known absent)."""
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return []
    checks = []
    for operator, entries in condition.items():
        if not isinstance(entries, Mapping):
            continue
        for key, values in entries.items():
            texts = tuple(str(v).lower() if isinstance(v, bool) else str(v) for v in as_list(values))
            outcome = _evaluate(str(operator), str(key).lower(), texts, context)
            checks.append(ConditionCheck(str(operator), str(key), texts, outcome))
    return checks


def conditions_hold(checks: list[ConditionCheck]) -> bool | None:
    """True when every check holds, False when one fails, None when one cannot be evaluated."""
    if any(c.outcome is False for c in checks):
        return False
    if any(c.outcome is None for c in checks):
        return None
    return True


def _base_operator(operator: str) -> tuple[str, bool]:
    """Strip qualifiers: returns the base operator and whether ``IfExists`` was set."""
    base = operator.split(":", 1)[1] if operator.startswith(("ForAnyValue:", "ForAllValues:")) else operator
    if base.endswith("IfExists"):
        return base[: -len("IfExists")], True
    return base, False


def _evaluate(operator: str, key: str, values: tuple[str, ...], context: Mapping[str, str | None]) -> bool | None:
    if key not in context:
        return None
    actual = context[key]
    base, if_exists = _base_operator(operator)
    if base == "Null":
        return (actual is None) == (values[:1] == ("true",))
    if actual is None:
        if if_exists or base in _NEGATED_STRING_OPS:
            return True
        return False if base in _POSITIVE_STRING_OPS else None
    if base in _POSITIVE_STRING_OPS:
        return any(_string_matches(base, v, actual) for v in values)
    if base in _NEGATED_STRING_OPS:
        return not any(_string_matches(_NEGATED_STRING_OPS[base], v, actual) for v in values)
    return None


def _string_matches(operator: str, pattern: str, actual: str) -> bool:
    if operator in ("StringEquals", "ArnEquals"):
        return pattern == actual
    if operator == "StringEqualsIgnoreCase":
        return pattern.lower() == actual.lower()
    return _wildcard(pattern, actual)


def _wildcard(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    return _compile(pattern, ignore_case).fullmatch(value) is not None


@lru_cache(maxsize=512)
def _compile(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)
