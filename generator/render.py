"""render: the intermediate model in, ``{relative path: text}`` out. Nothing here touches disk.

Spec text is untrusted. It reaches a template only through a filter made for the place it lands
(a Python string literal, a docstring, a comment, TOML, Markdown, HTML), and file paths are built
from identifiers that ``names`` made, never from spec text.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import jinja2

from . import markdown as markdown_render
from . import pysource
from .format import BREAK, STYLED
from .mockdata import MockData
from .model import Api
from .server_openapi import server_openapi

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"
if not BUILTIN_TEMPLATES.is_dir():  # running from a source checkout
    BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")


def docstring(value: Any, indent: int = 0) -> str:
    """Text safe inside a triple-double-quoted, non-raw docstring, continuation lines indented.

    Backslashes are doubled, control characters escaped, and a quote is escaped when another
    quote follows it or it ends the text, so no run of quotes can close the docstring.
    """
    text = str(value or "").replace("\\", "\\\\")
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}", text)
    text = re.sub(r'"(?="|$)', r'\\"', text)
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return ("\n" + " " * indent).join(lines).replace(" " * indent + "\n", "\n")


def comment(value: Any) -> str:
    """One line of text safe in a comment or a one-line docstring: no newlines, quotes or backslashes."""
    text = " ".join(str(value or "").split())
    return _CONTROL.sub("", text).replace("\\", "/").replace('"', "'")


def one_line(value: Any) -> str:
    """Text with every run of whitespace (newlines included) folded to one space."""
    return " ".join(str(value or "").split())


def toml_string(value: Any) -> str:
    """A TOML basic string, all ASCII: every other character and DEL escaped as ``\\uXXXX`` or
    ``\\UXXXXXXXX``. TOML has no surrogate pairs (JSON writes an emoji as one) and holds Unicode
    scalar values only, so a lone surrogate becomes U+FFFD."""
    return _TOML_ESCAPE.sub(_toml_escape, json.dumps(str(value), ensure_ascii=False))


_TOML_ESCAPE = re.compile(r"[^\x00-\x7e]")


def _toml_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xD800 <= code <= 0xDFFF:
        return "\\ufffd"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def markdown(value: Any) -> str:
    """Inline Markdown text: markup characters and HTML escaped, newlines folded."""
    text = " ".join(str(value or "").split())
    text = html.escape(text, quote=False)
    return re.sub(r"([\\`*_{}\[\]()#+!|~])", r"\\\1", text)


def markdown_code(value: Any, language: str = "") -> str:
    """A fenced code block whose fence no backtick run in ``value`` can close."""
    text = str(value)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def html_text(value: Any) -> str:
    """Text for HTML element content or a quoted attribute."""
    return html.escape(str(value if value is not None else ""), quote=True)


def json_text(value: Any) -> str:
    """``json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)``, several times faster:
    with ``indent`` the standard library encodes in Python generators, and the server's
    ``openapi.json`` for the biggest specs holds millions of values."""
    return "".join(json_pieces(value))


def json_pieces(value: Any, newline: str = "\n", depth: int = 0) -> Iterator[str]:
    """``json_text`` in pieces: the members of the two outer levels one at a time, so that a
    document of hundreds of MB is never held as one string."""
    if depth >= 2 or not isinstance(value, (dict, list, tuple)) or not value:
        yield _indented_json(value, newline)
        return
    inner = newline + "  "
    if isinstance(value, dict):
        opening, closing, items = "{", "}", [(_encode_string(k) + ": ", value[k]) for k in sorted(value)]
    else:
        opening, closing, items = "[", "]", [("", item) for item in value]
    yield opening
    for index, (key, item) in enumerate(items):
        yield ("," if index else "") + inner + key
        yield from json_pieces(item, inner, depth + 1)
    yield newline + closing


def _indented_json(value: Any, newline: str) -> str:
    if isinstance(value, str):
        return _encode_string(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = newline + "  "
        members = [_encode_string(k) + ": " + _indented_json(value[k], inner) for k in sorted(value)]
        return "{" + inner + ("," + inner).join(members) + newline + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        inner = newline + "  "
        return "[" + inner + ("," + inner).join(_indented_json(v, inner) for v in value) + newline + "]"
    return json.dumps(value)


_encode_string = json.encoder.encode_basestring


def script_json(value: Any) -> str:
    """JSON for an HTML ``<script type="application/json">`` data block: compact, and ``<``,
    ``>``, ``&`` (and the line separators) written as ``\\u`` escapes, so no spec text can close
    the element (``</script>``) or open a comment in it; ``JSON.parse`` reads the same value."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.translate(_SCRIPT_JSON_ESCAPES)


_SCRIPT_JSON_ESCAPES = {ord(c): f"\\u{ord(c):04x}" for c in "<>&\u2028\u2029"}


def search_index(api: Api) -> dict[str, Any]:
    """What the docs page's search finds, each entry with the anchor it opens. ``operations``:
    [anchor, method, path, summary, operationId, client attribute of its group, Python name];
    ``models``: [anchor, class name, name in the spec]; ``fields``: [index of its model in
    ``models``, name on the wire, Python attribute] (a field opens its row in the model's table,
    ``<model anchor>.<Python attribute>``). Lists,
    not objects: the index of a big spec (Kubernetes) holds tens of thousands of entries."""
    operations = [[op.anchor, op.method, op.display_path, one_line(op.summary), op.operation_id, op.group, op.py_name] for op in api.operations]
    models = [[m.anchor, m.name, m.wire_name] for m in api.models]
    fields = [[index, f.wire_name, f.py_name] for index, m in enumerate(api.models) for f in m.fields]
    return {"operations": operations, "models": models, "fields": fields}


@dataclass(frozen=True)
class InlineScript:
    """A script the docs page runs inline: its text, from a template file printed as it is (no
    Jinja syntax in it), and the CSP source that allows exactly that text."""

    text: str

    @property
    def csp_source(self) -> str:
        digest = hashlib.sha256(self.text.encode("utf-8")).digest()
        return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


@jinja2.pass_environment
def inline_script(env: jinja2.Environment, name: str) -> InlineScript:
    """The template file ``name`` (a user's templates folder may override it) as an inline
    script; refused if it could end its ``<script>`` element early."""
    assert env.loader is not None
    text = env.loader.get_source(env, name)[0]
    if re.search(r"</script|<!--", text, re.IGNORECASE):
        raise ValueError(f"{name}: an inline script must not contain '</script' or '<!--'")
    return InlineScript(text)


FILTERS: dict[str, Callable[..., str]] = {
    "pystr": pysource.string_literal,
    "pyliteral": pysource.literal,
    "docstring": docstring,
    "pydoc": pysource.docstring_statement,
    "pylist": pysource.exploded_list,
    "keyword_list": pysource.keyword_list,
    "pytuple": pysource.exploded_tuple,
    "split_call": pysource.split_at_last_bracket,
    "assigned_call": pysource.assigned_call,
    "parameter": pysource.parameter,
    "attribute": pysource.attribute,
    "comment": comment,
    "oneline": one_line,
    "tomlstr": toml_string,
    "md": markdown,
    "md_block": markdown_render.markdown_block,
    "md_code": markdown_code,
    "html": html_text,
    "html_md": markdown_render.html_markdown,
    "json": json_text,
    "script_json": script_json,
}


@dataclass(frozen=True)
class Artefact:
    """One generated file: where it goes and which template makes it."""

    template: str
    path: str
    context: dict[str, Any]


def environment(user_templates: Path | None = None) -> jinja2.Environment:
    folders = [str(user_templates)] if user_templates else []
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders + [str(BUILTIN_TEMPLATES)]),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    env.globals["chunk_break"] = chunk_break
    env.globals["inline_script"] = inline_script
    env.globals["search_index"] = search_index
    return env


def chunk_break(blank_lines: int) -> str:
    """Where Black may format the code that follows on its own (see ``format``)."""
    return f"{BREAK}{blank_lines}"


def artefacts(api: Api) -> list[Artefact]:
    """Every file generated for ``api``; paths are made of names module identifiers only."""
    client = f"client/{api.client_package}"
    server = f"server/{api.server_package}"
    files = [
        Artefact("client/pyproject.toml.jinja", "client/pyproject.toml", {}),
        Artefact("client/README.md.jinja", "client/README.md", {}),
        Artefact("client/__init__.py.jinja", f"{client}/__init__.py", {}),
        Artefact("client/py.typed.jinja", f"{client}/py.typed", {}),
        Artefact("client/_runtime.py.jinja", f"{client}/_runtime.py", {}),
        Artefact("client/errors.py.jinja", f"{client}/errors.py", {}),
        Artefact("client/models.py.jinja", f"{client}/models.py", {}),
        Artefact("client/client.py.jinja", f"{client}/client.py", {}),
        Artefact("client/api_init.py.jinja", f"{client}/api/__init__.py", {}),
        Artefact("server/pyproject.toml.jinja", "server/pyproject.toml", {}),
        Artefact("server/__init__.py.jinja", f"{server}/__init__.py", {}),
        Artefact("server/__main__.py.jinja", f"{server}/__main__.py", {}),
        Artefact("server/py.typed.jinja", f"{server}/py.typed", {}),
        Artefact("server/models.py.jinja", f"{server}/models.py", {}),
        Artefact("server/handlers.py.jinja", f"{server}/handlers.py", {}),
        Artefact("server/app.py.jinja", f"{server}/app.py", {}),
        Artefact("docs/README.md.jinja", "docs/README.md", {}),
        Artefact("docs/index.html.jinja", "docs/index.html", {}),
    ]
    files += [Artefact("client/group.py.jinja", f"{client}/api/{g.attr}.py", {"group": g}) for g in api.groups]
    return files


def _render_file(env: jinja2.Environment, artefact: Artefact, api: Api) -> Iterator[str]:
    """The file's text, in the pieces the template yields; Python from a built-in template is
    marked as emitted in Black's style (see ``format``), Python from a user's template is left
    for Black to format whole."""
    template = env.get_template(artefact.template)
    built_in = template.filename is not None and Path(template.filename).resolve().is_relative_to(BUILTIN_TEMPLATES.resolve())
    if built_in and artefact.path.endswith(".py"):
        yield STYLED
    yield from template.generate(api=api, **artefact.context)


def mock_responses(api: Api) -> dict[str, Any]:
    """What mock mode answers, as ``mock.json`` holds it: ``bodies``, every distinct example
    body once (big specs answer the same error body from thousands of operations), and
    ``operations``: operation -> ``status`` (the default answer's), ``response`` (its key among
    the declared ones) and ``answers``: declared status (``200``, ``4XX``, ``default``) ->
    ``kind`` (json, text, binary, event-stream, empty), ``media_type``, ``headers`` (a value for
    each declared header) and ``examples``, a list of [name, index into ``bodies``]: the spec's
    named examples, else one named "schema", made from the schema."""
    header_values = MockData({}, "response")
    bodies: list[Any] = []
    index: dict[str, int] = {}

    def body_index(value: Any) -> int:
        key = json.dumps(value, sort_keys=True)
        if key not in index:
            index[key] = len(bodies)
            bodies.append(value)
        return index[key]

    operations: dict[str, Any] = {}
    for op in api.operations:
        answers: dict[str, Any] = {}
        for response in op.responses:
            # HEAD answers as GET would (Content-Type, Content-Length): the HTTP server drops the body.
            kind = response.kind
            named = response.examples or (("schema", response.example),)
            examples = [[name, body_index(value)] for name, value in named] if kind != "empty" else []
            headers = {h.wire_name: _header_text(header_values.value(h.type)) for h in response.headers if _mock_header(h.wire_name)}
            headers = {name: value for name, value in headers.items() if _HEADER_VALUE.fullmatch(value)}
            media_type = response.server_media_type if _HEADER_VALUE.fullmatch(response.server_media_type or "") else None
            answers[response.status] = {"kind": kind, "media_type": media_type, "headers": headers, "examples": examples}
        default = op.success.status if op.success else None
        operations[op.py_name] = {"status": op.success_status, "response": default, "answers": answers}
    return {"bodies": bodies, "operations": operations}


#: What the mock may send as a header (or a media type): a token name (RFC 9110), printable
#: ASCII text.
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_HEADER_VALUE = re.compile(r"[\x20-\x7e]*")


#: Headers the HTTP server writes itself, which a mock answer copied from a recorded response
#: must not repeat: the message's framing (a second Content-Length, or a Transfer-Encoding the
#: body does not have, breaks the connection), the connection's own (hop-by-hop, RFC 9110
#: 7.6.1), a Content-Encoding the body was not given, and the server's Date and Server.
_SERVER_HEADERS = frozenset(
    {"content-length", "transfer-encoding", "content-encoding", "content-type", "connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "date", "server"}
)


def _mock_header(name: str) -> bool:
    """Whether mock mode sends a declared response header: a token name the server does not write itself."""
    return _HEADER_NAME.fullmatch(name) is not None and name.lower() not in _SERVER_HEADERS


def _header_text(value: Any) -> str:
    """A header's example value as the text the client's runtime reads back."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_header_text(v) for v in value)
    return str(value)


def plan(api: Api, user_templates: Path | None = None, kinds: Iterable[str] = ("client", "server", "docs")) -> dict[str, Callable[[], Iterable[str]]]:
    """Every file of the artefact ``kinds`` asked for (the first folder of each path), each
    rendered only when asked: the biggest specs make a gigabyte of text, which should not be
    held at once. The server's JSON files come first: building them takes memory for a while,
    best taken before rendering has filled the model's cached properties."""
    wanted = set(kinds)
    env = environment(user_templates)
    files: dict[str, Callable[[], Iterable[str]]] = {}
    if "server" in wanted:
        files[f"server/{api.server_package}/openapi.json"] = lambda: itertools.chain(json_pieces(server_openapi(api)), "\n")
        files[f"server/{api.server_package}/mock.json"] = lambda: itertools.chain(json_pieces(mock_responses(api)), "\n")
    for artefact in artefacts(api):
        if artefact.path.split("/", 1)[0] in wanted:
            files[artefact.path] = functools.partial(_render_file, env, artefact, api)
    return files


def render(api: Api, user_templates: Path | None = None, kinds: Iterable[str] = ("client", "server", "docs")) -> dict[str, str]:
    """Every file of the artefact ``kinds`` asked for, rendered (see ``plan``)."""
    return {path: "".join(make()) for path, make in sorted(plan(api, user_templates, kinds).items())}
