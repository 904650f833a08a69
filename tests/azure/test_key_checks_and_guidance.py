"""What stops Atlas from using a key version, and the az commands the wizard hands out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cmkwizard.azure import guidance
from cmkwizard.azure.clouds import AZURE_CHINA
from cmkwizard.azure.keys import VaultKey

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
VERSION = "0123456789abcdef0123456789abcdef"


def key(**changes: object) -> VaultKey:
    fields: dict = {
        "kid": f"https://kv-atlas.vault.azure.net/keys/cmk/{VERSION}",
        "name": "cmk",
        "version": VERSION,
        "enabled": True,
        "expires_on": None,
        "not_before": None,
        "key_type": "RSA",
        "key_ops": ("wrapKey", "unwrapKey"),
        "created": NOW - timedelta(days=10),
    }
    return VaultKey(**{**fields, **changes})


def codes(vault_key: VaultKey) -> list[str]:
    return [p.code for p in vault_key.problems(NOW)]


def test_a_healthy_rsa_key_has_no_problems() -> None:
    assert codes(key()) == []
    assert codes(key(key_type="RSA-HSM", key_ops=("encrypt", "decrypt"), expires_on=NOW + timedelta(days=3))) == []


def test_each_problem_carries_the_atlas_code_and_a_command() -> None:
    disabled = key(enabled=False).problems(NOW)[0]
    assert disabled.code == "AZURE_KEY_VAULT_KEY_NOT_ENABLED"
    assert disabled.next_step.endswith(
        f"az keyvault key set-attributes --vault-name kv-atlas --name cmk --version {VERSION} --enabled true"
    )
    assert codes(key(expires_on=NOW)) == ["AZURE_KEY_VAULT_KEY_EXPIRED"]
    assert codes(key(expires_on=NOW + timedelta(hours=47))) == ["AZURE_KEY_VAULT_KEY_EXPIRING"]
    assert codes(key(not_before=NOW + timedelta(minutes=5))) == ["AZURE_KEY_VAULT_KEY_NOT_ACTIVE"]
    assert codes(key(key_type="EC")) == ["NO_PERMISSION_TO_ENCRYPT_DECRYPT"]
    assert codes(key(key_ops=("sign", "verify", "wrapKey"))) == ["NO_PERMISSION_TO_ENCRYPT_DECRYPT"]
    assert codes(key(enabled=False, expires_on=NOW - timedelta(days=1))) == [
        "AZURE_KEY_VAULT_KEY_NOT_ENABLED",
        "AZURE_KEY_VAULT_KEY_EXPIRED",
    ]


def test_a_listed_version_is_not_judged_on_what_listing_omits() -> None:
    assert codes(key(key_type=None, key_ops=())) == []
    assert key().identifier.url == f"https://kv-atlas.vault.azure.net/keys/cmk/{VERSION}"


def test_service_principal_steps() -> None:
    assert guidance.create_service_principal_command() == "az ad sp create --id 9f2deb0d-be22-4524-a403-df531868bac0"
    steps = guidance.service_principal_steps(cloud=AZURE_CHINA)
    assert steps[0].startswith("az cloud set --name AzureChinaCloud")
    assert steps[1].startswith("az ad sp create --id 9f2deb0d-be22-4524-a403-df531868bac0")
    assert steps[2].startswith("az ad sp show --id 9f2deb0d-be22-4524-a403-df531868bac0 --query id -o tsv")


def test_key_access_commands() -> None:
    sp = "5f1e7a3c-0000-4000-8000-000000000001"
    assert guidance.access_policy_command("kv-atlas", sp) == (
        f"az keyvault set-policy --name kv-atlas --object-id {sp} --key-permissions get encrypt decrypt"
    )
    scope = guidance.vault_resource_id("sub-id", "rg", "kv-atlas")
    assert guidance.role_assignment_command(scope, sp) == (
        f"az role assignment create --role 'Key Vault Crypto User' --assignee-object-id {sp} "
        f"--assignee-principal-type ServicePrincipal --scope {scope}"
    )


def test_approval_command_and_portal_path() -> None:
    text = guidance.approval_instructions("sub-id", "rg(prod)", "kv-atlas", "atlas-pe.1234")
    assert (
        "az keyvault private-endpoint-connection approve --subscription sub-id --resource-group 'rg(prod)' "
        "--vault-name kv-atlas --name atlas-pe.1234 --description 'Approved for MongoDB Atlas encryption at rest'"
    ) in text
    assert (
        "https://portal.azure.com > Key vaults > kv-atlas > Settings > Networking > Private endpoint connections > "
        "select atlas-pe.1234 > Approve"
    ) in text
