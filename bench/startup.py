"""Start-up of the wizard's first screen beside a bare Textual app, each in a private tmux server.

``cmkwizard --sandbox`` shows its first screen, then starts the sandbox (moto, the Key Vault fake,
the Atlas simulator) behind it, so "Connected as" includes the sandbox's start. ``cmkwizard`` is
also timed against a sandbox that ``cmkwizard sandbox serve`` started beforehand, as it would
run against Atlas: the UI alone.
"""

from __future__ import annotations

import os
import queue
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bare_app import READY_TEXT
from terminal import TerminalError, TmuxServer

FIRST_SCREEN_TEXT = "Connect to Atlas"
CONNECTED_TEXT = "Connected as"
SERVE_READY_PREFIX = "# The sandbox is running"
SERVE_SCENARIO = "fresh"
SERVE_TIMEOUT = 60.0

BIN = Path(sys.executable).parent
BARE_APP = Path(__file__).with_name("bare_app.py")

BARE = "bare Textual app (Header, Input, Footer)"
WITH_SANDBOX = "cmkwizard --sandbox"
UI_ONLY = "cmkwizard, against a served sandbox"


@dataclass(frozen=True)
class Target:
    label: str
    argv: tuple[str, ...]
    texts: tuple[str, ...]  # the first one marks the first screen
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass
class StartupResult:
    targets: list[Target]
    samples: dict[tuple[str, str], list[float]]  # (target label, text) -> seconds, one per run
    poll_periods: list[float]
    serve_ready_seconds: float
    not_quit: set[str] = field(default_factory=set)  # still running after Ctrl+Q, so tmux closed them

    def first_screen(self, label: str) -> list[float]:
        target = next(t for t in self.targets if t.label == label)
        return self.samples[(label, target.texts[0])]


def isolated_env(directory: Path) -> dict[str, str]:
    """One clean environment for every program: its own HOME and XDG dirs, no keyring, no cloud settings."""
    home = directory / "home"
    dirs = {
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_DATA_HOME": home / ".local/share",
        "XDG_STATE_HOME": home / ".local/state",
        "XDG_CACHE_HOME": home / ".cache",
    }
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    return {
        "PATH": os.defpath,
        "HOME": str(home),
        "TMPDIR": str(directory),
        "LANG": "C.UTF-8",
        "COLORTERM": "truecolor",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        **{name: str(path) for name, path in dirs.items()},
    }


def measure_startup(runs: int, directory: Path) -> StartupResult:
    env = isolated_env(directory)
    wizard = str(BIN / "cmkwizard")
    wizard_texts = (FIRST_SCREEN_TEXT, CONNECTED_TEXT)
    with sandbox_serve(env) as (sandbox_env, serve_ready_seconds):
        targets = [
            Target(BARE, (sys.executable, str(BARE_APP)), (READY_TEXT,)),
            Target(WITH_SANDBOX, (wizard, "--sandbox"), wizard_texts),
            Target(UI_ONLY, (wizard,), wizard_texts, sandbox_env),
        ]
        samples: dict[tuple[str, str], list[float]] = {(t.label, text): [] for t in targets for text in t.texts}
        result = StartupResult(targets, samples, [], serve_ready_seconds)
        with TmuxServer(directory, env) as tmux:
            # Round 0 warms the file cache and .pyc files and is not counted; each round runs every
            # program once, so background noise falls on all of them alike.
            for round_number in range(runs + 1):
                for index, target in enumerate(targets):
                    session = f"r{round_number}t{index}"
                    sighting = tmux.time_to_text(session, target.argv, target.texts, env=target.env)
                    if not tmux.quit(session):
                        result.not_quit.add(target.label)
                    if round_number == 0:
                        continue
                    for text, seconds in sighting.seconds.items():
                        samples[(target.label, text)].append(seconds)
                    result.poll_periods.append(sighting.mean_poll_period)
    return result


@contextmanager
def sandbox_serve(env: Mapping[str, str]) -> Iterator[tuple[dict[str, str], float]]:
    """Run ``cmkwizard sandbox serve``; yield the variables it exports and how long it took to print them."""
    argv = [str(BIN / "cmkwizard"), "sandbox", "serve", "--scenario", SERVE_SCENARIO]
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        exported = _read_exports(process, _lines(process), deadline=started + SERVE_TIMEOUT)
        yield exported, time.perf_counter() - started
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _lines(process: subprocess.Popen[str]) -> queue.Queue[str | None]:
    """The process's output lines (None at the end), read by a thread so that waiting for them can time out."""
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, name="sandbox-serve-output", daemon=True).start()
    return lines


def _read_exports(process: subprocess.Popen[str], lines: queue.Queue[str | None], deadline: float) -> dict[str, str]:
    exported: dict[str, str] = {}
    other_output: list[str] = []  # for the error message; export lines are left out, they hold secrets
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.perf_counter()))
        except queue.Empty:
            line = None
        if line is None:
            raise TerminalError(
                f"`cmkwizard sandbox serve` was not ready (exit status {process.poll()}); it printed:\n"
                + "".join(other_output)
            )
        if line.startswith(SERVE_READY_PREFIX):
            return exported
        if line.startswith("export "):
            name, _, value = shlex.split(line.removeprefix("export "))[0].partition("=")
            exported[name] = value
        else:
            other_output.append(line)
