"""The `cmkwizard` command as an operator runs it: help, version, status, sandbox serve, start-up cost."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from cmkwizard import __version__
from cmkwizard.cli import main
from cmkwizard.sandbox import Sandbox
from tests.atlas.fake_atlas import GROUP_ID
from tests.platform.conftest import PRIVATE_KEY

REPO = Path(__file__).resolve().parents[2]
HEAVY_MODULES = ("boto3", "botocore", "azure", "moto", "starlette", "uvicorn")


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cmkwizard", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env={**os.environ, **(env or {})},
    )


def test_help_shows_commands_and_examples():
    result = run("--help")

    assert result.returncode == 0
    for text in (
        "--sandbox",
        "--profile NAME",
        "--trace FILE",
        "status",
        "sandbox",
        "profiles",
        "examples:",
        "cmkwizard status --sandbox --json",
        "MONGODB_ATLAS_PUBLIC_API_KEY",
    ):
        assert text in result.stdout


def test_version():
    result = run("--version")

    assert (result.returncode, result.stdout.strip()) == (0, f"cmkwizard {__version__}")


def test_importing_the_cli_loads_no_cloud_sdk_or_server():
    result = subprocess.run(
        [sys.executable, "-c", "import cmkwizard.cli, json, sys; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        check=True,
    )

    loaded = {name.split(".")[0] for name in json.loads(result.stdout)}
    assert loaded.isdisjoint(HEAVY_MODULES)
    assert "keyring" not in loaded and "textual" not in loaded


def test_bad_speed_is_refused_with_the_expected_form(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--sandbox", "--speed", "0"])

    assert exited.value.code == 2
    assert "invalid speed '0': expected a number greater than 0, such as 20" in capsys.readouterr().err


def test_sandbox_options_without_sandbox_are_explained(capsys):
    assert main(["status", "--scenario", "fresh"]) == 1
    assert "--scenario, --speed and --rehearse apply to the sandbox: add --sandbox" in capsys.readouterr().err
    assert main(["status", "--rehearse"]) == 1
    assert "--rehearse apply to the sandbox: add --sandbox" in capsys.readouterr().err


def test_status_without_credentials_says_how_to_provide_them(capsys):
    assert main(["status", "--project", GROUP_ID]) == 1
    err = capsys.readouterr().err
    assert "No Atlas credentials found" in err and "MONGODB_ATLAS_PUBLIC_API_KEY" in err


def test_status_needs_a_project(served_atlas, capsys):
    assert main(["status"]) == 1
    assert "no project given: use --project NAME|ID, set MONGODB_ATLAS_PROJECT_ID" in capsys.readouterr().err


def test_status_failure_prints_what_meaning_next_step_and_code(served_atlas, capsys):
    # This stand-in knows no project, so Atlas' own 404 comes back.
    assert main(["status", "--project", GROUP_ID]) == 1

    err = capsys.readouterr().err
    assert err.startswith("cmkwizard status failed: ")
    assert "\n  Meaning: " in err and "\n  Next step: " in err
    assert "\n  Code: RESOURCE_NOT_FOUND" in err
    assert PRIVATE_KEY not in err


def test_status_failure_as_json_keeps_the_code(served_atlas, capsys):
    assert main(["status", "--project", GROUP_ID, "--json"]) == 1

    document = json.loads(capsys.readouterr().out)
    assert document["error"]["code"] == "RESOURCE_NOT_FOUND"
    assert set(document["error"]) == {"what", "meaning", "next_step", "code"}


# --- against the sandbox ---------------------------------------------------------------------


def test_status_sandbox_json_end_to_end(tmp_path):
    trace = tmp_path / "trace.jsonl"

    result = run("status", "--sandbox", "--json", "--trace", str(trace), timeout=120)

    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert re.fullmatch(r"[0-9a-f]{24}", document["project"]["id"])
    assert document["connection"]["credentials"].startswith("API key ")
    assert set(document) >= {"encryption_at_rest", "cloud_provider_access", "clusters", "private_endpoints"}
    assert document["encryption_at_rest"]["active_provider"] in (None, "AWS", "AZURE", "GCP")
    traced = [json.loads(line) for line in trace.read_text().splitlines()]
    assert {"/api/atlas/v2", f"/api/atlas/v2/groups/{document['project']['id']}/encryptionAtRest"} <= {
        t["path"] for t in traced
    }


def test_status_text_against_a_served_sandbox_shows_no_secret():
    with Sandbox(scenario="fresh") as sandbox:
        info = sandbox.info
        result = run("status", env=info.env(), timeout=120)

    assert result.returncode == 0, result.stderr
    assert f"Project {info.project_name} ({info.project_id})" in result.stdout
    assert "Encryption at rest" in result.stdout and "Clusters" in result.stdout
    assert info.private_key not in result.stdout + result.stderr


@contextmanager
def sandbox_serve() -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    """`cmkwizard sandbox serve` running, and the lines it printed until it was ready."""
    process = subprocess.Popen(
        [sys.executable, "-m", "cmkwizard", "sandbox", "serve", "--scenario", "fresh"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        printed = []
        for line in process.stdout:
            printed.append(line)
            if line.startswith("# Project:"):
                break
        yield process, printed
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_sandbox_serve_prints_exports_serves_and_stops_on_ctrl_c():
    with sandbox_serve() as (process, printed):
        exports: dict[str, str] = {}
        howto = []
        for line in printed:
            if line.startswith("export "):
                name, _, value = line.removeprefix("export ").rstrip("\n").partition("=")
                exports[name] = value.strip("'")
            else:
                howto.append(line)
        response = httpx.get(
            exports["MONGODB_ATLAS_BASE_URL"] + "/api/atlas/v2",
            auth=httpx.DigestAuth(exports["MONGODB_ATLAS_PUBLIC_API_KEY"], exports["MONGODB_ATLAS_PRIVATE_API_KEY"]),
            headers={"Accept": "application/vnd.atlas.2023-01-01+json"},
            timeout=10,
        )
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)

    assert response.status_code == 200
    assert any("curl --digest" in line for line in howto)
    assert process.returncode == 0, err
    assert "# Sandbox stopped." in out


NETWORK_WIDE = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")


def test_sandbox_serve_lines_pasted_into_a_shell_leave_other_tools_alone():
    with sandbox_serve() as (process, printed):
        # Everything printed, pasted as it is into a shell; then what that shell's programs would see.
        shell = {name: value for name, value in os.environ.items() if name.upper() not in NETWORK_WIDE}
        pasted = subprocess.run(
            ["bash", "-c", "".join(printed) + "\nenv -0"], capture_output=True, text=True, env=shell, timeout=30
        )
        seen = dict(entry.partition("=")[::2] for entry in pasted.stdout.split("\0") if entry)
        status = run("status", env={name: seen[name] for name in seen if name.startswith(("MONGODB_", "AWS_"))})
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=60)

    assert pasted.returncode == 0, pasted.stderr
    assert not [name for name in seen if name.upper() in NETWORK_WIDE or name.startswith("AZURE_")]
    assert seen["CMKWIZARD_AZURE_PROXY"].startswith("http://127.0.0.1:")
    assert status.returncode == 0, status.stderr
    warning = "".join(line for line in printed if line.startswith("#"))
    assert "Your own Azure SDK scripts need the commented lines below instead, in a" in warning
    assert "#   export HTTPS_PROXY=http://127.0.0.1:" in warning


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_wizard_starts_connects_with_environment_credentials_traces_and_quits(served_atlas):
    workdir = Path(tempfile.mkdtemp(prefix="cmkw"))  # short: tmux socket paths are limited in length
    tmux = ["tmux", "-S", str(workdir / "s"), "-f", "/dev/null"]
    trace = workdir / "trace.jsonl"
    command = f"{shlex.quote(sys.executable)} -m cmkwizard --trace {shlex.quote(str(trace))}; echo EXIT=$?; sleep 5"
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", "wiz", "-x", "120", "-y", "40", "-c", str(REPO), command],
        check=True,
        env=os.environ.copy(),
        timeout=30,
    )

    def screen() -> str:
        return subprocess.run(
            [*tmux, "capture-pane", "-p", "-t", "wiz"], capture_output=True, text=True, check=False, timeout=10
        ).stdout

    def wait_for(found: Callable[[], bool]) -> bool:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if found():
                return True
            time.sleep(0.1)
        return False

    try:
        connected = wait_for(lambda: trace.exists() and '"status":200' in trace.read_text())
        subprocess.run([*tmux, "send-keys", "-t", "wiz", "C-q"], check=True, timeout=10)
        exited = wait_for(lambda: "EXIT=" in screen())
        final = screen()
    finally:
        subprocess.run([*tmux, "kill-server"], check=False, timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)

    assert connected, final
    assert exited and "EXIT=0" in final, final
