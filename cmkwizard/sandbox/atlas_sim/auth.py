"""How Atlas tells who is calling: HTTP digest for API keys, OAuth client credentials for service accounts.

Nonces and access tokens expire in real (monotonic) time, not simulated time: a client measures a token's
``expires_in`` with its own clock, so a sandbox running 20x faster must not expire tokens 20x sooner.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from cmkwizard.sandbox.atlas_sim import errors
from cmkwizard.sandbox.atlas_sim.store import Principal, SimStore

REALM = "MMS Public API"
TOKEN_LIFETIME_SECONDS = 3600
NONCE_LIFETIME_SECONDS = 300.0
_MAX_NONCES = 10_000

Monotonic = Callable[[], float]


@dataclass
class _Nonce:
    issued: float
    used_counts: set[str] = field(default_factory=set)


class NonceBook:
    """Server nonces for digest auth; a nonce expires after a while and each nonce count is accepted once."""

    def __init__(self, lifetime: float, monotonic: Monotonic) -> None:
        self._lifetime = lifetime
        self._monotonic = monotonic
        self._nonces: dict[str, _Nonce] = {}
        self._lock = threading.Lock()

    def issue(self) -> str:
        with self._lock:
            now = self._monotonic()
            if len(self._nonces) >= _MAX_NONCES:
                self._nonces = {n: v for n, v in self._nonces.items() if now - v.issued < self._lifetime}
            nonce = secrets.token_urlsafe(24)
            self._nonces[nonce] = _Nonce(now)
            return nonce

    def use(self, nonce: str, count: str) -> str:
        """Return "ok", "stale" (expired: the client may retry with a new nonce) or "unknown"."""
        with self._lock:
            entry = self._nonces.get(nonce)
            if entry is None:
                return "unknown"
            if self._monotonic() - entry.issued >= self._lifetime:
                del self._nonces[nonce]
                return "stale"
            # Concurrent requests may arrive out of nonce-count order, so refuse only a count seen before.
            if count in entry.used_counts:
                return "unknown"
            entry.used_counts.add(count)
            return "ok"


@dataclass
class _Token:
    principal: Principal
    expires: float


class TokenBook:
    """Access tokens issued to service accounts."""

    def __init__(self, monotonic: Monotonic) -> None:
        self._monotonic = monotonic
        self._tokens: dict[str, _Token] = {}
        self._lock = threading.Lock()

    def issue(self, principal: Principal) -> str:
        with self._lock:
            now = self._monotonic()
            self._tokens = {t: v for t, v in self._tokens.items() if v.expires > now}
            token = secrets.token_urlsafe(48)
            self._tokens[token] = _Token(principal, now + TOKEN_LIFETIME_SECONDS)
            return token

    def principal(self, token: str) -> Principal | None:
        with self._lock:
            entry = self._tokens.get(token)
            if entry is None or entry.expires <= self._monotonic():
                return None
            return entry.principal

    def revoke(self, token: str) -> None:
        with self._lock:
            self._tokens.pop(token, None)


class Authenticator:
    """Checks the Authorization header of Admin API requests and serves the OAuth token endpoints."""

    def __init__(self, store: SimStore, *, monotonic: Monotonic = time.monotonic) -> None:
        self._store = store
        self.nonces = NonceBook(NONCE_LIFETIME_SECONDS, monotonic)
        self.tokens = TokenBook(monotonic)

    def authenticate(self, request: Request) -> Principal:
        """The caller, or an ``ApiError`` 401 that carries a fresh digest challenge."""
        header = request.headers.get("authorization", "")
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() == "bearer":
            principal = self.tokens.principal(credentials.strip())
            if principal is None:
                raise self._refusal(bearer=True)
            return principal
        if scheme.lower() == "digest":
            return self._digest(request, credentials)
        raise self._refusal()

    def _digest(self, request: Request, credentials: str) -> Principal:
        fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(credentials))
        principal = self._store.api_key(fields.get("username", ""))
        required = ("username", "realm", "nonce", "uri", "response", "nc", "cnonce", "qop")
        if (
            principal is None
            or any(name not in fields for name in required)
            or fields["realm"] != REALM
            or fields["qop"] != "auth"
            or fields.get("algorithm", "MD5").upper() != "MD5"
            or fields["uri"] != _request_target(request)
        ):
            raise self._refusal()
        ha1 = _md5(f"{principal.name}:{REALM}:{principal.secret}")
        ha2 = _md5(f"{request.method}:{fields['uri']}")
        expected = _md5(f"{ha1}:{fields['nonce']}:{fields['nc']}:{fields['cnonce']}:auth:{ha2}")
        if not hmac.compare_digest(expected, fields["response"].lower()):
            raise self._refusal()
        verdict = self.nonces.use(fields["nonce"], fields["nc"])
        if verdict != "ok":
            raise self._refusal(stale=verdict == "stale")
        return principal

    def _refusal(self, *, stale: bool = False, bearer: bool = False) -> errors.ApiError:
        err = errors.not_authenticated()
        if bearer:
            err.headers["WWW-Authenticate"] = f'Bearer realm="{REALM}", error="invalid_token"'
        else:
            err.headers["WWW-Authenticate"] = (
                f'Digest realm="{REALM}", domain="", nonce="{self.nonces.issue()}", algorithm=MD5, '
                f'qop="auth", stale={"true" if stale else "false"}'
            )
        return err

    # OAuth 2.0 client credentials (RFC 6749 §4.4); errors follow RFC 6749 §5.2.

    async def token_endpoint(self, request: Request) -> Response:
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        principal = self._client(request)
        if principal is None:
            return _oauth_error(401, "invalid_client", "Client authentication failed.")
        grant = form.get("grant_type", [""])[0]
        if grant != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported.")
        token = self.tokens.issue(principal)
        return JSONResponse(
            {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME_SECONDS},
            headers={"Cache-Control": "no-store"},
        )

    async def revoke_endpoint(self, request: Request) -> Response:
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        if self._client(request) is None:
            return _oauth_error(401, "invalid_client", "Client authentication failed.")
        token = form.get("token", [""])[0]
        if not token:
            return _oauth_error(400, "invalid_request", "The token parameter is required.")
        self.tokens.revoke(token)
        return Response(status_code=200)

    def _client(self, request: Request) -> Principal | None:
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            client_id, _, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        principal = self._store.service_account(client_id)
        if principal is None or not hmac.compare_digest(principal.secret, secret):
            return None
        return principal


def _oauth_error(status: int, code: str, description: str) -> Response:
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = f'Basic realm="{REALM}"'
    return JSONResponse({"error": code, "error_description": description}, status_code=status, headers=headers)


def _request_target(request: Request) -> str:
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string", b"")
    return (raw_path + (b"?" + query if query else b"")).decode("latin-1")


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()
