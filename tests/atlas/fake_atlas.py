"""A small Atlas look-alike for exercising the client over real HTTP.

It authenticates like Atlas (HTTP Digest per RFC 7616 with realm "MMS Public API", qop auth, MD5;
OAuth client credentials with short-lived bearer tokens), pages cluster lists with ``links``, and
can be scripted to answer the next calls to a path with canned responses (429, 503, error bodies).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import secrets
import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

REALM = "MMS Public API"
API = "/api/atlas/v2"
GROUP_ID = "5f1b2c3d4e5f60718293a4b5"
ROLE_ID = "6a1b2c3d4e5f60718293a4b6"


@dataclass(frozen=True)
class Canned:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    content_type: str = "application/json"


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    authenticated: bool


def atlas_error(status: int, code: str, detail: str, **extra: Any) -> dict[str, Any]:
    reasons = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 409: "Conflict", 503: "Service Unavailable"}
    return {"error": status, "errorCode": code, "detail": detail, "reason": reasons.get(status), **extra}


class FakeAtlas:
    def __init__(self, public_key: str, private_key: str, client_id: str, client_secret: str) -> None:
        self.public_key, self.private_key = public_key, private_key
        self.client_id, self.client_secret = client_id, client_secret
        self.token_lifetime = 120
        self.cluster_count = 3
        self.page_links = True
        self.seen: list[Seen] = []
        self.issued_tokens: list[str] = []
        self._valid_tokens: set[str] = set()
        self._nonces: set[str] = set()
        self._canned: dict[tuple[str, str], deque[Canned]] = defaultdict(deque)
        self._lock = threading.Lock()
        self.app = Starlette(
            routes=[
                Route("/api/oauth/token", self._token, methods=["POST"]),
                Route(API, self._system_status, methods=["GET"]),
                Route(API + "/groups/{group_id}/clusters", self._clusters, methods=["GET"]),
                Route(API + "/{rest:path}", self._not_found, methods=["GET", "POST", "PATCH", "PUT", "DELETE"]),
            ],
            middleware=[Middleware(_Gate, fake=self)],
        )

    # --- test controls ---

    def reset(self) -> None:
        with self._lock:
            self.seen.clear()
            self._canned.clear()
            self.issued_tokens.clear()
            self._valid_tokens.clear()
            self._nonces.clear()
            self.token_lifetime, self.cluster_count, self.page_links = 120, 3, True

    def answer_next(self, method: str, path: str, *responses: Canned) -> None:
        """The next calls to ``method path`` get these responses, in order, before normal handling."""
        with self._lock:
            self._canned[(method, API + path)].extend(responses)

    def revoke_tokens(self) -> None:
        with self._lock:
            self._valid_tokens.clear()

    def requests_to(self, path: str) -> list[Seen]:
        """Requests to ``path`` that got past authentication (Digest challenges left out)."""
        return [s for s in self.seen if s.path == path and s.authenticated]

    # --- authentication ---

    def authenticate(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            return header.removeprefix("Bearer ") in self._valid_tokens
        if header.startswith("Digest "):
            return self._digest_valid(request, _parse_digest(header.removeprefix("Digest ")))
        return False

    def challenge(self) -> Response:
        nonce = secrets.token_hex(16)
        with self._lock:
            self._nonces.add(nonce)
        header = f'Digest realm="{REALM}", domain="", nonce="{nonce}", algorithm=MD5, qop="auth", stale=false'
        body = atlas_error(401, "UNEXPECTED_ERROR", "You are not authorized for this resource.")
        return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": header})

    def _digest_valid(self, request: Request, fields: dict[str, str]) -> bool:
        """RFC 7616 §3.4.1 with qop=auth and MD5."""
        uri = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if (
            fields.get("username") != self.public_key
            or fields.get("realm") != REALM
            or fields.get("nonce") not in self._nonces
            or fields.get("uri") != uri
            or fields.get("qop") != "auth"
            or fields.get("algorithm", "MD5").upper() != "MD5"
            or not re.fullmatch(r"[0-9a-f]{8}", fields.get("nc", ""))
            or not fields.get("cnonce")
        ):
            return False
        ha1 = _md5(f"{self.public_key}:{REALM}:{self.private_key}")
        ha2 = _md5(f"{request.method}:{uri}")
        expected = _md5(f"{ha1}:{fields['nonce']}:{fields['nc']}:{fields['cnonce']}:auth:{ha2}")
        return secrets.compare_digest(expected, fields.get("response", ""))

    async def _token(self, request: Request) -> Response:
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        form = parse_qs((await request.body()).decode())
        if request.headers.get("Authorization") != f"Basic {expected}":
            return JSONResponse(
                {"error": "invalid_client", "error_description": "Client authentication failed"}, status_code=401
            )
        if form.get("grant_type") != ["client_credentials"]:
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        token = secrets.token_urlsafe(24)
        with self._lock:
            self.issued_tokens.append(token)
            self._valid_tokens.add(token)
        return JSONResponse({"access_token": token, "token_type": "Bearer", "expires_in": self.token_lifetime})

    # --- resources ---

    async def _system_status(self, request: Request) -> Response:
        return _atlas_json(
            {
                "appName": "MongoDB Atlas",
                "build": "test",
                "throttling": False,
                "apiKey": {
                    "id": "6b1b2c3d4e5f60718293a4b7",
                    "publicKey": self.public_key,
                    "accessList": [],
                    "roles": [{"groupId": GROUP_ID, "roleName": "GROUP_OWNER"}],
                },
            }
        )

    async def _clusters(self, request: Request) -> Response:
        size = int(request.query_params.get("itemsPerPage", "100"))
        page = int(request.query_params.get("pageNum", "1"))
        start = (page - 1) * size
        names = [f"cluster-{i:04d}" for i in range(start, min(start + size, self.cluster_count))]
        body: dict[str, Any] = {
            "results": [{"name": n, "stateName": "IDLE", "encryptionAtRestProvider": "NONE"} for n in names],
            "totalCount": self.cluster_count,
        }
        if self.page_links:
            body["links"] = [{"rel": "self", "href": str(request.url)}]
            if start + size < self.cluster_count:
                next_query = f"?itemsPerPage={size}&pageNum={page + 1}"
                # Atlas sends absolute links; relative ones are accepted too. Alternate to cover both.
                base = str(request.base_url).rstrip("/") if page % 2 else ""
                body["links"].append({"rel": "next", "href": base + request.url.path + next_query})
        return _atlas_json(body, version="2024-08-05")

    async def _not_found(self, request: Request) -> Response:
        return JSONResponse(atlas_error(404, "RESOURCE_NOT_FOUND", f"No resource at {request.url.path}."), 404)

    def next_canned(self, method: str, path: str) -> Canned | None:
        with self._lock:
            queue = self._canned.get((method, path))
            return queue.popleft() if queue else None

    def record(self, request: Request, body: bytes, authenticated: bool) -> None:
        query = parse_qs(request.url.query)
        with self._lock:
            self.seen.append(Seen(request.method, request.url.path, query, dict(request.headers), body, authenticated))


class _Gate:
    """Records every request, then answers with a canned response or demands authentication."""

    def __init__(self, app: Any, fake: FakeAtlas) -> None:
        self.app, self.fake = app, fake

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        body = await request.body()
        authenticated = not request.url.path.startswith(API) or self.fake.authenticate(request)
        self.fake.record(request, body, authenticated)

        async def replay() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        response: Response | None = None
        if not authenticated:
            response = self.fake.challenge()
        elif (canned := self.fake.next_canned(request.method, request.url.path)) is not None:
            await asyncio.sleep(canned.delay)
            response = _render(canned)
        if response is None:
            await self.app(scope, replay, send)
        else:
            await response(scope, receive, send)


def _render(canned: Canned) -> Response:
    if isinstance(canned.body, (dict, list)):
        return JSONResponse(canned.body, canned.status, headers=canned.headers)
    return Response(canned.body, canned.status, headers=canned.headers, media_type=canned.content_type)


def _atlas_json(body: Any, version: str = "2023-01-01") -> Response:
    return JSONResponse(body, media_type=f"application/vnd.atlas.{version}+json")


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _parse_digest(value: str) -> dict[str, str]:
    return {key: quoted or plain for key, quoted, plain in re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]*))', value)}
