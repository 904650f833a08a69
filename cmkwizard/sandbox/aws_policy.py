"""Just enough of IAM's policy language to decide what Atlas could do with a role and a key.

moto does not evaluate trust, identity and key policies the way AWS does (a missing sts:ExternalId
passes, key policies are ignored, simulate_principal_policy is not implemented), so the sandbox reads
the documents and evaluates them here: Effect, Action/NotAction, Resource/NotResource,
Principal/NotPrincipal and the string, ARN, Bool and Null condition operators (with ...IfExists).
A statement whose condition uses another operator is treated as not applying.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ALLOW = "Allow"
DENY = "Deny"


@dataclass(frozen=True)
class Call:
    """One API call as a policy sees it. `context` holds condition keys; names are case-insensitive."""

    action: str
    resource: str = "*"
    principal: str | None = None
    context: Mapping[str, str] = field(default_factory=dict)

    def context_value(self, key: str) -> str | None:
        wanted = key.lower()
        return next((value for name, value in self.context.items() if name.lower() == wanted), None)


@dataclass(frozen=True)
class Statement:
    raw: Mapping[str, Any]

    @property
    def effect(self) -> str:
        return str(self.raw.get("Effect", ""))

    @property
    def sid(self) -> str | None:
        sid = self.raw.get("Sid")
        return sid if isinstance(sid, str) and sid else None

    @property
    def conditions(self) -> Mapping[str, Mapping[str, Any]]:
        conditions = self.raw.get("Condition")
        return conditions if isinstance(conditions, Mapping) else {}

    def label(self) -> str:
        return f'statement "{self.sid}"' if self.sid else f"the {self.effect} statement {json.dumps(self.raw)}"

    def covers_action(self, action: str) -> bool:
        if "NotAction" in self.raw:
            return not any(_glob(p, action, ignore_case=True) for p in _strings(self.raw["NotAction"]))
        return any(_glob(p, action, ignore_case=True) for p in _strings(self.raw.get("Action")))

    def covers_resource(self, resource: str) -> bool:
        if "NotResource" in self.raw:
            return not any(_glob(p, resource) for p in _strings(self.raw["NotResource"]))
        if "Resource" not in self.raw:  # resource-based policies (trust, key) name no resource
            return True
        return any(_glob(p, resource) for p in _strings(self.raw["Resource"]))

    def principal_match(self, principal: str | None) -> str | None:
        """ "exact" when the statement names the principal (or everyone), "account" when it names the
        principal's account, None when it does not apply to the principal. Identity policies name none."""
        if principal is None or ("Principal" not in self.raw and "NotPrincipal" not in self.raw):
            return "exact"
        if "NotPrincipal" in self.raw:
            return None if _named_principal(self.raw["NotPrincipal"], principal) else "exact"
        return _named_principal(self.raw["Principal"], principal)

    def conditions_hold(self, call: Call) -> bool:
        for operator, clauses in self.conditions.items():
            if not isinstance(clauses, Mapping):
                return False
            if not all(_condition_holds(operator, key, expected, call) for key, expected in clauses.items()):
                return False
        return True

    def condition_values(self, operator: str, key: str) -> list[str] | None:
        """The values a condition compares the key with, or None when the statement has no such condition."""
        clauses = self.conditions.get(operator)
        if not isinstance(clauses, Mapping):
            return None
        for name, values in clauses.items():
            if name.lower() == key.lower():
                return _strings(values)
        return None

    def applies_to(self, call: Call) -> bool:
        return (
            self.covers_action(call.action)
            and self.covers_resource(call.resource)
            and self.principal_match(call.principal) is not None
            and self.conditions_hold(call)
        )


def parse_document(document: Mapping[str, Any] | str) -> Mapping[str, Any]:
    """boto3 decodes IAM documents to dicts; KMS returns key policies as JSON text."""
    if isinstance(document, str):
        parsed = json.loads(document)
        return parsed if isinstance(parsed, Mapping) else {}
    return document


def statements(document: Mapping[str, Any]) -> Iterator[Statement]:
    raw = document.get("Statement", [])
    for statement in [raw] if isinstance(raw, Mapping) else raw:
        if isinstance(statement, Mapping):
            yield Statement(statement)


def applicable(documents: Sequence[Mapping[str, Any]], call: Call, effect: str) -> list[Statement]:
    return [s for d in documents for s in statements(d) if s.effect == effect and s.applies_to(call)]


def account_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if value is None:
        return []
    return [str(value).lower() if isinstance(value, bool) else str(value)]


def _glob(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM wildcards: `*` is any run of characters, `?` any one character; nothing else is special."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE if ignore_case else 0) is not None


def _named_principal(principal: Any, arn: str) -> str | None:
    if principal == "*":
        return "exact"
    if not isinstance(principal, Mapping):
        return None
    account = account_of(arn)
    partition = arn.split(":")[1] if arn.count(":") >= 2 else "aws"
    root = f"arn:{partition}:iam::{account}:root"
    named = _strings(principal.get("AWS"))
    if "*" in named or arn in named:
        return "exact"
    if account and (account in named or root in named):
        return "account"
    return None


_NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike"}


def _condition_holds(operator: str, key: str, expected: Any, call: Call) -> bool:
    base = operator.removesuffix("IfExists")
    actual = call.context_value(key)
    wanted = _strings(expected)
    if base == "Null":
        return (actual is None) == ("true" in [w.lower() for w in wanted])
    if actual is None:
        return operator.endswith("IfExists") or base in _NEGATED
    match base:
        case "StringEquals" | "ArnEquals":
            return actual in wanted
        case "StringNotEquals" | "ArnNotEquals":
            return actual not in wanted
        case "StringEqualsIgnoreCase":
            return actual.lower() in [w.lower() for w in wanted]
        case "StringNotEqualsIgnoreCase":
            return actual.lower() not in [w.lower() for w in wanted]
        case "StringLike" | "ArnLike":
            return any(_glob(w, actual) for w in wanted)
        case "StringNotLike" | "ArnNotLike":
            return not any(_glob(w, actual) for w in wanted)
        case "Bool":
            return actual.lower() in [w.lower() for w in wanted]
        case _:
            return False
