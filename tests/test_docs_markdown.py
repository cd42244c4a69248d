"""Descriptions are CommonMark: the HTML page renders them (safely), the Markdown reference keeps
them (safely). Spec text is untrusted: no raw HTML, no script, no event handler, and no link
but http(s), mailto and in-page anchors, whatever the spelling."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import without_own_scripts, write_spec

from stubforge.markdown import html_markdown, markdown_block, safe_url
from stubforge.pipeline import Options, generate_files

HOSTILE = [
    "<script>alert('script-tag')</script>",
    '<img src="x" onerror="alert(1)">',
    "[js](javascript:alert(1))",
    "[mixed](JaVaScRiPt:alert(1))",
    "[entity](&#106;avascript:alert(1))",
    "[hex](&#x6A;avascript:alert(1))",
    "[tab](java\tscript:alert(1))",
    "[space]( javascript:alert(1))",
    "[pointy](<javascript:alert(1)>)",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[vb](vbscript:msgbox(1))",
    "[file](file:///etc/passwd)",
    "[relative colon](x:y)",
    "[escaped colon](javascript&#58;alert(1))",
    "<javascript:alert(1)>",
    "<data:text/html,hi>",
    "[ref style][evil]\n\n[evil]: javascript:alert(1)",
    "[ref entity][evil2]\n\n[evil2]: &#106;avascript:alert(1)",
    '[quoted title](https://example.com "x\\" onmouseover=\\"alert(1)")',
    "[single title](https://example.com 'a\\' onclick=alert(1) x=')",
    "![img](javascript:alert(1))",
    '![img2](https://example.com/a.png "t\\" onerror=\\"alert(1)")',
    "<a href=\"javascript:alert(1)\">raw link</a>",
    "<svg onload=alert(1)>",
    "<iframe src=\"https://example.com\"></iframe>",
    "<style>body{display:none}</style>",
    "`<script>` in code and ```\nfenced <script>alert(1)</script>\n```",
]


def spec(description: str) -> dict[str, Any]:
    """One operation, one parameter, one response and one model, each described by ``description``."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "Marked", "version": "1", "description": description},
        "tags": [{"name": "things", "description": description}],
        "paths": {
            "/things": {
                "get": {
                    "operationId": "listThings",
                    "tags": ["things"],
                    "summary": "List things",
                    "description": description,
                    "parameters": [{"in": "query", "name": "q", "schema": {"type": "string"}, "description": description}],
                    "responses": {"200": {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}},
                }
            }
        },
        "components": {"schemas": {"Thing": {"type": "object", "description": description, "properties": {"name": {"type": "string", "description": description}}}}},
    }


def docs(tmp_path: Path, description: str) -> tuple[str, str]:
    """The HTML page (without its own scripts, checked to be ours) and the Markdown reference."""
    path = write_spec(tmp_path, "marked.json", json.dumps(spec(description)))
    files = generate_files(path, Options(artefacts=("docs",))).files
    return without_own_scripts(files["docs/index.html"]), files["docs/README.md"]


class Tags(HTMLParser):
    """Every start tag of a page with its attributes, and the text of <script> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def tags_of(page: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = Tags()
    parser.feed(page)
    parser.close()
    return parser.tags


# --- What renders ---------------------------------------------------------------------------


def test_the_issue_example_renders_bold_with_a_working_anchor(tmp_path: Path) -> None:
    page, readme = docs(tmp_path, "**[Permissions](#permissions) required:** none.")
    assert '<strong><a href="#permissions">Permissions</a> required:</strong> none.' in page
    assert "**[Permissions]" not in page
    assert "**[Permissions](#permissions) required:** none." in readme  # the Markdown kept


def test_emphasis_code_and_lists() -> None:
    assert html_markdown("*one* and __two__ and ~~three~~") == "<em>one</em> and <strong>two</strong> and <s>three</s>"
    assert html_markdown("call `get(<id>)` first") == "call <code>get(&lt;id&gt;)</code> first"
    assert html_markdown("- a\n- b") == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"
    assert html_markdown("1. a\n2. b") == "<ol>\n<li>a</li>\n<li>b</li>\n</ol>"
    assert html_markdown("```json\n{\"a\": 1}\n```") == '<pre><code class="language-json">{&quot;a&quot;: 1}\n</code></pre>'
    assert html_markdown("first\n\nsecond") == "<p>first</p>\n<p>second</p>"


def test_gfm_tables() -> None:
    rendered = html_markdown("| a | b |\n|---|:-:|\n| 1 | 2 |")
    assert rendered.startswith("<table>\n<thead>\n<tr>\n<th>a</th>")
    assert '<td style="text-align:center">2</td>' in rendered


def test_links_are_kept_and_external_ones_get_rel() -> None:
    assert html_markdown("[docs](https://example.com/a?b=1&c=2)") == '<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer">docs</a>'
    assert html_markdown("<https://example.com>") == '<a href="https://example.com" rel="noopener noreferrer">https://example.com</a>'
    assert html_markdown("[mail](mailto:a@example.com)") == '<a href="mailto:a@example.com">mail</a>'
    assert html_markdown("[up](#overview)") == '<a href="#overview">up</a>'
    assert html_markdown('[t](https://example.com "a title")') == '<a href="https://example.com" title="a title" rel="noopener noreferrer">t</a>'


def test_an_image_becomes_a_link_the_page_loads_nothing() -> None:
    assert html_markdown("![a diagram](https://example.com/d.png)") == '<a href="https://example.com/d.png" rel="noopener noreferrer">a diagram</a>'


def test_plain_text_is_escaped_as_the_parser_would() -> None:
    """Plain one-line text skips the parser; what it gives must be what the parser gives."""
    from stubforge.markdown import _render

    for text in ['say "hi" & bye', "it's 10.5 kg", "a: b - c", "x 1. y", "1. y", "- y", "# y", "a <b> c", "a &amp; b"]:
        assert html_markdown(text) == _render(text), text


def test_every_prose_place_on_the_page_is_rendered(tmp_path: Path) -> None:
    page, _ = docs(tmp_path, "Has *stress*.")
    # API, tag, operation, parameter, response, model, field (in the model's section and in the
    # 200 response's field table).
    assert page.count("Has <em>stress</em>.") == 8


# --- What never renders ----------------------------------------------------------------------


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:x", " javascript:x", "java\tscript:x", "data:text/html,x", "vbscript:x", "file:///etc/passwd", "x:y", "//evil.example.com", "relative/path", "", "https:/x"])
def test_unsafe_urls(url: str) -> None:
    assert not safe_url(url)


@pytest.mark.parametrize("url", ["https://example.com", "HTTP://example.com", "mailto:a@b.c", "#anchor"])
def test_safe_urls(url: str) -> None:
    assert safe_url(url)


SAFE_HREF = re.compile(r"(?:https?://|mailto:|#)", re.IGNORECASE)


def test_hostile_descriptions_make_no_script_handler_or_unsafe_link(tmp_path: Path) -> None:
    page, _ = docs(tmp_path, "\n\n".join(HOSTILE))
    tags = tags_of(page)
    assert sum(1 for tag, _ in tags if tag == "a") > 5  # the page's own links are there
    for tag, attrs in tags:
        assert tag not in ("script", "img", "iframe", "svg", "object", "embed", "style", "form", "base", "link") or (tag == "style" and not attrs), tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, value)
            assert name not in ("src", "srcdoc", "formaction", "style"), (tag, name, value)
            if name == "href":
                assert value is not None and SAFE_HREF.match(value.strip()), (tag, value)
    assert page.count("<style>") == 1 and page.count("<script") == 0
    assert "javascript:alert(1)" in page  # shown as text, so the reader sees what the spec said
    # A link title is an attribute value: quotes in it stay inside it.
    assert 'title="x&quot; onmouseover=&quot;alert(1)"' in page


@pytest.mark.parametrize("hostile", HOSTILE)
def test_each_hostile_description_alone(tmp_path: Path, hostile: str) -> None:
    page, _ = docs(tmp_path, hostile)
    for tag, attrs in tags_of(page):
        assert tag not in ("script", "img", "iframe", "svg"), (hostile, tag)
        for name, value in attrs:
            assert not name.startswith("on"), (hostile, tag, name)
            if name in ("href", "src"):
                assert value is not None and SAFE_HREF.match(value.strip()), (hostile, value)


# --- The Markdown reference ------------------------------------------------------------------


def test_markdown_reference_keeps_markdown_but_no_raw_html(tmp_path: Path) -> None:
    _, readme = docs(tmp_path, "\n\n".join(HOSTILE))
    assert "<script" not in readme and "<img" not in readme and "<svg" not in readme and "<a href=\"javascript" not in readme
    assert "&lt;script>alert('script-tag')&lt;/script>" in readme
    assert "[single title](https://example.com 'a\\' onclick=alert(1) x=')" in readme  # a safe link stays a link


def test_markdown_reference_neutralises_unsafe_links() -> None:
    assert markdown_block("[js](javascript:alert(1))") == "[js]\\(javascript:alert(1))"
    assert markdown_block("[e](&#106;avascript:x) [ok](https://example.com)") == "[e]\\(&#106;avascript:x) [ok](https://example.com)"
    assert markdown_block("[p](<javascript:x>)") == "[p]\\(&lt;javascript:x>)"
    assert markdown_block("[r][evil]\n\n[evil]: javascript:x") == "[r][evil]\n\n\\[evil]: javascript:x"
    assert markdown_block("[r][good]\n\n[good]: https://example.com") == "[r][good]\n\n[good]: https://example.com"
    assert markdown_block("<javascript:x> and <https://example.com>") == "&lt;javascript:x> and &lt;https://example.com>"
    assert markdown_block("**bold** and [up](#overview)\n\n- a\n- b") == "**bold** and [up](#overview)\n\n- a\n- b"


def test_markdown_reference_closes_a_code_fence_the_text_leaves_open() -> None:
    assert markdown_block("see:\n```\ncode") == "see:\n```\ncode\n```"
    assert markdown_block("~~~~\ncode") == "~~~~\ncode\n~~~~"
    assert markdown_block("```\ncode\n```") == "```\ncode\n```"


def test_markdown_reference_fence_cannot_swallow_the_rest(tmp_path: Path) -> None:
    _, readme = docs(tmp_path, "```\nunclosed")
    assert readme.count("#### Parameters") == 1
    before = readme.split("#### Parameters")[0]
    assert before.count("```") % 2 == 0, "every fence before the parameters is closed"
