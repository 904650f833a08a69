"""AppContext: what the TUI and the commands get, wired from the settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cmkwizard.context import AppContext, sandbox_context
from cmkwizard.journal import OPERATOR_DECISION
from cmkwizard.sandbox import Sandbox
from cmkwizard.settings import AUTH_DIGEST, Overrides, Profile, ProfileStore, load_settings
from cmkwizard.trace import TraceWriter
from tests.platform.conftest import PRIVATE_KEY, PUBLIC_KEY

PROJECT_ID = "5f1d4c6e8b3a2a0012345678"


def context_with_profile_without_secret(tmp_path, base_url: str = "https://cloud.mongodb.com") -> AppContext:
    ProfileStore().save(
        Profile("default", AUTH_DIGEST, public_key=PUBLIC_KEY, base_url=base_url, aws_region="eu-west-1")
    )
    return AppContext(
        settings=load_settings(),
        journal_dir=tmp_path / "journal",
        tracer=TraceWriter(tmp_path / "trace.jsonl"),
        settings_loader=lambda typed: load_settings(typed),
    )


async def test_typed_secret_reaches_the_client_and_is_masked_in_open_journals(tmp_path, served_atlas, monkeypatch):
    monkeypatch.delenv("MONGODB_ATLAS_PRIVATE_API_KEY")
    context = context_with_profile_without_secret(tmp_path, served_atlas[1])
    journal = context.journal(PROJECT_ID)
    assert not context.settings.has_credentials

    context.reload_settings(Overrides(private_key=PRIVATE_KEY, origin="the connect screen"))
    async with context.atlas_client() as client:
        caller = await client.whoami()
    journal.record_inputs("connect", {"note": f"operator pasted {PRIVATE_KEY}"})

    assert caller.public_key == PUBLIC_KEY
    assert context.journal(PROJECT_ID) is journal
    assert journal.path.parent == tmp_path / "journal"
    assert PRIVATE_KEY not in journal.path.read_text()
    assert '"path":"/api/atlas/v2"' in (tmp_path / "trace.jsonl").read_text()


def test_journals_mask_the_settings_secrets_from_the_start(tmp_path, monkeypatch):
    monkeypatch.setenv("MONGODB_ATLAS_PUBLIC_API_KEY", PUBLIC_KEY)
    monkeypatch.setenv("MONGODB_ATLAS_PRIVATE_API_KEY", PRIVATE_KEY)
    context = AppContext(settings=load_settings(), journal_dir=tmp_path)

    context.journal(PROJECT_ID).record_decision("connect", "used", PRIVATE_KEY)

    assert PRIVATE_KEY not in (tmp_path / f"{PROJECT_ID}.jsonl").read_text()


def test_aws_account_uses_the_configured_profile_and_region(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "security-admin")
    context = context_with_profile_without_secret(tmp_path)

    default, other_region = context.aws_account(), context.aws_account("us-east-1")

    assert (default.profile, default.region) == ("security-admin", "eu-west-1")
    assert (other_region.profile, other_region.region) == ("security-admin", "us-east-1")


def test_factories_given_by_tests_are_used(tmp_path):
    made = []
    context = AppContext(settings=load_settings(), client_factory=lambda: made.append("client") or "client")

    assert context.atlas_client() == "client" and made == ["client"]


async def test_sandbox_context_talks_to_the_sandbox_only(monkeypatch):
    monkeypatch.setenv("MONGODB_ATLAS_PROJECT_ID", "f" * 24)  # must not leak into a sandbox run
    with Sandbox(scenario="fresh") as sandbox:
        info = sandbox.info
        context = sandbox_context(sandbox)
        async with context.atlas_client() as client:
            project = await client.get_project(context.settings.project_id.value)

    assert context.sandbox is info
    assert project.id == info.project_id
    assert context.settings.project_id.source == "the sandbox"
    assert context.clock is sandbox.clock


def test_a_sandbox_journal_is_in_wall_clock_time_with_the_simulated_time_beside_it(tmp_path):
    with Sandbox(scenario="fresh", speed=0.0) as sandbox:
        sandbox.clock.advance(3 * 3600)  # the sandbox is three hours ahead of the wall clock
        context = sandbox_context(sandbox)
        context.journal_dir = tmp_path
        before = datetime.now(UTC)
        entry = context.journal(sandbox.info.project_id).record(OPERATOR_DECISION, what="reuse role")
        after = datetime.now(UTC)

    assert before <= datetime.fromisoformat(entry["at"]) <= after
    simulated = datetime.fromisoformat(entry["simulated_at"])
    assert simulated - datetime.fromisoformat(entry["at"]) > timedelta(hours=2, minutes=59)


def test_outside_the_sandbox_a_journal_entry_has_one_time(tmp_path):
    context = AppContext(settings=load_settings(), journal_dir=tmp_path)
    entry = context.journal(PROJECT_ID).record(OPERATOR_DECISION, what="reuse role")
    assert "simulated_at" not in entry and datetime.fromisoformat(entry["at"]).tzinfo is not None
