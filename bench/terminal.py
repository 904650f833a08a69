"""Time how long a terminal program takes to show a text, in a private tmux server.

The server has its own socket, ignores the user's configuration (``-f /dev/null``) and gives every
program the same fixed window size and environment. Start-up is timed from just before
``tmux new-session`` (the tmux server is already running) to the end of the first ``capture-pane``
that shows the text, so each figure is an upper bound within one polling period.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

POLL_INTERVAL = 0.010
# Keeps the server up between measured sessions; it is ended with the server, or ends by itself.
IDLE_SECONDS = 300
_DEAD_FORMAT = "#{pane_dead}"


class TerminalError(RuntimeError):
    """A program did not show what was expected; the message includes its screen."""


@dataclass(frozen=True)
class Sighting:
    """Seconds from launch until each text was first seen, and how often the screen was read."""

    seconds: dict[str, float]
    polls: int
    mean_poll_period: float


class TmuxServer:
    def __init__(
        self,
        directory: Path,
        env: Mapping[str, str],
        *,
        width: int = 120,
        height: int = 40,
    ) -> None:
        executable = shutil.which("tmux")
        if executable is None:
            raise TerminalError("tmux is not installed (Debian/Ubuntu: apt-get install tmux)")
        self._base = [executable, "-S", str(directory / "tmux.sock"), "-f", "/dev/null"]
        self._env = dict(env)
        self.width, self.height = width, height

    def __enter__(self) -> Self:
        self._tmux("new-session", "-d", "-s", "idle", *self._size(), "sleep", str(IDLE_SECONDS))
        # A program that exits early leaves its screen (a traceback, say) behind for the error message.
        self._tmux("set-option", "-wg", "remain-on-exit", "on")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._tmux("kill-server", check=False)

    def time_to_text(
        self,
        session: str,
        argv: Sequence[str],
        texts: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        timeout: float = 60.0,
    ) -> Sighting:
        """Launch ``argv`` in a new session and poll its screen every 10 ms until every text in ``texts`` shows."""
        variables = [arg for name, value in (env or {}).items() for arg in ("-e", f"{name}={value}")]
        launched = time.perf_counter()
        self._tmux("new-session", "-d", "-s", session, *self._size(), *variables, *argv)
        pending, seen, polls = list(texts), {}, 0
        next_poll = launched
        while True:
            screen, dead = self._screen(session)
            polls += 1
            captured = time.perf_counter()
            for text in [t for t in pending if t in screen]:
                seen[text] = captured - launched
                pending.remove(text)
            if not pending:
                return Sighting(seen, polls, (captured - launched) / polls)
            if dead or captured - launched > timeout:
                reason = "exited" if dead else f"did not show it within {timeout:.0f} s"
                raise TerminalError(
                    f"{' '.join(argv)} {reason}; still waiting for {pending!r}. Its screen:\n{screen.rstrip()}"
                )
            next_poll += POLL_INTERVAL
            time.sleep(max(0.0, next_poll - time.perf_counter()))

    def quit(self, session: str, key: str = "C-q", timeout: float = 30.0) -> bool:
        """Press ``key``, wait until the program has exited, then close its session.

        Returns False when the program was still running after ``timeout`` (closing the session ends it).
        """
        self._tmux("send-keys", "-t", session, key)
        deadline = time.perf_counter() + timeout
        while not (exited := self._tmux("display-message", "-p", "-t", session, _DEAD_FORMAT).strip() == "1"):
            if time.perf_counter() > deadline:
                break
            time.sleep(0.05)
        self._tmux("kill-session", "-t", session)
        return exited

    def _screen(self, session: str) -> tuple[str, bool]:
        # One tmux client for both commands: the screen's text, then whether the program has exited.
        output = self._tmux(
            "capture-pane",
            "-p",
            "-t",
            session,
            ";",
            "display-message",
            "-p",
            "-t",
            session,
            _DEAD_FORMAT,
        )
        screen, _, dead = output.rstrip("\n").rpartition("\n")
        return screen, dead.strip() == "1"

    def _size(self) -> list[str]:
        return ["-x", str(self.width), "-y", str(self.height)]

    def _tmux(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(
            [*self._base, *args],
            env=self._env,
            capture_output=True,
            text=True,
            check=False,
        )
        if check and result.returncode != 0:
            raise TerminalError(f"tmux {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout
