"""A regional AWS KMS outage in the sandbox, the same for everyone who calls KMS there.

`KmsOutages` is the one switch: the Atlas simulator's verifier asks it before using a key, and
`OutageGate`, in front of moto, refuses every KMS request signed for a region that is down, as AWS
does when a regional endpoint fails: HTTP 503 ``ServiceUnavailable``. So the wizard's own KMS calls
to that region fail too, and a diagnosis sees the region as unreachable rather than healthy. IAM and
STS stay up (they are global and not part of a KMS outage).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

from cmkwizard.sandbox.atlas_sim.enums import AWS_KMS_REGIONS

SERVICE_UNAVAILABLE = "ServiceUnavailable"
# Authorization: AWS4-HMAC-SHA256 Credential=<key id>/<date>/<region>/<service>/aws4_request, ...
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/(?P<region>[a-z0-9-]+)/(?P<service>[a-z0-9-]+)/aws4_request")

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def aws_region(region: str) -> str:
    """A region in either form (US_EAST_1 or us-east-1) in AWS form: us-east-1."""
    return region.strip().lower().replace("_", "-")


def atlas_region(region: str) -> str:
    """A region in either form (us-east-1 or US_EAST_1) in Atlas form: US_EAST_1."""
    return region.strip().upper().replace("-", "_")


class KmsOutages:
    """The AWS regions whose KMS is down right now (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down: set[str] = set()

    def set_down(self, region: str, down: bool = True) -> None:
        """Take KMS in a region down (or bring it back). Atlas or AWS region form."""
        if atlas_region(region) not in AWS_KMS_REGIONS:
            raise ValueError(
                f"unknown KMS region {region!r}: expected an AWS region such as us-east-1 or its Atlas form US_EAST_1"
            )
        with self._lock:
            if down:
                self._down.add(aws_region(region))
            else:
                self._down.discard(aws_region(region))

    @property
    def regions(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._down)

    def is_down(self, region: str) -> bool:
        with self._lock:
            return aws_region(region) in self._down


class OutageGate:
    """WSGI middleware for moto: KMS requests signed for a region that is down get AWS' 503."""

    def __init__(self, app: WsgiApp, outages: KmsOutages) -> None:
        self._app = app
        self._outages = outages

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        scope = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        if scope is None or scope["service"] != "kms" or not self._outages.is_down(scope["region"]):
            return self._app(environ, start_response)
        region = scope["region"]
        body = json.dumps(
            {
                "__type": SERVICE_UNAVAILABLE,
                "message": f"AWS KMS in {region} is not available (sandbox outage of {region}).",
            }
        ).encode()
        start_response(
            "503 Service Unavailable",
            [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(body)))],
        )
        return [body]
