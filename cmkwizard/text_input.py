"""Operator text as typed or pasted: the one trim every parser allows, and characters named precisely.

Parsers accept a value exactly as typed once surrounding whitespace and one layer of matching quotes
(or backticks, or angle brackets) are removed, or refuse it; they never clean a value into another one.
A character that does not belong is named with its position, because a look-alike letter (Cyrillic
U+0430 for Latin ``a``), a hidden line break or a byte order mark is invisible on screen.
"""

from __future__ import annotations

import unicodedata

from cmkwizard.errors import InputError

_QUOTE_PAIRS = {'"': '"', "'": "'", "`": "`", "<": ">"}
_SHOWN_MAX = 120
_NAMES = {
    "\x00": "a NUL character",
    "\t": "a tab",
    "\n": "a line break",
    "\r": "a carriage return",
    " ": "a space",
    "\xa0": "a no-break space",
    "\ufeff": "a byte order mark",
    "\u200b": "a zero-width space",
}


def unquote(text: object) -> str:
    """``text`` without surrounding whitespace and matching quotes, backticks or angle brackets."""
    if not isinstance(text, str):
        return ""
    value = text.strip()
    while len(value) >= 2 and _QUOTE_PAIRS.get(value[0]) == value[-1]:
        value = value[1:-1].strip()
    return value


def describe_character(char: str) -> str:
    """``CYRILLIC SMALL LETTER A (U+0430)``, ``a line break (U+000A)``, with why it is out of place."""
    code = f"U+{ord(char):04X}"
    if char in _NAMES:
        return f"{_NAMES[char]} ({code})"
    if 0xD800 <= ord(char) <= 0xDFFF:
        return f"an invalid character ({code}, left by text that was not UTF-8)"
    name = unicodedata.name(char, "")
    category = unicodedata.category(char)
    if not name or category.startswith("C"):
        return f"a control character ({code})"
    if category.startswith("L"):
        return f"{name} ({code}), not a Latin letter"
    if category.startswith("N"):
        return f"{name} ({code}), not an ASCII digit"
    if category == "Pd":
        return f"{name} ({code}), not the ASCII hyphen '-'"
    if category.startswith("Z"):
        return f"{name} ({code}), not a plain space"
    return f"{name} ({code}), not an ASCII character"


def visible(text: str) -> str:
    """``text`` for a message: invisible and non-ASCII characters as escapes, long values cut."""
    shown = "".join(c if " " <= c <= "~" else f"\\u{ord(c):04x}" for c in text[:_SHOWN_MAX])
    return shown + ("…" if len(text) > _SHOWN_MAX else "")


def foreign_character(text: str, *, spaces: bool = False) -> str | None:
    """``character 2 is CYRILLIC SMALL LETTER A (U+0430), not a Latin letter`` for the first character
    that is not printable ASCII (nor a space, unless ``spaces``); None when there is none."""
    for position, char in enumerate(text, start=1):
        if not ("!" <= char <= "~" or (spaces and char == " ")):
            return f"character {position} is {describe_character(char)}"
    return None


def require_plain_text(text: str, what: str, expected: str, *, spaces: bool = False) -> str:
    """``text`` unchanged, or InputError naming the first character outside printable ASCII and its position."""
    problem = foreign_character(text, spaces=spaces)
    if problem is None:
        return text
    raise InputError(
        f"The {what} '{visible(text)}' cannot be used: {problem}. Expected {expected}; "
        "type it again or copy it from its source."
    )
