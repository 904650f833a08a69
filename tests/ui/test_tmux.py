"""The real `cmkwizard --sandbox` in a real terminal (tmux): it starts, connects, and quits cleanly."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

from cmkwizard.sandbox import Sandbox
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


# --- start-up --------------------------------------------------------------------------------

SLOW_TO_IMPORT = ("httpx", "boto3", "botocore", "azure", "moto", "markdown_it")

# Loaded through PYTHONPATH into the wizard's process: when the connect screen's first frame has been
# written to the terminal, Textual's post-display hook records every module loaded so far.
FIRST_FRAME_PROBE = """\
import json, os, sys
import textual.app

_displayed = textual.app.App.post_display_hook


def _record_first_frame(self):
    path = os.environ["FIRST_FRAME_MODULES"]
    if type(self.screen).__name__ == "ConnectScreen" and not os.path.exists(path):
        with open(path, "w") as out:
            json.dump(sorted(sys.modules), out)
    _displayed(self)


textual.app.App.post_display_hook = _record_first_frame
"""


def _modules_at_first_frame(tmp_path: Path, arguments: list[str], env: dict[str, str], ready: str) -> set[str]:
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "sitecustomize.py").write_text(FIRST_FRAME_PROBE)
    recorded = tmp_path / "first-frame-modules.json"
    with Tmux(tmp_path / "tmux") as terminal:
        variables = _wizard_env(PYTHONPATH=str(probe), FIRST_FRAME_MODULES=str(recorded), **env)
        terminal.start([sys.executable, "-m", "cmkwizard", *arguments], env=variables, cwd=tmp_path)
        terminal.wait_for(ready, timeout=30)
        terminal.press("C-q")
        assert terminal.exit_status() == 0
    return {name.split(".")[0] for name in json.loads(recorded.read_text())}


def test_the_sandbox_wizard_first_screen_loads_no_http_client_cloud_sdk_or_markdown(tmp_path):
    # By the time it connected, the sandbox (moto, boto3, the Azure fake) and httpx had all loaded.
    loaded = _modules_at_first_frame(tmp_path, ["--sandbox"], {}, "Connected as API key")

    assert {"textual", "screens", "cmkwizard"} <= loaded
    assert loaded.isdisjoint(SLOW_TO_IMPORT), sorted(loaded & set(SLOW_TO_IMPORT))


def test_the_wizard_first_screen_against_atlas_loads_no_http_client_cloud_sdk_or_markdown(tmp_path):
    with Sandbox(scenario="fresh") as sandbox:
        loaded = _modules_at_first_frame(tmp_path, [], sandbox.info.env(), "Connected as API key")

    assert {"textual", "screens", "cmkwizard"} <= loaded
    assert loaded.isdisjoint(SLOW_TO_IMPORT), sorted(loaded & set(SLOW_TO_IMPORT))


def test_quitting_while_the_sandbox_starts_stops_it_and_removes_its_files(tmp_path):
    temp = tmp_path / "temp"
    temp.mkdir()
    with Tmux(tmp_path / "tmux") as terminal:
        # The large scenario takes longest to start, so Ctrl+Q lands while it is starting.
        command = [sys.executable, "-m", "cmkwizard", "--sandbox", "--scenario", "large"]
        terminal.start(command, env=_wizard_env(TMPDIR=str(temp)), cwd=tmp_path)
        terminal.wait_for("Starting the sandbox", timeout=30)
        terminal.press("C-q")
        status = terminal.exit_status(timeout=60)
        final = terminal.screen()

    assert status == 0, final
    assert "Traceback" not in final
    assert not list(temp.iterdir()), f"left behind after quitting during start-up: {sorted(temp.iterdir())}"
