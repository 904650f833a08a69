"""Pasted policy documents: what is accepted and how refusals read."""

from __future__ import annotations

import json

import pytest

from cmkwizard.aws.errors import InputError
from cmkwizard.aws.policies import (
    PolicyError,
    atlas_trust_statement,
    key_policy_statement,
    kms_access_policy,
    load_policy,
    merge_trust_policy,
    trust_policy,
)

PRINCIPAL = "arn:aws:iam::536727724300:root"
EXTERNAL_ID = "b63a96a9-0c0e-4c8a-9d46-3f1f2c6a1e55"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_trust_statement_and_policy_have_the_documented_shape():
    assert atlas_trust_statement(PRINCIPAL, EXTERNAL_ID) == {
        "Sid": "MongoDBAtlasAccess",
        "Effect": "Allow",
        "Principal": {"AWS": PRINCIPAL},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}},
    }
    policy = trust_policy(PRINCIPAL, EXTERNAL_ID)
    assert policy["Version"] == "2012-10-17"
    assert policy["Statement"] == [atlas_trust_statement(PRINCIPAL, EXTERNAL_ID)]


def test_trust_statement_refuses_values_that_are_not_atlas_ones():
    with pytest.raises(InputError, match="atlasAWSAccountArn"):
        atlas_trust_statement("536727724300", EXTERNAL_ID)
    with pytest.raises(InputError, match="atlasAssumedRoleExternalId"):
        atlas_trust_statement(PRINCIPAL, " ")


def test_kms_access_policy_names_each_key_and_replica_once():
    replica = KEY_ARN.replace("us-east-1", "eu-west-1")
    policy = kms_access_policy([KEY_ARN, replica, KEY_ARN])
    (statement,) = policy["Statement"]
    assert statement["Action"] == ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"]
    assert statement["Resource"] == [KEY_ARN, replica]
    assert kms_access_policy([KEY_ARN])["Statement"][0]["Resource"] == KEY_ARN


@pytest.mark.parametrize(
    "reference",
    ["alias/atlas", "1234abcd-12ab-34cd-56ef-1234567890ab", "arn:aws:kms:us-east-1:123456789012:alias/atlas"],
)
def test_kms_access_policy_needs_key_arns(reference):
    with pytest.raises(InputError, match="not a key ARN"):
        kms_access_policy([reference])
    with pytest.raises(InputError, match="No key ARN given"):
        kms_access_policy([])


def test_key_policy_statement_names_the_role():
    statement = key_policy_statement("arn:aws:iam::123456789012:role/service-role/atlas")
    assert statement["Principal"] == {"AWS": "arn:aws:iam::123456789012:role/service-role/atlas"}
    assert statement["Resource"] == "*"


@pytest.mark.parametrize(
    ("text", "line", "column", "expected"),
    [
        (
            '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow",}\n  ]\n}',
            4,
            24,
            "remove that trailing comma",
        ),
        ("{\n  'Version': '2012-10-17'\n}", 2, 3, "double quotes"),
        ('{\n  "Version": "2012-10-17"\n  "Statement": []\n}', 3, 3, "a comma is missing"),
        (
            '{"Version": "2012-10-17", "Statement": []}\n{"Version": "2012-10-17"}',
            2,
            1,
            "more text after the end",
        ),
    ],
)
def test_invalid_json_is_refused_with_line_and_column(text, line, column, expected):
    with pytest.raises(PolicyError) as caught:
        merge_trust_policy(text, PRINCIPAL, EXTERNAL_ID)
    error = caught.value
    assert (error.line, error.column) == (line, column)
    assert f"line {line}, column {column}" in error.message
    assert expected in error.message


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ("", "is empty"),
        ("[]", "must be a JSON object"),
        ('{"Version": "2012-10-17"}', 'has no "Statement"'),
        ('{"Statement": "Allow"}', '"Statement" in the trust policy must be a list'),
        (
            '{"Statement": [{"Principal": {"AWS": "x"}, "Action": "sts:AssumeRole"}]}',
            'Statement 1 has no "Effect"',
        ),
        (
            '{"Statement": [{"Effect": "Permit", "Principal": "*", "Action": "a"}]}',
            'expected "Allow" or "Deny"',
        ),
        ('{"Statement": [{"Effect": "Allow", "Principal": "*"}]}', 'has no "Action"'),
        ('{"Statement": ["Allow"]}', "Statement 1 of the trust policy is a string"),
        ('{"Version": "2020-01-01", "Statement": []}', "IAM policies use"),
        (json.dumps(kms_access_policy([KEY_ARN])), "permissions (identity) policy, not a trust policy"),
        (
            '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}]}',
            "trust policies cannot have one",
        ),
        (
            '{"Statement": [{"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},'
            ' {"Effect": "Allow", "Action": "sts:AssumeRole"}]}',
            'Statement 2 has no "Principal"',
        ),
        (
            '{"Role": {"RoleName": "x", "AssumeRolePolicyDocument": {"Statement": []}}}',
            'paste only the value of "AssumeRolePolicyDocument"',
        ),
    ],
)
def test_documents_that_are_not_trust_policies_are_refused_precisely(document, expected):
    with pytest.raises(PolicyError) as caught:
        merge_trust_policy(document, PRINCIPAL, EXTERNAL_ID)
    assert expected in caught.value.message
    assert caught.value.line is None


def test_permissions_policy_with_a_principal_is_refused():
    with pytest.raises(PolicyError, match="not a permissions policy"):
        load_policy(trust_policy(PRINCIPAL, EXTERNAL_ID), "permissions")


def test_loading_never_modifies_the_callers_document():
    original = trust_policy(PRINCIPAL, "old-id")
    snapshot = json.loads(json.dumps(original))
    merge_trust_policy(original, PRINCIPAL, EXTERNAL_ID)
    assert original == snapshot
