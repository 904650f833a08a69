"""cmkwizard: a guided, resumable wizard for Atlas Encryption at Rest with customer-managed keys."""

__version__ = "0.1.0"
