"""Async client for the MongoDB Atlas Administration API v2.

The errors load with the package; the client (and httpx with it) only when one of its names is used,
so code that only explains an error stays light.
"""

from typing import Any

from cmkwizard.atlas.endpoints import ATLAS_BASE_URL, ATLAS_GOV_BASE_URL
from cmkwizard.atlas.errors import (
    AtlasApiError,
    AtlasAuthError,
    AtlasConnectionError,
    AtlasError,
    AtlasResponseError,
    ErrorExplanation,
    describe_error,
)

_CLIENT_NAMES = ("AtlasClient", "Exchange", "RetryPolicy")

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


def __getattr__(name: str) -> Any:
    if name in _CLIENT_NAMES:
        from cmkwizard.atlas import client

        return getattr(client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
