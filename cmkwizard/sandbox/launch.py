"""Starting the sandbox behind the wizard's first screen, from a worker thread, and stopping it from any thread.

The first screen shows at once and says the sandbox is starting; a worker calls ``start()``, which
blocks for the second or so moto, the Key Vault fake and the Atlas simulator take. ``stop()`` may
come at any moment (Ctrl+Q, a closed terminal): it waits for a start under way, stops what it
started, and no start can begin after it, so quitting during start-up leaves nothing running.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cmkwizard.sandbox.runner import Sandbox, SandboxInfo


class SandboxStartError(RuntimeError):
    """The sandbox could not start; it says what happened and what to do (see ``cmkwizard.explain``)."""

    def __init__(self, cause: BaseException | None) -> None:
        if cause is None:
            what = "The sandbox was stopped before it finished starting."
        else:
            # Only the type and the system's own words: the message may quote generated credentials.
            detail = f" ({cause.strerror})" if isinstance(cause, OSError) and cause.strerror else ""
            what = f"The sandbox did not start: {type(cause).__name__}{detail}."
        super().__init__(what)
        self.what = what
        self.meaning = "The local Atlas simulator, moto (AWS) or the Key Vault fake could not listen on 127.0.0.1."
        self.next_step = "Try again (r); if it fails again, run `cmkwizard sandbox serve` to see the full error."
        self.code: str | None = None


class SandboxLaunch:
    """One sandbox, started at most once from whichever thread asks first; ``on_started`` runs after it is up."""

    def __init__(self, sandbox: Sandbox, on_started: Callable[[SandboxInfo], None] = lambda _info: None) -> None:
        self.sandbox = sandbox
        self._on_started = on_started
        self._lock = threading.Lock()
        self._stopped = False
        self._info: SandboxInfo | None = None

    @property
    def starting(self) -> bool:
        """A start is under way in another thread (``stop()`` would wait for it)."""
        return self._lock.locked() and self._info is None and not self._stopped

    def start(self) -> SandboxInfo:
        """Block until the sandbox is up (at once when it already is); raise SandboxStartError if it cannot start."""
        with self._lock:
            if self._info is not None:
                return self._info
            if self._stopped:
                raise SandboxStartError(None)
            try:
                info = self.sandbox.start()  # stops what it had started when it fails
            except Exception as exc:
                raise SandboxStartError(exc) from exc
            self._on_started(info)
            self._info = info
            return info

    def stop(self) -> None:
        """Stop the sandbox, after waiting for a start under way; later starts are refused."""
        with self._lock:
            self._stopped = True
            self._info = None
            self.sandbox.stop()
