"""The two ways to authenticate to the Atlas Admin API, as ``httpx.Auth`` objects.

* API keys (legacy): HTTP Digest, public key as user name and private key as password.
* Service accounts: OAuth 2.0 client credentials; the bearer token is cached and renewed a minute
  before it expires, or once when Atlas refuses a cached token.

Neither object's ``repr`` shows a private key, client secret or token.
"""

from __future__ import annotations

import asyncio
import math
import time
from base64 import b64encode
from collections.abc import AsyncGenerator, Callable, Generator
from urllib.parse import urlencode

import httpx

from cmkwizard.atlas.errors import AtlasAuthError, loads_json

TOKEN_PATH = "/api/oauth/token"
# Renew this long before the token expires, so a request never leaves with a token about to lapse.
RENEWAL_MARGIN_SECONDS = 60.0
DEFAULT_TOKEN_LIFETIME_SECONDS = 3600.0


class ApiKeyAuth(httpx.DigestAuth):
    def __init__(self, public_key: str, private_key: str) -> None:
        if not public_key or not private_key:
            raise ValueError("An Atlas API key needs both its public key and its private key")
        super().__init__(public_key, private_key)
        self.public_key = public_key

    def __repr__(self) -> str:
        return f"ApiKeyAuth(public_key={self.public_key!r})"


def digest_auth(public: str, private: str) -> httpx.DigestAuth:
    """HTTP Digest authentication with an Atlas API key pair."""
    return ApiKeyAuth(public, private)


class ServiceAccountAuth(httpx.Auth):
    """OAuth 2.0 client credentials for an Atlas service account.

    ``token_url`` defaults to ``/api/oauth/token`` on the host each API request goes to, so the
    same object works for Atlas, Atlas for Government and a local sandbox.
    """

    requires_response_body = True

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        token_url: str | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not client_id or not client_secret:
            raise ValueError("An Atlas service account needs both its client ID and its client secret")
        self.client_id = client_id
        self.token_url = token_url
        self._basic_credentials = "Basic " + b64encode(f"{client_id}:{client_secret}".encode()).decode()
        self._clock = clock
        self._token: str | None = None
        self._token_used = False
        self._renew_at = 0.0
        self._renewal = asyncio.Lock()

    def __repr__(self) -> str:
        return f"ServiceAccountAuth(client_id={self.client_id!r}, token_url={self.token_url!r})"

    @property
    def has_fresh_token(self) -> bool:
        return self._token is not None and self._clock() < self._renew_at

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if not self.has_fresh_token:
            yield from self._renew(request)
        cached = self._token_used
        self._attach_token(request)
        response = yield request
        if response.status_code == 401 and cached:
            # A token can be revoked before it expires (secret rotated, token revoked): renew once.
            yield from self._renew(request)
            self._attach_token(request)
            yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        # Concurrent requests wait for one token exchange instead of each starting their own.
        async with self._renewal:
            if not self.has_fresh_token:
                token_response = yield self._token_request(request)
                await token_response.aread()
                self._accept(token_response)
        flow = super().async_auth_flow(request)
        outgoing = await flow.__anext__()
        while True:
            response = yield outgoing
            try:
                outgoing = await flow.asend(response)
            except StopAsyncIteration:
                return

    def _attach_token(self, request: httpx.Request) -> None:
        request.headers["Authorization"] = f"Bearer {self._token}"
        self._token_used = True

    def _renew(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self._accept((yield self._token_request(request)))

    def _token_request(self, api_request: httpx.Request) -> httpx.Request:
        url = self.token_url or api_request.url.join(TOKEN_PATH)
        return httpx.Request(
            "POST",
            url,
            headers={
                "Authorization": self._basic_credentials,
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            content=urlencode({"grant_type": "client_credentials"}).encode(),
        )

    def _accept(self, response: httpx.Response) -> None:
        try:
            body = loads_json(response.content)
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        token = body.get("access_token")
        if response.status_code != 200 or not isinstance(token, str):
            raise _token_error(response, body)
        lifetime = body.get("expires_in")
        if not isinstance(lifetime, (int, float)) or not math.isfinite(lifetime):
            lifetime = DEFAULT_TOKEN_LIFETIME_SECONDS
        self._token = token
        self._token_used = False
        self._renew_at = self._clock() + max(0.0, lifetime - RENEWAL_MARGIN_SECONDS)


def _token_error(response: httpx.Response, body: dict[str, object]) -> AtlasAuthError:
    """OAuth endpoints answer ``{"error", "error_description"}``; Atlas' own envelope may appear too."""
    code = body.get("error") if isinstance(body.get("error"), str) else body.get("errorCode")
    detail = body.get("error_description") or body.get("detail")
    if response.status_code == 200:
        detail = "the token response carries no access_token"
    return AtlasAuthError(
        response.status_code,
        code if isinstance(code, str) else None,
        detail if isinstance(detail, str) else "no access token was issued",
        method="POST",
        path=response.request.url.path,
    )
