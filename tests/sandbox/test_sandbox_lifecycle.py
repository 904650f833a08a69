"""Starting and stopping sandboxes: what a run leaves behind, running two at once, and what another shell gets."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from botocore.exceptions import ClientError
from moto.kms.models import kms_backends

from cmkwizard.sandbox import SCENARIO_NAMES, Sandbox
from cmkwizard.sandbox.atlas_sim.scenarios import SCENARIOS
from cmkwizard.sandbox.cloud_seed import KEY_VAULT_NAME, ROLE_NAME
from tests.sandbox.sandbox_fixtures import sandbox_fixture

ATLAS_JSON = {"Accept": "application/vnd.atlas.2023-01-01+json"}

sandbox = sandbox_fixture("fresh")


def _port(url: str) -> int:
    port = urlsplit(url).port
    assert port is not None
    return port


def _threads_settle(expected: set[threading.Thread], timeout: float = 3.0) -> set[threading.Thread]:
    deadline = time.monotonic() + timeout
    while (extra := set(threading.enumerate()) - expected) and time.monotonic() < deadline:
        time.sleep(0.05)
    return extra


def _encryption(info, client: httpx.Client) -> dict:  # type: ignore[no-untyped-def]
    response = client.get(
        f"{info.atlas_base_url}/api/atlas/v2/groups/{info.project_id}/encryptionAtRest", headers=ATLAS_JSON
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_stop_leaves_no_thread_port_temp_file_or_aws_account_behind() -> None:
    threads_before = set(threading.enumerate())
    sandbox = Sandbox("fresh")
    info = sandbox.start()
    ports = [
        _port(url)
        for url in (info.atlas_base_url, info.aws_endpoint_url, info.azure_https_proxy, sandbox.azure.base_url)
    ]
    certificates = Path(info.azure_ca_bundle).parent
    assert certificates.is_dir()
    assert info.aws_account_id in kms_backends

    sandbox.stop()

    assert _threads_settle(threads_before) == set()
    for port in ports:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
    assert not certificates.exists()
    assert info.aws_account_id not in kms_backends
    with pytest.raises(RuntimeError, match="not running"):
        _ = sandbox.info
    sandbox.stop()  # stopping twice is harmless


def test_two_sandboxes_run_side_by_side_without_sharing_state() -> None:
    with Sandbox("fresh") as fresh, Sandbox("encrypted-aws") as encrypted:
        a, b = fresh.info, encrypted.info
        assert len({a.atlas_base_url, b.atlas_base_url, a.aws_endpoint_url, b.aws_endpoint_url}) == 4
        assert a.aws_account_id != b.aws_account_id and a.project_id != b.project_id

        encrypted.moto.client("iam").get_role(RoleName=ROLE_NAME)
        with pytest.raises(ClientError, match="NoSuchEntity"):
            fresh.moto.client("iam").get_role(RoleName=ROLE_NAME)
        key_arns = [
            s.moto.client("kms").describe_key(KeyId="alias/atlas-cmk")["KeyMetadata"]["Arn"] for s in (fresh, encrypted)
        ]
        assert key_arns[0] != key_arns[1]

        with httpx.Client(auth=httpx.DigestAuth(a.public_key, a.private_key)) as as_a:
            assert _encryption(a, as_a)["awsKms"]["enabled"] is False
            foreign = as_a.get(
                f"{b.atlas_base_url}/api/atlas/v2/groups/{b.project_id}/encryptionAtRest", headers=ATLAS_JSON
            )
            assert foreign.status_code == 401
        with httpx.Client(auth=httpx.DigestAuth(b.public_key, b.private_key)) as as_b:
            assert _encryption(b, as_b)["awsKms"]["valid"] is True


_CHILD = """
import os, boto3, httpx
from azure.identity import ClientSecretCredential
from azure.keyvault.keys import KeyClient
print(boto3.client("sts").get_caller_identity()["Account"])
project = httpx.get(
    os.environ["MONGODB_ATLAS_BASE_URL"] + "/api/atlas/v2/groups/" + os.environ["MONGODB_ATLAS_PROJECT_ID"],
    auth=httpx.DigestAuth(os.environ["MONGODB_ATLAS_PUBLIC_API_KEY"], os.environ["MONGODB_ATLAS_PRIVATE_API_KEY"]),
    headers={"Accept": "application/vnd.atlas.2023-01-01+json"},
)
print(project.json()["name"])
credential = ClientSecretCredential(os.environ["AZURE_TENANT_ID"], os.environ["AZURE_CLIENT_ID"],
                                    os.environ["AZURE_CLIENT_SECRET"])
print(KeyClient("https://%s.vault.azure.net" % os.environ["VAULT"], credential).get_key("atlas-cmk").name)
"""


def test_env_and_azure_sdk_env_let_another_process_reach_atlas_aws_and_azure(sandbox: Sandbox) -> None:
    info = sandbox.info
    env = {**os.environ, **info.env(), **info.azure_sdk_env(), "VAULT": KEY_VAULT_NAME}
    child = subprocess.run(
        [sys.executable, "-c", _CHILD], check=False, env=env, capture_output=True, text=True, timeout=60
    )

    assert child.returncode == 0, child.stderr
    assert child.stdout.split() == [info.aws_account_id, info.project_name, "atlas-cmk"]
    assert {"AWS_REGION", "AWS_DEFAULT_REGION", "MONGODB_ATLAS_ORG_ID"} <= set(info.env())
    assert info.azure_sdk_env()["NO_PROXY"] == "127.0.0.1,localhost"


_WIZARD_AZURE_CHILD = """
import asyncio, os
from cmkwizard.azure.adapters import AzureKeyVault

async def main():
    async with AzureKeyVault() as vault:
        key = await vault.get_key("https://%s.vault.azure.net/keys/atlas-cmk" % os.environ["VAULT"])
        print(key.identifier.key_name, key.key_type)

asyncio.run(main())
"""


def test_env_alone_takes_the_wizards_azure_clients_to_the_fake_and_no_other_program(sandbox: Sandbox) -> None:
    info = sandbox.info
    shell = {name: value for name, value in os.environ.items() if not name.upper().endswith("_PROXY")}
    env = {**shell, **info.env(), "VAULT": KEY_VAULT_NAME}
    child = subprocess.run(
        [sys.executable, "-c", _WIZARD_AZURE_CHILD], check=False, env=env, capture_output=True, text=True, timeout=60
    )

    assert child.returncode == 0, child.stderr
    assert child.stdout.split() == ["atlas-cmk", "RSA"]
    # Nothing that changes how every other program reaches the network or whom it trusts.
    process_wide = {"HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"}
    assert not {name.upper() for name in info.env()} & process_wide
    assert not [name for name in info.env() if name.startswith("AZURE_")]


def test_info_and_sandbox_reprs_hide_secrets(sandbox: Sandbox) -> None:
    info = sandbox.info
    shown = repr(info) + repr(sandbox)
    for secret in (
        info.private_key,
        info.readonly_private_key,
        info.client_secret,
        info.aws_secret_access_key,
        info.azure_client_secret,
    ):
        assert secret not in shown


def test_injected_fault_answers_the_next_matching_request(sandbox: Sandbox) -> None:
    info = sandbox.info
    sandbox.inject_fault("GET", r"/encryptionAtRest$", "429", retry_after=7)
    with httpx.Client(auth=httpx.DigestAuth(info.public_key, info.private_key)) as client:
        url = f"{info.atlas_base_url}/api/atlas/v2/groups/{info.project_id}/encryptionAtRest"
        limited = client.get(url, headers=ATLAS_JSON)
        after = client.get(url, headers=ATLAS_JSON)

    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    assert after.status_code == 200


def test_scenario_names_match_the_simulator_and_unknown_names_are_explained() -> None:
    assert set(SCENARIO_NAMES) == set(SCENARIOS)
    with pytest.raises(ValueError, match="choose one of fresh, encrypted-aws"):
        Sandbox("broken")


def test_importing_the_package_loads_no_server_library() -> None:
    probe = (
        "import sys, cmkwizard.sandbox; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'moto', 'boto3', 'botocore', 'uvicorn', 'starlette'}))"
    )
    child = subprocess.run([sys.executable, "-c", probe], check=False, capture_output=True, text=True, timeout=30)

    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == "[]"
