"""Reading IAM policy documents an operator pastes or AWS returns, with precise refusals.

Three kinds are told apart because operators confuse them: a role's *trust* policy (who may
assume it: Principal, no Resource), a *permissions* (identity) policy (what it may do: Resource,
no Principal) and a *key* policy (a resource policy: both).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from typing import Any, Literal

from cmkwizard.aws.errors import InputError
from cmkwizard.json_types import a_json_type
from cmkwizard.text_input import describe_character, visible

PolicyKind = Literal["trust", "permissions", "key"]

POLICY_VERSION = "2012-10-17"
_VERSIONS = (POLICY_VERSION, "2008-10-17")
_EFFECTS = ("Allow", "Deny")
_KIND_NAMES = {"trust": "trust policy", "permissions": "permissions policy", "key": "key policy"}
# Where the document sits in the output of the AWS CLI commands operators copy from.
_CLI_WRAPPERS = ("AssumeRolePolicyDocument", "PolicyDocument", "Policy")

# What IAM and KMS accept, in characters without whitespace (key policies: bytes). A trust policy's
# 2,048 can be raised to 4,096 through Service Quotas, so only more than that is certain to be refused.
IAM_LIMITS = (
    "IAM's limits, counted without whitespace: a role's trust policy 2,048 characters (4,096 after a "
    "quota increase), its inline policies 10,240 together, a managed policy 6,144; a KMS key policy 32 KB"
)
_LIMITS: dict[PolicyKind, int] = {"trust": 4096, "permissions": 10240, "key": 32768}
# Far more than any policy IAM or KMS accepts, even pretty-printed; refused before it is parsed.
MAX_PASTED_CHARACTERS = 100_000
# IAM documents nest five levels (Statement, Condition, operator, key, values); 20 leaves room for any
# real document and keeps the parser far from Python's recursion limit.
MAX_NESTING = 20
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
# IAM policy documents may hold tab, line feed, carriage return and U+0020 to U+00FF only.
_IAM_CHARACTERS = re.compile(r"[^\t\n\r\x20-\xff]")
# In any document: control characters, invalid (surrogate) code points and byte order marks.
_NEVER_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufeff]")


class PolicyError(InputError):
    """A policy document that cannot be used; ``line``/``column`` (1-based) locate JSON syntax errors."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def load_policy(source: str | Mapping[str, Any], kind: PolicyKind) -> dict[str, Any]:
    """Parse (if text) and check a policy document; returns a deep copy safe to modify."""
    name = _KIND_NAMES[kind]
    document = _parse_json(source, name, kind) if isinstance(source, str) else source
    if not isinstance(document, Mapping):
        raise PolicyError(
            f'The {name} must be a JSON object ({{"Version": ..., "Statement": [...]}}), not {a_json_type(document)}.'
        )
    document = copy.deepcopy(dict(document))
    _check_not_cli_output(document, name)
    if "Statement" not in document:
        raise PolicyError(
            f'The {name} has no "Statement": expected {{"Version": "{POLICY_VERSION}", "Statement": [...]}}.'
        )
    raw = document["Statement"]
    if not isinstance(raw, (list, Mapping)):
        raise PolicyError(
            f'"Statement" in the {name} must be a list of statements (or one statement object), not {a_json_type(raw)}.'
        )
    version = document.get("Version")
    if version is not None and version not in _VERSIONS:
        raise PolicyError(f'"Version" is \'{version}\'; IAM policies use "{POLICY_VERSION}".')
    items = statements(document)
    for index, statement in enumerate(items, start=1):
        if not isinstance(statement, Mapping):
            raise PolicyError(f"Statement {index} of the {name} is {a_json_type(statement)}, not an object.")
    if kind == "trust" and _is_identity_policy(items):
        raise PolicyError(
            "This is a permissions (identity) policy, not a trust policy: its statements name "
            "a Resource and no Principal. The trust policy says who may assume the role; find it "
            "under IAM > Roles > <role> > Trust relationships, or with 'aws iam get-role "
            "--role-name <role> --query Role.AssumeRolePolicyDocument'."
        )
    for index, statement in enumerate(items, start=1):
        _check_statement(statement, index, kind)
    return document


def statements(policy: Mapping[str, Any]) -> list[Any]:
    """The statements of a policy whose ``Statement`` may be a list or a single object."""
    raw = policy.get("Statement")
    if isinstance(raw, list):
        return raw
    return [raw] if isinstance(raw, Mapping) else []


def as_list(value: Any) -> list[Any]:
    """IAM allows a string or a list wherever several values are possible."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def label(statement: Mapping[str, Any], index: int) -> str:
    """``statement 2 ("AllowEc2")`` for messages; ``index`` is 1-based."""
    sid = statement.get("Sid")
    return f'statement {index} ("{sid}")' if isinstance(sid, str) and sid else f"statement {index}"


def upper_first(text: str) -> str:
    """Capitalise a message that starts with a label, leaving the Sid inside it as written."""
    return text[:1].upper() + text[1:]


def render_policy(policy: Mapping[str, Any]) -> str:
    """The document as operators paste it into the console or a file."""
    return json.dumps(policy, indent=2) + "\n"


def _parse_json(text: str, name: str, kind: PolicyKind) -> Any:
    if not text.strip():
        raise PolicyError(f"The {name} is empty: paste the whole JSON document.")
    _check_pasted_text(text, name, kind)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise PolicyError(
            f"The {name} is not valid JSON: line {err.lineno}, column {err.colno}: "
            f"{_describe_json_error(err)} Near: {_excerpt(text, err.pos)}",
            line=err.lineno,
            column=err.colno,
        ) from None
    except (ValueError, RecursionError):  # a number of thousands of digits
        raise PolicyError(f"The {name} holds a number too long to be part of a policy.") from None
    _check_decoded_strings(document, name, kind)
    _check_size(document, name, kind)
    return document


def _check_pasted_text(text: str, name: str, kind: PolicyKind) -> None:
    """Refuse, before parsing, what no policy can be: too long, nested too deep, or holding unusable characters."""
    if len(text) > MAX_PASTED_CHARACTERS:
        raise PolicyError(
            f"The {name} is {len(text):,} characters long, far more than any policy can be ({IAM_LIMITS}). "
            "Paste only the policy document."
        )
    if text.lstrip().startswith("\ufeff"):
        raise PolicyError(
            f"The {name} starts with a byte order mark (U+FEFF), an invisible character some editors add. "
            "Save the file as UTF-8 without a byte order mark, or copy the JSON from the AWS console or CLI."
        )
    _check_characters(text, name, kind, where=lambda index: _line_column(text, index))
    depth = _nesting_depth(text)
    if depth > MAX_NESTING:
        raise PolicyError(
            f"The {name} nests lists and objects {depth} levels deep; an IAM policy needs about five "
            f"(at most {MAX_NESTING} are read). Paste the policy document itself."
        )


def _nesting_depth(text: str) -> int:
    """How deep ``[`` and ``{`` nest outside strings; counted without parsing, so it cannot overflow."""
    depth = deepest = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
    return deepest


def _check_characters(text: str, name: str, kind: PolicyKind, *, where: Any) -> None:
    pattern = _NEVER_CHARACTERS if kind == "key" else _IAM_CHARACTERS
    found = pattern.search(text) or _NEVER_CHARACTERS.search(text)
    if found is None:
        return
    rule = (
        ""
        if kind == "key"
        else (" IAM policy documents may hold only tab, line feed, carriage return and characters U+0020 to U+00FF.")
    )
    raise PolicyError(
        f"The {name} cannot be used: {where(found.start())} is {describe_character(found.group())}.{rule}"
    )


def _line_column(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"the character at line {line}, column {column}"


def _check_decoded_strings(document: Any, name: str, kind: PolicyKind) -> None:
    """Escapes such as \\u0000 or a lone \\ud800 decode to characters no policy can hold."""
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, str):
            _check_characters(
                value,
                name,
                kind,
                where=lambda index, value=value: f"character {index + 1} of the value '{visible(value)}'",
            )


def _check_size(document: Any, name: str, kind: PolicyKind) -> None:
    size = len(json.dumps(document, separators=(",", ":"), ensure_ascii=False))
    if size > _LIMITS[kind]:
        raise PolicyError(
            f"The {name} is {size:,} characters long without whitespace; IAM and KMS refuse it ({IAM_LIMITS}). "
            "Remove statements that are no longer needed."
        )


def _describe_json_error(err: json.JSONDecodeError) -> str:
    before = err.doc[: err.pos].rstrip()
    here = err.doc[err.pos : err.pos + 1]
    if here == "'":
        return 'JSON strings and names need double quotes ("), not single quotes.'
    if before.endswith(",") and here in ("}", "]"):
        return f"a comma before '{here}' has nothing after it; remove that trailing comma."
    if err.msg == "Extra data":
        return "there is more text after the end of the document (pasted twice, or a missing '[' ?)."
    if err.msg.startswith("Expecting ',' delimiter"):
        return "a comma is missing between two entries (or a quote or bracket is not closed)."
    return err.msg[0].lower() + err.msg[1:] + "."


def _excerpt(text: str, pos: int) -> str:
    start = max(0, pos - 20)
    snippet = text[start : pos + 20].replace("\n", " ")
    return f"'{snippet.strip()}'"


def _check_not_cli_output(document: Mapping[str, Any], name: str) -> None:
    if "Statement" in document:
        return
    container = document.get("Role") if isinstance(document.get("Role"), Mapping) else document
    for key in _CLI_WRAPPERS:
        if key in container:
            raise PolicyError(
                f"This looks like the output of an AWS CLI command: paste only the value of "
                f'"{key}" (the object with "Version" and "Statement") as the {name}.'
            )


def _is_identity_policy(items: list[Mapping[str, Any]]) -> bool:
    has_principal = any("Principal" in s or "NotPrincipal" in s for s in items)
    has_resource = any("Resource" in s or "NotResource" in s for s in items)
    return has_resource and not has_principal


def _check_statement(statement: Mapping[str, Any], index: int, kind: PolicyKind) -> None:
    where = label(statement, index)
    effect = statement.get("Effect")
    if effect is None:
        raise PolicyError(f'{upper_first(where)} has no "Effect": add "Effect": "Allow" (or "Deny").')
    if effect not in _EFFECTS:
        raise PolicyError(f'{upper_first(where)} has "Effect": {json.dumps(effect)}; expected "Allow" or "Deny".')
    if "Action" not in statement and "NotAction" not in statement:
        raise PolicyError(f'{upper_first(where)} has no "Action".')
    has_principal = "Principal" in statement or "NotPrincipal" in statement
    has_resource = "Resource" in statement or "NotResource" in statement
    if kind == "trust":
        if has_resource:
            raise PolicyError(
                f'{upper_first(where)} has a "Resource"; trust policies cannot have one (the resource '
                "is the role itself). Is this a key or bucket policy?"
            )
        if not has_principal:
            raise PolicyError(f'{upper_first(where)} has no "Principal": it must say who may assume the role.')
    elif kind == "permissions":
        if has_principal:
            raise PolicyError(
                f'{upper_first(where)} has a "Principal": this is a trust or resource policy, not a '
                "permissions policy for the role."
            )
        if not has_resource:
            raise PolicyError(f'{upper_first(where)} has no "Resource".')
    else:
        if not has_principal:
            raise PolicyError(f'{upper_first(where)} has no "Principal": key policy statements name who they apply to.')
