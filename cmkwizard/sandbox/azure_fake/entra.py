"""The Entra ID (Azure AD) endpoints MSAL uses for a client credentials sign-in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from cmkwizard.sandbox.azure_fake.common import base_url
from cmkwizard.sandbox.azure_fake.state import AzureFakeState, ServiceError


def entra_routes(state: AzureFakeState) -> list[Route]:
    async def openid_configuration(request: Request) -> JSONResponse:
        tenant = request.path_params["tenant"]
        if not state.knows_tenant(tenant):
            return _error(
                ServiceError(
                    400,
                    "invalid_tenant",
                    f"AADSTS90002: Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID "
                    "and are signing into the correct cloud.",
                )
            )
        authority = f"{base_url(request)}/{tenant}"
        return JSONResponse(
            {
                "issuer": f"https://login.microsoftonline.com/{tenant}/v2.0",
                "authorization_endpoint": f"{authority}/oauth2/v2.0/authorize",
                "token_endpoint": f"{authority}/oauth2/v2.0/token",
                "device_authorization_endpoint": f"{authority}/oauth2/v2.0/devicecode",
                "end_session_endpoint": f"{authority}/oauth2/v2.0/logout",
                "jwks_uri": f"{base_url(request)}/{tenant}/discovery/v2.0/keys",
                "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "tenant_region_scope": "NA",
                "cloud_instance_name": "microsoftonline.com",
            }
        )

    async def instance_discovery(request: Request) -> JSONResponse:
        host = request.headers.get("host", "login.microsoftonline.com")
        return JSONResponse(
            {
                "tenant_discovery_endpoint": f"https://{host}/common/v2.0/.well-known/openid-configuration",
                "api-version": "1.1",
                "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
            }
        )

    async def token(request: Request) -> JSONResponse:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        try:
            if form.get("grant_type") != "client_credentials":
                raise ServiceError(
                    400,
                    "unsupported_grant_type",
                    f"AADSTS70003: The app requested an unsupported grant type '{form.get('grant_type', '')}'. "
                    "This sign-in service accepts only client credentials.",
                )
            if "client_secret" not in form:
                raise ServiceError(
                    401,
                    "invalid_client",
                    "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or "
                    "'client_secret'.",
                )
            access_token, lifetime = state.issue_token(
                request.path_params["tenant"], form.get("client_id", ""), form["client_secret"], form.get("scope", "")
            )
        except ServiceError as exc:
            return _error(exc)
        return JSONResponse(
            {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": access_token}
        )

    return [
        Route("/common/discovery/instance", instance_discovery, methods=["GET"]),
        Route("/{tenant}/v2.0/.well-known/openid-configuration", openid_configuration, methods=["GET"]),
        Route("/{tenant}/oauth2/v2.0/token", token, methods=["POST"]),
    ]


def _error(exc: ServiceError) -> JSONResponse:
    """Entra ID's OAuth error body: the AADSTS code leads the description and is repeated in error_codes."""
    trace_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
    timestamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    number = exc.message.split(":", 1)[0].removeprefix("AADSTS")
    return JSONResponse(
        {
            "error": exc.code,
            "error_description": (
                f"{exc.message}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {timestamp}"
            ),
            "error_codes": [int(number)] if number.isdigit() else [],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
        },
        status_code=exc.status,
    )
