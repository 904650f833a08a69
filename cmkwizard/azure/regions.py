"""Azure regions in Atlas form (``US_EAST_2``) and as Azure location names (``eastus2``).

Atlas' "Azure Regions" enum (EAR private endpoints, Azure clusters) does not follow Azure's names:
``US_EAST_2`` is ``eastus2``, ``EUROPE_WEST`` is ``westeurope``, ``ASIA_SOUTH_EAST`` is ``southeastasia``.
Operators type either, or the portal's display name ("East US 2"), in any case, with a space, hyphen or
underscore between words; all are accepted. Anything else (other punctuation, a look-alike letter) is
refused, and a near miss is refused with the region it probably meant.
"""

from __future__ import annotations

import difflib
import re
from types import MappingProxyType

from cmkwizard.azure.clouds import AZURE, AZURE_CHINA, AZURE_US_GOVERNMENT, AzureCloud
from cmkwizard.azure.errors import InputError
from cmkwizard.text_input import require_plain_text, unquote

# Atlas name -> (Azure location, display name), in the order of Atlas' enum.
_REGIONS: dict[str, tuple[str, str]] = {
    "US_CENTRAL": ("centralus", "Central US"),
    "US_EAST": ("eastus", "East US"),
    "US_EAST_2": ("eastus2", "East US 2"),
    "US_NORTH_CENTRAL": ("northcentralus", "North Central US"),
    "US_WEST": ("westus", "West US"),
    "US_SOUTH_CENTRAL": ("southcentralus", "South Central US"),
    "EUROPE_NORTH": ("northeurope", "North Europe"),
    "EUROPE_WEST": ("westeurope", "West Europe"),
    "US_WEST_CENTRAL": ("westcentralus", "West Central US"),
    "US_WEST_2": ("westus2", "West US 2"),
    "US_WEST_3": ("westus3", "West US 3"),
    "CANADA_EAST": ("canadaeast", "Canada East"),
    "CANADA_CENTRAL": ("canadacentral", "Canada Central"),
    "BRAZIL_SOUTH": ("brazilsouth", "Brazil South"),
    "BRAZIL_SOUTHEAST": ("brazilsoutheast", "Brazil Southeast"),
    "AUSTRALIA_CENTRAL": ("australiacentral", "Australia Central"),
    "AUSTRALIA_CENTRAL_2": ("australiacentral2", "Australia Central 2"),
    "AUSTRALIA_EAST": ("australiaeast", "Australia East"),
    "AUSTRALIA_SOUTH_EAST": ("australiasoutheast", "Australia Southeast"),
    "GERMANY_WEST_CENTRAL": ("germanywestcentral", "Germany West Central"),
    "GERMANY_NORTH": ("germanynorth", "Germany North"),
    "SWEDEN_CENTRAL": ("swedencentral", "Sweden Central"),
    "SWEDEN_SOUTH": ("swedensouth", "Sweden South"),
    "SWITZERLAND_NORTH": ("switzerlandnorth", "Switzerland North"),
    "SWITZERLAND_WEST": ("switzerlandwest", "Switzerland West"),
    "UK_SOUTH": ("uksouth", "UK South"),
    "UK_WEST": ("ukwest", "UK West"),
    "NORWAY_EAST": ("norwayeast", "Norway East"),
    "NORWAY_WEST": ("norwaywest", "Norway West"),
    "INDIA_CENTRAL": ("centralindia", "Central India"),
    "INDIA_SOUTH": ("southindia", "South India"),
    "INDIA_WEST": ("westindia", "West India"),
    "CHINA_EAST": ("chinaeast", "China East"),
    "CHINA_NORTH": ("chinanorth", "China North"),
    "ASIA_EAST": ("eastasia", "East Asia"),
    "JAPAN_EAST": ("japaneast", "Japan East"),
    "JAPAN_WEST": ("japanwest", "Japan West"),
    "ASIA_SOUTH_EAST": ("southeastasia", "Southeast Asia"),
    "KOREA_CENTRAL": ("koreacentral", "Korea Central"),
    "KOREA_SOUTH": ("koreasouth", "Korea South"),
    "FRANCE_CENTRAL": ("francecentral", "France Central"),
    "FRANCE_SOUTH": ("francesouth", "France South"),
    "SOUTH_AFRICA_NORTH": ("southafricanorth", "South Africa North"),
    "SOUTH_AFRICA_WEST": ("southafricawest", "South Africa West"),
    "UAE_CENTRAL": ("uaecentral", "UAE Central"),
    "UAE_NORTH": ("uaenorth", "UAE North"),
    "QATAR_CENTRAL": ("qatarcentral", "Qatar Central"),
    "POLAND_CENTRAL": ("polandcentral", "Poland Central"),
    "ISRAEL_CENTRAL": ("israelcentral", "Israel Central"),
    "ITALY_NORTH": ("italynorth", "Italy North"),
    "SPAIN_CENTRAL": ("spaincentral", "Spain Central"),
    "MEXICO_CENTRAL": ("mexicocentral", "Mexico Central"),
    "NEW_ZEALAND_NORTH": ("newzealandnorth", "New Zealand North"),
    "US_GOV_VIRGINIA": ("usgovvirginia", "US Gov Virginia"),
    "US_GOV_ARIZONA": ("usgovarizona", "US Gov Arizona"),
    "US_GOV_TEXAS": ("usgovtexas", "US Gov Texas"),
}

AZURE_REGIONS: MappingProxyType[str, str] = MappingProxyType({atlas: loc for atlas, (loc, _) in _REGIONS.items()})
"""Atlas region name -> Azure location name, for every value of Atlas' "Azure Regions" enum."""

# Azure's region pairs, where Key Vault replicates a vault's contents for regional failover
# (the pair of a pair is not always symmetric: Brazil South fails over to South Central US).
_PAIRS = {
    "eastus": "westus", "westus": "eastus", "eastus2": "centralus", "centralus": "eastus2",
    "northcentralus": "southcentralus", "southcentralus": "northcentralus", "westus2": "westcentralus",
    "westcentralus": "westus2", "westus3": "eastus", "canadacentral": "canadaeast", "canadaeast": "canadacentral",
    "brazilsouth": "southcentralus", "brazilsoutheast": "brazilsouth", "northeurope": "westeurope",
    "westeurope": "northeurope", "uksouth": "ukwest", "ukwest": "uksouth", "francecentral": "francesouth",
    "francesouth": "francecentral", "germanywestcentral": "germanynorth", "germanynorth": "germanywestcentral",
    "switzerlandnorth": "switzerlandwest", "switzerlandwest": "switzerlandnorth", "norwayeast": "norwaywest",
    "norwaywest": "norwayeast", "swedencentral": "swedensouth", "swedensouth": "swedencentral",
    "eastasia": "southeastasia", "southeastasia": "eastasia", "japaneast": "japanwest", "japanwest": "japaneast",
    "koreacentral": "koreasouth", "koreasouth": "koreacentral", "australiaeast": "australiasoutheast",
    "australiasoutheast": "australiaeast", "australiacentral": "australiacentral2",
    "australiacentral2": "australiacentral", "centralindia": "southindia", "southindia": "centralindia",
    "westindia": "southindia", "southafricanorth": "southafricawest", "southafricawest": "southafricanorth",
    "uaenorth": "uaecentral", "uaecentral": "uaenorth", "chinaeast": "chinanorth", "chinanorth": "chinaeast",
    "usgovvirginia": "usgovtexas", "usgovtexas": "usgovvirginia", "usgovarizona": "usgovtexas",
}  # fmt: skip


# Letters and digits, with one space, hyphen or underscore between words: the forms Azure, its portal and Atlas write.
_SPELLING = re.compile(r"[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*")


def _compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


# Every accepted spelling, compacted (lower-case, no separators) -> Atlas name.
_BY_COMPACT = {
    _compact(spelling): atlas
    for atlas, (location, display) in _REGIONS.items()
    for spelling in (atlas, location, display)
}
_EXPECTED = (
    "Expected an Azure location such as eastus2, its display name such as 'East US 2', or its Atlas name "
    "such as US_EAST_2."
)


def to_atlas_region(region: str) -> str:
    """``eastus2``, ``East US 2``, ``US_EAST_2``, ``us-east-2`` -> ``US_EAST_2``; InputError otherwise."""
    given = unquote(region)
    if not given:
        raise InputError(f"No Azure region given. {_EXPECTED}")
    require_plain_text(given, "Azure region", _EXPECTED.removeprefix("Expected ").rstrip("."), spaces=True)
    compact = _compact(given)
    if _SPELLING.fullmatch(given) and compact in _BY_COMPACT:
        return _BY_COMPACT[compact]
    suggestion = difflib.get_close_matches(compact, list(_BY_COMPACT), n=1, cutoff=0.8)
    hint = ""
    if suggestion:
        atlas = _BY_COMPACT[suggestion[0]]
        hint = f" Did you mean {AZURE_REGIONS[atlas]} ({atlas})?"
    raise InputError(f"'{given}' is not an Azure region Atlas supports.{hint} {_EXPECTED}")


def to_azure_location(region: str) -> str:
    """Any accepted spelling -> the Azure location name (``eastus2``)."""
    return AZURE_REGIONS[to_atlas_region(region)]


def is_azure_region(region: str) -> bool:
    try:
        to_atlas_region(region)
    except InputError:
        return False
    return True


def describe_region(region: str) -> str:
    """``eastus2`` -> ``eastus2 / US_EAST_2, East US 2`` for pickers and messages."""
    atlas = to_atlas_region(region)
    location, display = _REGIONS[atlas]
    return f"{location} / {atlas}, {display}"


def paired_location(region: str) -> str | None:
    """The Azure location Key Vault fails over to from ``region``, or None for a region without a pair."""
    return _PAIRS.get(to_azure_location(region))


def cloud_for_region(region: str) -> AzureCloud:
    """The Azure cloud a region belongs to (China and US Government regions are separate clouds)."""
    location = to_azure_location(region)
    if location.startswith("china"):
        return AZURE_CHINA
    if location.startswith("usgov"):
        return AZURE_US_GOVERNMENT
    return AZURE
