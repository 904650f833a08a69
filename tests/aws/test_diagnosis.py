"""Why Atlas could not assume the role or use the key, read from the documents."""

from __future__ import annotations

import pytest

from cmkwizard.aws.policies import (
    diagnose_key_policy,
    diagnose_kms_access,
    diagnose_trust_policy,
    kms_access_policy,
    trust_policy,
)

PRINCIPAL = "arn:aws:iam::536727724300:root"
EXTERNAL_ID = "b63a96a9-0c0e-4c8a-9d46-3f1f2c6a1e55"
ROLE_ARN = "arn:aws:iam::123456789012:role/atlas-kms"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab"


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(principal=PRINCIPAL, action="sts:AssumeRole", condition=None, **extra):
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": action, **extra}
    if condition is not None:
        statement["Condition"] = condition
    return statement


def pinned(external_id=EXTERNAL_ID, operator="StringEquals", key="sts:ExternalId"):
    return {operator: {key: external_id}}


def codes(problems):
    return [p.code for p in problems]


# -- trust policy -------------------------------------------------------------------------------


def test_generated_trust_policy_has_no_problems():
    assert diagnose_trust_policy(trust_policy(PRINCIPAL, EXTERNAL_ID), PRINCIPAL, EXTERNAL_ID) == []


@pytest.mark.parametrize("principal", ["536727724300", [PRINCIPAL, "arn:aws:iam::210987654321:role/ci"]])
def test_equivalent_principal_forms_are_accepted(principal):
    assert diagnose_trust_policy(policy(allow(principal, condition=pinned())), PRINCIPAL, EXTERNAL_ID) == []


def test_condition_keys_and_ignore_case_operators_follow_iam_rules():
    condition = {"StringEqualsIgnoreCase": {"STS:EXTERNALID": EXTERNAL_ID.upper()}}
    assert diagnose_trust_policy(policy(allow(condition=condition)), PRINCIPAL, EXTERNAL_ID) == []


def test_principal_missing():
    ec2 = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    (problem,) = diagnose_trust_policy(policy(ec2), PRINCIPAL, EXTERNAL_ID)
    assert problem.code == "principal-missing"
    assert PRINCIPAL in problem.message
    assert EXTERNAL_ID in problem.fix and '"Sid": "MongoDBAtlasAccess"' in problem.fix


def test_principal_different_shows_both():
    other = "arn:aws:iam::299602853325:root"
    (problem,) = diagnose_trust_policy(policy(allow(other, condition=pinned())), PRINCIPAL, EXTERNAL_ID)
    assert problem.code == "principal-different"
    assert other in problem.message and PRINCIPAL in problem.message


def test_external_id_different_shows_both():
    (problem,) = diagnose_trust_policy(policy(allow(condition=pinned("old-id"))), PRINCIPAL, EXTERNAL_ID)
    assert problem.code == "external-id-different"
    assert "old-id" in problem.message and EXTERNAL_ID in problem.message
    assert problem.fix == f"Replace old-id with {EXTERNAL_ID} in statement 1."


def test_external_id_missing():
    (problem,) = diagnose_trust_policy(policy(allow()), PRINCIPAL, EXTERNAL_ID)
    assert problem.code == "external-id-missing"
    assert "confused deputy" in problem.message
    assert EXTERNAL_ID in problem.fix


def test_action_missing():
    problems = diagnose_trust_policy(policy(allow(action="sts:TagSession", condition=pinned())), PRINCIPAL, EXTERNAL_ID)
    assert codes(problems) == ["action-missing"]
    assert '"sts:TagSession"' in problems[0].message


@pytest.mark.parametrize(
    "action", ["sts:*", "*", "sts:Assume*", ["sts:AssumeRole", "sts:TagSession"], "STS:assumerole"]
)
def test_action_wildcards_and_case(action):
    assert diagnose_trust_policy(policy(allow(action=action, condition=pinned())), PRINCIPAL, EXTERNAL_ID) == []


def test_a_deny_overrides_the_allow():
    deny = {"Sid": "NoAtlas", "Effect": "Deny", "Principal": {"AWS": "536727724300"}, "Action": "sts:*"}
    problems = diagnose_trust_policy(policy(allow(condition=pinned()), deny), PRINCIPAL, EXTERNAL_ID)
    assert codes(problems) == ["deny"]
    assert 'Statement 2 ("NoAtlas") denies sts:AssumeRole' in problems[0].message


def test_a_deny_for_someone_else_is_no_problem():
    deny = {"Effect": "Deny", "Principal": {"AWS": "210987654321"}, "Action": "sts:AssumeRole"}
    assert diagnose_trust_policy(policy(allow(condition=pinned()), deny), PRINCIPAL, EXTERNAL_ID) == []


def test_string_like_with_a_wildcard_does_not_pin_the_external_id():
    problems = diagnose_trust_policy(
        policy(allow(condition=pinned("b63a96a9-*", "StringLike"))), PRINCIPAL, EXTERNAL_ID
    )
    assert codes(problems) == ["condition-operator"]
    assert "StringLike" in problems[0].message


def test_string_like_exact_value_is_still_not_the_expected_operator():
    problems = diagnose_trust_policy(policy(allow(condition=pinned(operator="StringLike"))), PRINCIPAL, EXTERNAL_ID)
    assert codes(problems) == ["condition-operator"]


def test_string_not_equals_is_the_wrong_operator():
    problems = diagnose_trust_policy(
        policy(allow(condition=pinned(operator="StringNotEquals"))), PRINCIPAL, EXTERNAL_ID
    )
    assert codes(problems) == ["condition-operator"]
    assert "StringNotEquals" in problems[0].message


def test_a_misspelled_condition_key_is_named():
    problems = diagnose_trust_policy(policy(allow(condition=pinned(key="sts:ExternalIds"))), PRINCIPAL, EXTERNAL_ID)
    assert codes(problems) == ["condition-key"]
    assert "did you mean sts:ExternalId" in problems[0].message


def test_an_extra_condition_the_wizard_cannot_check_is_reported():
    condition = {**pinned(), "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
    problems = diagnose_trust_policy(policy(allow(condition=condition)), PRINCIPAL, EXTERNAL_ID)
    assert codes(problems) == ["condition-unknown"]
    assert "aws:SourceIp" in problems[0].message


def test_a_wildcard_principal_is_reported_even_with_the_external_id():
    statement = {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Condition": pinned()}
    assert codes(diagnose_trust_policy(policy(statement), PRINCIPAL, EXTERNAL_ID)) == ["principal-wildcard"]


def test_an_unpinned_second_statement_undoes_the_pin():
    problems = diagnose_trust_policy(policy(allow(condition=pinned()), allow("536727724300")), PRINCIPAL, EXTERNAL_ID)
    assert codes(problems) == ["external-id-missing"]
    assert "Statement 2" in problems[0].message


def test_trust_policy_text_is_accepted():
    import json

    assert diagnose_trust_policy(json.dumps(trust_policy(PRINCIPAL, EXTERNAL_ID)), PRINCIPAL, EXTERNAL_ID) == []


# -- KMS access (role policies) -----------------------------------------------------------------


def test_generated_kms_policy_has_no_problems():
    assert diagnose_kms_access({"MongoDBAtlasKmsAccess": kms_access_policy([KEY_ARN])}, KEY_ARN) == []


def test_names_the_missing_actions():
    partial = policy({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY_ARN})
    (problem,) = diagnose_kms_access({"partial": partial}, KEY_ARN)
    assert problem.code == "kms-actions-missing"
    assert f"do not allow kms:Encrypt, kms:DescribeKey on {KEY_ARN}" in problem.message


def test_no_policies_at_all():
    (problem,) = diagnose_kms_access({}, KEY_ARN)
    assert "kms:Encrypt, kms:Decrypt, kms:DescribeKey" in problem.message


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("kms:*", KEY_ARN),
        ("*", "*"),
        (["kms:Encrypt", "kms:Decrypt", "kms:Describe*"], "arn:aws:kms:*:123456789012:key/*"),
    ],
)
def test_wildcards_are_honoured(action, resource):
    assert (
        diagnose_kms_access({"p": policy({"Effect": "Allow", "Action": action, "Resource": resource})}, KEY_ARN) == []
    )


def test_policies_combine():
    documents = {
        "a": policy({"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": KEY_ARN}),
        "b": policy({"Effect": "Allow", "Action": "kms:DescribeKey", "Resource": "*"}),
    }
    assert diagnose_kms_access(documents, KEY_ARN) == []


def test_a_deny_is_honoured():
    documents = {
        "grant": kms_access_policy([KEY_ARN]),
        "guard": policy({"Sid": "NoDecrypt", "Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}),
    }
    problems = diagnose_kms_access(documents, KEY_ARN)
    assert codes(problems) == ["deny"]
    assert problems[0].message.startswith("Statement 1 (\"NoDecrypt\") of policy 'guard' denies kms:Decrypt on ")


def test_not_action_and_not_resource():
    documents = {
        "p": policy({"Effect": "Allow", "NotAction": "kms:ScheduleKeyDeletion", "NotResource": "arn:aws:s3:::*"})
    }
    assert diagnose_kms_access(documents, KEY_ARN) == []


def test_alias_arn_and_other_region_are_explained():
    alias = "arn:aws:kms:us-east-1:123456789012:alias/atlas"
    replica = KEY_ARN.replace("us-east-1", "eu-west-1")
    documents = {"p": policy({"Effect": "Allow", "Action": "kms:*", "Resource": [alias, replica]})}
    (problem,) = diagnose_kms_access(documents, KEY_ARN)
    assert "not on an alias ARN" in problem.message
    assert f"names {replica}: the same key id in another region" in problem.message


def test_conditions_the_wizard_cannot_check_are_reported():
    documents = {
        "p": policy(
            {
                "Effect": "Allow",
                "Action": "kms:*",
                "Resource": KEY_ARN,
                "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
            }
        )
    }
    assert codes(diagnose_kms_access(documents, KEY_ARN)) == ["kms-actions-missing", "condition-unknown"]


# -- key policy ---------------------------------------------------------------------------------

DEFAULT_KEY_POLICY = policy(
    {
        "Sid": "Enable IAM User Permissions",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
)


def test_default_key_policy_delegates_to_iam():
    assert diagnose_key_policy(DEFAULT_KEY_POLICY, ROLE_ARN, KEY_ARN) == []


def test_key_policy_of_another_account_must_name_the_role():
    foreign = "arn:aws:iam::210987654321:role/atlas-kms"
    (problem,) = diagnose_key_policy(DEFAULT_KEY_POLICY, foreign, KEY_ARN)
    assert problem.code == "kms-actions-missing"
    assert "The key policy does not allow kms:Encrypt, kms:Decrypt, kms:DescribeKey" in problem.message
    assert f'"Principal": {{"AWS": "{foreign}"}}' in problem.fix


def test_key_policy_deny():
    deny = {"Effect": "Deny", "Principal": {"AWS": ROLE_ARN}, "Action": "kms:Encrypt", "Resource": "*"}
    key_policy = {**DEFAULT_KEY_POLICY, "Statement": [*DEFAULT_KEY_POLICY["Statement"], deny]}
    assert codes(diagnose_key_policy(key_policy, ROLE_ARN, KEY_ARN)) == ["deny"]
