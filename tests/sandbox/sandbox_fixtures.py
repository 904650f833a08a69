"""Test harness for the assembled sandbox: a running `Sandbox`, an Atlas client over ASGI, IAM helpers.

Import explicitly (``from tests.sandbox.sandbox_fixtures import ...``); a test module registers the
fixtures it uses by assigning them to module names.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from cmkwizard.sandbox import Sandbox
from cmkwizard.sandbox.aws_verifier import KEY_ACTIONS

API = "/api/atlas/v2"
PROPAGATED = 31.0  # simulated seconds after which a trust-policy change has propagated (the default is 30)


def sandbox_fixture(scenario: str) -> Callable[[], Iterator[Sandbox]]:
    """A module-scoped running sandbox whose clock moves only when a test advances it."""

    @pytest.fixture(scope="module")
    def fixture() -> Iterator[Sandbox]:
        with Sandbox(scenario, speed=0.0) as sandbox:
            yield sandbox

    return fixture


@dataclass
class AtlasApi:
    """The simulator's Admin API, in process, as the Project Owner API key."""

    client: httpx.AsyncClient
    sandbox: Sandbox

    async def request(self, method: str, path: str, body: Any = None, *, version: str = "2023-01-01") -> httpx.Response:
        media = f"application/vnd.atlas.{version}+json"
        headers = {"Accept": media} | ({"Content-Type": media} if body is not None else {})
        content = json.dumps(body).encode() if body is not None else None
        return await self.client.request(method, API + path, content=content, headers=headers)

    async def encryption(self, group_id: str) -> dict[str, Any]:
        response = await self.request("GET", f"/groups/{group_id}/encryptionAtRest")
        assert response.status_code == 200, response.text
        return response.json()

    async def enable_aws_kms(self, group_id: str, role_id: str, key: str, region: str = "US_EAST_1") -> httpx.Response:
        body = {"awsKms": {"enabled": True, "customerMasterKeyID": key, "region": region, "roleId": role_id}}
        return await self.request("PATCH", f"/groups/{group_id}/encryptionAtRest", body)

    async def create_aws_access_role(self, group_id: str) -> dict[str, Any]:
        response = await self.request("POST", f"/groups/{group_id}/cloudProviderAccess", {"providerName": "AWS"})
        assert response.status_code == 200, response.text
        return response.json()

    async def authorize_aws_role(self, group_id: str, role_id: str, iam_role_arn: str) -> httpx.Response:
        body = {"providerName": "AWS", "iamAssumedRoleArn": iam_role_arn}
        return await self.request("PATCH", f"/groups/{group_id}/cloudProviderAccess/{role_id}", body)


def atlas_fixture() -> Callable[[Sandbox], AsyncIterator[AtlasApi]]:
    """A fixture giving each test an in-process Admin API client for the module's ``sandbox`` fixture."""

    @pytest.fixture
    async def fixture(sandbox: Sandbox) -> AsyncIterator[AtlasApi]:
        async with owner_api(sandbox) as atlas:
            yield atlas

    return fixture


@asynccontextmanager
async def owner_api(sandbox: Sandbox) -> AsyncIterator[AtlasApi]:
    """The sandbox's Admin API over ASGI, as its Project Owner API key."""
    info = sandbox.info
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(sandbox.atlas_app),
        base_url=info.atlas_base_url,
        auth=httpx.DigestAuth(info.public_key, info.private_key),
    ) as client:
        yield AtlasApi(client, sandbox)


def assert_refused(response: httpx.Response, status: int, error_code: str) -> str:
    """Check an Atlas error envelope and return its detail."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["errorCode"] == error_code, body
    assert body["error"] == status
    return body["detail"]


def trust_policy(principal: str, external_id: str | None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if external_id is not None:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
    return {"Version": "2012-10-17", "Statement": [statement]}


def key_policy(actions: tuple[str, ...] = KEY_ACTIONS, resource: str | list[str] = "*", effect: str = "Allow") -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": effect, "Action": list(actions), "Resource": resource}]}


def create_iam_role(sandbox: Sandbox, name: str, trust: dict[str, Any], **inline_policies: dict) -> str:
    iam = sandbox.moto.client("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    for policy_name, document in inline_policies.items():
        iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(document))
    return arn


async def authorized_role(atlas: AtlasApi, group_id: str, name: str, **inline_policies: dict) -> tuple[str, str]:
    """An Atlas AWS role authorized for a new IAM role with a correct trust policy: (roleId, IAM role ARN)."""
    sandbox = atlas.sandbox
    access = await atlas.create_aws_access_role(group_id)
    trust = trust_policy(access["atlasAWSAccountArn"], access["atlasAssumedRoleExternalId"])
    arn = create_iam_role(sandbox, name, trust, **inline_policies)
    # The first authorization attempt is what first sees the policy; propagation then has to run its course.
    await atlas.authorize_aws_role(group_id, access["roleId"], arn)
    sandbox.clock.advance(PROPAGATED)
    response = await atlas.authorize_aws_role(group_id, access["roleId"], arn)
    assert response.status_code == 200, response.text
    return access["roleId"], arn
