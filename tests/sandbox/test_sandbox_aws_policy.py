"""The sandbox's IAM policy evaluation: the parts of the policy language Atlas' checks depend on."""

from __future__ import annotations

from typing import Any

import pytest

from cmkwizard.sandbox.aws_policy import ALLOW, DENY, Call, Statement, applicable

KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE = "arn:aws:iam::111122223333:role/atlas"
ATLAS = "arn:aws:iam::536727724300:root"


def _document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


@pytest.mark.parametrize(
    ("action", "resource", "allowed"),
    [
        ("KMS:Encrypt*", KEY, True),  # action names ignore case
        ("kms:*", "arn:aws:kms:us-east-1:111122223333:key/*", True),
        ("kms:Decrypt", KEY, False),
        ("kms:Encrypt", "arn:aws:kms:us-west-2:111122223333:key/*", False),
        ("kms:Encrypt", "arn:aws:kms:us-east-?:111122223333:key/*", True),
        ("kms:Encrypt", "arn:aws:kms:us-east-1:111122223333:key/[1]*", False),  # only * and ? are wildcards
    ],
)
def test_action_and_resource_wildcards(action: str, resource: str, allowed: bool) -> None:
    policy = _document({"Effect": "Allow", "Action": action, "Resource": resource})

    assert bool(applicable([policy], Call("kms:Encrypt", KEY), ALLOW)) is allowed


def test_not_action_and_not_resource_exclude() -> None:
    policy = _document({"Effect": "Allow", "NotAction": "kms:Decrypt", "NotResource": "arn:aws:kms:*:*:alias/*"})

    assert applicable([policy], Call("kms:Encrypt", KEY), ALLOW)
    assert not applicable([policy], Call("kms:Decrypt", KEY), ALLOW)
    assert not applicable([policy], Call("kms:Encrypt", "arn:aws:kms:us-east-1:1:alias/x"), ALLOW)


def test_a_single_statement_object_is_read_like_a_list() -> None:
    policy = {"Statement": {"Effect": "Deny", "Action": "kms:*", "Resource": "*"}}

    assert applicable([policy], Call("kms:Decrypt", KEY), DENY)


@pytest.mark.parametrize(
    ("named", "match"),
    [(ATLAS, "exact"), ("536727724300", "account"), ("*", "exact"), ("arn:aws:iam::999999999999:root", None)],
)
def test_principal_names_an_account_by_root_arn_or_id(named: str, match: str | None) -> None:
    assert Statement({"Principal": {"AWS": named}}).principal_match(ATLAS) == match


def test_account_principal_matches_a_role_of_that_account_as_the_account() -> None:
    statement = Statement({"Principal": {"AWS": ["arn:aws:iam::111122223333:root"]}})

    assert statement.principal_match(ROLE) == "account"
    assert Statement({"Principal": {"AWS": ROLE}}).principal_match(ROLE) == "exact"
    assert Statement({"NotPrincipal": {"AWS": ROLE}}).principal_match(ROLE) is None


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        ({"StringEquals": {"sts:ExternalId": ["a", "b"]}}, True),
        ({"StringEquals": {"STS:EXTERNALID": "b"}}, True),  # condition key names ignore case
        ({"StringEquals": {"sts:ExternalId": "c"}}, False),
        ({"StringLike": {"sts:ExternalId": "?"}}, True),
        ({"StringNotEquals": {"aws:SourceVpc": "vpc-1"}}, True),  # a negated operator holds for an absent key
        ({"StringEquals": {"aws:SourceVpc": "vpc-1"}}, False),
        ({"StringEqualsIfExists": {"aws:SourceVpc": "vpc-1"}}, True),
        ({"Null": {"aws:SourceVpc": "true"}}, True),
        ({"Bool": {"aws:SecureTransport": "true"}}, False),
        ({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, False),  # unsupported: does not apply
    ],
)
def test_condition_operators(condition: dict[str, Any], holds: bool) -> None:
    statement = Statement({"Effect": "Allow", "Action": "sts:AssumeRole", "Condition": condition})

    assert statement.conditions_hold(Call("sts:AssumeRole", context={"sts:ExternalId": "b"})) is holds
