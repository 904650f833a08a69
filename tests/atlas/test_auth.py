"""Authentication against a real HTTP server: Digest API keys and OAuth service accounts."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from cmkwizard.atlas import AtlasAuthError, AtlasClient, describe_error
from cmkwizard.atlas.auth import ServiceAccountAuth, digest_auth
from tests.atlas.conftest import CLIENT_ID, CLIENT_SECRET, PRIVATE_KEY, PUBLIC_KEY
from tests.atlas.fake_atlas import API, GROUP_ID


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_digest_challenge_then_authenticated_calls(fake_atlas, digest_client):
    caller = await digest_client.whoami()

    assert caller.public_key == PUBLIC_KEY
    assert caller.project_roles(GROUP_ID) == ("GROUP_OWNER",)
    first, second = fake_atlas.seen
    assert "Authorization" not in first.headers and "authorization" not in first.headers
    assert second.headers["authorization"].startswith("Digest ")
    assert second.headers["accept"] == "application/vnd.atlas.2023-01-01+json"
    assert second.headers["user-agent"].startswith("cmkwizard/")
    assert digest_client.request_count == 2

    await digest_client.whoami()  # the challenge is remembered: one request, no new round trip
    assert digest_client.request_count == 3


async def test_wrong_private_key_is_an_auth_error_without_the_key(fake_atlas, atlas_url):
    wrong_key = "ffffffff-0000-4000-8000-000000000000"
    async with AtlasClient(atlas_url, digest_auth(PUBLIC_KEY, wrong_key)) as client:
        with pytest.raises(AtlasAuthError) as caught:
            await client.whoami()

    error = caught.value
    assert error.status == 401
    assert error.meaning == "Atlas did not accept the credentials"
    assert "private key" in error.next_step
    assert client.request_count == 2  # challenge, then one refused answer; never retried
    for text in (str(error), repr(error), *describe_error(error).__dict__.values()):
        assert wrong_key not in str(text)


def test_auth_objects_never_show_secrets():
    for auth in (digest_auth(PUBLIC_KEY, PRIVATE_KEY), ServiceAccountAuth(CLIENT_ID, CLIENT_SECRET)):
        shown = repr(auth) + str(auth)
        assert PRIVATE_KEY not in shown and CLIENT_SECRET not in shown
    assert PUBLIC_KEY in repr(digest_auth(PUBLIC_KEY, PRIVATE_KEY))


@pytest.mark.parametrize(
    ("make_auth", "message"),
    [
        (lambda: digest_auth(PUBLIC_KEY, ""), "both its public key and its private key"),
        (lambda: ServiceAccountAuth("", CLIENT_SECRET), "both its client ID and its client secret"),
    ],
)
def test_missing_credential_parts_are_named(make_auth, message):
    with pytest.raises(ValueError, match=message):
        make_auth()


async def test_service_account_token_is_reused_then_renewed_before_expiry(fake_atlas, atlas_url):
    fake_atlas.token_lifetime = 120
    clock = FakeClock()
    auth = ServiceAccountAuth(CLIENT_ID, CLIENT_SECRET, clock=clock)
    async with AtlasClient(atlas_url, auth) as client:
        await client.whoami()
        clock.now += 59  # 61 s left: still outside the 60 s renewal margin
        await client.whoami()
        assert len(fake_atlas.issued_tokens) == 1
        clock.now += 2  # inside the margin: renew before using it
        await client.whoami()

    token_calls = fake_atlas.requests_to("/api/oauth/token")
    assert len(fake_atlas.issued_tokens) == len(token_calls) == 2
    assert client.request_count == 5  # two token exchanges and three API calls
    call = token_calls[0]
    assert call.body == b"grant_type=client_credentials"
    assert call.headers["accept"] == "application/json"
    assert call.headers["authorization"].startswith("Basic ")
    api_calls = fake_atlas.requests_to(API)
    assert [c.headers["authorization"] for c in api_calls] == [
        f"Bearer {fake_atlas.issued_tokens[0]}",
        f"Bearer {fake_atlas.issued_tokens[0]}",
        f"Bearer {fake_atlas.issued_tokens[1]}",
    ]


async def test_concurrent_calls_share_one_token_exchange(fake_atlas, atlas_url):
    auth = ServiceAccountAuth(CLIENT_ID, CLIENT_SECRET, clock=FakeClock())
    async with AtlasClient(atlas_url, auth) as client:
        callers = await asyncio.gather(*(client.whoami() for _ in range(4)))

    assert all(c.public_key == PUBLIC_KEY for c in callers)
    assert len(fake_atlas.issued_tokens) == 1
    assert client.request_count == 5


async def test_refused_cached_token_is_renewed_once(fake_atlas, atlas_url):
    auth = ServiceAccountAuth(CLIENT_ID, CLIENT_SECRET, clock=FakeClock())
    async with AtlasClient(atlas_url, auth) as client:
        await client.whoami()
        fake_atlas.revoke_tokens()
        caller = await client.whoami()

    assert caller.public_key == PUBLIC_KEY
    assert len(fake_atlas.issued_tokens) == 2
    assert [s.path for s in fake_atlas.seen] == ["/api/oauth/token", API, API, "/api/oauth/token", API]


async def test_wrong_client_secret_is_an_auth_error_with_the_oauth_code(fake_atlas, atlas_url):
    wrong_secret = "mdb_sa_sk_not-the-right-one"
    async with AtlasClient(atlas_url, ServiceAccountAuth(CLIENT_ID, wrong_secret)) as client:
        with pytest.raises(AtlasAuthError) as caught:
            await client.whoami()

    error = caught.value
    assert (error.status, error.error_code, error.path) == (401, "invalid_client", "/api/oauth/token")
    assert "client ID or secret" in error.meaning
    assert fake_atlas.requests_to(API) == []
    assert wrong_secret not in str(error) + repr(error)


async def test_default_token_url_follows_the_api_host_for_atlas_for_government():
    seen: list[str] = []

    def gov_cloud(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.path == "/api/oauth/token":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
        return httpx.Response(200, json={"appName": "MongoDB Atlas", "throttling": False})

    auth = ServiceAccountAuth(CLIENT_ID, CLIENT_SECRET)
    transport = httpx.MockTransport(gov_cloud)
    async with AtlasClient("https://cloud.mongodbgov.com", auth, transport=transport) as client:
        await client.whoami()

    assert seen == ["https://cloud.mongodbgov.com/api/oauth/token", "https://cloud.mongodbgov.com/api/atlas/v2"]
