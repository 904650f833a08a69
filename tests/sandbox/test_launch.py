"""Starting the sandbox from a worker thread while the wizard may quit at any moment."""

from __future__ import annotations

import tempfile
import threading

import httpx
import pytest

from cmkwizard.explain import explain
from cmkwizard.sandbox import Sandbox
from cmkwizard.sandbox.launch import SandboxLaunch, SandboxStartError


def test_start_is_done_once_and_tells_whoever_asked():
    started = []
    launch = SandboxLaunch(Sandbox(scenario="fresh"), on_started=started.append)
    try:
        first = launch.start()
        again = launch.start()
        response = httpx.get(first.atlas_base_url + "/api/atlas/v2", timeout=10)
    finally:
        launch.stop()

    assert again is first and started == [first]
    assert response.status_code == 401  # the simulator is up and asks for credentials


def test_stop_during_a_start_leaves_nothing_running_and_no_later_start():
    launch = SandboxLaunch(Sandbox(scenario="fresh"))
    outcome: list[object] = []

    def start() -> None:
        try:
            outcome.append(launch.start())
        except SandboxStartError as err:
            outcome.append(err)

    worker = threading.Thread(target=start)
    worker.start()
    launch.stop()  # waits for a start under way, or makes the one to come refuse
    worker.join(timeout=60)

    with pytest.raises(RuntimeError, match="not running"):
        _ = launch.sandbox.info
    with pytest.raises(SandboxStartError) as refused:
        launch.start()
    assert explain(refused.value).what == "The sandbox was stopped before it finished starting."
    assert len(outcome) == 1


def test_a_failed_start_says_what_happened_without_the_message(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    launch = SandboxLaunch(Sandbox(scenario="fresh"))
    with pytest.raises(SandboxStartError) as failed:
        launch.start()

    explanation = explain(failed.value)
    assert explanation.what == "The sandbox did not start: FileNotFoundError (No such file or directory)."
    assert str(tmp_path) not in explanation.what
    assert "cmkwizard sandbox serve" in explanation.next_step
