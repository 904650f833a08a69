"""The Azure fake's lifecycle: certificates, the TLS server and the CONNECT proxy, on one thread."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import shutil
import socket
import tempfile
import threading
import uuid
from pathlib import Path
from types import TracebackType

import trustme
import uvicorn
from starlette.applications import Starlette

from cmkwizard.sandbox.azure_fake.arm import arm_routes
from cmkwizard.sandbox.azure_fake.entra import entra_routes
from cmkwizard.sandbox.azure_fake.keyvault import keyvault_routes
from cmkwizard.sandbox.azure_fake.proxy import ConnectProxy
from cmkwizard.sandbox.azure_fake.state import AzureFakeState, Clock

CERTIFICATE_NAMES = (
    "127.0.0.1",
    "localhost",
    "*.vault.azure.net",
    "login.microsoftonline.com",
    "management.azure.com",
)
_START_TIMEOUT_SECONDS = 10.0
_STOP_TIMEOUT_SECONDS = 10.0
_GRACE_SECONDS = 0.25


def create_app(state: AzureFakeState) -> Starlette:
    """Entra ID, Key Vault and Resource Manager endpoints in one ASGI app (they share no paths)."""
    return Starlette(routes=[*entra_routes(state), *keyvault_routes(state), *arm_routes(state)])


class AzureFake:
    """Entra ID + Key Vault + Resource Manager over TLS on 127.0.0.1, with a CONNECT proxy in front.

    Two ways in: point clients at ``base_url`` with ``ca_bundle_path`` trusted (explicit overrides), or
    give a process ``env()`` so unmodified SDK code reaches the fake through the proxy.
    """

    def __init__(
        self,
        tenant_id: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        self.tenant_id = tenant_id or str(uuid.uuid4())
        self.client_id = client_id or str(uuid.uuid4())
        self.client_secret = client_secret or secrets.token_urlsafe(24)
        self.state = AzureFakeState(
            self.tenant_id,
            operator_client_id=self.client_id,
            operator_client_secret=self.client_secret,
            clock=clock,
        )
        self._directory: Path | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_requested: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._port = 0
        self._proxy_port = 0

    def __repr__(self) -> str:
        running = f"base_url={self.base_url!r}" if self.running else "stopped"
        return f"AzureFake(tenant_id={self.tenant_id!r}, client_id={self.client_id!r}, {running})"

    # --- addresses -------------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def base_url(self) -> str:
        """``https://127.0.0.1:PORT``, the fake addressed directly; Key Vault requests to it reach
        ``state.loopback_vault``."""
        return f"https://127.0.0.1:{self._port}"

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self._proxy_port}"

    @property
    def ca_bundle_path(self) -> str:
        if self._directory is None:
            raise RuntimeError("the Azure fake is not running, so it has no CA bundle")
        return str(self._directory / "ca.pem")

    def env(self) -> dict[str, str]:
        """Variables that send a process's Azure SDK calls to this fake, leaving loopback traffic unproxied."""
        no_proxy = "127.0.0.1,localhost"
        return {
            "HTTPS_PROXY": self.proxy_url,
            "https_proxy": self.proxy_url,
            "NO_PROXY": no_proxy,
            "no_proxy": no_proxy,
            "REQUESTS_CA_BUNDLE": self.ca_bundle_path,
            "AZURE_TENANT_ID": self.tenant_id,
            "AZURE_CLIENT_ID": self.client_id,
            "AZURE_CLIENT_SECRET": self.client_secret,
        }

    @staticmethod
    def vault_url(vault_name: str) -> str:
        return f"https://{vault_name}.vault.azure.net"

    # --- lifecycle -------------------------------------------------------------------------------------

    def start(self) -> AzureFake:
        if self._thread is not None:
            raise RuntimeError("the Azure fake is already started")
        self._directory = Path(tempfile.mkdtemp(prefix="cmkwizard-azure-"))
        self._failure = None
        self._ready.clear()
        sockets: list[socket.socket] = []
        try:
            certificate = self._write_certificates(self._directory)
            for _ in range(2):
                sockets.append(_listen())
            self._port, self._proxy_port = (s.getsockname()[1] for s in sockets)
            self._thread = threading.Thread(
                target=self._run, args=(certificate, *sockets), name=f"azure-fake-{self._port}", daemon=True
            )
            self._thread.start()
            if not self._ready.wait(_START_TIMEOUT_SECONDS) or self._failure is not None:
                raise RuntimeError("the Azure fake did not start") from self._failure
        except BaseException:
            if self._thread is None:
                for sock in sockets:
                    sock.close()
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop serving, end open tunnels, join the thread and remove the certificates. Safe to call twice."""
        thread, loop, stop_requested = self._thread, self._loop, self._stop_requested
        if thread is not None:
            if loop is not None and stop_requested is not None and not loop.is_closed():
                # The loop may finish between the check and the call; then there is nothing left to stop.
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(stop_requested.set)
            thread.join(_STOP_TIMEOUT_SECONDS)
            if thread.is_alive():
                raise RuntimeError("the Azure fake did not stop within 10 seconds")
        self._thread = self._loop = self._stop_requested = None
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None

    def __enter__(self) -> AzureFake:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- the serving thread ----------------------------------------------------------------------------

    @staticmethod
    def _write_certificates(directory: Path) -> Path:
        authority = trustme.CA(organization_name="cmkwizard sandbox")
        authority.cert_pem.write_to_path(str(directory / "ca.pem"))
        server_pem = directory / "server.pem"
        authority.issue_cert(*CERTIFICATE_NAMES).private_key_and_cert_chain_pem.write_to_path(str(server_pem))
        return server_pem

    def _run(self, certificate: Path, https_socket: socket.socket, proxy_socket: socket.socket) -> None:
        asyncio.run(self._serve(certificate, https_socket, proxy_socket))

    async def _serve(self, certificate: Path, https_socket: socket.socket, proxy_socket: socket.socket) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop_requested = asyncio.Event()
        config = uvicorn.Config(
            create_app(self.state),
            ssl_certfile=str(certificate),
            log_config=None,
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=3,
        )
        server = uvicorn.Server(config)
        proxy = ConnectProxy(self._port, self.state.has_vault)
        proxy_server = None
        serving = asyncio.create_task(server.serve(sockets=[https_socket]))
        try:
            proxy_server = await asyncio.start_server(proxy.handle, sock=proxy_socket)
            while not server.started and not serving.done():
                await asyncio.sleep(0.005)
            if serving.done():
                serving.result()
                raise RuntimeError("the Key Vault fake's server exited during start-up")
            self._ready.set()
            await self._stop_requested.wait()
        except BaseException as exc:
            self._failure = exc
            self._ready.set()
        finally:
            if proxy_server is not None:
                proxy_server.close()
                await proxy.close()
                await proxy_server.wait_closed()
            proxy_socket.close()
            server.should_exit = True
            await _finish(serving, server)
            https_socket.close()


async def _finish(serving: asyncio.Task[None], server: uvicorn.Server) -> None:
    """Let requests in flight complete, then drop idle keep-alive connections.

    An idle TLS connection would otherwise hold the shutdown until the client answers the server's
    close_notify, which a pooled client connection never does.
    """
    done, _ = await asyncio.wait({serving}, timeout=_GRACE_SECONDS)
    if not done:
        for connection in list(server.server_state.connections):
            transport = getattr(connection, "transport", None)
            if transport is not None:
                transport.abort()
    await asyncio.gather(serving, return_exceptions=True)


def _listen() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    sock.setblocking(False)
    return sock
