"""The whole Azure Key Vault onboarding as an operator does it: `cmkwizard --sandbox` in a real terminal, keys
only, reading the tenant, service principal, key and vault from the screen, and approving the private
endpoint's connection on the vault with the sandbox's Azure credentials.

At the end the sandbox's Atlas simulator must hold what the operator asked for: Azure Key Vault encryption
with the chosen key and `valid: true`, the chosen clusters encrypted and IDLE, and an ACTIVE endpoint.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.keyboard import Operator, index_of, page_lines
from tests.e2e.test_onboarding_tmux import (
    JOURNEY_BUDGET,
    PROJECT_IN_HEADER,
    REGION_OPTION,
    SIZES,
    connect,
    encrypt_clusters,
    sandbox_project,
    wizard_in_terminal,
)
from tests.ui.tmux import TMUX

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (CI installs it: apt-get install tmux)")

CHOSEN_CLUSTERS = ("orders", "analytics")
ENDPOINT_REGION = "US_EAST_2"  # where the project's Azure cluster runs
GUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
PRINCIPAL_ANSWER = re.compile(rf"servicePrincipalId\s+({GUID})")
KEY_ANSWER = re.compile(r"sandbox:\s*key\s*(https://\S+?/keys/[\w-]+/[0-9a-f]{32})")
SUBSCRIPTION_ANSWER = re.compile(rf"sandbox:\s*subscription\s*({GUID})")
HOME_ENCRYPTED = "Encrypted with Azure Key"  # "Vault" wraps to the next line of the home's card at 80x24
GROUP_ANSWER = re.compile(r"sandbox:\s*resource\s*group\s*([\w.()-]+?)\.")


@pytest.mark.timeout(JOURNEY_BUDGET + 60)
@pytest.mark.parametrize("size", list(SIZES.values()), ids=list(SIZES))
def test_an_operator_onboards_a_project_to_azure_key_vault_approving_its_endpoint(tmp_path, size):
    with wizard_in_terminal(tmp_path, size) as terminal:
        operator = Operator(terminal, budget=JOURNEY_BUDGET)

        atlas_url = connect(operator)
        project_id = choose_the_azure_onboarding(operator)
        create_the_atlas_role(operator)
        key = choose_the_key_with_azure_credentials(operator)
        enable_encryption_at_rest(operator, key)
        encrypt_clusters(operator, CHOSEN_CLUSTERS, then="Private endpoints")
        create_and_approve_a_private_endpoint(operator, ENDPOINT_REGION)
        read_the_summary(operator)

        project = sandbox_project(atlas_url, project_id)
        assert_onboarded(project, key, operator)

        operator.press("C-n")  # Finish: back to the project home, which reads the project again
        operator.expect(HOME_ENCRYPTED, timeout=15)
        operator.press("C-q")
        assert terminal.exit_status(timeout=15) == 0, operator.fail("the wizard did not exit cleanly on ctrl+q")


def choose_the_azure_onboarding(operator: Operator) -> str:
    operator.press("Enter")  # Continue
    operator.expect("Preflight: cmk-sandbox")
    operator.expect("Open the project")
    operator.press("Enter")  # the preflight leaves the focus on Open
    operator.expect("Onboard with Azure Key Vault")
    operator.press("Down", "Enter")  # the second journey offered
    screen = operator.expect("Service principal object ID")
    found = PROJECT_IN_HEADER.search(screen)
    if found is None:
        raise operator.fail("the header does not name the project and its id")
    return found.group(1)


def answers(operator: Operator, pattern: re.Pattern[str], *, joined: str = " ") -> str:
    """A value the sandbox shows on the page (in place of what the az commands would print)."""
    found = pattern.search(joined.join(page_lines(operator.screen())))
    if found is None:
        raise operator.fail(f"the page does not show {pattern.pattern}")
    return found.group(1)


def create_the_atlas_role(operator: Operator) -> None:
    operator.expect("servicePrincipalId")  # what `az ad sp show` would print, under the field
    principal = answers(operator, PRINCIPAL_ANSWER)
    # The tenant ID is filled in from AZURE_TENANT_ID and has the focus: on to the principal's object ID.
    operator.press("Tab")
    operator.type(principal)
    operator.expect(principal)  # typed in full before the next key
    operator.press("C-n")
    operator.expect("Key identifier", timeout=30)


def choose_the_key_with_azure_credentials(operator: Operator) -> str:
    # Each field says, under it, what the sandbox's az commands would print.
    operator.expect("In the sandbox: key")
    key = answers(operator, KEY_ANSWER, joined="")
    operator.type(key)
    operator.expect("→ vault")
    operator.press("Tab")
    operator.expect("In the sandbox: subscription")
    subscription = answers(operator, SUBSCRIPTION_ANSWER, joined="")
    operator.type(subscription)
    operator.expect(subscription)
    operator.press("Tab")
    operator.expect("In the sandbox: resource group")
    group = answers(operator, GROUP_ANSWER)
    operator.type(group)
    operator.expect(f"{group} ")
    operator.press("Tab", "Enter")  # "Use my Azure credentials"
    operator.expect("Acting in Azure", timeout=30)
    operator.press("C-n")  # check the key and the vault
    operator.expect("Step 3 of 6 · Enable the project", timeout=30)
    return key


def enable_encryption_at_rest(operator: Operator, key: str) -> None:
    operator.expect("keyIdentifier")
    operator.press("C-n")
    operator.expect("Enable encryption at rest with your key?")  # the consequence, Cancel focused
    operator.press("BTab", "Enter")
    operator.expect("Step 4 of 6 · Clusters", timeout=45)


def create_and_approve_a_private_endpoint(operator: Operator, region: str) -> None:
    screen = operator.expect(REGION_OPTION)
    regions = [m.group(1) for line in page_lines(screen) if (m := REGION_OPTION.search(line))]
    position = index_of(regions, region, operator)
    operator.press("Tab", "Home", *["Down"] * position, "Space")  # page → regions
    operator.expect("Create endpoints in 1 region")
    # Then past the added-region field, the endpoints table and the replace option to the approval option
    # (the sign-in on the key page still holds: its button is gone), and tick it.
    operator.press("Tab", "Tab", "Tab", "Tab", "Space")
    operator.expect("✔▌ Approve Atlas' connections on the vault")  # ticked (unticked: ▐ ▌)
    operator.press("C-n")
    operator.expect("Require private networking to the key service?")
    operator.press("BTab", "Enter")
    operator.expect("Step 6 of 6 · Summary", timeout=60)


def read_the_summary(operator: Operator) -> None:
    operator.expect("Key rotation alert", timeout=30)
    for name in CHOSEN_CLUSTERS:
        operator.expect(f"{name}: AZURE, IDLE", timeout=5)


def assert_onboarded(project: dict[str, Any], key: str, operator: Operator) -> None:
    encryption = project["encryption"]
    azure = encryption["azure"]
    assert encryption["provider"] == "AZURE", operator.fail(f"encryption at rest is {encryption}")
    assert azure["valid"] is True and azure["keyIdentifier"] == key, operator.fail(f"{azure}")
    assert azure["requirePrivateNetworking"] is True, operator.fail(f"{azure}")
    principals = {p["id"]: p for p in project["azurePrincipals"]}
    assert azure["roleId"] in principals, operator.fail(f"the key's role is not the Atlas role: {principals}")

    clusters = {cluster["name"]: cluster for cluster in project["clusters"]}
    for name in CHOSEN_CLUSTERS:
        cluster = clusters[name]
        assert (cluster["encryptionAtRestProvider"], cluster["state"]) == ("AZURE", "IDLE"), operator.fail(f"{cluster}")
    endpoints = [(e["provider"], e["region"], e["status"]) for e in project["endpoints"]]
    assert endpoints == [("AZURE", ENDPOINT_REGION, "ACTIVE")], operator.fail(f"private endpoints: {endpoints}")
