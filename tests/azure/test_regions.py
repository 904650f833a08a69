"""Atlas' Azure region names and Azure location names, in every spelling operators use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cmkwizard.azure.clouds import AZURE, AZURE_CHINA, AZURE_US_GOVERNMENT
from cmkwizard.azure.errors import InputError
from cmkwizard.azure.regions import (
    AZURE_REGIONS,
    cloud_for_region,
    describe_region,
    is_azure_region,
    paired_location,
    to_atlas_region,
    to_azure_location,
)

SPEC = Path("/work/shared/atlas/openapi-v2.yaml")


@pytest.mark.skipif(not SPEC.exists(), reason="the Atlas spec is not on this machine")
def test_every_value_of_the_atlas_enum_is_mapped() -> None:
    # The enum that lists US_GOV_TEXAS alongside the other Azure regions, as the spec spells it.
    text = SPEC.read_text()
    anchor = text.index("- US_GOV_TEXAS")
    start = text.rindex("enum:", 0, anchor)
    values = re.findall(r"^\s*- ([A-Z0-9_]+)$", text[start : anchor + len("- US_GOV_TEXAS")], re.MULTILINE)
    assert set(values) == set(AZURE_REGIONS)
    assert len(AZURE_REGIONS) == 56


@pytest.mark.parametrize(
    ("typed", "atlas", "location"),
    [
        ("eastus2", "US_EAST_2", "eastus2"),
        ("East US 2", "US_EAST_2", "eastus2"),
        ("US_EAST_2", "US_EAST_2", "eastus2"),
        ("us-east-2", "US_EAST_2", "eastus2"),
        ("westeurope", "EUROPE_WEST", "westeurope"),
        ("Southeast Asia", "ASIA_SOUTH_EAST", "southeastasia"),
        ("australia_south_east", "AUSTRALIA_SOUTH_EAST", "australiasoutheast"),
        ("INDIA_CENTRAL", "INDIA_CENTRAL", "centralindia"),
        (" usgovvirginia ", "US_GOV_VIRGINIA", "usgovvirginia"),
    ],
)
def test_lenient_spellings(typed: str, atlas: str, location: str) -> None:
    assert to_atlas_region(typed) == atlas
    assert to_azure_location(typed) == location


def test_every_region_round_trips_through_both_names() -> None:
    for atlas, location in AZURE_REGIONS.items():
        assert to_atlas_region(location) == atlas
        assert to_azure_location(atlas) == location


def test_near_misses_suggest_the_region_meant() -> None:
    with pytest.raises(InputError) as refused:
        to_atlas_region("westeuropa")
    assert "Did you mean westeurope (EUROPE_WEST)?" in refused.value.message
    with pytest.raises(InputError) as empty:
        to_atlas_region("  ")
    assert "No Azure region given" in empty.value.message
    assert not is_azure_region("us-east-1")


def test_descriptions_pairs_and_clouds() -> None:
    assert describe_region("US_WEST_3") == "westus3 / US_WEST_3, West US 3"
    assert paired_location("EUROPE_NORTH") == "westeurope"
    assert paired_location("brazilsouth") == "southcentralus"
    assert paired_location("ITALY_NORTH") is None
    assert cloud_for_region("CHINA_EAST") is AZURE_CHINA
    assert cloud_for_region("US_GOV_TEXAS") is AZURE_US_GOVERNMENT
    assert cloud_for_region("US_EAST") is AZURE


def test_paired_regions_are_atlas_regions() -> None:
    for atlas in AZURE_REGIONS:
        pair = paired_location(atlas)
        assert pair is None or is_azure_region(pair)
