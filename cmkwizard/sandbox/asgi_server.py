"""Serve an ASGI app with uvicorn on a free port of 127.0.0.1, in a background thread that can be stopped."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any, Self

import uvicorn

_START_TIMEOUT_SECONDS = 10.0
_STOP_TIMEOUT_SECONDS = 5.0


class BackgroundServer:
    """uvicorn in a daemon thread. The port is bound before start() returns, so `url` is known at once."""

    def __init__(self, app: Any, *, name: str = "asgi") -> None:
        self._app = app
        self._name = name
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._socket is None:
            raise RuntimeError(f"the {self._name} server is not running: call start() first")
        host, port = self._socket.getsockname()[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        if self._thread is not None:
            return
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        config = uvicorn.Config(
            self._app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            loop="asyncio",
            timeout_graceful_shutdown=2,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, name=self._name, daemon=True)
        self._socket, self._server, self._thread = listener, server, thread
        thread.start()
        deadline = time.monotonic() + _START_TIMEOUT_SECONDS
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the {self._name} server did not start on 127.0.0.1")
            time.sleep(0.01)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self._thread is None:
            return
        assert self._server is not None and self._socket is not None
        self._server.should_exit = True
        self._thread.join(_STOP_TIMEOUT_SECONDS)
        if self._thread.is_alive():  # a connection outlived the graceful shutdown
            self._server.force_exit = True
            self._thread.join(_STOP_TIMEOUT_SECONDS)
        self._socket.close()
        self._socket = self._server = self._thread = None
