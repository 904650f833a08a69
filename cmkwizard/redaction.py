"""Masking of secret values before anything is traced, journaled or shown."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

REDACTED = "***"

# Field names Atlas, AWS and Azure use for credentials, matched anywhere in a key, any case.
# The last line covers alert notification integrations (PagerDuty service key, OpsGenie,
# VictorOps and Datadog API keys, webhook URLs that embed a token), but not the ``apiKey``
# object Atlas uses to describe the caller.
SECRET_KEY = re.compile(
    r"secret|password|privateKey|secretAccessKey|token|clientSecret|serviceAccountKey|accessKeyID"
    r"|serviceKey|(?-i:[a-z]ApiKey)|webhookUrl",
    re.IGNORECASE,
)


# Credential names that the pattern above does not catch once separators are removed: HTTP headers,
# and the Atlas CLI's ``private_api_key``.
_SECRET_NAME_ENDINGS = ("authorization", "cookie", "privateapikey")


def is_secret_key(key: object) -> bool:
    """Whether a field called ``key`` holds a secret, in any spelling (``private_key``, ``clientSecret``)."""
    if not isinstance(key, str):
        return False
    compact = re.sub(r"[^A-Za-z0-9]", "", key)
    return compact.lower().endswith(_SECRET_NAME_ENDINGS) or SECRET_KEY.search(compact) is not None


def redact(obj: Any) -> Any:
    """A copy of ``obj`` with the value of every secret-named key replaced by ``"***"``.

    Mappings and lists are walked to any depth; other values are returned unchanged.
    """
    if isinstance(obj, Mapping):
        return {key: REDACTED if is_secret_key(key) else redact(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [redact(value) for value in obj]
    return obj
