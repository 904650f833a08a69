"""Recipe for end-to-end runs: a separate process given only fake.env() uses the real SDK and the wizard's
adapter unmodified (public authority, vault.azure.net URLs, default challenge checks)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from cmkwizard.sandbox.azure_fake import AzureFake, Vault

CHILD = textwrap.dedent(
    """
    import asyncio, json, os, sys
    from azure.identity import ClientSecretCredential
    from azure.keyvault.keys import KeyClient
    from azure.keyvault.keys.crypto import CryptographyClient, KeyWrapAlgorithm
    from cmkwizard.azure.adapters import AzureKeyVault

    credential = ClientSecretCredential(
        os.environ["AZURE_TENANT_ID"], os.environ["AZURE_CLIENT_ID"], os.environ["AZURE_CLIENT_SECRET"]
    )
    key = KeyClient(sys.argv[1], credential).create_rsa_key("made-by-child")
    crypto = CryptographyClient(key, credential)
    wrapped = crypto.wrap_key(KeyWrapAlgorithm.rsa_oaep_256, b"k" * 32).encrypted_key
    unwrapped = crypto.unwrap_key(KeyWrapAlgorithm.rsa_oaep_256, wrapped).key

    async def through_the_adapter():
        async with AzureKeyVault() as azure:
            return (await azure.get_key(key.id)).kid

    print(json.dumps({"kid": key.id, "unwrapped": unwrapped.decode(), "adapter": asyncio.run(through_the_adapter())}))
    """
)


def test_a_child_process_reaches_the_fake_with_environment_variables_only(fake: AzureFake, vault: Vault) -> None:
    vault_url = fake.vault_url(vault.name)
    result = subprocess.run(
        [sys.executable, "-c", CHILD, vault_url],
        env={**os.environ, **fake.env()},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    version = fake.state.key_version(vault.name, "made-by-child").version
    assert output == {
        "kid": f"{vault_url}/keys/made-by-child/{version}",
        "unwrapped": "k" * 32,
        "adapter": f"{vault_url}/keys/made-by-child/{version}",
    }
