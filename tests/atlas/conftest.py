"""A FakeAtlas served over real HTTP for the whole module run, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cmkwizard.atlas import AtlasClient, RetryPolicy
from cmkwizard.atlas.auth import digest_auth
from cmkwizard.sandbox.asgi_server import BackgroundServer
from tests.atlas.fake_atlas import FakeAtlas

PUBLIC_KEY = "qwertyui"
PRIVATE_KEY = "3f6c1a2b-9d8e-4f70-a1b2-c3d4e5f6a7b8"
CLIENT_ID = "mdb_sa_id_6a1b2c3d4e5f60718293a4b8"
CLIENT_SECRET = "mdb_sa_sk_Zx8vQ2mP7rT4wY9uK3nB6cL1"


@pytest.fixture(scope="session")
def served_atlas() -> Iterator[tuple[FakeAtlas, str]]:
    fake = FakeAtlas(PUBLIC_KEY, PRIVATE_KEY, CLIENT_ID, CLIENT_SECRET)
    with BackgroundServer(fake.app, name="fake-atlas") as server:
        yield fake, server.url


@pytest.fixture
def fake_atlas(served_atlas: tuple[FakeAtlas, str]) -> FakeAtlas:
    fake, _ = served_atlas
    fake.reset()
    return fake


@pytest.fixture
def atlas_url(served_atlas: tuple[FakeAtlas, str]) -> str:
    return served_atlas[1]


class SleepRecorder:
    """Stands in for asyncio.sleep: remembers each requested delay and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
async def digest_client(fake_atlas: FakeAtlas, atlas_url: str, sleeps: SleepRecorder):
    async with AtlasClient(
        atlas_url, digest_auth(PUBLIC_KEY, PRIVATE_KEY), retry=RetryPolicy(max_attempts=3), sleep=sleeps
    ) as client:
        yield client
