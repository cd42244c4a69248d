"""markdown: spec descriptions (CommonMark, untrusted) made safe for the docs.

``html_markdown`` renders a description to HTML with markdown-it-py: CommonMark plus GFM tables
and strikethrough (the ``gfm-like`` preset minus its linkify, which needs an extra package; and
minus its raw HTML). Raw HTML is never passed through: ``<b>`` in a description is shown as the
text ``<b>``. A link or image is kept only when ``safe_url`` accepts its destination (http(s),
mailto, an in-page ``#anchor``); any other destination (``javascript:``, ``data:``, a relative
path, an entity-encoded scheme) leaves the Markdown as plain text. An external link gets
``rel="noopener noreferrer"``. An image becomes a link to it with its alt text: the page loads
nothing from elsewhere (its Content-Security-Policy would block it anyway).

``markdown_block`` keeps a description's Markdown for the Markdown reference, with the same
link rule, ``<`` escaped (no raw HTML, no autolinks) and an unclosed code fence closed, so the
text cannot reach beyond its own block.

Both are pure functions of the text, cached per distinct text: big specs repeat the same
description on hundreds of operations.
"""

from __future__ import annotations

import functools
import html
import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
#: What a browser ignores in a URL's scheme: ASCII whitespace and control characters anywhere.
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f]+")
_SAFE_URL = re.compile(r"(?:https?://|mailto:|#)", re.IGNORECASE)
_EXTERNAL = re.compile(r"https?://", re.IGNORECASE)


def safe_url(url: str) -> bool:
    """Whether a link destination (entities and backslash escapes already decoded) may be a
    link: http(s)://, mailto: or an in-page ``#anchor``. Checked after dropping what a browser
    ignores (whitespace and control characters), so ``java\\tscript:`` and `` javascript:``
    are refused like ``javascript:``; relative paths are refused too (the docs are one page,
    and ``a:b/c`` would be a scheme to a browser)."""
    return _SAFE_URL.match(_URL_IGNORED.sub("", url)) is not None


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = safe_url  # type: ignore[method-assign]
    rules = md.renderer.rules

    def link_open(tokens: Any, idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        if _EXTERNAL.match(_URL_IGNORED.sub("", str(token.attrGet("href") or ""))):
            token.attrSet("rel", "noopener noreferrer")
        return md.renderer.renderToken(tokens, idx, options, env)

    def image(tokens: Any, idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        src = str(token.attrGet("src") or "")
        alt = md.renderer.renderInlineAsText(token.children or [], options, env) or src
        rel = ' rel="noopener noreferrer"' if _EXTERNAL.match(_URL_IGNORED.sub("", src)) else ""
        return f'<a href="{html.escape(src, quote=True)}"{rel}>{html.escape(alt, quote=False)}</a>'

    rules["link_open"] = link_open
    rules["image"] = image
    return md


_MD = _parser()


@functools.lru_cache(maxsize=8192)
def _render(text: str) -> str:
    tokens = _MD.parse(text)
    if len(tokens) == 3 and tokens[0].type == "paragraph_open" and tokens[2].type == "paragraph_close":
        # One paragraph: its content only, so it sits in a table cell or a div without a margin.
        return _MD.renderer.render(tokens[1:2], _MD.options, {})
    return _MD.renderer.render(tokens, _MD.options, {}).rstrip("\n")


#: Text that is one paragraph of plain words whatever the parser makes of it: one line, no
#: character Markdown gives a meaning inside a line, no start a block could begin with. Most
#: field descriptions are such text; they skip the parser (the result is the same: tested).
_PLAIN = re.compile(r"(?![-+=]|\d+[.)])[^\n\\`*_\[\]<>!&#|~]*(?<![ \t])")


def html_markdown(value: Any) -> str:
    """A description as safe HTML (see the module's docstring)."""
    text = _CONTROL.sub("", str(value if value is not None else "")).strip()
    if _PLAIN.fullmatch(text):
        return text.replace('"', "&quot;")
    return _render(text) if text else ""


#: An inline link's destination opening (``](``), and a link reference definition's label.
_INLINE_DESTINATION = re.compile(r"\]\(\s*(<[^>\n]*>?|[^\s)]*)")
_REFERENCE_DEFINITION = re.compile(r"^( {0,3})\[((?:[^\]\\\n]|\\.)+)\]:[ \t]*\n?[ \t]*(<[^>\n]*>?|\S*)", re.MULTILINE)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)


def _destination_safe(raw: str) -> bool:
    if raw.startswith("<"):
        raw = raw[1:].rstrip(">")
    return not raw or safe_url(unescapeAll(raw))


@functools.lru_cache(maxsize=8192)
def _markdown_block(text: str) -> str:
    # A link whose destination the link rule refuses stays text: escaping "(" (or the
    # definition's "[") means no renderer reads a link there.
    text = _INLINE_DESTINATION.sub(lambda m: m.group() if _destination_safe(m.group(1)) else "]\\(" + m.group()[2:], text)
    text = _REFERENCE_DEFINITION.sub(lambda m: m.group() if _destination_safe(m.group(3)) else m.group(1) + "\\" + m.group()[len(m.group(1)) :], text)
    # No raw HTML, no autolinks: "<" is shown as itself.
    text = text.replace("<", "&lt;")
    # A code fence the text opens and does not close would swallow the rest of the document.
    for token in _MD.parse(text) if _FENCE.search(text) else ():
        if token.type == "fence" and token.map is not None and token.map[1] >= len(text.split("\n")):
            last = text.split("\n")[-1].strip()
            if not (last.startswith(token.markup) and last.strip(token.markup[0]) == "" and token.map[1] - token.map[0] > 1):
                text += "\n" + token.markup[0] * max(len(token.markup), 3)
    return text


def markdown_block(value: Any) -> str:
    """A description's Markdown for the Markdown reference (see the module's docstring)."""
    text = _CONTROL.sub("", str(value if value is not None else "")).replace("\r\n", "\n").replace("\r", "\n").strip()
    return _markdown_block(text) if text else ""
