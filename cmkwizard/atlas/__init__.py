"""Async client for the MongoDB Atlas Administration API v2."""

from cmkwizard.atlas.client import ATLAS_BASE_URL, ATLAS_GOV_BASE_URL, AtlasClient, Exchange, RetryPolicy
from cmkwizard.atlas.errors import (
    AtlasApiError,
    AtlasAuthError,
    AtlasConnectionError,
    AtlasError,
    AtlasResponseError,
    ErrorExplanation,
    describe_error,
)

__all__ = [
    "ATLAS_BASE_URL",
    "ATLAS_GOV_BASE_URL",
    "AtlasApiError",
    "AtlasAuthError",
    "AtlasClient",
    "AtlasConnectionError",
    "AtlasError",
    "AtlasResponseError",
    "ErrorExplanation",
    "Exchange",
    "RetryPolicy",
    "describe_error",
]
