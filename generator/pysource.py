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

from black.strings import fix_multiline_docstring, normalize_string_quotes, str_width

#: Black's line length for generated code (``format.MODE`` uses the same).
LINE_LENGTH = 100
_BACKSLASH_NEWLINE = re.compile(r"\\\s*\n")


def string_literal(value: Any) -> str:
    """A string literal holding ``str(value)`` exactly, quoted as Black quotes it: in double
    quotes unless that takes more backslashes. Black's own function decides the rare text with
    both kinds of quote (it is slow: a million calls on the biggest specs)."""
    text = str(value)
    if "'" not in text:
        quoted = repr(text)  # '...', escaping no quote
        return quoted if '"' in text else f'"{quoted[1:-1]}"'
    if '"' not in text:
        return repr(text)  # "...": repr already prefers the quote the text lacks
    return normalize_string_quotes(repr(text))


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


def keyword_list(keyword: str, items: Iterable[str], depth: int) -> str:
    """``keyword=[items],`` as an argument of an exploded call at indentation ``depth``, as Black
    lays it out: on one line when it fits, else the list exploded (Black gives a list it splits
    a trailing comma and an item a line). The first line is returned without its indentation."""
    items = list(items)
    line = f"{keyword}=[{', '.join(items)}],"
    if str_width("    " * depth + line) <= LINE_LENGTH:
        return line
    return f"{keyword}={_exploded('[', items, ']', depth)},"


def _exploded(opening: str, items: list[str], closing: str, depth: int) -> str:
    indent = "    " * depth
    lines = "".join(f"{indent}    {item},\n" for item in items)
    return f"{opening}\n{lines}{indent}{closing}" if lines else opening + closing


def split_at_last_bracket(head: str, items: Iterable[str], tail: str, depth: int) -> str:
    """``head`` + the items joined by ", " + ``tail``, a line at indentation ``depth`` whose last
    bracket pair opens at the end of ``head`` and closes at the start of ``tail``, laid out as
    Black lays it out: on one line when it fits; else split at that bracket, the items on one
    line inside when they fit; else one item a line with a trailing comma, or a lone item split
    before each top-level ``|``. What is left too long is for Black (see ``format.fits``).

    Only for a line inside brackets (an item, a parameter), with no trailing comma of its own in
    the bracket and no other bracket after it: Black's right-hand split is then this simple.
    The first line is returned without its indentation, which the template writes.
    """
    items = list(items)
    indent, inner = "    " * depth, "    " * (depth + 1)
    joined = ", ".join(items)
    if str_width(f"{indent}{head}{joined}{tail}") <= LINE_LENGTH:
        return f"{head}{joined}{tail}"
    if str_width(f"{inner}{joined}") <= LINE_LENGTH:
        return f"{head}\n{inner}{joined}\n{indent}{tail}"
    if len(items) == 1:  # a union is split before each |, as a long expression is
        return f"{head}\n{inner}" + f"\n{inner}| ".join(_union_members(joined)) + f"\n{indent}{tail}"
    return head + "\n" + "".join(f"{inner}{item},\n" for item in items) + indent + tail


def assigned_call(target: str, function: str, argument: str, depth: int) -> str:
    """``target = function(argument)`` at indentation ``depth``, as Black lays it out: on one
    line when it fits; else split inside the call when ``target = function(`` fits; else the
    right-hand side in parentheses (on one line inside, or split inside the call) when
    ``target = (`` fits. What is left too long is for Black (see ``format.fits``).
    The first line is returned without its indentation, which the template writes."""
    indent, inner, innermost = ("    " * (depth + level) for level in range(3))
    call = f"{function}({argument})"
    if str_width(f"{indent}{target} = {call}") <= LINE_LENGTH:
        return f"{target} = {call}"
    head = f"{target} = {function}("
    if str_width(indent + head) <= LINE_LENGTH or str_width(f"{indent}{target} = (") > LINE_LENGTH:
        return f"{head}\n{inner}{argument}\n{indent})"
    if str_width(inner + call) <= LINE_LENGTH:
        return f"{target} = (\n{inner}{call}\n{indent})"
    return f"{target} = (\n{inner}{function}(\n{innermost}{argument}\n{inner})\n{indent})"


def parameter(name: str, annotation: str, default: str, depth: int) -> str:
    """A keyword parameter line of an exploded ``def`` (``name: annotation = default,``) at
    indentation ``depth``, as Black lays it out (see ``_annotated``); no default when ""."""
    return _annotated(name, annotation, f" = {default}," if default else ",", depth)


def attribute(name: str, annotation: str, default: str, depth: int) -> str:
    """A class attribute (``name: annotation = default``) as Black lays it out. A long one with
    a default is split after ``= (`` when that much fits (Black prefers splitting the
    right-hand side of an assignment), else like a parameter."""
    if default:
        indent, inner = "    " * depth, "    " * (depth + 1)
        head = f"{name}: {annotation} = "
        if str_width(f"{indent}{head}{default}") > LINE_LENGTH and str_width(f"{indent}{head}(") <= LINE_LENGTH:
            return f"{head}(\n{inner}{default}\n{indent})"
    return _annotated(name, annotation, f" = {default}" if default else "", depth)


def _annotated(name: str, annotation: str, suffix: str, depth: int) -> str:
    """``name: annotation`` + ``suffix`` at indentation ``depth``, laid out as Black lays out a
    long annotation: on one line when it fits; else, for a union whose last member has no
    bracket, in parentheses, on one line inside when it fits, else one member a line. Anything
    else too long is left for Black. The first line is returned without its indentation."""
    indent, inner = "    " * depth, "    " * (depth + 1)
    line = f"{name}: {annotation}{suffix}"
    members = _union_members(annotation)
    if str_width(indent + line) <= LINE_LENGTH or len(members) < 2 or any(c in members[-1] for c in "[]()"):
        return line
    if str_width(inner + annotation) <= LINE_LENGTH:
        body = inner + annotation
    else:
        body = inner + f"\n{inner}| ".join(members)
    return f"{name}: (\n{body}\n{indent}){suffix}"


def _union_members(annotation: str) -> list[str]:
    """The members of the annotation's top-level ``|`` (outside brackets and string literals)."""
    members, depth, quote, start = [], 0, "", 0
    index = 0
    while index < len(annotation):
        char = annotation[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        elif char == "|" and depth == 0:
            members.append(annotation[start:index].strip())
            start = index + 1
        index += 1
    members.append(annotation[start:].strip())
    return members
