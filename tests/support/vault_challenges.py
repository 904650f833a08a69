"""Key Vault's SDK remembers, per vault URL and for the whole process, the tenant the vault's sign-in challenge
named. Each sandbox has its own tenant behind the same vault URL, so a test starting with a new sandbox makes
the SDK forget what an earlier sandbox's vault said (a real vault URL always belongs to one tenant)."""

from __future__ import annotations


def forget_vault_challenges() -> None:
    from azure.keyvault.keys._shared import http_challenge_cache

    http_challenge_cache.clear()
