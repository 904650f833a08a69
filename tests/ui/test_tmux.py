"""The real `cmkwizard --sandbox` in a real terminal (tmux): it starts, connects, and quits cleanly."""

from __future__ import annotations

import os
import sys
import time

import pytest

from tests.ui.tmux import TMUX, Tmux

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed")


def _wizard_env(**more: str) -> dict[str, str]:
    names = ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "PYTHON_KEYRING_BACKEND")
    env = {name: os.environ[name] for name in names}
    return {**env, "TERM": "xterm-256color", "COLORTERM": "truecolor", "TEXTUAL_ANIMATIONS": "none", **more}


def test_the_wizard_connects_to_its_sandbox_and_quits_on_ctrl_q(tmp_path):
    with Tmux(tmp_path / "tmux") as terminal:
        terminal.start([sys.executable, "-m", "cmkwizard", "--sandbox"], env=_wizard_env(), cwd=tmp_path)
        screen = terminal.wait_for("Connected as API key", timeout=30)
        assert "Sandbox" in screen and "Connect to Atlas" in screen
        terminal.press("Enter")
        terminal.wait_for("Preflight: cmk-sandbox")
        terminal.press("C-q")
        assert terminal.exit_status() == 0


def test_closing_the_terminal_stops_the_sandbox_and_removes_its_files(tmp_path):
    temp = tmp_path / "temp"
    temp.mkdir()
    with Tmux(tmp_path / "tmux") as terminal:
        terminal.start([sys.executable, "-m", "cmkwizard", "--sandbox"], env=_wizard_env(TMPDIR=str(temp)))
        terminal.wait_for("Connected as API key", timeout=30)
        assert list(temp.iterdir()), "the sandbox keeps its certificates in a temporary directory while it runs"
    # Closing the terminal sends SIGHUP; the wizard must still stop its sandbox cleanly.
    deadline = time.monotonic() + 15
    while list(temp.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not list(temp.iterdir()), f"left behind after the terminal closed: {sorted(temp.iterdir())}"
