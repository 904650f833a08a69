"""Region spellings operators type, normalised to the AWS and Atlas forms."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmkwizard.aws.errors import InputError
from cmkwizard.aws.regions import (
    KMS_REGIONS,
    describe_region,
    is_kms_region,
    partition_for,
    to_atlas_region,
    to_aws_region,
)

ATLAS_ENUM = [
    "US_GOV_WEST_1",
    "US_GOV_EAST_1",
    "US_EAST_1",
    "US_EAST_2",
    "US_WEST_1",
    "US_WEST_2",
    "CA_CENTRAL_1",
    "EU_NORTH_1",
    "EU_WEST_1",
    "EU_WEST_2",
    "EU_WEST_3",
    "EU_CENTRAL_1",
    "EU_CENTRAL_2",
    "AP_EAST_1",
    "AP_EAST_2",
    "AP_NORTHEAST_1",
    "AP_NORTHEAST_2",
    "AP_NORTHEAST_3",
    "AP_SOUTHEAST_1",
    "AP_SOUTHEAST_2",
    "AP_SOUTHEAST_3",
    "AP_SOUTHEAST_4",
    "AP_SOUTHEAST_5",
    "AP_SOUTHEAST_6",
    "AP_SOUTHEAST_7",
    "AP_SOUTH_1",
    "AP_SOUTH_2",
    "SA_EAST_1",
    "CN_NORTH_1",
    "CN_NORTHWEST_1",
    "ME_SOUTH_1",
    "ME_CENTRAL_1",
    "AF_SOUTH_1",
    "EU_SOUTH_1",
    "EU_SOUTH_2",
    "IL_CENTRAL_1",
    "CA_WEST_1",
    "MX_CENTRAL_1",
    "GLOBAL",
]


def test_every_atlas_aws_region_except_global_is_offered():
    assert sorted(KMS_REGIONS.values()) == sorted(r for r in ATLAS_ENUM if r != "GLOBAL")
    assert len(KMS_REGIONS) == 38


def test_regions_are_the_kms_regions_botocore_knows_in_their_partitions():
    import botocore.session

    endpoints = botocore.session.get_session().get_component("data_loader").load_data("endpoints")
    known = {
        region: partition["partition"]
        for partition in endpoints["partitions"]
        for region in partition["services"]["kms"]["endpoints"]
    }
    for code in KMS_REGIONS:
        assert known.get(code) == partition_for(code), code


@pytest.mark.parametrize("typed", ["us-east-1", "US_EAST_1", "us_east_1", " Us-East-1 ", "us east 1", "US-EAST_1"])
def test_every_spelling_of_us_east_1_is_accepted(typed):
    assert to_atlas_region(typed) == "US_EAST_1"
    assert to_aws_region(typed) == "us-east-1"


@pytest.mark.parametrize(
    ("typed", "suggestion"),
    [
        ("us-east1", "us-east-1"),
        ("useast1", "us-east-1"),
        ("eu-wset-1", "eu-west-1"),
        ("apsoutheast2", "ap-southeast-2"),
    ],
)
def test_a_near_miss_is_refused_with_the_region_it_probably_meant(typed, suggestion):
    with pytest.raises(InputError) as caught:
        to_atlas_region(typed)
    assert f"'{typed}'" in caught.value.message
    assert f"Did you mean {suggestion} ({to_atlas_region(suggestion)})?" in caught.value.message


def test_an_ambiguous_typo_names_each_candidate():
    with pytest.raises(InputError, match=r"us-east-1 \(US_EAST_1\) or us-west-1 \(US_WEST_1\)"):
        to_aws_region("us-est-1")


@pytest.mark.parametrize("typed", ["eastus", "mars-north-1", "us-iso-east-1", "", "   "])
def test_an_unknown_region_lists_what_is_expected(typed):
    with pytest.raises(InputError) as caught:
        to_aws_region(typed)
    message = caught.value.message
    assert "Did you mean" not in message
    assert "us-east-1" in message and "US_EAST_1" in message and "mx-central-1" in message


def test_global_is_refused_as_not_a_kms_region():
    with pytest.raises(InputError, match="'GLOBAL' is not a KMS region"):
        to_atlas_region("GLOBAL")
    assert not is_kms_region("GLOBAL")


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("us-east-1", "aws"),
        ("CN_NORTH_1", "aws-cn"),
        ("cn-northwest-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("US_GOV_EAST_1", "aws-us-gov"),
        ("eu-central-2", "aws"),
    ],
)
def test_partition_for(region, partition):
    assert partition_for(region) == partition


def test_describe_region_shows_both_forms_and_the_location():
    assert describe_region("AP_SOUTHEAST_2") == "ap-southeast-2 / AP_SOUTHEAST_2, Asia Pacific (Sydney)"


@st.composite
def spelled_region(draw):
    code = draw(st.sampled_from(sorted(KMS_REGIONS)))
    words = code.split("-")
    separators = draw(st.lists(st.sampled_from(["-", "_", " "]), min_size=len(words) - 1, max_size=len(words) - 1))
    text = words[0] + "".join(sep + word for sep, word in zip(separators, words[1:], strict=True))
    cased = "".join(c.upper() if draw(st.booleans()) else c for c in text)
    padding = draw(st.sampled_from(["", " ", "\t", "  "]))
    return code, f"{padding}{cased}{padding}"


@settings(max_examples=150, deadline=None)
@given(spelled_region())
def test_any_casing_and_separator_round_trips(case):
    code, typed = case
    atlas = to_atlas_region(typed)
    assert atlas == KMS_REGIONS[code]
    assert to_aws_region(atlas) == code
    assert to_atlas_region(to_aws_region(typed)) == atlas


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=20))
def test_any_other_text_is_refused_naming_the_value(text):
    normalised = "_".join(text.replace("-", " ").replace("_", " ").split()).upper()
    if normalised in KMS_REGIONS.values():
        return
    with pytest.raises(InputError) as caught:
        to_aws_region(text)
    assert "Expected an AWS region code" in caught.value.message
