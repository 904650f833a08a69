"""Resource versioning through media types: ``Accept: application/vnd.atlas.<YYYY-MM-DD>+json``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from cmkwizard.sandbox.atlas_sim.errors import ApiError

_VERSIONED = re.compile(r"^application/vnd\.atlas\.(\d{4}-\d{2}-\d{2})\+json$")
# What Atlas serves when the request names no version (a bare application/json or no Accept header).
DEFAULT_VERSION = "2023-01-01"


@dataclass(frozen=True)
class Versions:
    """The versions of one operation that the simulator serves, and versions Atlas has sunset or will."""

    served: tuple[str, ...]
    sunset: tuple[tuple[str, str], ...] = ()  # (version, sunset date) pairs, served or not

    def resolve(self, accept: str | None, today: datetime) -> str:
        """The version to answer with, or ApiError 406 (no such version) / 410 (version sunset)."""
        version = _requested_version(accept)
        sunset_on = dict(self.sunset).get(version)
        if sunset_on is not None and today.date() >= date.fromisoformat(sunset_on):
            raise ApiError(
                410,
                "VERSION_GONE",
                f"Version {version} of this resource was sunset on {sunset_on}; "
                f"use application/vnd.atlas.{self.served[-1]}+json.",
                [version, sunset_on],
            )
        if version not in self.served:
            offered = ", ".join(f"application/vnd.atlas.{v}+json" for v in self.served)
            raise ApiError(
                406,
                "INVALID_VERSION_DATE",
                f"Invalid accept header or version date: {accept or 'none'}. This resource is served as {offered}.",
                [accept or ""],
            )
        return version


def _requested_version(accept: str | None) -> str:
    for item in (accept or "").split(","):
        media_type = item.split(";")[0].strip().lower()
        match = _VERSIONED.match(media_type)
        if match:
            return match.group(1)
    if not accept or any(
        item.split(";")[0].strip().lower() in ("application/json", "*/*", "application/*") for item in accept.split(",")
    ):
        return DEFAULT_VERSION
    return accept.strip()


def media_type(version: str) -> str:
    return f"application/vnd.atlas.{version}+json"
