"""The Key Vault keys REST API (data plane), for any vault named by the request's Host header.

Requests are authorised as Key Vault does: a body-less 401 challenge naming the vault's tenant, then a
bearer token for https://vault.azure.net from that tenant, then the caller's key permissions.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cmkwizard.sandbox.azure_fake import crypto
from cmkwizard.sandbox.azure_fake.common import base_url, bearer_token, json_body
from cmkwizard.sandbox.azure_fake.state import (
    UNSET,
    VAULT_AUDIENCE,
    AzureFakeState,
    KeyVersion,
    ServiceError,
    ServicePrincipal,
    Vault,
)

PAGE_SIZE = 25
# Path segment -> the JSON Web Key operation (also the access policy permission it needs).
CRYPTO_OPERATIONS = {"encrypt": "encrypt", "decrypt": "decrypt", "wrapkey": "wrapKey", "unwrapkey": "unwrapKey"}

Handler = Callable[[Request, Vault], Awaitable[Response]]


def keyvault_routes(state: AzureFakeState) -> list[Route]:
    def endpoint(permission: Callable[[Request], str], handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def serve(request: Request) -> Response:
            vault: Vault | None = None
            try:
                if "api-version" not in request.query_params:
                    raise ServiceError(400, "BadParameter", "The query parameter api-version is required.")
                vault = state.vault_for_host(request.headers.get("host", ""))
                principal = _authenticate(state, request, vault)
                state.authorize_key_operation(principal, vault, permission(request))
                return await handler(request, vault)
            except ServiceError as exc:
                return _error(exc, vault)

        return serve

    def fixed(permission: str) -> Callable[[Request], str]:
        return lambda _request: permission

    def by_method(**permissions: str) -> Callable[[Request], str]:
        return lambda request: permissions[request.method.lower()]

    def by_operation(request: Request) -> str:
        return CRYPTO_OPERATIONS.get(request.path_params["operation"], "get")

    async def list_keys(request: Request, vault: Vault) -> Response:
        items = [_item(request, v, versioned=False) for v in state.list_keys(vault.name)]
        return _page(request, items)

    async def list_versions(request: Request, vault: Vault) -> Response:
        versions = state.list_key_versions(vault.name, request.path_params["name"])
        return _page(request, [_item(request, v, versioned=True) for v in versions])

    async def create(request: Request, vault: Vault) -> Response:
        body = await json_body(request, code="BadParameter")
        if not isinstance(body.get("kty"), str):
            raise ServiceError(400, "BadParameter", "Property kty is required: RSA, RSA-HSM, EC or EC-HSM.")
        attributes = body.get("attributes") or {}
        version = state.create_key(
            vault.name,
            request.path_params["name"],
            kty=body["kty"],
            size=body.get("key_size"),
            curve=body.get("crv"),
            key_ops=body.get("key_ops"),
            enabled=attributes.get("enabled", True),
            expires_on=_datetime(attributes.get("exp")),
            not_before=_datetime(attributes.get("nbf")),
            tags=body.get("tags"),
        )
        return JSONResponse(_bundle(request, version))

    async def rotate(request: Request, vault: Vault) -> Response:
        return JSONResponse(_bundle(request, state.rotate_key(vault.name, request.path_params["name"])))

    async def key(request: Request, vault: Vault) -> Response:
        name, version = request.path_params["name"], request.path_params.get("version", "")
        if request.method == "GET":
            return JSONResponse(_bundle(request, state.key_version(vault.name, name, version)))
        body = await json_body(request, code="BadParameter")
        attributes = body.get("attributes") or {}
        changes: dict[str, Any] = {
            "enabled": attributes.get("enabled", UNSET),
            "expires_on": _datetime(attributes["exp"]) if "exp" in attributes else UNSET,
            "not_before": _datetime(attributes["nbf"]) if "nbf" in attributes else UNSET,
            "key_ops": body.get("key_ops", UNSET),
            "tags": body.get("tags", UNSET),
        }
        return JSONResponse(_bundle(request, state.update_key(vault.name, name, version, **changes)))

    async def operate(request: Request, vault: Vault) -> Response:
        operation = CRYPTO_OPERATIONS.get(request.path_params["operation"])
        if operation is None:
            raise ServiceError(400, "BadParameter", f"Unknown key operation '{request.path_params['operation']}'.")
        target = state.key_version(vault.name, request.path_params["name"], request.path_params.get("version"))
        body = await json_body(request, code="BadParameter")
        if not isinstance(body.get("alg"), str) or not isinstance(body.get("value"), str):
            raise ServiceError(400, "BadParameter", "Properties alg and value are required.")
        try:
            value = crypto.b64url_decode(body["value"])
        except crypto.CryptoError as exc:
            raise ServiceError(400, "BadParameter", str(exc)) from exc
        result = state.key_operation(target, operation, body["alg"], value)
        return JSONResponse({"kid": _kid(request, target), "value": crypto.b64url(result)})

    async def rotation_policy(request: Request, vault: Vault) -> Response:
        name = request.path_params["name"]
        if request.method == "PUT":
            body = await json_body(request, code="BadParameter")
            now = _timestamp(state.now())
            created = (state.rotation_policy(vault.name, name) or {}).get("attributes", {}).get("created", now)
            attributes = {**(body.get("attributes") or {}), "created": created, "updated": now}
            state.set_rotation_policy(
                vault.name, name, {"lifetimeActions": body.get("lifetimeActions") or [], "attributes": attributes}
            )
        policy = state.rotation_policy(vault.name, name) or {
            "lifetimeActions": [{"trigger": {"timeBeforeExpiry": "P30D"}, "action": {"type": "Notify"}}],
            "attributes": {},
        }
        return JSONResponse({"id": f"{base_url(request)}/keys/{name}/rotationpolicy", **policy})

    return [
        Route("/keys", endpoint(fixed("list"), list_keys), methods=["GET"]),
        Route("/keys/{name}/create", endpoint(fixed("create"), create), methods=["POST"]),
        Route("/keys/{name}/rotate", endpoint(fixed("rotate"), rotate), methods=["POST"]),
        Route("/keys/{name}/versions", endpoint(fixed("list"), list_versions), methods=["GET"]),
        Route(
            "/keys/{name}/rotationpolicy",
            endpoint(by_method(get="getrotationpolicy", put="setrotationpolicy"), rotation_policy),
            methods=["GET", "PUT"],
        ),
        Route("/keys/{name}/", endpoint(by_method(get="get", patch="update"), key), methods=["GET", "PATCH"]),
        Route("/keys/{name}/{operation}", endpoint(by_operation, operate), methods=["POST"]),
        Route("/keys/{name}/{version}", endpoint(by_method(get="get", patch="update"), key), methods=["GET", "PATCH"]),
        Route("/keys/{name}/{version}/{operation}", endpoint(by_operation, operate), methods=["POST"]),
    ]


def _authenticate(state: AzureFakeState, request: Request, vault: Vault) -> ServicePrincipal:
    token = bearer_token(request)
    if token is None:
        raise ServiceError(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.")
    grant = state.resolve_token(token)
    if grant is None:
        raise ServiceError(401, "Unauthorized", "AKV10013: The access token is invalid or has expired.")
    if grant.audience != VAULT_AUDIENCE:
        raise ServiceError(
            401, "Unauthorized", f"AKV10022: Invalid audience. Expected {VAULT_AUDIENCE}, found: {grant.audience}."
        )
    if grant.principal.tenant_id.lower() != vault.tenant_id.lower():
        raise ServiceError(
            401,
            "Unauthorized",
            f"AKV10032: Invalid issuer. Expected one of https://sts.windows.net/{vault.tenant_id}/, found "
            f"https://sts.windows.net/{grant.principal.tenant_id}/.",
        )
    return grant.principal


def _error(exc: ServiceError, vault: Vault | None) -> JSONResponse:
    error: dict[str, Any] = {"code": exc.code, "message": exc.message}
    if exc.inner_code:
        error["innererror"] = {"code": exc.inner_code}
    headers = {}
    if exc.status == 401 and vault is not None:
        headers["WWW-Authenticate"] = (
            f'Bearer authorization="https://login.microsoftonline.com/{vault.tenant_id}", resource="{VAULT_AUDIENCE}"'
        )
    return JSONResponse({"error": error}, status_code=exc.status, headers=headers)


def _kid(request: Request, version: KeyVersion, *, versioned: bool = True) -> str:
    kid = f"{base_url(request)}/keys/{version.name}"
    return f"{kid}/{version.version}" if versioned else kid


def _attributes(version: KeyVersion) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "enabled": version.enabled,
        "created": _timestamp(version.created),
        "updated": _timestamp(version.updated),
        "recoveryLevel": "Recoverable+Purgeable",
        "recoverableDays": 90,
        "exportable": False,
    }
    if version.expires_on is not None:
        attributes["exp"] = _timestamp(version.expires_on)
    if version.not_before is not None:
        attributes["nbf"] = _timestamp(version.not_before)
    return attributes


def _bundle(request: Request, version: KeyVersion) -> dict[str, Any]:
    jwk = {
        "kid": _kid(request, version),
        "kty": version.kty,
        "key_ops": list(version.key_ops),
        **crypto.public_jwk(version.material),
    }
    return {"key": jwk, "attributes": _attributes(version), "tags": version.tags}


def _item(request: Request, version: KeyVersion, *, versioned: bool) -> dict[str, Any]:
    kid = _kid(request, version, versioned=versioned)
    return {"kid": kid, "attributes": _attributes(version), "tags": version.tags}


def _page(request: Request, items: list[dict[str, Any]]) -> JSONResponse:
    """One page of a list, with a nextLink to the rest as Key Vault pages with $skiptoken."""
    try:
        size = max(1, min(PAGE_SIZE, int(request.query_params.get("maxresults", PAGE_SIZE))))
        start = max(0, int(request.query_params.get("$skiptoken", 0)))
    except ValueError:
        raise ServiceError(400, "BadParameter", "maxresults and $skiptoken must be integers.") from None
    end = start + size
    next_link = None
    if end < len(items):
        api_version = request.query_params["api-version"]
        query = f"api-version={api_version}&$skiptoken={end}&maxresults={size}"
        next_link = f"{base_url(request)}{request.url.path}?{query}"
    return JSONResponse({"value": items[start:end], "nextLink": next_link})


def _timestamp(moment: datetime) -> int:
    return int(moment.timestamp())


def _datetime(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, int | float):
        raise ServiceError(400, "BadParameter", "Key attributes exp and nbf are Unix timestamps in seconds.")
    return datetime.fromtimestamp(value, UTC)
