"""The outage switch of a failover rehearsal: the sandbox's loopback control for KMS regions.

Only for the sandbox, whose Atlas simulator serves ``/_sandbox/outage`` on 127.0.0.1: a region taken
down there is down for Atlas and for the wizard's own KMS calls alike.
"""

from __future__ import annotations

import httpx

from cmkwizard.aws.regions import to_aws_region

OUTAGE_PATH = "/_sandbox/outage"


async def regions_down(sandbox_url: str) -> tuple[str, ...]:
    """The AWS regions whose KMS the sandbox has taken down."""
    async with httpx.AsyncClient(base_url=sandbox_url, timeout=10) as client:
        response = await client.get(OUTAGE_PATH)
    response.raise_for_status()
    return tuple(response.json()["regionsDown"])


async def set_region_down(sandbox_url: str, region: str, down: bool) -> tuple[str, ...]:
    """Take KMS in ``region`` down (or bring it back); the regions down afterwards."""
    async with httpx.AsyncClient(base_url=sandbox_url, timeout=10) as client:
        response = await client.post(OUTAGE_PATH, json={"region": to_aws_region(region), "down": down})
    response.raise_for_status()
    return tuple(response.json()["regionsDown"])


async def end_outage(sandbox_url: str) -> tuple[str, ...]:
    """Bring every region back."""
    for region in await regions_down(sandbox_url):
        await set_region_down(sandbox_url, region, False)
    return await regions_down(sandbox_url)
