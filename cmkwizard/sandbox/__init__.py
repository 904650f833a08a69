"""The embedded sandbox: the wizard against a local Atlas simulator, moto (AWS) and an Azure fake.

Importing this package is cheap; the servers' libraries load when a sandbox starts.
"""

from cmkwizard.sandbox.runner import SCENARIO_NAMES, Sandbox, SandboxInfo

__all__ = ["SCENARIO_NAMES", "Sandbox", "SandboxInfo"]
