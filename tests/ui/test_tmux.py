"""The real `cmkwizard --sandbox` in a real terminal (tmux): it starts, connects, and quits cleanly."""

from __future__ import annotations

import os
import sys

import pytest

from tests.ui.tmux import TMUX, Tmux

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed")


def test_the_wizard_connects_to_its_sandbox_and_quits_on_ctrl_q(tmp_path):
    env = {name: os.environ[name] for name in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "PYTHON_KEYRING_BACKEND")}
    with Tmux(tmp_path / "tmux") as terminal:
        terminal.start(
            [sys.executable, "-m", "cmkwizard", "--sandbox"],
            env={**env, "TERM": "xterm-256color", "COLORTERM": "truecolor", "TEXTUAL_ANIMATIONS": "none"},
            cwd=tmp_path,
        )
        screen = terminal.wait_for("Connected as API key", timeout=30)
        assert "Sandbox" in screen and "Connect to Atlas" in screen
        terminal.press("Enter")
        terminal.wait_for("Preflight: cmk-sandbox")
        terminal.press("C-q")
        assert terminal.exit_status() == 0
