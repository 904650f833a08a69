"""Importing the wizard's Azure modules must not import the Azure SDK (it costs ~300 ms at start-up)."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_azure_modules_does_not_import_the_sdk() -> None:
    code = (
        "import sys\n"
        "import cmkwizard.azure, cmkwizard.azure.adapters, cmkwizard.azure.explain, cmkwizard.azure.guidance\n"
        "import cmkwizard.azure.identifiers, cmkwizard.azure.keys, cmkwizard.azure.regions\n"
        "print(sorted(m for m in sys.modules if m == 'azure' or m.startswith(('azure.', 'msal'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"
