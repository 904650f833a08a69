"""A local simulator of the MongoDB Atlas Admin API v2 operations the wizard uses.

Written from the OpenAPI spec and the API notes; cloud facts (can Atlas assume this role, use this key,
see this private endpoint approved?) come from the verifiers in ``verifier.py``.
"""

from cmkwizard.sandbox.atlas_sim.app import create_app
from cmkwizard.sandbox.atlas_sim.store import SimCredentials, SimStore, SimTimings

__all__ = ["SimCredentials", "SimStore", "SimTimings", "create_app"]
