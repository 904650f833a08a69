"""Pagination, retries, timeouts, tracing and TLS, over real HTTP."""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
from collections.abc import AsyncIterator

import pytest
import trustme

from cmkwizard.atlas import AtlasApiError, AtlasClient, AtlasConnectionError, RetryPolicy, describe_error
from cmkwizard.atlas.auth import digest_auth
from cmkwizard.atlas.client import Exchange
from cmkwizard.atlas.session import ITEMS_PER_PAGE
from tests.atlas.conftest import PRIVATE_KEY, PUBLIC_KEY
from tests.atlas.fake_atlas import API, GROUP_ID, Canned, atlas_error

CLUSTERS = f"{API}/groups/{GROUP_ID}/clusters"
CPA = f"/groups/{GROUP_ID}/cloudProviderAccess"
AWS_ROLE = {"providerName": "AWS", "roleId": "6a1b2c3d4e5f60718293a4b6", "atlasAssumedRoleExternalId": "ext"}


def _page_numbers(fake_atlas) -> list[str]:
    return [s.query["pageNum"][0] for s in fake_atlas.requests_to(CLUSTERS)]


async def test_list_follows_next_links_across_pages(fake_atlas, digest_client):
    fake_atlas.cluster_count = 1203

    clusters = await digest_client.list_clusters(GROUP_ID)

    assert len(clusters) == 1203
    assert clusters[0].name == "cluster-0000" and clusters[-1].name == "cluster-1202"
    calls = fake_atlas.requests_to(CLUSTERS)
    assert len(calls) == 3
    assert _page_numbers(fake_atlas) == ["1", "2", "3"]
    assert {c.query["itemsPerPage"][0] for c in calls} == {str(ITEMS_PER_PAGE)}
    assert {c.headers["accept"] for c in calls} == {"application/vnd.atlas.2024-08-05+json"}


async def test_list_without_links_stops_at_a_short_page(fake_atlas, digest_client):
    fake_atlas.cluster_count, fake_atlas.page_links = 1000, False

    clusters = await digest_client.list_clusters(GROUP_ID)

    assert len(clusters) == 1000
    assert _page_numbers(fake_atlas) == ["1", "2", "3"]  # the third page comes back empty


async def test_rate_limited_call_waits_at_least_retry_after(fake_atlas, digest_client, sleeps):
    limited = atlas_error(429, "RATE_LIMITED_TOKEN_BUCKET", "Rate limit exceeded. Please retry after 7 seconds.")
    fake_atlas.answer_next("GET", f"/groups/{GROUP_ID}/clusters", Canned(429, limited, {"Retry-After": "7"}))

    clusters = await digest_client.list_clusters(GROUP_ID)

    assert len(clusters) == 3
    assert len(sleeps.delays) == 1 and sleeps.delays[0] >= 7
    assert len(fake_atlas.requests_to(CLUSTERS)) == 2


async def test_rate_limited_create_is_sent_again_because_atlas_refused_it(fake_atlas, digest_client, sleeps):
    limited = atlas_error(429, "RATE_LIMITED", "Too many requests.")
    fake_atlas.answer_next("POST", CPA, Canned(429, limited, {"Retry-After": "2"}), Canned(200, AWS_ROLE))

    role = await digest_client.create_aws_role(GROUP_ID)

    assert role.atlas_assumed_role_external_id == "ext"
    assert len(fake_atlas.requests_to(API + CPA)) == 2
    assert sleeps.delays[0] >= 2


async def test_unavailable_read_is_retried_with_backoff(fake_atlas, digest_client, sleeps):
    down = atlas_error(503, "SERVICE_UNAVAILABLE", "Service unavailable.")
    fake_atlas.answer_next("GET", f"/groups/{GROUP_ID}/clusters", Canned(503, down), Canned(503, down))

    clusters = await digest_client.list_clusters(GROUP_ID)

    assert len(clusters) == 3
    assert len(fake_atlas.requests_to(CLUSTERS)) == 3
    assert len(sleeps.delays) == 2
    assert all(0 <= d <= RetryPolicy().max_delay for d in sleeps.delays)


async def test_unavailable_create_is_not_sent_twice(fake_atlas, digest_client, sleeps):
    fake_atlas.answer_next("POST", CPA, Canned(503, atlas_error(503, "SERVICE_UNAVAILABLE", "Service unavailable.")))

    with pytest.raises(AtlasApiError) as caught:
        await digest_client.create_aws_role(GROUP_ID)

    assert caught.value.status == 503 and caught.value.retryable
    assert len(fake_atlas.requests_to(API + CPA)) == 1
    assert sleeps.delays == []


async def test_retries_stop_when_the_attempts_run_out(fake_atlas, digest_client, sleeps):
    down = Canned(503, atlas_error(503, "SERVICE_UNAVAILABLE", "Service unavailable."))
    fake_atlas.answer_next("GET", f"/groups/{GROUP_ID}/clusters", down, down, down, down)

    with pytest.raises(AtlasApiError, match="SERVICE_UNAVAILABLE"):
        await digest_client.list_clusters(GROUP_ID)

    assert len(fake_atlas.requests_to(CLUSTERS)) == 3  # RetryPolicy(max_attempts=3)
    assert len(sleeps.delays) == 2


@pytest.mark.parametrize(("status", "code"), [(503, "SERVICE_UNAVAILABLE"), (429, "RATE_LIMITED_TOKEN_BUCKET")])
async def test_the_wait_atlas_names_stays_on_the_error_when_retries_give_up(
    fake_atlas, digest_client, sleeps, status, code
):
    refused = Canned(status, atlas_error(status, code, "Try again later."), {"Retry-After": "20"})
    fake_atlas.answer_next("GET", f"/groups/{GROUP_ID}/clusters", refused, refused, refused)

    with pytest.raises(AtlasApiError) as caught:
        await digest_client.list_clusters(GROUP_ID)

    assert (caught.value.status, caught.value.error_code) == (status, code)
    assert caught.value.retry_after == 20.0
    assert len(fake_atlas.requests_to(CLUSTERS)) == 3  # RetryPolicy(max_attempts=3)
    assert len(sleeps.delays) == 2 and min(sleeps.delays) >= 20


async def test_an_error_without_retry_after_names_no_wait(fake_atlas, digest_client):
    fake_atlas.answer_next("GET", f"/groups/{GROUP_ID}/clusters", Canned(404, atlas_error(404, "NOT_FOUND", "No.")))

    with pytest.raises(AtlasApiError) as caught:
        await digest_client.list_clusters(GROUP_ID)

    assert caught.value.retry_after is None


async def test_retry_after_beyond_the_total_wait_budget_gives_up(fake_atlas, atlas_url, sleeps):
    limited = Canned(429, atlas_error(429, "RATE_LIMITED", "Slow down."), {"Retry-After": "300"})
    fake_atlas.answer_next("GET", f"/groups/{GROUP_ID}/clusters", limited)
    auth = digest_auth(PUBLIC_KEY, PRIVATE_KEY)
    async with AtlasClient(atlas_url, auth, retry=RetryPolicy(max_total_wait=60), sleep=sleeps) as client:
        with pytest.raises(AtlasApiError) as caught:
            await client.list_clusters(GROUP_ID)

    assert caught.value.status == 429
    assert "Wait" in caught.value.next_step
    assert sleeps.delays == []


async def test_timeouts_retry_reads_but_not_creates(fake_atlas, atlas_url, sleeps):
    slow = Canned(200, AWS_ROLE, delay=0.5)
    fake_atlas.answer_next("GET", f"{CPA}/{AWS_ROLE['roleId']}", slow, Canned(200, AWS_ROLE))
    fake_atlas.answer_next("POST", CPA, slow)
    auth = digest_auth(PUBLIC_KEY, PRIVATE_KEY)
    async with AtlasClient(atlas_url, auth, timeout=0.2, sleep=sleeps) as client:
        await client.whoami()  # settle the digest challenge first
        role = await client.get_cloud_provider_access_role(GROUP_ID, AWS_ROLE["roleId"])
        with pytest.raises(AtlasConnectionError) as caught:
            await client.create_aws_role(GROUP_ID)

    assert role.role_id == AWS_ROLE["roleId"]
    assert len(fake_atlas.requests_to(API + CPA)) == 1
    assert caught.value.may_have_reached_server
    assert "may still have been carried out" in describe_error(caught.value).meaning


async def test_unreachable_atlas_is_a_connection_error_after_retries(sleeps):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    auth = digest_auth(PUBLIC_KEY, PRIVATE_KEY)
    async with AtlasClient(f"http://127.0.0.1:{port}", auth, sleep=sleeps) as client:
        with pytest.raises(AtlasConnectionError) as caught:
            await client.create_aws_role(GROUP_ID)  # never sent, so even a create may be retried

    assert client.request_count == RetryPolicy().max_attempts
    assert not caught.value.may_have_reached_server
    explanation = describe_error(caught.value)
    assert explanation.meaning == "Could not connect to Atlas"
    assert "proxy" in explanation.next_step


async def test_tracer_sees_every_attempt_with_secrets_redacted(fake_atlas, atlas_url, sleeps):
    exchanges: list[Exchange] = []
    config_id = "6c1b2c3d4e5f60718293a4b9"
    slack_token = "xoxb-123456789012-abcdefABCDEF"
    fake_atlas.answer_next(
        "PUT",
        f"/groups/{GROUP_ID}/alertConfigs/{config_id}",
        Canned(503, atlas_error(503, "SERVICE_UNAVAILABLE", "Service unavailable.")),
        Canned(200, {"id": config_id, "eventTypeName": "AWS_ENCRYPTION_KEY_NEEDS_ROTATION", "enabled": True}),
    )
    body = {
        "eventTypeName": "AWS_ENCRYPTION_KEY_NEEDS_ROTATION",
        "enabled": True,
        "notifications": [{"typeName": "SLACK", "apiToken": slack_token, "channelName": "#kms"}],
    }
    auth = digest_auth(PUBLIC_KEY, PRIVATE_KEY)
    async with AtlasClient(atlas_url, auth, tracer=exchanges.append, sleep=sleeps) as client:
        config = await client.update_alert_config(GROUP_ID, config_id, {"id": config_id, **body})

    assert config.enabled
    sent = json.loads(fake_atlas.requests_to(f"{API}/groups/{GROUP_ID}/alertConfigs/{config_id}")[-1].body)
    assert sent == body  # read-only id left out; the real token goes to Atlas
    assert [(e.status, e.error_code, e.attempt) for e in exchanges] == [
        (503, "SERVICE_UNAVAILABLE", 1),
        (200, None, 2),
    ]
    first = exchanges[0]
    assert (first.method, first.media_type) == ("PUT", "application/vnd.atlas.2023-01-01+json")
    assert first.request_body["notifications"][0] == {"typeName": "SLACK", "apiToken": "***", "channelName": "#kms"}
    trace_text = repr(exchanges)
    for secret in (slack_token, PRIVATE_KEY):
        assert secret not in trace_text


@pytest.fixture
def tls_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
async def tls_server(tls_ca) -> AsyncIterator[str]:
    """An HTTPS endpoint on 127.0.0.1 whose certificate only ``tls_ca`` vouches for."""
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls_ca.issue_cert("127.0.0.1").configure_cert(server_context)
    answer = b'{"appName": "MongoDB Atlas", "throttling": false}'

    async def respond(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                + f"Content-Length: {len(answer)}\r\n\r\n".encode()
                + answer
            )
            await writer.drain()
        except (ssl.SSLError, asyncio.IncompleteReadError, ConnectionError):
            pass  # the client refused our certificate, as it should
        finally:
            writer.close()

    server = await asyncio.start_server(respond, "127.0.0.1", 0, ssl=server_context)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"https://127.0.0.1:{port}"


async def test_tls_certificates_are_verified_by_default(tls_server, tls_ca, sleeps):
    auth = digest_auth(PUBLIC_KEY, PRIVATE_KEY)
    async with AtlasClient(tls_server, auth, retry=RetryPolicy(max_attempts=1), sleep=sleeps) as client:
        with pytest.raises(AtlasConnectionError) as caught:
            await client.whoami()
    assert "TLS certificate" in describe_error(caught.value).meaning

    trusted = ssl.create_default_context()
    tls_ca.configure_trust(trusted)
    async with AtlasClient(tls_server, auth, verify=trusted) as client:
        assert (await client.whoami()).app_name == "MongoDB Atlas"
