"""What the wizard knows about Azure Key Vault.

- ``clouds``: the Azure clouds Atlas supports (``azureEnvironment``) and their endpoints.
- ``identifiers``: key identifiers, GUIDs, vault and resource group names as operators paste them.
- ``regions``: Atlas' Azure region names (``US_EAST_2``) and Azure locations (``eastus2``), region pairs.
- ``keys``: a key version and what would stop Atlas from using it (with Atlas' error codes).
- ``adapters``: Key Vault (azure-keyvault-keys) and Resource Manager calls, the SDK imported lazily.
- ``explain``: Azure's errors turned into what happened, what it means and what to do.
- ``guidance``: az CLI commands and portal paths for the steps done by hand.

Nothing here imports the Azure SDK at import time.
"""

from cmkwizard.azure.errors import AzureError, InputError

__all__ = ["AzureError", "InputError"]
