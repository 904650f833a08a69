"""An operator at a real terminal: keys only, reading nothing but what the screen shows.

`Operator` drives a `Tmux` terminal with one time budget for a whole journey, so a wizard that stalls fails
in bounded time; every failure message ends with the last screen, so a CI log shows where it stopped.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence

from tests.ui.tmux import Tmux, TmuxTimeout

SGR = re.compile(r"\x1b\[[0-9;:]*m")
ANYTHING = re.compile(r"(?s).")
POLL_SECONDS = 0.1
KEY_EFFECT_SECONDS = 3.0
KEY_POLL_SECONDS = 0.02


class Operator:
    def __init__(self, terminal: Tmux, *, budget: float) -> None:
        self.terminal = terminal
        self.deadline = time.monotonic() + budget

    def press(self, *keys: str) -> None:
        """Press keys one at a time (tmux names: Enter, Tab, Space, Down, Home, C-n), each once the screen
        shows the previous one's effect and has settled; returns once the last key's effect shows.

        Textual hands a key to the widget focused when the key arrives: a key typed right behind a Tab still
        goes to the widget the Tab is leaving, as it would for a person typing ahead.
        """
        for number, key in enumerate(keys):
            if number:
                self.settle()
            before = self.terminal.screen(colours=True)
            self.terminal.press(key)
            self._await_change(before)

    def type(self, text: str) -> None:
        self.terminal.type(text)

    def expect(self, expected: str | re.Pattern[str], *, timeout: float = 20.0) -> str:
        """Wait until `expected` shows on a screen that has stopped changing, and return that screen (plain text).

        Settled means two reads in a row are the same *with colours*: a focus or selection change shows
        only in colour, and the next key must not arrive before it.
        """
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TmuxTimeout(
                f"the time for the whole journey ran out before {expected!r}; the screen was:\n{self.screen()}"
            )
        deadline = time.monotonic() + min(timeout, remaining)
        previous = None
        while True:
            coloured = self.terminal.screen(colours=True)
            plain = SGR.sub("", coloured)
            found = expected.search(plain) if isinstance(expected, re.Pattern) else expected in plain
            if found and coloured == previous:
                return plain
            if time.monotonic() >= deadline:
                raise TmuxTimeout(f"{expected!r} did not appear within {timeout} s; the screen was:\n{plain}")
            previous = coloured if found else None
            time.sleep(POLL_SECONDS)

    def press_until(self, key: str, expected: str, *, limit: int) -> str:
        """Press `key` until `expected` shows (a label further down the page scrolls into view), at most `limit`."""
        for _ in range(limit):
            if expected in self.screen():
                break
            self.press(key)
        return self.expect(expected, timeout=1)

    def _await_change(self, before: str) -> None:
        """Wait (briefly: some keys change nothing on screen) until the screen differs from `before`."""
        deadline = time.monotonic() + KEY_EFFECT_SECONDS
        while time.monotonic() < deadline and self.terminal.screen(colours=True) == before:
            time.sleep(KEY_POLL_SECONDS)

    def settle(self) -> str:
        """Wait for the screen to stop changing after a key."""
        return self.expect(ANYTHING, timeout=5)

    def screen(self) -> str:
        return self.terminal.screen()

    def fail(self, message: str) -> AssertionError:
        return AssertionError(f"{message}; the screen was:\n{self.screen()}")


FRAME = " ▊▎▁▂▃▄▅▆▇█│"


def page_lines(screen: str) -> list[str]:
    """The page of a journey screen, one entry per row, without the frames of its lists and tables: the middle
    column between the steps and the live status, or (on a narrow terminal) the whole width."""
    rows = screen.splitlines()
    columns = [line.split("│") for line in rows]
    if sum(len(parts) >= 4 for parts in columns) > len(rows) // 2:
        return [parts[2].strip(FRAME) for parts in columns if len(parts) >= 4]
    return [line.strip(FRAME) for line in rows]


def index_of(options: Sequence[str], wanted: str, operator: Operator) -> int:
    if wanted not in options:
        raise operator.fail(f"{wanted!r} is not among {list(options)}")
    return options.index(wanted)
