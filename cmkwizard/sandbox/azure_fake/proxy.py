"""An HTTP CONNECT proxy that tunnels Azure host names to the fake's TLS port.

With ``HTTPS_PROXY`` pointing here and the fake's CA trusted, unmodified SDK code that talks to
``login.microsoftonline.com``, ``management.azure.com`` and ``<vault>.vault.azure.net`` reaches the fake.
A vault name the fake does not know is refused as if it did not resolve; any other host is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

FIXED_HOSTS = frozenset({"login.microsoftonline.com", "management.azure.com"})
VAULT_SUFFIX = ".vault.azure.net"
_HEAD_TIMEOUT_SECONDS = 10.0
_CHUNK = 64 * 1024
_CLOSE_TIMEOUT_SECONDS = 2.0


class ConnectProxy:
    def __init__(self, upstream_port: int, vault_exists: Callable[[str], bool]) -> None:
        self._upstream_port = upstream_port
        self._vault_exists = vault_exists
        self._tunnels: set[asyncio.Task[None]] = set()
        self._streams: set[asyncio.StreamWriter] = set()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tunnels.add(task)
        self._streams.add(writer)
        try:
            await self._serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            pass
        finally:
            self._tunnels.discard(task)
            self._streams.discard(writer)
            writer.close()

    async def close(self) -> None:
        """End every open tunnel by closing its connections, and wait for the tunnels to finish."""
        for stream in list(self._streams):
            stream.close()
        if self._tunnels:
            _, stuck = await asyncio.wait(set(self._tunnels), timeout=_CLOSE_TIMEOUT_SECONDS)
            for task in stuck:
                task.cancel()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), _HEAD_TIMEOUT_SECONDS)
        method, _, target = head.split(b"\r\n", 1)[0].decode("latin-1").partition(" ")
        target = target.split(" ", 1)[0]
        if method.upper() != "CONNECT":
            return await _respond(writer, 405, "Only CONNECT Is Supported")
        host, _, port = target.rpartition(":")
        refusal = self._refusal(host.lower(), port)
        if refusal:
            return await _respond(writer, *refusal)
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self._upstream_port)
        self._streams.add(upstream_writer)
        try:
            writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            await writer.drain()
            await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))
        finally:
            self._streams.discard(upstream_writer)
            upstream_writer.close()

    def _refusal(self, host: str, port: str) -> tuple[int, str] | None:
        if port != "443":
            return 403, "Only Port 443 Is Tunnelled"
        if host in FIXED_HOSTS:
            return None
        if host.endswith(VAULT_SUFFIX):
            return None if self._vault_exists(host.removesuffix(VAULT_SUFFIX)) else (502, "Unknown Key Vault Host")
        return 403, "Not An Azure Host Served By The Sandbox"


async def _respond(writer: asyncio.StreamWriter, status: int, reason: str) -> None:
    writer.write(f"HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode("latin-1"))
    await writer.drain()


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while chunk := await source.read(_CHUNK):
            sink.write(chunk)
            await sink.drain()
    except ConnectionError:
        pass
    finally:
        with contextlib.suppress(OSError, RuntimeError):
            if sink.can_write_eof():
                sink.write_eof()
