"""Who may call the simulated Atlas: digest API keys, service-account tokens, and the roles they hold."""

from __future__ import annotations

import base64

import httpx

from cmkwizard.sandbox.atlas_sim.auth import NONCE_LIFETIME_SECONDS, TOKEN_LIFETIME_SECONDS
from tests.sandbox.sim_fixtures import BASE_URL, Sim, assert_error, call, sim_fixture, versioned

sim = sim_fixture("encrypted-aws")


async def test_unauthenticated_request_gets_the_atlas_digest_challenge(sim: Sim) -> None:
    response = await sim.client("anonymous").get("/api/atlas/v2", headers=versioned())

    body = assert_error(response, 401, "UNEXPECTED_ERROR")
    assert body["detail"] == "You are not authorized for this resource."
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Digest realm="MMS Public API", domain="", nonce="')
    assert 'algorithm=MD5, qop="auth", stale=false' in challenge


async def test_digest_key_pair_is_accepted_and_challenge_is_reused(sim: Sim) -> None:
    client = sim.client("owner")
    first = await call(client, "GET", "/api/atlas/v2")
    second = await call(client, "GET", f"{sim.group}/encryptionAtRest")

    assert first.status_code == second.status_code == 200
    assert first.json()["apiKey"]["publicKey"] == sim.store.credentials.public_key
    # One challenge round trip, then httpx reuses the nonce with increasing counts.
    assert [r.status_code for r in first.history] == [401]
    assert second.history == []


async def test_wrong_private_key_is_refused(sim: Sim) -> None:
    creds = sim.store.credentials
    client = sim.client("anonymous", auth=httpx.DigestAuth(creds.public_key, "not-the-private-key"))

    response = await client.get("/api/atlas/v2", headers=versioned())

    assert_error(response, 401, "UNEXPECTED_ERROR")
    assert "Digest" in response.headers["www-authenticate"]


async def test_unknown_public_key_is_refused(sim: Sim) -> None:
    client = sim.client("anonymous", auth=httpx.DigestAuth("nobody00", sim.store.credentials.private_key))

    assert_error(await client.get("/api/atlas/v2", headers=versioned()), 401, "UNEXPECTED_ERROR")


async def test_expired_nonce_is_answered_stale_and_the_client_recovers(sim: Sim) -> None:
    client = sim.client("owner")
    await call(client, "GET", "/api/atlas/v2")
    sim.monotonic.value += NONCE_LIFETIME_SECONDS + 1

    response = await call(client, "GET", "/api/atlas/v2")

    assert response.status_code == 200
    assert [r.status_code for r in response.history] == [401]
    assert "stale=true" in response.history[0].headers["www-authenticate"]


async def _token(sim: Sim, client_id: str, secret: str) -> httpx.Response:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(sim.app), base_url=BASE_URL) as client:
        return await client.post(
            "/api/oauth/token",
            content="grant_type=client_credentials",
            headers={
                "Authorization": f"Basic {basic}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )


async def test_service_account_token_grants_project_owner_access(sim: Sim) -> None:
    creds = sim.store.credentials
    token_response = await _token(sim, creds.client_id, creds.client_secret)

    assert token_response.status_code == 200
    token = token_response.json()
    assert token["token_type"] == "Bearer" and token["expires_in"] == TOKEN_LIFETIME_SECONDS
    client = sim.client("anonymous", headers={"Authorization": f"Bearer {token['access_token']}"})
    status = await call(client, "GET", "/api/atlas/v2")
    roles = {r["roleName"] for r in status.json()["apiKey"]["roles"] if r.get("groupId") == sim.seed.project_id}
    assert roles == {"GROUP_OWNER"}
    patched = await call(
        client, "PATCH", f"{sim.group}/encryptionAtRest", json={"awsKms": {"requirePrivateNetworking": True}}
    )
    assert patched.status_code == 200


async def test_token_endpoint_refuses_a_wrong_client_secret(sim: Sim) -> None:
    response = await _token(sim, sim.store.credentials.client_id, "mdb_sa_sk_wrong")

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


async def test_expired_and_revoked_tokens_are_refused(sim: Sim) -> None:
    creds = sim.store.credentials
    token = (await _token(sim, creds.client_id, creds.client_secret)).json()["access_token"]
    client = sim.client("anonymous", headers={"Authorization": f"Bearer {token}"})
    assert (await call(client, "GET", "/api/atlas/v2")).status_code == 200

    sim.monotonic.value += TOKEN_LIFETIME_SECONDS
    expired = await client.get("/api/atlas/v2", headers=versioned())
    assert_error(expired, 401, "UNEXPECTED_ERROR")
    assert 'error="invalid_token"' in expired.headers["www-authenticate"]

    fresh = (await _token(sim, creds.client_id, creds.client_secret)).json()["access_token"]
    basic = base64.b64encode(f"{creds.client_id}:{creds.client_secret}".encode()).decode()
    revoked = await client.post(
        "/api/oauth/revoke",
        content=f"token={fresh}&token_type_hint=access_token",
        headers={"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert revoked.status_code == 200
    after = await client.get("/api/atlas/v2", headers={**versioned(), "Authorization": f"Bearer {fresh}"})
    assert_error(after, 401, "UNEXPECTED_ERROR")


async def test_read_only_key_reads_but_cannot_change_encryption(sim: Sim) -> None:
    client = sim.client("readonly")
    status = await call(client, "GET", "/api/atlas/v2")
    roles = {r["roleName"] for r in status.json()["apiKey"]["roles"] if r.get("groupId") == sim.seed.project_id}
    assert roles == {"GROUP_READ_ONLY"}
    assert (await call(client, "GET", f"{sim.group}/encryptionAtRest")).status_code == 200

    refused = await call(
        client, "PATCH", f"{sim.group}/encryptionAtRest", json={"awsKms": {"requirePrivateNetworking": True}}
    )

    body = assert_error(refused, 401, "USER_UNAUTHORIZED")
    assert "Project Owner" in body["detail"]
    assert "www-authenticate" not in refused.headers  # a missing role is not a challenge to retry
    assert sim.project.encryption.aws.require_private_networking is False


async def test_read_only_key_may_not_read_encryption_private_endpoints(sim: Sim) -> None:
    refused = await call(sim.client("readonly"), "GET", f"{sim.group}/encryptionAtRest/AWS/privateEndpoints")

    assert_error(refused, 403, "ACCESS_FORBIDDEN")


async def test_read_only_key_cannot_update_clusters(sim: Sim) -> None:
    refused = await call(
        sim.client("readonly"),
        "PATCH",
        f"{sim.group}/clusters/orders",
        version="2024-10-23",
        json={"encryptionAtRestProvider": "NONE"},
    )

    assert_error(refused, 401, "USER_UNAUTHORIZED")
    assert sim.project.clusters["orders"].encryption_provider == "AWS"


async def test_credentials_never_show_their_secrets(sim: Sim) -> None:
    creds = sim.store.credentials
    text = repr(creds) + repr(sim.store) + repr(sim.store.principals)
    for secret in (creds.private_key, creds.readonly_private_key, creds.client_secret):
        assert secret not in text
