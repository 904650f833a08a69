"""The whole AWS onboarding as an operator does it: `cmkwizard --sandbox` in a real terminal, keys only.

Every key is followed by a wait for what the next screen shows; the addresses and ids come from the
screen too. At the end the sandbox's own state (read over HTTP from its Atlas simulator) must show what
the operator asked for: encryption at rest with the chosen AWS KMS key and `valid: true`, the chosen
clusters encrypted and IDLE, and an ACTIVE private endpoint in the key's region.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.keyboard import Operator, index_of, page_lines
from tests.ui.tmux import SESSION, TMUX, Tmux

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (CI installs it: apt-get install tmux)")

SIZES = {"120x36": (120, 36), "80x24": (80, 24)}
SPEED = 200  # IAM propagation, cluster changes and endpoint provisioning take seconds instead of minutes
JOURNEY_BUDGET = 90.0
CHOSEN_CLUSTERS = ("orders", "analytics")
KEY_ALIAS = "alias/atlas-cmk"
KEY_REGION = "US_EAST_1"

ATLAS_URL = re.compile(r"(?:Atlas|simulator at)[\s│]+(http://127\.0\.0\.1:\d+)")
PROJECT_IN_HEADER = re.compile(r"cmk-sandbox \(([0-9a-f]{24})\)")
KEY_ID = re.compile(r"\(([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\)")
CLUSTER_ROW = re.compile(r"^([·✔])\s+([\w-]+)\s+\w+ · \w+")
REGION_OPTION = re.compile(r"[✔ ]▌ ([A-Z]{2}_[A-Z]+_\d+)")
RUNNING = "●"  # starts the progress line, shown only while a step runs


def isolated_environment(home: Path) -> dict[str, str]:
    return {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        "TEXTUAL_ANIMATIONS": "none",
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
    }


@contextlib.contextmanager
def wizard_in_terminal(
    tmp_path: Path, size: tuple[int, int] = SIZES["120x36"], arguments: Sequence[str] = ()
) -> Iterator[Tmux]:
    """`cmkwizard --sandbox` in its own tmux server. Afterwards the wizard is gone, with the sandbox it runs,
    even when closing its terminal did not end it."""
    home = tmp_path / "home"
    home.mkdir()
    width, height = size
    with Tmux(tmp_path / "tmux", width=width, height=height) as terminal:
        terminal.start(
            [sys.executable, "-m", "cmkwizard", "--sandbox", "--speed", str(SPEED), *arguments],
            env=isolated_environment(home),
            cwd=tmp_path,
        )
        wizard = pane_process(terminal)
        try:
            yield terminal
        finally:
            terminal.close()
            end_process_group(wizard)


def pane_process(terminal: Tmux) -> int:
    """The wizard's process id: tmux runs it as the leader of its own process group."""
    assert TMUX is not None
    answer = subprocess.run(
        [TMUX, "-S", str(terminal.socket), "display-message", "-p", "-t", SESSION, "#{pane_pid}"],
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    )
    return int(answer.stdout)


def end_process_group(leader: int, *, grace: float = 5.0) -> None:
    deadline = time.monotonic() + grace
    while running(leader):
        if time.monotonic() >= deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(leader, signal.SIGKILL)
            return
        time.sleep(0.1)


def running(process_id: int) -> bool:
    """True while the process exists and has not exited (a container without an init may never reap it)."""
    try:
        os.kill(process_id, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{process_id}/stat")
    with contextlib.suppress(OSError):
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


@pytest.mark.timeout(JOURNEY_BUDGET + 60)
@pytest.mark.parametrize("size", list(SIZES.values()), ids=list(SIZES))
def test_an_operator_onboards_a_project_to_aws_kms_with_the_keyboard_alone(tmp_path, size):
    with wizard_in_terminal(tmp_path, size) as terminal:
        operator = Operator(terminal, budget=JOURNEY_BUDGET)

        atlas_url = connect(operator)
        project_id = choose_the_sandbox_project(operator)
        create_the_atlas_role(operator)
        authorize_with_a_role_the_wizard_creates(operator)
        key_id = choose_the_key_from_the_list(operator)
        enable_encryption_at_rest(operator, key_id)
        encrypt_clusters(operator, CHOSEN_CLUSTERS)
        create_a_private_endpoint(operator, KEY_REGION)
        read_the_summary(operator)

        project = sandbox_project(atlas_url, project_id)
        assert_onboarded(project, key_id, operator)

        operator.press("C-n")  # Finish: back to the project home, which reads the project again
        operator.expect("Encrypted with AWS KMS", timeout=15)
        operator.press("C-q")
        assert terminal.exit_status(timeout=15) == 0, operator.fail("the wizard did not exit cleanly on ctrl+q")


@pytest.mark.timeout(JOURNEY_BUDGET + 60)
def test_after_a_failed_step_enter_tries_again_instead_of_going_back(tmp_path):
    """Apply is disabled while its step runs, which moves the focus to its neighbour (Back, labelled Cancel
    meanwhile); once the step has failed, the focus is on Apply again."""
    with wizard_in_terminal(tmp_path) as terminal:
        operator = Operator(terminal, budget=JOURNEY_BUDGET)
        connect(operator)
        choose_the_sandbox_project(operator)
        create_the_atlas_role(operator)
        operator.press("C-n")  # no AWS credentials: the operator looks after the IAM role themselves
        operator.expect("Step 2 of 7 · Role ARN and authorization")
        operator.type("arn:aws:iam::123456789012:role/not-there")
        operator.press("Tab", "Tab", "Enter")  # past the dry run to "Authorize": Atlas retries, then gives up
        operator.expect("CANNOT_ASSUME_ROLE", timeout=60)

        operator.press("Enter")
        operator.expect(RUNNING)  # Authorize runs again (the error is cleared while it does)
        operator.expect("CANNOT_ASSUME_ROLE", timeout=60)
        assert "Authorize" in operator.screen(), operator.fail("enter left the page")  # its Apply button

        operator.press("C-q")
        assert terminal.exit_status(timeout=15) == 0, operator.fail("the wizard did not exit cleanly on ctrl+q")


# --- the journey, page by page --------------------------------------------------------------------


def connect(operator: Operator) -> str:
    """The sandbox starts inside the wizard; its generated credentials connect; Continue has the focus."""
    screen = operator.expect("Connected as API key", timeout=45)
    found = ATLAS_URL.search(screen)
    if found is None:
        raise operator.fail("the sandbox notice does not show the Atlas address")
    return found.group(1)


def choose_the_sandbox_project(operator: Operator) -> str:
    operator.press("Enter")  # Continue
    operator.expect("Preflight: cmk-sandbox")
    operator.expect("Open the project")
    operator.press("Enter")  # the preflight leaves the focus on Open
    operator.expect("Journeys")  # at 80x24 the needs card above scrolls out of view with two journeys offered
    operator.expect("Onboard with AWS KMS")
    operator.press("Enter")  # the home's journey list has the focus, the first journey offered highlighted
    screen = operator.expect("Step 1 of 7 · Atlas role")
    found = PROJECT_IN_HEADER.search(screen)
    if found is None:
        raise operator.fail("the header does not name the project and its id")
    return found.group(1)


def create_the_atlas_role(operator: Operator) -> None:
    operator.expect("Create a new Atlas role for AWS")
    operator.press("Enter")  # the role list has the focus; "create" is highlighted in a fresh project
    operator.expect("Step 2 of 7 · Trust policy")


def authorize_with_a_role_the_wizard_creates(operator: Operator) -> None:
    # Focus starts on the page: Copy, Save, the trust-policy text, Merge, then the AWS button.
    operator.press(*["Tab"] * 5, "Enter")
    operator.expect("Acting in AWS as")
    # The button is gone; the focus is on the option it enabled: let the wizard create the IAM role.
    operator.press("Space", "Tab", "Enter")  # tick it, then Next
    operator.expect("Step 2 of 7 · Role ARN and authorization")
    operator.type("atlas-kms")  # the role name alone: the page knows the AWS account
    operator.expect("→ Atlas will assume")
    operator.press("Enter")  # IAM propagation: the page retries with a countdown until Atlas can assume the role
    operator.expect("Step 3 of 7 · Key and region", timeout=45)


def choose_the_key_from_the_list(operator: Operator) -> str:
    """Region is filled in (us-east-1); list the keys, pick the alias with the arrow keys, attach the policy."""
    operator.expect("→ US_EAST_1 for Atlas, us-east-1 in AWS")
    operator.press("Tab", "Tab", "Enter")  # past the key field to "List keys in this region"
    screen = operator.expect("SYMMETRIC_DEFAULT, enabled")
    lines = page_lines(screen)
    aliases = [(row, line.split()[0]) for row, line in enumerate(lines) if line.startswith("alias/")]
    position = index_of([alias for _, alias in aliases], KEY_ALIAS, operator)
    row = aliases[position][0]
    found = KEY_ID.search(" ".join(lines[row : row + 2]))  # the label wraps: the alias, then "(key id)"
    if found is None:
        raise operator.fail(f"the key list does not show the key id of {KEY_ALIAS}")
    key_id = found.group(1)
    operator.press(*["Down"] * position, "Enter")  # the list has the focus, its first key highlighted
    operator.expect(f"/{key_id}")  # the key field holds its ARN now, and has the focus
    operator.press("Tab", "Tab", "Tab", "Space")  # past the button and the list: attach the KMS policy
    operator.press("C-n")  # check the key
    operator.expect("Step 4 of 7 · Enable the project", timeout=30)
    return key_id


def enable_encryption_at_rest(operator: Operator, key_id: str) -> None:
    operator.expect(key_id)  # now → after shows the chosen key
    operator.press("Tab", "Tab", "Enter")  # page → dry run → "Enable encryption at rest"
    operator.expect("Enable encryption at rest with your key?")  # the consequence, Cancel focused
    operator.press("BTab", "Enter")
    operator.expect("Step 5 of 7 · Clusters", timeout=45)


def encrypt_clusters(operator: Operator, names: tuple[str, ...], then: str = "Step 6 of 7 · Private endpoints") -> None:
    screen = operator.expect(re.compile(r"orders\s+NONE · IDLE"))
    rows = [m.group(2) for line in page_lines(screen) if (m := CLUSTER_ROW.match(line))]
    cursor = 0  # the table has the focus, its cursor on the first row
    for name in names:
        row = index_of(rows, name, operator)
        operator.press(*(["Down"] * (row - cursor) if row >= cursor else ["Up"] * (cursor - row)), "Space")
        cursor = row
    operator.expect(f"Encrypt {len(names)} clusters")
    chosen = [m.group(2) for line in page_lines(operator.screen()) if (m := CLUSTER_ROW.match(line)) and m[1] == "✔"]
    assert sorted(chosen) == sorted(names), operator.fail(f"chose {chosen} instead of {list(names)}")
    operator.press("C-n")
    operator.expect(then, timeout=60)


def create_a_private_endpoint(operator: Operator, region: str) -> None:
    screen = operator.expect(REGION_OPTION)
    regions = [m.group(1) for line in page_lines(screen) if (m := REGION_OPTION.search(line))]
    position = index_of(regions, region, operator)
    operator.press("Tab", "Home", *["Down"] * position, "Space")  # page → regions
    operator.expect("Create endpoints in 1 region")  # Apply, always in view, says what it will do
    operator.press("C-n")
    operator.expect("Require private networking to the key service?")  # the consequence, Cancel focused
    operator.press("BTab", "Enter")
    operator.expect("Step 7 of 7 · Summary", timeout=60)


def read_the_summary(operator: Operator) -> None:
    operator.expect("Key rotation alert", timeout=30)
    for name in CHOSEN_CLUSTERS:
        operator.expect(f"{name}: AWS, IDLE", timeout=5)


# --- what the sandbox holds afterwards --------------------------------------------------------------


def sandbox_project(atlas_url: str, project_id: str) -> dict[str, Any]:
    """The project as the simulator holds it (its control API answers loopback callers without credentials)."""
    response = httpx.get(f"{atlas_url}/_sandbox/state", timeout=10)
    response.raise_for_status()
    return next(p for p in response.json()["projects"] if p["id"] == project_id)


def assert_onboarded(project: dict[str, Any], key_id: str, operator: Operator) -> None:
    encryption = project["encryption"]
    aws = encryption["aws"]
    assert encryption["provider"] == "AWS", operator.fail(f"encryption at rest is {encryption}")
    assert aws["valid"] is True, operator.fail(f"Atlas cannot use the key: {aws}")
    assert aws["customerMasterKeyID"] == key_id and aws["region"] == KEY_REGION, operator.fail(f"{aws}")
    assert not aws["legacyCredentials"], operator.fail(f"{aws}")

    roles = {role["roleId"]: role for role in project["awsRoles"]}
    role = roles.get(aws["roleId"])
    assert role is not None and role["authorized"], operator.fail(f"the key's role is not authorized: {roles}")
    assert role["iamRoleArn"].endswith(":role/atlas-kms"), operator.fail(f"{role}")

    clusters = {cluster["name"]: cluster for cluster in project["clusters"]}
    for name in CHOSEN_CLUSTERS:
        cluster = clusters[name]
        assert (cluster["encryptionAtRestProvider"], cluster["state"]) == ("AWS", "IDLE"), operator.fail(f"{cluster}")
    untouched = {name: c["encryptionAtRestProvider"] for name, c in clusters.items() if name not in CHOSEN_CLUSTERS}
    assert set(untouched.values()) == {"NONE"}, operator.fail(f"clusters not chosen were changed: {untouched}")

    endpoints = [(e["provider"], e["region"], e["status"]) for e in project["endpoints"]]
    assert endpoints == [("AWS", KEY_REGION, "ACTIVE")], operator.fail(f"private endpoints: {endpoints}")
