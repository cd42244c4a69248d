"""Python source text exactly as Black writes it: string literals, other literals, docstrings.

The built-in templates emit code that Black has nothing to change in (see ``format``). What
templates print from the spec goes through these functions, which apply Black's own rules (its
functions where they are public, its algorithm where they are not), so that a literal or a
docstring is already in its final form whatever text the spec holds.
"""

from __future__ import annotations

import math
import re
from typing import Any, Iterable

from black.strings import fix_multiline_docstring, normalize_string_quotes

#: Black's line length for generated code (``format.MODE`` uses the same).
LINE_LENGTH = 100
_BACKSLASH_NEWLINE = re.compile(r"\\\s*\n")


def string_literal(value: Any) -> str:
    """A string literal holding ``str(value)`` exactly, quoted as Black quotes it."""
    return normalize_string_quotes(repr(str(value)))


def literal(value: Any) -> str:
    """A JSON value (None, bool, number, string, list, dict) as a one-line Python literal."""
    if value is None or isinstance(value, (bool, int)):
        return repr(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "None"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{string_literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    return string_literal(value)


def docstring_statement(body: str, depth: int) -> str:
    """The docstring ``\"\"\"body\"\"\"`` at indentation ``depth`` as Black lays it out, as a whole
    line: Black's ``visit_STRING`` for a docstring without prefix, on a non-raw literal.

    ``body`` is the text between the quotes as written in source (already escaped).
    """
    indent = "    " * depth
    source = f'"""{body}"""'
    if _BACKSLASH_NEWLINE.search(source):
        return f"{indent}{source}\n"  # Black leaves such docstrings exactly as they are
    started_empty = not body
    if "\n" in body:
        body = fix_multiline_docstring(body, indent)
    else:
        body = body.strip()
    trailing_backslash = False
    if body:
        if body[0] == '"':
            body = " " + body
        if body[-1] == '"':
            body += " "
        if body[-1] == "\\" and (len(body) - len(body.rstrip("\\"))) % 2:
            body += " "
            trailing_backslash = True
    elif not started_empty:
        body = " "
    lines = body.splitlines()
    last_line_length = len(lines[-1]) if body and not body.endswith("\n") else 0
    if len(lines) > 1 and last_line_length + 3 > LINE_LENGTH and len(indent) + 3 <= LINE_LENGTH and not trailing_backslash:
        literal_text = f'"""{body}\n{indent}"""' if source[-4] != "\n" else f'"""{body}"""'
    else:
        literal_text = f'"""{body}"""'
    return f"{indent}{literal_text}\n"


def exploded_list(items: Iterable[str], depth: int) -> str:
    """A list display of the given source texts: ``[]``, or one item a line with a magic
    trailing comma (which Black keeps exploded), the closing bracket at indentation ``depth``."""
    return _exploded("[", list(items), "]", depth)


def exploded_tuple(items: Iterable[str], depth: int) -> str:
    """The same for a tuple; a one-tuple's comma is not magic to Black, so it stays ``(x,)``."""
    items = list(items)
    return f"({items[0]},)" if len(items) == 1 else _exploded("(", items, ")", depth)


def _exploded(opening: str, items: list[str], closing: str, depth: int) -> str:
    indent = "    " * depth
    lines = "".join(f"{indent}    {item},\n" for item in items)
    return f"{opening}\n{lines}{indent}{closing}" if lines else opening + closing
