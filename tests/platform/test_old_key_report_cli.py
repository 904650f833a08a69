"""`cmkwizard old-key-report`: the report as Markdown or JSON from the sandbox, and its refusals."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from cmkwizard.cli import main
from cmkwizard.journeys.old_key_report import NEVER_DELETES
from cmkwizard.sandbox import Sandbox


@pytest.fixture(scope="module")
def encrypted() -> Iterator[Sandbox]:
    with Sandbox(scenario="encrypted-aws", speed=0.0) as sandbox:
        yield sandbox


def use(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in sandbox.info.env().items():
        monkeypatch.setenv(name, value)


def test_markdown_by_default_names_every_cluster_and_the_safe_date(encrypted, monkeypatch, capsys):
    use(encrypted, monkeypatch)
    assert main(["old-key-report"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"# Old-key report for project {encrypted.info.project_id}")
    assert "**Earliest safe date to retire the key: " in out
    for cluster in ("orders", "analytics", "payments-azure"):
        assert f"| {cluster} | 4 of 4 | masterKeyUUID |" in out
    assert NEVER_DELETES in out


def test_json_for_an_old_key_since_a_given_date(encrypted, monkeypatch, capsys):
    use(encrypted, monkeypatch)
    old = "arn:aws:kms:us-east-1:123456789012:key/0b7e2f38-52a4-4bd5-9c38-7f6c2a1d9e11"
    assert main(["old-key-report", "--key", old, "--since", "2026-01-01", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["key"] == {
        "provider": "AWS",
        "key": old,
        "masterKeyUUID": "0b7e2f38-52a4-4bd5-9c38-7f6c2a1d9e11",
        "stoppedAt": "2026-01-01T00:00:00Z",
        "stoppedBecause": "the moment given",
    }
    # Every seeded snapshot names the current key: none needs the old one.
    assert document["safeFrom"] is None and document["determined"] is True
    assert all(c["dependentSnapshots"] == [] for c in document["clusters"])


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--since", "last tuesday"], "--since 'last tuesday' is not a date"),
        (["--json", "--markdown"], None),
    ],
)
def test_bad_arguments_are_refused_with_a_message(args, expected, encrypted, monkeypatch, capsys):
    use(encrypted, monkeypatch)
    if expected is None:
        with pytest.raises(SystemExit):
            main(["old-key-report", *args])
        assert "not allowed with argument" in capsys.readouterr().err
        return
    assert main(["old-key-report", *args]) == 1
    assert expected in capsys.readouterr().err


def test_a_project_without_a_key_asks_for_one(monkeypatch, capsys):
    with Sandbox(scenario="fresh", speed=0.0) as sandbox:
        use(sandbox, monkeypatch)
        assert main(["old-key-report"]) == 1
    assert "name the key to report on (--key)" in capsys.readouterr().err
