"""Reusable widgets on their own: validated fields, confirmation, the policy viewer, the step list."""

from __future__ import annotations

import json

from textual.widgets import Input, Static

from cmkwizard.aws.regions import to_atlas_region
from cmkwizard.journeys.base import StepState, StepView
from screens.widgets.confirm import ConfirmModal
from screens.widgets.field import Field, ParsedBy
from screens.widgets.policy_viewer import PolicyViewer, SavePathModal
from screens.widgets.step_list import StepList
from tests.ui.support import Host, text_of

POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}


def region_field() -> Field:
    return Field("Key region", id="region", validators=[ParsedBy(to_atlas_region)])


async def test_field_explains_a_wrong_value_when_leaving_it_and_clears_once_fixed():
    app = Host(region_field(), Input(id="other"))
    async with app.run_test() as pilot:
        await pilot.click("#region-input")
        await pilot.press(*"mars-1", "tab")
        field = app.query_one("#region", Field)
        message = text_of(field.query_one(".field-error", Static))
        assert field.has_class("-invalid")
        assert "mars-1" in message or "region" in message.lower()

        field.input.focus()
        field.value = "us-east-1"
        await pilot.pause()
        assert not field.has_class("-invalid")
        assert text_of(field.query_one(".field-error", Static)) == ""


async def test_field_check_accepts_both_region_spellings():
    app = Host(region_field())
    async with app.run_test():
        field = app.query_one(Field)
        for spelling in ("us-east-1", "US_EAST_1"):
            field.value = spelling
            assert field.check()


async def test_typed_confirmation_refuses_anything_but_the_exact_text():
    results: list[bool] = []
    app = Host()
    async with app.run_test() as pilot:
        app.push_screen(
            ConfirmModal("Move to a role", "Irreversible.", action_label="Migrate", typed_confirmation="migrate"),
            results.append,
        )
        await pilot.pause()
        await pilot.press(*"Migrate", "enter")
        await pilot.pause()
        assert results == []
        error = app.screen.query_one("#typed .field-error", Static)
        assert "Type exactly migrate" in text_of(error)

        app.screen.query_one("#typed-input", Input).value = "migrate"
        await pilot.press("enter")
        await pilot.pause()
        assert results == [True]


async def test_confirmation_starts_on_cancel_and_escape_declines():
    results: list[bool] = []
    app = Host()
    async with app.run_test() as pilot:
        app.push_screen(ConfirmModal("Remove endpoint", "Remove it?", action_label="Remove"), results.append)
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "cancel"
        await pilot.press("escape")
        await pilot.pause()
        assert results == [False]


async def test_policy_viewer_copies_the_exact_json():
    app = Host(PolicyViewer(POLICY, title="Trust policy", filename="trust.json"))
    async with app.run_test() as pilot:
        await pilot.click("#copy-policy")
        assert json.loads(app.clipboard) == POLICY


async def test_policy_viewer_saves_to_the_chosen_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = Host(PolicyViewer(POLICY, title="Trust policy", filename="trust.json"))
    async with app.run_test() as pilot:
        await pilot.click("#save-policy")
        await pilot.pause()
        assert isinstance(app.screen, SavePathModal)
        assert app.screen.query_one("#save-path-input", Input).value == str(tmp_path / "trust.json")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert json.loads((tmp_path / "trust.json").read_text()) == POLICY


async def test_save_path_must_be_in_an_existing_folder(tmp_path):
    results = []
    app = Host()
    async with app.run_test() as pilot:
        app.push_screen(SavePathModal(tmp_path / "missing" / "trust.json"), results.append)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        error = text_of(app.screen.query_one("#save-path .field-error", Static))
        assert results == []
        assert "does not exist" in error and str(tmp_path / "missing") in error


async def test_step_list_shows_why_a_step_is_blocked_and_reports_the_choice():
    views = [
        StepView("role", "Atlas role", StepState.DONE, "Role 6650… exists"),
        StepView("key", "Key and region", StepState.NEXT, "Choose the key"),
        StepView("clusters", "Clusters", StepState.BLOCKED, "", "Enable the project first"),
    ]
    chosen: list[str] = []

    class Recording(Host):
        def on_step_list_chosen(self, message: StepList.Chosen) -> None:
            chosen.append(message.step_key)

    step_list = StepList()
    app = Recording(step_list)
    async with app.run_test() as pilot:
        step_list.show(views, current="key")
        await pilot.pause()
        prompts = [str(step_list.get_option_at_index(i).prompt) for i in range(3)]
        assert "✔ 1. Atlas role" in prompts[0]
        assert "▶ 2. Key and region" in prompts[1]
        assert "Enable the project first" in prompts[2]
        step_list.focus()
        await pilot.press("down", "enter")
        await pilot.pause()
    assert chosen == ["clusters"]
