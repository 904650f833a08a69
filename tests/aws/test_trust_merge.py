"""Merging the Atlas statement into a role's existing trust policy."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from cmkwizard.aws.policies import diagnose_trust_policy, merge_trust_policy, trust_policy

PRINCIPAL = "arn:aws:iam::536727724300:root"
EXTERNAL_ID = "b63a96a9-0c0e-4c8a-9d46-3f1f2c6a1e55"
EC2 = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
CI = {
    "Sid": "CiDeploy",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::210987654321:role/ci"},
    "Action": ["sts:AssumeRole", "sts:TagSession"],
    "Condition": {"StringEquals": {"sts:ExternalId": "ci-secret"}},
}


def atlas(external_id, sid=None):
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": PRINCIPAL},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
    }
    return {"Sid": sid, **statement} if sid else statement


def test_adds_the_atlas_statement_after_the_others():
    result = merge_trust_policy(json.dumps({"Version": "2012-10-17", "Statement": [EC2, CI]}), PRINCIPAL, EXTERNAL_ID)
    assert result.changed
    assert result.policy["Statement"][:2] == [EC2, CI]
    assert result.policy["Statement"][2] == trust_policy(PRINCIPAL, EXTERNAL_ID)["Statement"][0]
    assert result.changes == [
        f'Added statement "MongoDBAtlasAccess": principal {PRINCIPAL}, external id {EXTERNAL_ID}.'
    ]
    assert diagnose_trust_policy(result.policy, PRINCIPAL, EXTERNAL_ID) == []


def test_a_stale_atlas_statement_is_replaced_in_place_not_duplicated():
    existing = {"Version": "2012-10-17", "Statement": [EC2, atlas("old-id"), CI]}
    result = merge_trust_policy(existing, PRINCIPAL, EXTERNAL_ID)
    assert [s.get("Sid") for s in result.policy["Statement"]] == [None, "MongoDBAtlasAccess", "CiDeploy"]
    assert "Replaced statement 2 (principal arn:aws:iam::536727724300:root, external id old-id)" in result.changes[0]


def test_statement_with_the_atlas_sid_is_replaced_even_with_another_principal():
    stale = {
        **atlas("old-id", sid="MongoDBAtlasAccess"),
        "Principal": {"AWS": "arn:aws:iam::299602853325:root"},
    }
    result = merge_trust_policy({"Statement": [stale]}, PRINCIPAL, EXTERNAL_ID)
    assert len(result.policy["Statement"]) == 1
    assert result.policy["Statement"][0]["Principal"] == {"AWS": PRINCIPAL}


def test_further_atlas_statements_are_removed_and_reported():
    existing = {"Statement": [atlas("a"), EC2, atlas("b")]}
    result = merge_trust_policy(existing, PRINCIPAL, EXTERNAL_ID)
    assert len(result.policy["Statement"]) == 2
    assert result.policy["Statement"][1] == EC2
    assert any("Removed statement 3" in change and "external id b" in change for change in result.changes)


def test_an_atlas_statement_without_external_id_is_replaced():
    unpinned = {"Effect": "Allow", "Principal": {"AWS": PRINCIPAL}, "Action": "sts:AssumeRole"}
    result = merge_trust_policy({"Statement": [unpinned]}, PRINCIPAL, EXTERNAL_ID)
    assert result.policy["Statement"] == trust_policy(PRINCIPAL, EXTERNAL_ID)["Statement"]


def test_another_projects_external_id_can_be_kept():
    existing = {"Version": "2012-10-17", "Statement": [atlas("other-project", sid="MongoDBAtlasAccess")]}
    result = merge_trust_policy(existing, PRINCIPAL, EXTERNAL_ID, keep_external_ids={"other-project"})
    statements = result.policy["Statement"]
    assert statements[0] == existing["Statement"][0]
    assert statements[1]["Sid"] == "MongoDBAtlasAccess2"
    assert diagnose_trust_policy(result.policy, PRINCIPAL, EXTERNAL_ID) == []


def test_a_statement_mixing_atlas_with_other_principals_is_left_alone():
    mixed = {**atlas("old-id"), "Principal": {"AWS": [PRINCIPAL, "arn:aws:iam::210987654321:role/ci"]}}
    result = merge_trust_policy({"Statement": [mixed]}, PRINCIPAL, EXTERNAL_ID)
    assert result.policy["Statement"][0] == mixed
    assert len(result.policy["Statement"]) == 2


def test_single_statement_object_and_missing_version():
    result = merge_trust_policy({"Statement": EC2}, PRINCIPAL, EXTERNAL_ID)
    assert result.policy["Version"] == "2012-10-17"
    assert next(iter(result.policy)) == "Version"
    assert result.policy["Statement"][0] == EC2
    assert 'Added "Version": "2012-10-17".' in result.changes


def test_merging_twice_reports_no_change():
    first = merge_trust_policy({"Statement": [EC2]}, PRINCIPAL, EXTERNAL_ID)
    second = merge_trust_policy(first.text, PRINCIPAL, EXTERNAL_ID)
    assert not second.changed
    assert second.policy == first.policy
    assert second.changes == ["No change: the trust policy already lets Atlas assume the role with this external id."]


# -- generated policies -------------------------------------------------------------------------

accounts = st.sampled_from(["210987654321", "111122223333", "444455556666"])
other_principals = st.one_of(
    st.builds(lambda s: {"Service": s}, st.sampled_from(["ec2.amazonaws.com", "lambda.amazonaws.com"])),
    st.builds(lambda a, n: {"AWS": f"arn:aws:iam::{a}:role/{n}"}, accounts, st.sampled_from(["ci", "ops", "audit"])),
    st.builds(lambda a: {"AWS": a}, accounts),
    st.just({"Federated": "arn:aws:iam::210987654321:saml-provider/okta"}),
)
conditions = st.one_of(
    st.none(),
    st.builds(lambda v: {"StringEquals": {"sts:ExternalId": v}}, st.text("abcdef0123", min_size=1, max_size=8)),
    st.just({"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
)


@st.composite
def other_statement(draw):
    statement = {
        "Effect": draw(st.sampled_from(["Allow", "Deny"])),
        "Principal": draw(other_principals),
        "Action": draw(
            st.sampled_from(["sts:AssumeRole", ["sts:AssumeRole", "sts:TagSession"], "sts:AssumeRoleWithSAML", "sts:*"])
        ),
    }
    if draw(st.booleans()):
        statement = {"Sid": draw(st.sampled_from(["Ci", "Ops", "Audit", "Break-glass"])), **statement}
    condition = draw(conditions)
    return {**statement, "Condition": condition} if condition else statement


@st.composite
def existing_policies(draw):
    others = draw(st.lists(other_statement(), max_size=5))
    stale = draw(st.lists(st.builds(atlas, st.text("0123456789abcdef-", min_size=1, max_size=36)), max_size=2))
    mixed = others + stale
    order = draw(st.permutations(range(len(mixed))))
    policy = {"Statement": [mixed[i] for i in order]}
    if draw(st.booleans()):
        policy = {"Version": "2012-10-17", **policy}
    return policy, others


@settings(max_examples=60, deadline=None)
@given(existing_policies(), st.booleans())
def test_merge_keeps_others_in_order_is_idempotent_and_lets_atlas_in(case, as_text):
    policy, others = case
    result = merge_trust_policy(json.dumps(policy) if as_text else policy, PRINCIPAL, EXTERNAL_ID)
    kept = [s for s in result.policy["Statement"] if s.get("Sid") != "MongoDBAtlasAccess"]
    assert kept == [s for s in policy["Statement"] if s in others]
    again = merge_trust_policy(result.policy, PRINCIPAL, EXTERNAL_ID)
    assert not again.changed and again.policy == result.policy
    assert diagnose_trust_policy(result.policy, PRINCIPAL, EXTERNAL_ID) == []
