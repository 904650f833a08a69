"""The HTTP trace (--trace FILE): every Atlas call an operator can replay, and no credential."""

from __future__ import annotations

import json
import stat

import httpx
import pytest

from cmkwizard.atlas import AtlasApiError, Exchange
from cmkwizard.secrets import SecretStore
from cmkwizard.settings import Overrides, load_settings
from cmkwizard.trace import TraceWriter
from tests.atlas.fake_atlas import GROUP_ID, Canned, FakeAtlas, atlas_error

PUBLIC_KEY = "qwertyui"
PRIVATE_KEY = "3f6c1a2b-9d8e-4f70-a1b2-c3d4e5f6a7b8"
CLIENT_ID = "mdb_sa_id_6a1b2c3d4e5f60718293a4b8"
CLIENT_SECRET = "mdb_sa_sk_Zx8vQ2mP7rT4wY9uK3nB6cL1"


@pytest.fixture
def fake() -> FakeAtlas:
    return FakeAtlas(PUBLIC_KEY, PRIVATE_KEY, CLIENT_ID, CLIENT_SECRET)


def client_for(fake: FakeAtlas, overrides: Overrides, tracer: TraceWriter):
    settings = load_settings(overrides, env={}, use_profiles=False, secrets=SecretStore())
    return settings.make_client(tracer=tracer, transport=httpx.ASGITransport(app=fake.app))


def read(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


async def test_each_call_is_one_line_and_no_credential_is_written(fake, tmp_path):
    path = tmp_path / "trace.jsonl"
    tracer = TraceWriter(path, secrets=[PRIVATE_KEY])
    fake.answer_next(
        "GET",
        f"/groups/{GROUP_ID}/encryptionAtRest",
        Canned(400, atlas_error(400, "CANNOT_ASSUME_ROLE", "Atlas cannot assume the specified role.")),
    )

    async with client_for(
        fake, Overrides(public_key=PUBLIC_KEY, private_key=PRIVATE_KEY, base_url="http://127.0.0.1:9"), tracer
    ) as client:
        caller = await client.whoami()
        with pytest.raises(AtlasApiError):
            await client.get_encryption_at_rest(GROUP_ID)

    entries = read(path)
    assert caller.public_key == PUBLIC_KEY
    assert [(e["method"], e["path"], e["status"], e["error_code"]) for e in entries] == [
        ("GET", "/api/atlas/v2", 200, None),
        ("GET", f"/api/atlas/v2/groups/{GROUP_ID}/encryptionAtRest", 400, "CANNOT_ASSUME_ROLE"),
    ]
    assert all(e["at"] and e["media_type"].startswith("application/vnd.atlas.") for e in entries)
    assert PRIVATE_KEY not in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_service_account_secret_never_reaches_the_trace(fake, tmp_path):
    path = tmp_path / "nested" / "trace.jsonl"
    tracer = TraceWriter(path)

    overrides = Overrides(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, base_url="http://127.0.0.1:9")
    async with client_for(fake, overrides, tracer) as client:
        await client.whoami()

    text = path.read_text()
    assert read(path)[0]["status"] == 200
    assert CLIENT_SECRET not in text and fake.issued_tokens[0] not in text


def test_request_bodies_are_scrubbed_again(tmp_path):
    path = tmp_path / "trace.jsonl"
    tracer = TraceWriter(path)
    tracer.register_secret(PRIVATE_KEY)

    tracer(
        Exchange(
            method="PATCH",
            path=f"/api/atlas/v2/groups/{GROUP_ID}/encryptionAtRest",
            query="",
            media_type="application/vnd.atlas.2023-01-01+json",
            request_body={
                "azureKeyVault": {"secret": "legacy-client-secret", "keyVaultName": "kv", "note": PRIVATE_KEY}
            },
            status=200,
            duration_ms=12.5,
            error_code=None,
            attempt=1,
        )
    )

    text = path.read_text()
    assert "legacy-client-secret" not in text and PRIVATE_KEY not in text
    assert read(path)[0]["request_body"]["azureKeyVault"]["keyVaultName"] == "kv"
