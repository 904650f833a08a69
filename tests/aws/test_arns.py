"""Role and key references as operators paste them."""

from __future__ import annotations

import string

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cmkwizard.aws.arns import (
    InputError,
    atlas_key_identifier,
    key_arn,
    parse_account_id,
    parse_key_ref,
    parse_role_ref,
    validate_role_path,
)
from cmkwizard.aws.regions import KMS_REGIONS, partition_for

ACCOUNT = "123456789012"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
MRK_ID = "mrk-1234abcd12ab34cd56ef1234567890ab"


# -- roles --------------------------------------------------------------------------------------


def test_role_arn_with_path():
    ref = parse_role_ref("arn:aws:iam::123456789012:role/service-role/atlas-kms")
    assert ref.arn == "arn:aws:iam::123456789012:role/service-role/atlas-kms"
    assert (ref.account_id, ref.name, ref.path, ref.partition) == (
        ACCOUNT,
        "atlas-kms",
        "/service-role/",
        "aws",
    )


def test_pasted_with_quotes_and_spaces():
    assert parse_role_ref('  "arn:aws:iam::123456789012:role/atlas"  ').name == "atlas"


@pytest.mark.parametrize(
    ("typed", "arn"),
    [
        ("atlas-kms", "arn:aws:iam::123456789012:role/atlas-kms"),
        ("/team/atlas-kms", "arn:aws:iam::123456789012:role/team/atlas-kms"),
        ("role/atlas-kms", "arn:aws:iam::123456789012:role/atlas-kms"),
    ],
)
def test_bare_role_name_when_the_account_is_known(typed, arn):
    assert parse_role_ref(typed, default_account="1234-5678-9012").arn == arn


def test_bare_role_name_without_account_asks_for_the_arn():
    with pytest.raises(InputError, match=r"account is not known yet\. Paste the role ARN"):
        parse_role_ref("atlas-kms")


def test_user_arn_is_refused():
    with pytest.raises(InputError, match=r"is an IAM user\. Atlas only accepts an IAM role"):
        parse_role_ref("arn:aws:iam::123456789012:user/alice")


def test_assumed_role_arn_says_which_role_it_came_from():
    with pytest.raises(InputError) as caught:
        parse_role_ref("arn:aws:sts::123456789012:assumed-role/AtlasKms/botocore-session-1")
    message = caught.value.message
    assert "assumed-role session ARN" in message
    assert "arn:aws:iam::123456789012:role/AtlasKms" in message
    assert "aws iam get-role --role-name AtlasKms --query Role.Arn" in message


def test_instance_profile_is_refused_with_the_command_to_find_its_role():
    with pytest.raises(
        InputError, match=r"instance profile, not a role.*get-instance-profile --instance-profile-name web"
    ):
        parse_role_ref("arn:aws:iam::123456789012:instance-profile/web")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("arn:awz:iam::123456789012:role/x", "names the partition 'awz'"),
        ("arn:aws:iam::12345678901:role/x", "'12345678901' has 11 digits"),
        ("arn:aws:iam::1234567890123:role/x", "'1234567890123' has 13 digits"),
        ("arn:aws:iam::1234-5678-9012:role/x", "is not a number"),
        ("arn:aws:iam::123456789012:role/atlas kms", "characters IAM does not allow: ' '"),
        ("arn:aws:iam::123456789012:role/atlas#kms", "characters IAM does not allow: '#'"),
        ("arn:aws:iam::123456789012:role/" + "a" * 65, "65 characters long; IAM allows at most 64"),
        ("arn:aws:iam::123456789012:role/", "ends without a role name"),
        ("arn:aws:iam::123456789012:role/team/", "ends without a role name"),
        ("arn:aws:iam:us-east-1:123456789012:role/x", "IAM ARNs have none"),
        ("arn:aws:iam::123456789012:root", "account principal (root)"),
        ("arn:aws:kms:us-east-1:123456789012:key/" + KEY_ID, "'kms' service, not an IAM role"),
        ("arn:aws:iam::123456789012", "not a complete role ARN"),
        ("", "No IAM role given"),
    ],
)
def test_role_refusals_are_precise(text, expected):
    with pytest.raises(InputError) as caught:
        parse_role_ref(text)
    assert expected in caught.value.message


def test_role_in_another_partition_than_the_key_is_refused():
    with pytest.raises(InputError, match="partition 'aws' but the key's region is in partition 'aws-cn'"):
        parse_role_ref("arn:aws:iam::123456789012:role/x", partition="aws-cn")
    assert parse_role_ref("arn:aws-cn:iam::123456789012:role/x", partition="aws-cn").partition == "aws-cn"


@pytest.mark.parametrize("path", ["service-role/", "/service-role", "team"])
def test_paths_must_start_and_end_with_a_slash(path):
    with pytest.raises(InputError, match="must start and end with '/'"):
        validate_role_path(path)


def test_typed_path_without_leading_slash_suggests_the_right_form():
    with pytest.raises(InputError, match="'/service-role/'"):
        parse_role_ref("service-role/atlas-kms", default_account=ACCOUNT)


@pytest.mark.parametrize("value", ["12345678901", "1234567890123", "abc", "1234 5678 9012"])
def test_account_ids_are_twelve_digits(value):
    with pytest.raises(InputError, match="exactly 12 digits"):
        parse_account_id(value)


# -- keys ---------------------------------------------------------------------------------------


def test_key_id():
    ref = parse_key_ref(KEY_ID.upper(), "US_EAST_1")
    assert (ref.kind, ref.key_id, ref.region, ref.atlas_region, ref.multi_region) == (
        "key-id",
        KEY_ID,
        "us-east-1",
        "US_EAST_1",
        False,
    )


def test_multi_region_key_id():
    ref = parse_key_ref(MRK_ID)
    assert ref.kind == "key-id" and ref.multi_region is True and ref.region is None


def test_key_arn():
    arn = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/{MRK_ID}"
    ref = parse_key_ref(arn, "eu_west_1")
    assert (ref.kind, ref.key_id, ref.region, ref.account_id, ref.multi_region, ref.arn) == (
        "key-arn",
        MRK_ID,
        "eu-west-1",
        ACCOUNT,
        True,
        arn,
    )
    assert ref.replica_arn("US_EAST_1") == f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{MRK_ID}"


def test_alias_and_alias_arn():
    alias = parse_key_ref("alias/atlas-cmk", "us-east-1")
    assert (alias.kind, alias.alias, alias.region, alias.multi_region) == (
        "alias",
        "alias/atlas-cmk",
        "us-east-1",
        None,
    )
    arn = parse_key_ref(f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/atlas-cmk")
    assert (arn.kind, arn.alias, arn.account_id) == ("alias-arn", "alias/atlas-cmk", ACCOUNT)


def test_aws_managed_alias_is_refused():
    with pytest.raises(InputError, match="alias/aws/ebs is an AWS managed key"):
        parse_key_ref("alias/aws/ebs")
    with pytest.raises(InputError, match="AWS managed key"):
        parse_key_ref(f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/aws/ebs")


def test_region_in_the_arn_must_match_the_chosen_region_and_both_are_shown():
    with pytest.raises(InputError) as caught:
        parse_key_ref(f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/{KEY_ID}", "us_east_1")
    assert "eu-west-1 (EU_WEST_1)" in caught.value.message
    assert "us-east-1 (US_EAST_1)" in caught.value.message


def test_region_mismatch_of_a_multi_region_key_names_the_replica_arn():
    with pytest.raises(InputError, match=f"arn:aws:kms:us-west-2:{ACCOUNT}:key/{MRK_ID}"):
        parse_key_ref(f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/{MRK_ID}", "US_WEST_2")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("atlas-cmk", "write alias/atlas-cmk"),
        (KEY_ID[:-1], "has 31 hex digits instead of 32"),
        ("mrk-1234abcd12ab34cd56ef1234567890a", "has 31 hex digits"),
        (f"arn:aws:kms:us-east-1:{ACCOUNT}:key/not-a-key", "'not-a-key' in"),
        (f"arn:aws:kms:cn-north-1:{ACCOUNT}:key/{KEY_ID}", "must start with arn:aws-cn:kms:cn-north-1:"),
        (f"arn:aws:kms:mars-1:{ACCOUNT}:key/{KEY_ID}", "region in the key ARN"),
        (f"arn:aws:kms:us-east-1:{ACCOUNT}:grant/abc", "neither a key nor an alias ARN"),
        ("arn:aws:iam::123456789012:role/x", "'iam' service, not a KMS key"),
        ("alias/bad alias", "not a valid alias"),
        ("", "No KMS key given"),
    ],
)
def test_key_refusals_are_precise(text, expected):
    with pytest.raises(InputError) as caught:
        parse_key_ref(text)
    assert expected in caught.value.message


def test_what_atlas_gets_key_id_in_the_same_account_full_arn_across_accounts():
    ref = parse_key_ref(f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{KEY_ID}")
    assert atlas_key_identifier(ref, ACCOUNT) == KEY_ID
    assert atlas_key_identifier(ref, "210987654321") == ref.arn
    assert atlas_key_identifier(parse_key_ref(KEY_ID), ACCOUNT) == KEY_ID


def test_atlas_is_never_given_an_alias():
    with pytest.raises(InputError, match="aws kms describe-key --key-id alias/atlas"):
        atlas_key_identifier(parse_key_ref("alias/atlas"), ACCOUNT)


# -- generated ----------------------------------------------------------------------------------

accounts = st.text(string.digits, min_size=12, max_size=12)
role_names = st.text(string.ascii_letters + string.digits + "+=,.@_-", min_size=1, max_size=64)
path_segments = st.lists(st.text(string.ascii_letters + string.digits + "-_.", min_size=1, max_size=12), max_size=3)
regions = st.sampled_from(sorted(KMS_REGIONS))
hex_digits = "0123456789abcdef"


@st.composite
def key_ids(draw):
    if draw(st.booleans()):
        return "mrk-" + draw(st.text(hex_digits, min_size=32, max_size=32))
    parts = [draw(st.text(hex_digits, min_size=n, max_size=n)) for n in (8, 4, 4, 4, 12)]
    return "-".join(parts)


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(["aws", "aws-cn", "aws-us-gov"]), accounts, path_segments, role_names)
def test_generated_role_arns_round_trip(partition, account, segments, name):
    path = "/" + "".join(f"{s}/" for s in segments)
    arn = f"arn:{partition}:iam::{account}:role{path}{name}"
    ref = parse_role_ref(arn)
    assert (ref.arn, ref.account_id, ref.name, ref.path, ref.partition) == (
        arn,
        account,
        name,
        path,
        partition,
    )
    assert parse_role_ref(ref.path + ref.name, default_account=account, partition=partition) == ref


@settings(max_examples=80, deadline=None)
@given(accounts, role_names, st.sampled_from(["short", "long", "char", "user"]), st.data())
def test_mutated_role_arns_are_refused(account, name, mutation, data):
    if mutation == "short":
        arn = f"arn:aws:iam::{account[:-1]}:role/{name}"
    elif mutation == "long":
        arn = f"arn:aws:iam::{account}{data.draw(st.sampled_from(string.digits))}:role/{name}"
    elif mutation == "char":
        bad = data.draw(st.sampled_from(" #$%&*()[]{}!?;\"'<>|\\~^`"))
        position = data.draw(st.integers(0, len(name)))
        arn = f"arn:aws:iam::{account}:role/{name[:position]}{bad}{name[position:]}"
        # Pasted values are trimmed of surrounding quotes and blanks, so those are not mutations there.
        assume(bad not in "\"'`" or position not in (0, len(name)))
        assume(bad != " " or position != len(name))
    else:
        arn = f"arn:aws:iam::{account}:user/{name}"
    with pytest.raises(InputError):
        parse_role_ref(arn)


@settings(max_examples=80, deadline=None)
@given(regions, accounts, key_ids())
def test_generated_key_arns_and_ids_round_trip(region, account, key_id):
    arn = key_arn(region, account, key_id)
    assert arn.startswith(f"arn:{partition_for(region)}:kms:{region}:{account}:key/")
    ref = parse_key_ref(arn, KMS_REGIONS[region])
    assert (ref.kind, ref.key_id, ref.region, ref.account_id, ref.arn) == (
        "key-arn",
        key_id,
        region,
        account,
        arn,
    )
    assert ref.multi_region == key_id.startswith("mrk-")
    assert parse_key_ref(key_id, region).key_id == key_id
    assert atlas_key_identifier(ref, account) == key_id
    assert atlas_key_identifier(ref, None) == arn


@settings(max_examples=80, deadline=None)
@given(key_ids(), st.sampled_from(["drop", "add", "nonhex"]), st.data())
def test_mutated_key_ids_are_refused(key_id, mutation, data):
    first = len("mrk-") if key_id.startswith("mrk-") else 0
    position = data.draw(st.sampled_from([i for i in range(first, len(key_id)) if key_id[i] in hex_digits]))
    if mutation == "drop":
        mutated = key_id[:position] + key_id[position + 1 :]
    elif mutation == "add":
        mutated = key_id[:position] + "a" + key_id[position:]
    else:
        mutated = key_id[:position] + data.draw(st.sampled_from("ghxz")) + key_id[position + 1 :]
    with pytest.raises(InputError):
        parse_key_ref(mutated)
    with pytest.raises(InputError):
        parse_key_ref(f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{mutated}")
