"""AWS regions where Atlas can use a KMS key, in AWS form (``us-east-1``) and Atlas form (``US_EAST_1``).

Operators type regions in every form they have met: the AWS code, the Atlas enum, Terraform's
lower-case enum (``us_east_1``), in any letter case and with any of ``-``, ``_`` or a space between
the words. These spellings of one region are accepted and written canonically; anything else (a
near miss such as ``us-east1`` or ``useast1``) is refused with the region it probably meant, and a
hidden character or look-alike letter is named.
"""

from __future__ import annotations

import re
from types import MappingProxyType

from cmkwizard.aws.errors import InputError
from cmkwizard.text_input import require_plain_text, unquote

# The "AWS Regions" enum of the Atlas Admin API, without GLOBAL (not a KMS region), in the spec's order.
_LOCATIONS: dict[str, str] = {
    "us-gov-west-1": "AWS GovCloud (US-West)",
    "us-gov-east-1": "AWS GovCloud (US-East)",
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    "ca-central-1": "Canada (Central)",
    "eu-north-1": "Europe (Stockholm)",
    "eu-west-1": "Europe (Ireland)",
    "eu-west-2": "Europe (London)",
    "eu-west-3": "Europe (Paris)",
    "eu-central-1": "Europe (Frankfurt)",
    "eu-central-2": "Europe (Zurich)",
    "ap-east-1": "Asia Pacific (Hong Kong)",
    "ap-east-2": "Asia Pacific (Taipei)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
    "ap-northeast-2": "Asia Pacific (Seoul)",
    "ap-northeast-3": "Asia Pacific (Osaka)",
    "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-southeast-2": "Asia Pacific (Sydney)",
    "ap-southeast-3": "Asia Pacific (Jakarta)",
    "ap-southeast-4": "Asia Pacific (Melbourne)",
    "ap-southeast-5": "Asia Pacific (Malaysia)",
    "ap-southeast-6": "Asia Pacific (New Zealand)",
    "ap-southeast-7": "Asia Pacific (Thailand)",
    "ap-south-1": "Asia Pacific (Mumbai)",
    "ap-south-2": "Asia Pacific (Hyderabad)",
    "sa-east-1": "South America (Sao Paulo)",
    "cn-north-1": "China (Beijing)",
    "cn-northwest-1": "China (Ningxia)",
    "me-south-1": "Middle East (Bahrain)",
    "me-central-1": "Middle East (UAE)",
    "af-south-1": "Africa (Cape Town)",
    "eu-south-1": "Europe (Milan)",
    "eu-south-2": "Europe (Spain)",
    "il-central-1": "Israel (Tel Aviv)",
    "ca-west-1": "Canada West (Calgary)",
    "mx-central-1": "Mexico (Central)",
}

KMS_REGIONS: MappingProxyType[str, str] = MappingProxyType(
    {code: code.upper().replace("-", "_") for code in _LOCATIONS}
)
"""AWS region code -> Atlas region name, for every region Atlas accepts in ``awsKms.region``."""

PARTITION_AWS = "aws"
PARTITION_CHINA = "aws-cn"
PARTITION_GOVCLOUD = "aws-us-gov"
PARTITIONS = (PARTITION_AWS, PARTITION_CHINA, PARTITION_GOVCLOUD)

_ATLAS_TO_AWS = {atlas: code for code, atlas in KMS_REGIONS.items()}
_SEPARATORS = re.compile(r"[ _-]+")
_EXPECTED = (
    "Expected an AWS region code such as us-east-1, or its Atlas name such as US_EAST_1. "
    "Regions Atlas supports for KMS keys: " + ", ".join(sorted(KMS_REGIONS))
)


def to_atlas_region(region: str) -> str:
    """``us-east-1``, ``US_EAST_1``, ``us_east_1``, `` Us-East-1 `` -> ``US_EAST_1``."""
    return KMS_REGIONS[to_aws_region(region)]


def to_aws_region(region: str) -> str:
    """Any accepted spelling -> the AWS region code (``us-east-1``); InputError otherwise."""
    given = unquote(region)
    if not given:
        raise InputError(f"No AWS region given. {_EXPECTED}")
    require_plain_text(
        given, "AWS region", "an AWS region code such as us-east-1, or its Atlas name such as US_EAST_1", spaces=True
    )
    candidate = _SEPARATORS.sub("_", given).upper()
    if candidate in _ATLAS_TO_AWS:
        return _ATLAS_TO_AWS[candidate]
    raise InputError(_unknown_region_message(given, candidate))


def is_kms_region(region: str) -> bool:
    """Whether ``region`` (any accepted spelling) names a region Atlas supports for KMS keys."""
    try:
        to_aws_region(region)
    except InputError:
        return False
    return True


def partition_for(region: str) -> str:
    """The ARN partition of a region: ``aws``, ``aws-cn`` (China) or ``aws-us-gov`` (GovCloud)."""
    code = to_aws_region(region)
    if code.startswith("cn-"):
        return PARTITION_CHINA
    if code.startswith("us-gov-"):
        return PARTITION_GOVCLOUD
    return PARTITION_AWS


def describe_region(region: str) -> str:
    """``us-east-1`` -> ``us-east-1 / US_EAST_1, US East (N. Virginia)`` for pickers and messages."""
    code = to_aws_region(region)
    return f"{code} / {KMS_REGIONS[code]}, {_LOCATIONS[code]}"


def _unknown_region_message(given: str, candidate: str) -> str:
    if candidate == "GLOBAL":
        return f"'{given}' is not a KMS region: Atlas needs the region the key lives in. {_EXPECTED}"
    suggestions = _closest_regions(candidate)
    hint = ""
    if suggestions:
        hint = " Did you mean " + " or ".join(f"{code} ({KMS_REGIONS[code]})" for code in suggestions) + "?"
    return f"'{given}' is not an AWS region Atlas supports for KMS keys.{hint} {_EXPECTED}"


def _closest_regions(candidate: str) -> list[str]:
    """The regions nearest ``candidate`` (at most two edits, separators ignored: ``useast1``,
    ``us-est-1``); none when more than three are equally near, as the guess would be noise."""
    compact = candidate.replace("_", "")
    distances = {code: _edit_distance(compact, atlas.replace("_", "")) for code, atlas in KMS_REGIONS.items()}
    best = min(distances.values())
    nearest = [code for code, distance in distances.items() if distance == best]
    return nearest if best <= 2 and len(nearest) <= 3 else []


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance counting a swap of neighbours as one edit."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]
