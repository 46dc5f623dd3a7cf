"""Clean text: what a person may type into a field, and what we make of text already stored.

A single-line value (a name, an address, a subject-to-be) holds no line break, no control
character (Unicode Cc: NUL, ESC of ANSI escapes, vertical tab, C1 codes) and no format
character (Cf: zero-width spaces and joiners, bidi overrides U+202A–202E and isolates
U+2066–2069, the BOM), nor the line and paragraph separators U+2028/U+2029. A multi-line
value (notes, comments) keeps line breaks and tabs and refuses the rest. They are invisible
or rewrite what is around them (U+202E shows "gpj.exe" as "exe.jpg"), break e-mail subjects
and spreadsheets, and never belong in a firm's name. See docs/adr/0015-clean-text.md.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Unicode general categories refused: control, format, line and paragraph separators.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
# What a multi-line field keeps of those.
MULTILINE_ALLOWED = frozenset("\n\r\t")
# An ANSI escape sequence (ESC [ … letter, or ESC and one character), removed whole when
# stored text is cleaned, so no "[31m" is left behind.
ANSI_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]")

SINGLE_LINE_REFUSED = _(
    "Line breaks, control characters and invisible formatting characters (such as zero-width "
    "spaces or direction marks) cannot be used here: remove %(characters)s."
)
MULTILINE_REFUSED = _(
    "Control characters and invisible formatting characters (such as zero-width spaces or "
    "direction marks) cannot be used here: remove %(characters)s."
)


def _refused(ch: str) -> bool:
    return unicodedata.category(ch) in REFUSED_CATEGORIES


def refused_characters(value: str, *, multiline: bool = False) -> list[str]:
    """The refused characters of `value`, once each, in order of appearance."""
    found = dict.fromkeys(
        ch for ch in value if _refused(ch) and not (multiline and ch in MULTILINE_ALLOWED)
    )
    return list(found)


def describe(characters: list[str]) -> str:
    """Invisible characters named so a person can find them: U+202E (RIGHT-TO-LEFT OVERRIDE)."""
    names = []
    for ch in characters[:5]:
        name = unicodedata.name(ch, "")
        names.append(f"U+{ord(ch):04X} ({name})" if name else f"U+{ord(ch):04X}")
    if len(characters) > 5:
        names.append("…")
    return ", ".join(names)


def refusal(value, *, multiline: bool = False) -> str | None:
    """The message for a value holding refused characters, or None when it is clean."""
    if not isinstance(value, str):
        return None
    characters = refused_characters(value, multiline=multiline)
    if not characters:
        return None
    message = MULTILINE_REFUSED if multiline else SINGLE_LINE_REFUSED
    return str(message % {"characters": describe(characters)})


def validate_single_line(value) -> None:
    message = refusal(value)
    if message:
        raise ValidationError(message, code="control_characters")


def validate_multiline(value) -> None:
    message = refusal(value, multiline=True)
    if message:
        raise ValidationError(message, code="control_characters")


def single_line_clean(value: str) -> str:
    """Text already stored made single-line: line breaks, tabs and separators become one
    space, other control and format characters go, and runs of spaces become one (an
    ideographic space U+3000 is kept as it was)."""
    out = []
    for ch in ANSI_ESCAPE.sub("", value):
        if ch in "\n\r\t\v\f\x85\u2028\u2029":
            out.append(" ")
        elif not _refused(ch):
            out.append(ch)
    return re.sub(" {2,}", " ", "".join(out)).strip()


def multiline_clean(value: str) -> str:
    """Text already stored in a multi-line field: keeps line breaks and tabs, drops the other
    control and format characters (a vertical tab or a line separator becomes a line break)."""
    out = []
    for ch in ANSI_ESCAPE.sub("", value):
        if ch in "\v\f\x85\u2028\u2029":
            out.append("\n")
        elif ch in MULTILINE_ALLOWED or not _refused(ch):
            out.append(ch)
    return "".join(out)
