"""Request parsing shared by the fake's Entra ID, Key Vault and Resource Manager endpoints."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from cmkwizard.sandbox.azure_fake.state import ServiceError


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def base_url(request: Request) -> str:
    """``https://<Host header>``: the address the client used, so identifiers read as it expects."""
    return f"https://{request.headers.get('host', request.url.netloc)}"


async def json_body(request: Request, *, code: str) -> dict[str, Any]:
    """The request body as a JSON object; a ServiceError with ``code`` otherwise."""
    raw = await request.body()
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        raise ServiceError(400, code, "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ServiceError(400, code, "The request body must be a JSON object.")
    return body
