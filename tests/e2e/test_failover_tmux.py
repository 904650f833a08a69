"""A failover drill as an operator does it: `cmkwizard --sandbox --scenario outage` at 80x24, keys only.

The key's region is down for everyone from the start. The operator reads what is wrong, lets the wizard
use the sandbox's AWS credentials, moves the key to the replica region, and reads the drill record.
Afterwards the sandbox's Atlas simulator must hold the replica's region and key, valid again.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.keyboard import Operator
from tests.e2e.test_onboarding_tmux import PROJECT_IN_HEADER, SIZES, connect, sandbox_project, wizard_in_terminal
from tests.ui.tmux import TMUX

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (CI installs it: apt-get install tmux)")

DRILL_BUDGET = 120.0


@pytest.mark.timeout(DRILL_BUDGET + 60)
def test_an_operator_fails_over_to_the_replica_region_in_a_rehearsal(tmp_path):
    with wizard_in_terminal(tmp_path, SIZES["80x24"], ["--scenario", "outage"]) as terminal:
        operator = Operator(terminal, budget=DRILL_BUDGET)
        atlas_url = connect(operator)
        operator.press("Enter")  # Continue
        operator.expect("Open the project")
        operator.press("Enter")
        operator.expect("Region failover (AWS KMS)")  # offered first while the key is invalid
        operator.press("Enter")
        screen = operator.expect("Atlas cannot reach AWS KMS in us-east-1", timeout=30)  # from Atlas alone
        assert "REHEARSAL" in screen, operator.fail("the drill does not say it is a rehearsal")
        project_id = PROJECT_IN_HEADER.search(screen).group(1)

        operator.press("Enter")  # "Move to this region" has the focus: without a region it says what is missing
        operator.expect("Give the region to move to")
        operator.press("BTab", "Enter")  # from the region field up to "Use my AWS credentials": KMS itself is asked
        operator.expect("us-east-1: KMS not answering", timeout=30)
        operator.expect("us-west-2: enabled, key policy allows the Atlas role")
        operator.press("Enter")  # the focus is back on "Move to this region" (us-west-2, filled in)
        operator.expect("Step 4 of 6 · Move the key", timeout=60)
        operator.press("C-n")
        operator.expect("Move the project's key to US_WEST_2?")  # the consequence, Cancel focused
        operator.press("BTab", "Enter")
        screen = operator.expect(re.compile(r"Step [56] of 6"), timeout=90)
        if "Step 5 of 6" in screen:  # the clusters were still re-wrapping their keys
            operator.press("C-n")
        screen = operator.expect("REHEARSAL drill record: took", timeout=90)
        assert "us-east-1 → us-west-2" in screen or "failover region" in screen, operator.fail("no drill record")

        aws = sandbox_project(atlas_url, project_id)["encryption"]["aws"]
        assert aws["region"] == "US_WEST_2" and ":us-west-2:" in aws["customerMasterKeyID"], operator.fail(f"{aws}")
        assert aws["valid"] is True, operator.fail(f"{aws}")

        operator.press("C-q")
        assert terminal.exit_status(timeout=15) == 0, operator.fail("the wizard did not exit cleanly on ctrl+q")
