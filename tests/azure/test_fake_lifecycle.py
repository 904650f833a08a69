"""Starting and stopping the Azure fake: nothing left behind, two at once, and what env() sets up."""

from __future__ import annotations

import socket
import ssl
import threading
from pathlib import Path

import httpx
import pytest

from cmkwizard.sandbox.azure_fake import AzureFake


def token_request(fake: AzureFake, client: httpx.Client) -> httpx.Response:
    return client.post(
        f"{fake.base_url}/{fake.tenant_id}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": fake.client_id,
            "client_secret": fake.client_secret,
            "scope": "https://vault.azure.net/.default",
        },
    )


def trusting(fake: AzureFake) -> httpx.Client:
    return httpx.Client(verify=ssl.create_default_context(cafile=fake.ca_bundle_path), trust_env=False)


def refuses_connections(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def test_stop_leaves_no_thread_port_or_file_behind() -> None:
    threads_before = set(threading.enumerate())
    fake = AzureFake().start()
    ports = (int(fake.base_url.rsplit(":", 1)[1]), int(fake.proxy_url.rsplit(":", 1)[1]))
    certificates = Path(fake.ca_bundle_path).parent
    idle = trusting(fake)
    assert token_request(fake, idle).status_code == 200  # leaves a kept-alive connection open

    fake.stop()
    assert set(threading.enumerate()) - threads_before == set()
    assert all(refuses_connections(port) for port in ports)
    assert not certificates.exists()
    idle.close()
    fake.stop()  # a second stop is harmless


def test_context_manager_and_single_start() -> None:
    with AzureFake() as fake:
        assert fake.running
        with pytest.raises(RuntimeError):
            fake.start()
    assert not fake.running
    assert "stopped" in repr(fake) and fake.client_secret not in repr(fake)


def test_two_fakes_run_side_by_side() -> None:
    with AzureFake() as first, AzureFake() as second:
        assert first.base_url != second.base_url and first.proxy_url != second.proxy_url
        with trusting(first) as client:
            assert token_request(first, client).status_code == 200
            with pytest.raises(httpx.ConnectError):  # each fake has its own certificate authority
                token_request(second, client)
        with trusting(second) as client:
            assert token_request(second, client).json()["token_type"] == "Bearer"


def test_env_proxies_azure_hosts_but_not_loopback(fake: AzureFake, monkeypatch: pytest.MonkeyPatch) -> None:
    env = fake.env()
    assert env["AZURE_TENANT_ID"] == fake.tenant_id and env["AZURE_CLIENT_ID"] == fake.client_id
    assert env["REQUESTS_CA_BUNDLE"] == fake.ca_bundle_path
    assert "127.0.0.1" in env["NO_PROXY"].split(",")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    trust = ssl.create_default_context(cafile=fake.ca_bundle_path)
    with httpx.Client(verify=trust) as client:  # honours HTTPS_PROXY and NO_PROXY from the environment
        assert token_request(fake, client).status_code == 200  # straight to 127.0.0.1, not via the proxy
        discovery = f"https://login.microsoftonline.com/{fake.tenant_id}/v2.0/.well-known/openid-configuration"
        assert client.get(discovery).json()["token_endpoint"].startswith("https://login.microsoftonline.com/")


@pytest.mark.parametrize(
    ("target", "status"),
    [("example.com:443", b"403"), ("kv-unknown.vault.azure.net:443", b"502"), ("management.azure.com:80", b"403")],
)
def test_the_proxy_tunnels_only_azure_hosts_it_serves(fake: AzureFake, target: str, status: bytes) -> None:
    port = int(fake.proxy_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as tunnel:
        tunnel.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
        assert tunnel.recv(1024).split()[1] == status
