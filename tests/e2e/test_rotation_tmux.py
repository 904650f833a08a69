"""A key rotation as an operator does it at 80x24: `cmkwizard --sandbox --scenario encrypted-aws` in a real
terminal, keys only; the wizard creates the new key with the sandbox's AWS credentials, lets the role use it,
switches the project after the confirmation and follows every cluster back to IDLE.

At the end the Atlas simulator must hold the new key, valid, with every encrypted cluster IDLE.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.keyboard import Operator, page_lines
from tests.e2e.test_onboarding_tmux import (
    JOURNEY_BUDGET,
    PROJECT_IN_HEADER,
    SIZES,
    connect,
    sandbox_project,
    wizard_in_terminal,
)
from tests.ui.tmux import TMUX

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (CI installs it: apt-get install tmux)")

NEW_KEY = re.compile(r"customerMasterKeyID\s+([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")


@pytest.mark.timeout(JOURNEY_BUDGET + 60)
def test_an_operator_rotates_the_aws_key_at_80_columns(tmp_path):
    with wizard_in_terminal(tmp_path, SIZES["80x24"], ["--scenario", "encrypted-aws"]) as terminal:
        operator = Operator(terminal, budget=JOURNEY_BUDGET)
        atlas_url = connect(operator)

        operator.press("Enter")  # Continue
        operator.expect("Open the project")
        operator.press("Enter")
        operator.expect("Rotate the AWS KMS key")
        operator.press("Down", "Enter")  # after the private endpoints journey
        screen = operator.expect("Step 1 of 6 · Where things stand")
        project_id = PROJECT_IN_HEADER.search(screen)
        if project_id is None:
            raise operator.fail("the header does not name the project and its id")
        operator.expect("Rotation alert: fires 90 days after the last rotation")
        operator.press("C-n")  # rotate now (the default choice)

        operator.expect("Step 2 of 6 · New key")
        operator.press("Tab", "Space")  # region (kept) → "Create a new symmetric key in this region"
        operator.press("Tab", "Enter")  # "Use my AWS credentials"
        operator.expect("Acting in AWS", timeout=30)
        operator.press("C-n")  # create the key, add it to the role's policy

        screen = operator.expect("Step 3 of 6 · Switch to the new key", timeout=30)
        found = NEW_KEY.search(" ".join(page_lines(screen)))
        if found is None:
            raise operator.fail("the switch does not show the new key")
        new_key = found.group(1)
        operator.press("C-n")
        operator.expect("Switch the project to the new key?")  # the consequence, Cancel focused
        operator.press("BTab", "Enter")
        operator.expect("Step 4 of 6 · Clusters back to IDLE", timeout=60)
        operator.press("C-n")
        operator.expect("Step 5 of 6 · Rotation alert", timeout=60)
        operator.press("C-n")  # keep 90 days
        operator.expect("Step 6 of 6 · Summary", timeout=30)
        operator.expect("Key rotation alert", timeout=30)

        project = sandbox_project(atlas_url, project_id.group(1))
        aws = project["encryption"]["aws"]
        assert aws["customerMasterKeyID"] == new_key and aws["valid"] is True, operator.fail(f"{aws}")
        encrypted = [c for c in project["clusters"] if c["encryptionAtRestProvider"] == "AWS"]
        assert encrypted and {c["state"] for c in encrypted} == {"IDLE"}, operator.fail(f"{encrypted}")

        operator.press("C-q")
        assert terminal.exit_status(timeout=15) == 0, operator.fail("the wizard did not exit cleanly on ctrl+q")
