"""Regional failover with Azure Key Vault: what Azure does by itself, and the manual move when it cannot.

Key Vault replicates every vault to its paired region and fails over on its own; the key identifier does
not change, so Atlas needs no change. Only when both regions of a pair are down does the key have to
move, which the operator does from a key backup into a vault elsewhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cmkwizard.atlas.models import PROVIDER_AZURE
from cmkwizard.azure.regions import describe_region, is_azure_region, paired_location

if TYPE_CHECKING:
    from cmkwizard.state import ProjectState

AZURE_FAILOVER = (
    "Azure Key Vault copies each vault to its paired region and fails over by itself within minutes: the "
    "vault then answers from the pair, read-only, with the same key identifier, so Atlas needs no change. "
    "Wait for that failover and change no key meanwhile (a failed-over vault is read-only). Only if both "
    "regions of the pair are down: restore a backup of the key (az keyvault key backup, then az keyvault key "
    "restore) into a vault in another region of the same Azure geography, allow Atlas' service principal on "
    "it (wrapKey, unwrapKey, get), with private networking approve an endpoint in that region first, and then "
    "point the project to the new vault and key identifier."
)
AZURE_KEY_CHECKS = (
    "Check in the Azure portal: is the key enabled and not expired, does the vault's access policy or RBAC "
    "still allow Atlas' service principal wrapKey, unwrapKey and get, and does the vault's firewall let "
    "Atlas in?"
)


def vault_pairs(state: ProjectState) -> list[str]:
    """Where Key Vault would fail over to, for the Azure regions this project reaches its vault from."""
    regions = [e.region_name for e in state.endpoints if e.cloud_provider == PROVIDER_AZURE and e.region_name]
    lines = []
    for region in dict.fromkeys(regions):
        if not is_azure_region(region):
            continue
        pair = paired_location(region)
        target = describe_region(pair) if pair else "no paired region: Key Vault keeps its copies in-region"
        lines.append(f"A vault in {describe_region(region)} fails over to {target}")
    return lines
