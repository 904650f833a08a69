"""What a hostile paste or an unforeseen error does to the wizard: a refusal or an error dialog, never an exit."""

from __future__ import annotations

import json

import pytest

from cmkwizard.atlas import AtlasClient, RetryPolicy
from cmkwizard.atlas.auth import digest_auth
from cmkwizard.aws.policy_document import render_policy
from cmkwizard.sandbox.asgi_server import BackgroundServer
from screens.last_resort import UnexpectedErrorModal
from screens.onboard_aws.trust import TrustPolicyScreen
from screens.widgets.error_panel import ErrorPanel
from screens.widgets.status_pane import StatusPane
from tests.atlas.conftest import CLIENT_ID, CLIENT_SECRET, PRIVATE_KEY, PUBLIC_KEY
from tests.atlas.fake_atlas import GROUP_ID, Canned, FakeAtlas
from tests.platform.test_damaged_answers import EAR, HEALTHY
from tests.ui.states import FixedClock
from tests.ui.support import NO_POLLING, Host, click, settle, shown, text_of
from tests.ui.test_onboarding import BUTTON_REST, SIZE, apply, start_onboarding

GOOD_POLICY = (
    '{"Version": "2012-10-17", "Statement": [{"Sid": "Ec2", "Effect": "Allow", '
    '"Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
)


async def open_trust_page(app, pilot) -> None:
    await start_onboarding(app, pilot)
    await apply(app, pilot)
    assert isinstance(app.screen, TrustPolicyScreen)


async def merge(app, pilot, text: str) -> None:
    app.screen.query_one("#existing-policy").text = text
    await pilot.pause(BUTTON_REST)
    await click(pilot, "#merge")


async def still_merges(app, pilot) -> None:
    await merge(app, pilot, GOOD_POLICY)
    assert json.loads(app.screen.query_one("#trust-policy").text)["Statement"][0]["Sid"] == "Ec2"


HOSTILE_PASTES = {
    "100000 nested arrays": (
        "[" * 100_000 + "]" * 100_000,
        "far more than any policy can be (IAM's limits, counted without whitespace: "
        "a role's trust policy 2,048 characters (4,096 after a quota increase)",
    ),
    "30000 nested arrays": ("[" * 30_000 + "]" * 30_000, "nests lists and objects 30000 levels deep"),
    "byte order mark": ("\ufeff" + GOOD_POLICY, "byte order mark (U+FEFF)"),
    "NUL": (GOOD_POLICY.replace("Ec2", "Ec\x002"), "NUL character (U+0000)"),
    "not UTF-8": (GOOD_POLICY.replace("ec2", "\udce9c2"), "invalid character (U+DCE9"),
}


async def test_hostile_trust_policies_are_refused_and_the_wizard_goes_on(wizard):
    app = wizard.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_trust_page(app, pilot)
        for name, (pasted, refusal) in HOSTILE_PASTES.items():
            await merge(app, pilot, pasted)

            assert refusal in shown(app, "#existing-policy-error"), name
            assert app.is_running
        await still_merges(app, pilot)


@pytest.mark.parametrize("exit_on_error", [True, False])
async def test_an_unforeseen_error_in_a_worker_is_shown_journalled_and_survived(wizard, exit_on_error):
    async def render_something_unrenderable() -> None:
        render_policy({"Statement": [object()]})

    app = wizard.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_trust_page(app, pilot)
        app.run_worker(render_something_unrenderable(), name="render", group="test", exit_on_error=exit_on_error)
        await settle(pilot)

        assert isinstance(app.screen, UnexpectedErrorModal)
        assert "Unexpected error: TypeError" in shown(app, "#unexpected-error")
        assert app.screen.query_one(ErrorPanel).has_class("-visible")
        entry = app.flow.journal.entries()[-1]
        assert entry["kind"] == "unexpected_error"
        assert entry["error"] == "TypeError"
        assert entry["during"] == "the task 'render' (test)"
        assert entry["raised_at"].startswith("cmkwizard/aws/policy_document.py:")
        assert entry["raised_at"].endswith(" in render_policy")

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TrustPolicyScreen)
        assert app.is_running
        await still_merges(app, pilot)


async def test_a_damaged_answer_in_the_status_pane_names_the_operation_and_the_field():
    fake = FakeAtlas(PUBLIC_KEY, PRIVATE_KEY, CLIENT_ID, CLIENT_SECRET)
    with BackgroundServer(fake.app, name="fake-atlas") as server:
        fake.answer_next("GET", EAR, Canned(200, {"awsKms": "enabled"}))
        for path, body in HEALTHY.items():
            if path != EAR:
                fake.answer_next("GET", path, Canned(200, body))
        client = AtlasClient(server.url, digest_auth(PUBLIC_KEY, PRIVATE_KEY), retry=RetryPolicy(max_attempts=1))
        pane = StatusPane(client, GROUP_ID, clock=FixedClock(), policy=NO_POLLING)
        try:
            async with Host(pane).run_test() as pilot:
                await settle(pilot)
                shown_text = " ".join(text_of(block) for block in pane.query(".status-block") if block.display)
        finally:
            await client.aclose()

    assert pane.has_class("-stale")
    assert "(getGroupEncryptionAtRest): awsKms is a string where an object was expected" in " ".join(shown_text.split())
