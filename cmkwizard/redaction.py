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


def is_secret_key(key: object) -> bool:
    return isinstance(key, str) and SECRET_KEY.search(key) is not None


def redact(obj: Any) -> Any:
    """A copy of ``obj`` with the value of every secret-named key replaced by ``"***"``.

    Mappings and lists are walked to any depth; other values are returned unchanged.
    """
    if isinstance(obj, Mapping):
        return {key: REDACTED if is_secret_key(key) else redact(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [redact(value) for value in obj]
    return obj
