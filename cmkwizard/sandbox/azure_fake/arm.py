"""Azure Resource Manager, for the key vault resource and its private endpoint connections.

Paths follow Microsoft.KeyVault API version 2023-07-01; like ARM, segment names match in any case.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cmkwizard.sandbox.azure_fake.common import bearer_token, json_body
from cmkwizard.sandbox.azure_fake.state import (
    MANAGEMENT_AUDIENCE,
    AzureFakeState,
    EndpointConnection,
    ServiceError,
    ServicePrincipal,
    Vault,
)

_VAULT_PATH = re.compile(
    r"^/subscriptions/(?P<subscription>[^/]+)/resourceGroups/(?P<group>[^/]+)"
    r"/providers/Microsoft\.KeyVault/vaults/(?P<vault>[^/]+)"
    r"(?:/(?P<collection>privateEndpointConnections)(?:/(?P<connection>[^/]+))?)?/?$",
    re.IGNORECASE,
)
_ALLOWED_AUDIENCES = (
    "'https://management.core.windows.net/','https://management.core.windows.net',"
    "'https://management.azure.com/','https://management.azure.com'"
)
CONNECTION_TYPE = "Microsoft.KeyVault/vaults/privateEndpointConnections"
READ_VAULT = "Microsoft.KeyVault/vaults/read"
READ_CONNECTION = "Microsoft.KeyVault/vaults/privateEndpointConnections/read"
WRITE_CONNECTION = "Microsoft.KeyVault/vaults/privateEndpointConnections/write"


def arm_routes(state: AzureFakeState) -> list[Route]:
    async def resource(request: Request) -> Response:
        try:
            return await _serve(state, request)
        except ServiceError as exc:
            return _error(exc)

    return [Route("/subscriptions/{path:path}", resource, methods=["GET", "PUT"])]


async def _serve(state: AzureFakeState, request: Request) -> Response:
    if "api-version" not in {k.lower() for k in request.query_params}:
        raise ServiceError(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    principal = _authenticate(state, request)
    match = _VAULT_PATH.match(request.url.path)
    if match is None:
        raise ServiceError(404, "NotFound", f"The requested path '{request.url.path}' is not served here.")
    vault = state.find_vault(match["subscription"], match["group"], match["vault"])
    if principal.tenant_id.lower() != vault.tenant_id.lower():
        raise ServiceError(
            401,
            "InvalidAuthenticationTokenTenant",
            f"The access token is from the wrong issuer 'https://sts.windows.net/{principal.tenant_id}/'. It must "
            f"match the tenant 'https://sts.windows.net/{vault.tenant_id}/' associated with this subscription.",
        )
    if match["collection"] is None:
        if request.method != "GET":
            raise ServiceError(405, "MethodNotAllowed", "Only GET is served for the vault resource.")
        state.authorize_management(principal, vault, READ_VAULT, write=False)
        return JSONResponse(_vault_json(state, vault))
    name = match["connection"]
    if name is None:
        if request.method != "GET":
            raise ServiceError(405, "MethodNotAllowed", "Only GET is served for the connection list.")
        state.authorize_management(principal, vault, READ_CONNECTION, write=False)
        connections = state.endpoint_connections(vault.name)
        return JSONResponse({"value": [_connection_json(vault, c) for c in connections], "nextLink": None})
    if request.method == "GET":
        state.authorize_management(principal, vault, READ_CONNECTION, write=False)
        connection = state.endpoint_connection(vault.name, name)
        # API version 2023-07-01 answers 204 with no body for a connection the vault does not have.
        return Response(status_code=204) if connection is None else JSONResponse(_connection_json(vault, connection))
    state.authorize_management(principal, vault, WRITE_CONNECTION, write=True)
    wanted = (await json_body(request, code="InvalidRequestContent")).get("properties", {})
    connection_state = wanted.get("privateLinkServiceConnectionState") if isinstance(wanted, dict) else None
    if not isinstance(connection_state, dict) or not isinstance(connection_state.get("status"), str):
        raise ServiceError(
            400, "BadRequest", "properties.privateLinkServiceConnectionState.status is required (Approved or Rejected)."
        )
    updated = state.set_endpoint_connection_status(
        vault.name, name, connection_state["status"], str(connection_state.get("description") or "")
    )
    return JSONResponse(_connection_json(vault, updated))


def _authenticate(state: AzureFakeState, request: Request) -> ServicePrincipal:
    token = bearer_token(request)
    if token is None:
        raise ServiceError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
    grant = state.resolve_token(token)
    if grant is None:
        raise ServiceError(401, "InvalidAuthenticationToken", "The access token is invalid or has expired.")
    if grant.audience != MANAGEMENT_AUDIENCE:
        raise ServiceError(
            401,
            "InvalidAuthenticationTokenAudience",
            f"The access token has been obtained for wrong audience or resource '{grant.audience}'. It should "
            f"exactly match with one of the allowed audiences {_ALLOWED_AUDIENCES}.",
        )
    return grant.principal


def _error(exc: ServiceError) -> JSONResponse:
    headers = {}
    if exc.status == 401:
        headers["WWW-Authenticate"] = (
            'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", '
            f'error_description="{exc.message}"'
        )
    return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, status_code=exc.status, headers=headers)


def _connection_json(vault: Vault, connection: EndpointConnection) -> dict[str, Any]:
    return {
        "id": f"{vault.resource_id}/privateEndpointConnections/{connection.name}",
        "name": connection.name,
        "type": CONNECTION_TYPE,
        "etag": "",
        "properties": {
            "provisioningState": "Succeeded",
            "privateEndpoint": {"id": connection.private_endpoint_id},
            "privateLinkServiceConnectionState": {
                "status": connection.status,
                "description": connection.description,
                "actionsRequired": "None",
            },
        },
    }


def _vault_json(state: AzureFakeState, vault: Vault) -> dict[str, Any]:
    policies = [
        {"tenantId": vault.tenant_id, "objectId": object_id, "permissions": {"keys": sorted(permissions)}}
        for object_id, permissions in sorted(state.access_policies(vault.name).items())
    ]
    return {
        "id": vault.resource_id,
        "name": vault.name,
        "type": "Microsoft.KeyVault/vaults",
        "location": vault.location,
        "tags": {},
        "properties": {
            "tenantId": vault.tenant_id,
            "sku": {"family": "A", "name": "standard"},
            "vaultUri": f"https://{vault.host}/",
            "enableRbacAuthorization": False,
            "accessPolicies": policies,
            "privateEndpointConnections": [
                {"id": c["id"], "etag": "", "properties": c["properties"]}
                for c in (_connection_json(vault, c) for c in state.endpoint_connections(vault.name))
            ],
            "publicNetworkAccess": "Enabled",
            "provisioningState": "Succeeded",
        },
    }
