"""Drive a terminal program in tmux, as an operator would: type keys, read the screen, wait for text.

Each `Tmux` has its own server (a private socket under a temporary directory, `-f /dev/null` so no
user configuration applies) and one session; `close()` ends that server and nothing else. Every wait
is bounded by a timeout and says what the screen showed when it gave up.

    with Tmux(tmp_path / "tmux", width=120, height=36) as terminal:
        terminal.start([sys.executable, "-m", "cmkwizard", "--sandbox"], env={"HOME": str(home)})
        terminal.wait_for("Connected as API key", timeout=30)
        terminal.press("Enter")                    # tmux key names: Enter, Escape, Tab, Space, C-q, F1
        terminal.type("atlas-kms")                 # literal text
        screen = terminal.wait_for(re.compile(r"Step [1-7] of 7"))
        terminal.press("C-q")
        assert terminal.exit_status() == 0
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

TMUX = shutil.which("tmux")
SESSION = "wizard"


class TmuxTimeout(AssertionError):
    """The awaited text did not appear in time; the message holds the last screen."""


class Tmux:
    def __init__(self, directory: Path, *, width: int = 120, height: int = 36) -> None:
        if TMUX is None:
            raise RuntimeError("tmux is not installed (apt-get install tmux)")
        directory.mkdir(parents=True, exist_ok=True)
        self.socket = directory / "tmux.sock"
        self.width = width
        self.height = height
        self.started = False

    def start(self, command: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None) -> None:
        """Run `command` in a new session; its pane stays after it exits, so its last screen can be read."""
        size = ["-x", str(self.width), "-y", str(self.height)]
        where = ["-c", str(cwd)] if cwd else []
        # COLUMNS/LINES inherited from a test runner would override the real size for the program.
        variables = {**(env or {}), "COLUMNS": str(self.width), "LINES": str(self.height)}
        environment = [arg for name, value in variables.items() for arg in ("-e", f"{name}={value}")]
        self._tmux("new-session", "-d", "-s", SESSION, *size, *where, *environment, shlex.join(command))
        self.started = True
        self._tmux("set-option", "-t", SESSION, "remain-on-exit", "on")

    def screen(self, *, colours: bool = False) -> str:
        """The visible screen as text (with SGR colour sequences when `colours`)."""
        return self._tmux("capture-pane", "-p", *(["-e"] if colours else []), "-t", SESSION)

    def wait_for(self, expected: str | re.Pattern[str], *, timeout: float = 15.0, interval: float = 0.1) -> str:
        """Poll until `expected` (text or pattern) shows on a screen that has stopped changing; returns it.

        Waiting for the screen to settle avoids reading a half-drawn frame.
        """
        deadline = time.monotonic() + timeout
        previous = None
        while True:
            screen = self.screen()
            found = expected.search(screen) if isinstance(expected, re.Pattern) else expected in screen
            if found and screen == previous:
                return screen
            if time.monotonic() >= deadline:
                raise TmuxTimeout(f"{expected!r} did not appear within {timeout} s; the screen was:\n{screen}")
            previous = screen if found else None
            time.sleep(interval)

    def type(self, text: str) -> None:
        """Type text literally (no key names are interpreted)."""
        self._tmux("send-keys", "-t", SESSION, "-l", text)

    def press(self, *keys: str) -> None:
        """Press keys by tmux name: Enter, Escape, Tab, Space, Up, C-q, F1..."""
        self._tmux("send-keys", "-t", SESSION, *keys)

    def exit_status(self, *, timeout: float = 10.0) -> int:
        """Wait for the program to end and return its exit status."""
        deadline = time.monotonic() + timeout
        while True:
            fields = self._tmux("display-message", "-p", "-t", SESSION, "#{pane_dead} #{pane_dead_status}").split()
            if fields and fields[0] == "1":
                return int(fields[1]) if len(fields) > 1 else 0
            if time.monotonic() >= deadline:
                raise TmuxTimeout(f"the program did not exit within {timeout} s; the screen was:\n{self.screen()}")
            time.sleep(0.1)

    def close(self) -> None:
        if self.started:
            self._tmux("kill-server", check=False)
            self.started = False

    def __enter__(self) -> Tmux:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _tmux(self, *args: str, check: bool = True) -> str:
        assert TMUX is not None
        result = subprocess.run(
            [TMUX, "-S", str(self.socket), "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"tmux {args[0]} failed: {result.stderr.strip()}")
        return result.stdout
