"""Enumerated values Atlas validates request fields against (region names, providers, tiers)."""

from __future__ import annotations

AWS_REGIONS = frozenset(
    [
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
)

# "GLOBAL" is in the AWS Regions enum but names no KMS region.
AWS_KMS_REGIONS = AWS_REGIONS - {"GLOBAL"}

AZURE_REGIONS = frozenset(
    [
        "US_CENTRAL",
        "US_EAST",
        "US_EAST_2",
        "US_NORTH_CENTRAL",
        "US_WEST",
        "US_SOUTH_CENTRAL",
        "EUROPE_NORTH",
        "EUROPE_WEST",
        "US_WEST_CENTRAL",
        "US_WEST_2",
        "US_WEST_3",
        "CANADA_EAST",
        "CANADA_CENTRAL",
        "BRAZIL_SOUTH",
        "BRAZIL_SOUTHEAST",
        "AUSTRALIA_CENTRAL",
        "AUSTRALIA_CENTRAL_2",
        "AUSTRALIA_EAST",
        "AUSTRALIA_SOUTH_EAST",
        "GERMANY_WEST_CENTRAL",
        "GERMANY_NORTH",
        "SWEDEN_CENTRAL",
        "SWEDEN_SOUTH",
        "SWITZERLAND_NORTH",
        "SWITZERLAND_WEST",
        "UK_SOUTH",
        "UK_WEST",
        "NORWAY_EAST",
        "NORWAY_WEST",
        "INDIA_CENTRAL",
        "INDIA_SOUTH",
        "INDIA_WEST",
        "CHINA_EAST",
        "CHINA_NORTH",
        "ASIA_EAST",
        "JAPAN_EAST",
        "JAPAN_WEST",
        "ASIA_SOUTH_EAST",
        "KOREA_CENTRAL",
        "KOREA_SOUTH",
        "FRANCE_CENTRAL",
        "FRANCE_SOUTH",
        "SOUTH_AFRICA_NORTH",
        "SOUTH_AFRICA_WEST",
        "UAE_CENTRAL",
        "UAE_NORTH",
        "QATAR_CENTRAL",
        "POLAND_CENTRAL",
        "ISRAEL_CENTRAL",
        "ITALY_NORTH",
        "SPAIN_CENTRAL",
        "MEXICO_CENTRAL",
        "NEW_ZEALAND_NORTH",
        "US_GOV_VIRGINIA",
        "US_GOV_ARIZONA",
        "US_GOV_TEXAS",
    ]
)

CLOUD_PROVIDERS = ("AWS", "AZURE", "GCP")
ENDPOINT_PROVIDERS = ("AZURE", "AWS")
ENCRYPTION_PROVIDERS = ("NONE", "AWS", "AZURE", "GCP")
AZURE_ENVIRONMENTS = ("AZURE", "AZURE_CHINA", "AZURE_US_GOVERNMENT")

ENCRYPTION_KEY_ALERT_EVENTS = (
    "AWS_ENCRYPTION_KEY_NEEDS_ROTATION",
    "AZURE_ENCRYPTION_KEY_NEEDS_ROTATION",
    "GCP_ENCRYPTION_KEY_NEEDS_ROTATION",
    "AWS_ENCRYPTION_KEY_INVALID",
    "AZURE_ENCRYPTION_KEY_INVALID",
    "GCP_ENCRYPTION_KEY_INVALID",
)
# The reminder Atlas creates when a project first uses a customer-managed key of each provider.
ROTATION_ALERT_EVENT = {"AWS": "AWS_ENCRYPTION_KEY_NEEDS_ROTATION", "AZURE": "AZURE_ENCRYPTION_KEY_NEEDS_ROTATION"}
# Encryption key alerts that take a "days since last rotation" threshold.
THRESHOLD_ALERT_EVENTS = frozenset(e for e in ENCRYPTION_KEY_ALERT_EVENTS if e.endswith("_NEEDS_ROTATION"))
# Project alerts without a threshold that the simulator can raise.
PLAIN_ALERT_EVENTS = frozenset(
    {"ENCRYPTION_AT_REST_KMS_NETWORK_ACCESS_DENIED", "ENCRYPTION_AT_REST_CONFIG_NO_LONGER_VALID"}
)

NOTIFICATION_TYPES = frozenset(
    [
        "DATADOG",
        "EMAIL",
        "GROUP",
        "HIP_CHAT",
        "MICROSOFT_TEAMS",
        "OPS_GENIE",
        "ORG",
        "PAGER_DUTY",
        "SLACK",
        "SMS",
        "TEAM",
        "USER",
        "VICTOR_OPS",
        "WEBHOOK",
    ]
)

# Role names as GET /api/atlas/v2 reports them.
ORG_MEMBER = "ORG_MEMBER"
GROUP_OWNER = "GROUP_OWNER"
GROUP_CLUSTER_MANAGER = "GROUP_CLUSTER_MANAGER"
GROUP_READ_ONLY = "GROUP_READ_ONLY"
