"""The journal: what an auditor reads afterwards, and what a resumed journey is offered again."""

from __future__ import annotations

import json
import re
import stat
import string
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmkwizard import paths
from cmkwizard.atlas import AtlasApiError
from cmkwizard.atlas.models import AwsIamRole
from cmkwizard.journal import ATLAS_CHANGE, OPERATOR_DECISION, Journal
from cmkwizard.secrets import Secret

PROJECT_ID = "5f1d4c6e8b3a2a0012345678"
PRIVATE_KEY = "3f6c1a2b-9d8e-4f70-a1b2-c3d4e5f6a7b8"


class FixedClock:
    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment


@pytest.fixture
def journal() -> Journal:
    return Journal.for_project(PROJECT_ID, clock=FixedClock())


def lines(journal: Journal) -> list[dict]:
    return [json.loads(line) for line in journal.path.read_text().splitlines()]


def test_one_json_line_per_entry_in_a_private_file_per_project(journal):
    journal.record(OPERATOR_DECISION, journey="onboarding-aws", what="reuse role", choice="65ab12cd34ef56ab78cd90ef")

    assert journal.path == paths.journal_dir() / f"{PROJECT_ID}.jsonl"
    assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(journal.path.parent.stat().st_mode) == 0o700
    assert lines(journal) == [
        {
            "at": "2026-11-25T09:30:00+00:00",
            "kind": "operator_decision",
            "journey": "onboarding-aws",
            "what": "reuse role",
            "choice": "65ab12cd34ef56ab78cd90ef",
        }
    ]


def test_entries_are_appended_never_rewritten(journal):
    for n in range(3):
        journal.record_decision("rotation", "step", n)

    reopened = Journal.for_project(PROJECT_ID)
    assert [e["choice"] for e in reopened.entries()] == [0, 1, 2]


def test_atlas_change_keeps_inputs_result_and_request_id(journal):
    role = AwsIamRole.from_api(
        {
            "roleId": "65ab12cd34ef56ab78cd90ef",
            "iamAssumedRoleArn": "arn:aws:iam::123456789012:role/atlas-kms",
            "authorizedDate": "2026-11-25T09:29:00Z",
            "featureUsages": [],
        }
    )

    entry = journal.record_change(
        "ATLAS", "authorize role", inputs={"role_arn": role.iam_assumed_role_arn}, result=role, request_id="req-42"
    )

    assert entry["kind"] == ATLAS_CHANGE and entry["outcome"] == "done" and entry["request_id"] == "req-42"
    assert entry["result"]["authorized_date"] == "2026-11-25T09:29:00+00:00"
    assert "raw" not in entry["result"]  # raw API payloads stay out of the journal
    assert lines(journal) == [entry]


def test_failed_change_keeps_the_atlas_error_code(journal):
    error = AtlasApiError(
        400, "CANNOT_ASSUME_ROLE", "Atlas cannot assume the specified role.", method="PATCH", path="/x"
    )

    entry = journal.record_change("aws", "enable encryption at rest", inputs={"region": "US_EAST_1"}, error=error)

    assert entry["outcome"] == "failed"
    assert entry["error"]["code"] == "CANNOT_ASSUME_ROLE"
    assert entry["error"]["type"] == "AtlasApiError"
    assert "cannot assume" in entry["error"]["message"]


def test_last_inputs_offers_the_latest_values_of_one_journey(journal):
    journal.record_inputs("onboarding-aws", {"role_arn": "arn:aws:iam::123456789012:role/old", "region": "us-east-1"})
    journal.record_inputs("rotation", {"key_id": "mrk-1"})
    journal.record_inputs(
        "onboarding-aws", {"role_arn": "arn:aws:iam::123456789012:role/new", "client_secret": "typed-by-mistake"}
    )

    assert journal.last_inputs("onboarding-aws") == {
        "role_arn": "arn:aws:iam::123456789012:role/new",
        "region": "us-east-1",
    }
    assert journal.last_inputs("failover") == {}


def test_a_line_torn_by_a_crash_does_not_hide_the_others(journal):
    journal.record_decision("onboarding-aws", "first", 1)
    with journal.path.open("a") as handle:
        handle.write('{"at": "2026-11-25T09:31:00+00:00", "kind": "operator_dec')
    journal.record_decision("onboarding-aws", "after the crash", 2)

    assert [e["what"] for e in journal.entries()] == ["first", "after the crash"]


def test_mistakes_in_use_are_refused_with_the_expected_values(journal):
    with pytest.raises(ValueError, match="Unknown journal entry kind 'atlas-change'; expected one of atlas_change"):
        journal.record("atlas-change", what="x")
    with pytest.raises(ValueError, match="at is set by the journal itself"):
        journal.record(OPERATOR_DECISION, at="yesterday")
    refusal = "No journal for project '../etc': expected the 24-character hexadecimal"
    with pytest.raises(ValueError, match=re.escape(refusal)):
        Journal.for_project("../etc")


def test_secrets_are_masked_by_name_by_value_and_by_type(journal):
    journal.register_secret(PRIVATE_KEY)

    journal.record_change(
        "ATLAS",
        "connect",
        inputs={
            "privateKey": "abc-secret-value",
            "nested": [{"Authorization": "Digest username=..."}, f"pasted {PRIVATE_KEY} here"],
            "typed": Secret("a-typed-secret-value"),
            "public_key": "zmmrboas",
        },
    )

    text = journal.path.read_text()
    for secret in ("abc-secret-value", "Digest username", PRIVATE_KEY, "a-typed-secret-value"):
        assert secret not in text
    assert "zmmrboas" in text


SECRET = st.text(alphabet=string.ascii_letters, min_size=12, max_size=40)


def nested_with(secret: str) -> st.SearchStrategy:
    leaf = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.text(max_size=12),
        st.just(secret),
        st.builds(lambda a, b: f"{a}{secret}{b}", st.text(max_size=6), st.text(max_size=6)),
    )
    key = st.one_of(st.text(max_size=10), st.just(secret), st.sampled_from(["private_key", "clientSecret", "note"]))
    return st.recursive(
        leaf,
        lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(key, inner, max_size=4)),
        max_leaves=25,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_a_registered_secret_never_reaches_the_file_wherever_it_hides(data):
    secret = data.draw(SECRET)
    fields = data.draw(st.dictionaries(st.sampled_from(["inputs", "result", "what", "choice"]), nested_with(secret)))
    with tempfile.TemporaryDirectory() as directory:
        journal = Journal.for_project(PROJECT_ID, directory=Path(directory), secrets=[secret])

        journal.record(ATLAS_CHANGE, **fields)
        journal.record_inputs("onboarding-aws", dict(fields))

        text = journal.path.read_text(encoding="utf-8")
        assert secret not in text
        assert all(secret not in json.dumps(value) for value in journal.last_inputs("onboarding-aws").values())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_values_under_secret_names_never_reach_the_file_even_unregistered(data):
    secret = data.draw(SECRET)
    name = data.draw(
        st.sampled_from(["private_key", "privateKey", "client_secret", "password", "accessToken", "secretAccessKey"])
    )
    wrapped = data.draw(
        st.recursive(
            st.just({name: secret}),
            lambda inner: st.one_of(
                st.lists(inner, min_size=1, max_size=3),
                st.dictionaries(st.sampled_from(["a", "b"]), inner, min_size=1, max_size=2),
            ),
            max_leaves=6,
        )
    )
    with tempfile.TemporaryDirectory() as directory:
        journal = Journal.for_project(PROJECT_ID, directory=Path(directory))

        journal.record_change("AZURE", "store", inputs={"data": wrapped})

        assert secret not in journal.path.read_text(encoding="utf-8")
