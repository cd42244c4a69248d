"""load: bytes in, a plain JSON-like document plus a source map out.

Real specs are sloppy, so this step accepts what is unambiguous (``---`` framing, integer
mapping keys, a BOM, duplicate keys) and records a warning for each kind of repair. Every
``$ref`` is checked here, before any library could follow it: only refs inside the document and
relative files inside the spec's own folder are followed unless remote refs are allowed.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import unquote, urlparse

import yaml

from .diagnostics import Diagnostic, Level, SpecError, escape_pointer_token, pointer_of, unescape_pointer_token

YamlLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: A document that expands (through YAML aliases) to more nodes than this is refused.
MAX_NODES = 5_000_000
#: Nesting deeper than this is refused rather than risking a RecursionError later.
MAX_DEPTH = 200

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_CONSTRUCTED_TAGS = {
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


class SourceMap:
    """JSON pointer → 1-based line, built while the document is read."""

    def __init__(self, lines: dict[str, int] | None = None, fallback: Callable[[], dict[str, int]] | None = None):
        self._lines = lines
        self._fallback = fallback

    def line(self, pointer: str) -> int:
        """The line of ``pointer``, or of its nearest located ancestor (0 when unknown)."""
        if self._lines is None:
            self._lines = self._fallback() if self._fallback else {}
        while True:
            if pointer in self._lines:
                return self._lines[pointer]
            if not pointer:
                return 0
            pointer = pointer.rsplit("/", 1)[0]


@dataclass
class LoadedSpec:
    """A parsed spec: the document, where it came from, and what loading found."""

    path: Path
    display_name: str
    raw: bytes
    document: dict[str, Any]
    source_map: SourceMap
    diagnostics: list[Diagnostic] = field(default_factory=list)
    broken_refs: frozenset[str] = frozenset()
    #: Other files the spec refers to (inputs of the generation, like the spec itself).
    referenced_files: tuple[Path, ...] = ()
    #: Whether an http(s) ref was followed: then the inputs cannot be known from files alone.
    follows_remote_refs: bool = False

    def diag(self, level: Level, pointer: str, message: str) -> Diagnostic:
        return Diagnostic(self.display_name, self.source_map.line(pointer), pointer, level, message)

    @property
    def version(self) -> str:
        return "swagger2" if "swagger" in self.document else "openapi3"


@dataclass(frozen=True)
class LoadOptions:
    allow_remote_refs: bool = False
    strict: bool = False


def load_spec(path: Path, options: LoadOptions = LoadOptions(), display_name: str | None = None) -> LoadedSpec:
    name = display_name or str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SpecError([Diagnostic(name, 0, "", Level.ERROR, "no such file")]) from None
    except IsADirectoryError:
        raise SpecError([Diagnostic(name, 0, "", Level.ERROR, "is a directory, not a spec file")]) from None
    except OSError as exc:
        raise SpecError([Diagnostic(name, 0, "", Level.ERROR, f"cannot read: {exc.strerror}")]) from None
    document, source_map, repairs = parse_document(raw, name)
    spec = LoadedSpec(path, name, raw, document, source_map)
    spec.diagnostics.extend(repairs)
    _check_kind(spec)
    _check_refs(spec, options)
    return spec


def parse_document(raw: bytes, name: str) -> tuple[dict[str, Any], SourceMap, list[Diagnostic]]:
    """Decode and parse ``raw``: JSON when it looks like JSON, YAML otherwise."""
    text = _decode(raw, name)
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            document = json.loads(text)
        except RecursionError:
            document = None
        except ValueError:
            return _parse_yaml(text, name)
        if document is None or _too_deep(document):
            line = _json_depth_line(text)
            raise SpecError([Diagnostic(name, line, "", Level.ERROR, f"the document nests deeper than {MAX_DEPTH} levels")])
        if not isinstance(document, dict):
            raise SpecError([Diagnostic(name, 1, "", Level.ERROR, "the document is not a mapping")])
        return document, SourceMap(fallback=lambda: _json_lines(text)), []
    return _parse_yaml(text, name)


def _decode(raw: bytes, name: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SpecError([Diagnostic(name, line, "", Level.ERROR, f"not UTF-8 text (byte {exc.start})")]) from None
    if "\x00" in text:
        raise SpecError([Diagnostic(name, 1, "", Level.ERROR, "binary data, not a YAML or JSON document")])
    return text


_JSON_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{}\[\],:\n]|[^\s{}\[\],:"]+')


def _json_lines(text: str) -> dict[str, int]:
    """The line of every JSON pointer of a document that ``json.loads`` read: one pass over its
    tokens, several times faster than composing it as YAML (the biggest specs are JSON)."""
    lines = {"": 1}
    frames: list[list[Any]] = []  # per open bracket: [its pointer, "{" or "[", the next item index]
    line, key_expected = 1, False
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token == "\n":
            line += 1
        elif token == ",":
            key_expected = frames[-1][1] == "{"
        elif token == ":":
            key_expected = False
        elif token in "}]":
            frames.pop()
            key_expected = False
        elif key_expected:
            key = json.loads(token) if "\\" in token else token[1:-1]
            frames[-1][2] = f"{frames[-1][0]}/{escape_pointer_token(key)}"
            lines.setdefault(frames[-1][2], line)
        else:
            pointer = _json_item_pointer(frames, lines, line)
            if token in "{[":
                frames.append([pointer, token, 0 if token == "[" else ""])
                key_expected = token == "{"
    return lines


def _json_item_pointer(frames: list[list[Any]], lines: dict[str, int], line: int) -> str:
    """The pointer of the value that starts here: an object member's, or the next array item's."""
    if not frames:
        return ""
    pointer, kind, position = frames[-1]
    if kind == "{":
        return str(position)
    item = f"{pointer}/{position}"
    frames[-1][2] = position + 1
    lines.setdefault(item, line)
    return item


def _yaml_lines(text: str) -> dict[str, int]:
    try:
        nodes = [n for n in yaml.compose_all(text, Loader=YamlLoader) if not _is_empty(n)]
    except yaml.YAMLError:
        return {}
    if len(nodes) != 1:
        return {}
    builder = _Builder("", collect_lines=True)
    builder.build(nodes[0], "")  # the same text already passed parse_document's checks
    return builder.lines


def _parse_yaml(text: str, name: str) -> tuple[dict[str, Any], SourceMap, list[Diagnostic]]:
    try:
        nodes = list(yaml.compose_all(text, Loader=YamlLoader))
    except RecursionError:
        raise SpecError([Diagnostic(name, 0, "", Level.ERROR, f"the document nests deeper than {MAX_DEPTH} levels")]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        problem = exc.problem or exc.context or "invalid"
        raise SpecError([Diagnostic(name, line, "", Level.ERROR, f"not valid YAML or JSON: {problem}")]) from None
    except yaml.YAMLError as exc:
        raise SpecError([Diagnostic(name, 0, "", Level.ERROR, f"not valid YAML or JSON: {exc}")]) from None
    documents = [n for n in nodes if not _is_empty(n)]
    if not documents:
        raise SpecError([Diagnostic(name, 1, "", Level.ERROR, "the file holds no document")])
    if len(documents) > 1:
        line = documents[1].start_mark.line + 1
        raise SpecError([Diagnostic(name, line, "", Level.ERROR, f"{len(documents)} YAML documents in one file; expected one")])
    root = documents[0]
    if not isinstance(root, yaml.MappingNode):
        raise SpecError([Diagnostic(name, root.start_mark.line + 1, "", Level.ERROR, "the document is not a mapping")])
    _check_expanded_size(root, name)
    builder = _Builder(name, collect_lines=True)
    document = builder.build(root, "")
    repairs = builder.repairs()
    if len(nodes) > 1:
        repairs.append(
            Diagnostic(name, 1, "", Level.WARNING, "document is framed by '---' markers (a YAML stream); read as one document")
        )
    return document, SourceMap(builder.lines), repairs


def _check_expanded_size(root: yaml.Node, name: str) -> None:
    """Refuse alias bombs, alias cycles and deep nesting before building anything.

    The size of each node once its aliases are expanded is computed once per node (aliases
    share node objects), so a "billion laughs" document is refused in time linear in its text.
    """
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    # Iterative post-order walk: (node, children visited?)
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    on_path: set[int] = set()
    while stack:
        node, expanded = stack.pop()
        key = id(node)
        children = _children(node)
        if not expanded:
            if key in sizes:
                continue
            if key in on_path:
                _refuse(node, name, "a YAML alias refers to itself")
            on_path.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        on_path.discard(key)
        sizes[key] = 1 + sum(sizes.get(id(child), 0) for child in children)
        depths[key] = 1 + max((depths.get(id(child), 0) for child in children), default=0)
        if sizes[key] > MAX_NODES:
            _refuse(node, name, f"the document expands to more than {MAX_NODES} nodes (YAML alias bomb?)")
        if depths[key] > MAX_DEPTH:
            _refuse(node, name, f"the document nests deeper than {MAX_DEPTH} levels")


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _refuse(node: yaml.Node, name: str, message: str) -> None:
    raise SpecError([Diagnostic(name, node.start_mark.line + 1, "", Level.ERROR, message)])


def _too_deep(document: Any) -> bool:
    """JSON has no aliases, but may nest deeper than anything downstream should recurse."""
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _json_depth_line(text: str) -> int:
    """The line where JSON ``text`` first nests deeper than MAX_DEPTH (only called when it does)."""
    depth, in_string, escaped = 0, False, False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return text.count("\n", 0, index) + 1
        elif char in "]}":
            depth -= 1
    return 0


def _is_empty(node: yaml.Node | None) -> bool:
    return node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null") and not node.value)


class _Builder:
    """Turns a composed YAML node tree into plain data, recording the line of each pointer.

    Call ``_check_expanded_size`` first: the builder trusts the tree to be finite and shallow.
    """

    def __init__(self, name: str, collect_lines: bool):
        self.name = name
        self.lines: dict[str, int] = {}
        self.collect_lines = collect_lines
        self.constructor = yaml.constructor.SafeConstructor()
        self.key_repairs: dict[str, list[tuple[int, str]]] = {}

    def build(self, node: yaml.Node, pointer: str) -> Any:
        if self.collect_lines:
            self.lines.setdefault(pointer, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            if node.tag in _CONSTRUCTED_TAGS:
                return self.constructor.construct_object(node)
            return node.value
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, f"{pointer}/{i}") for i, item in enumerate(node.value)]
        return self._build_mapping(node, pointer)

    def _build_mapping(self, node: yaml.MappingNode, pointer: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                merged = self.build(value_node, pointer)
                for source in merged if isinstance(merged, list) else [merged]:
                    if isinstance(source, dict):
                        for k, v in source.items():
                            result.setdefault(k, v)
                continue
            key = self._key(key_node, pointer)
            child = pointer + "/" + key.replace("~", "~0").replace("/", "~1")
            if key in result:
                self._note("duplicate mapping key; the last value is used", key_node, child)
            result[key] = self.build(value_node, child)
        return result

    def _key(self, node: yaml.Node, pointer: str) -> str:
        if not isinstance(node, yaml.ScalarNode):
            self._fail(node, pointer, "a mapping key is not a plain value")
        if node.tag == "tag:yaml.org,2002:str" or node.tag not in _CONSTRUCTED_TAGS:
            return str(node.value)
        kind = node.tag.rsplit(":", 1)[1]
        self._note(f"{kind} mapping key read as a string", node, pointer + "/" + node.value)
        return str(node.value)

    def _note(self, kind: str, node: yaml.Node, pointer: str) -> None:
        self.key_repairs.setdefault(kind, []).append((node.start_mark.line + 1, pointer))

    def repairs(self) -> list[Diagnostic]:
        found = []
        for kind, places in self.key_repairs.items():
            line, pointer = places[0]
            more = f" ({len(places)} places, the first here)" if len(places) > 1 else ""
            found.append(Diagnostic(self.name, line, pointer, Level.WARNING, kind + more))
        return found

    def _fail(self, node: yaml.Node, pointer: str, message: str) -> None:
        raise SpecError([Diagnostic(self.name, node.start_mark.line + 1, pointer, Level.ERROR, message)])


def _check_kind(spec: LoadedSpec) -> None:
    document = spec.document
    swagger = document.get("swagger")
    openapi = document.get("openapi")
    if swagger is not None:
        if str(swagger) != "2.0":
            raise SpecError([spec.diag(Level.ERROR, "/swagger", f"unsupported Swagger version {swagger!r}; expected '2.0'")])
        if not isinstance(swagger, str):
            spec.diagnostics.append(spec.diag(Level.WARNING, "/swagger", "the version should be the string '2.0'"))
        return
    if openapi is not None:
        if not str(openapi).startswith("3."):
            raise SpecError([spec.diag(Level.ERROR, "/openapi", f"unsupported OpenAPI version {openapi!r}; expected 3.x")])
        return
    raise SpecError([spec.diag(Level.ERROR, "", "not a Swagger 2.0 or OpenAPI 3 document: no 'swagger' or 'openapi' field")])


def iter_refs(node: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """Yield ``(pointer, ref)`` for every ``$ref`` string; examples and extensions are data, not refs."""
    stack = [(node, pointer)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str):
                yield where + "/$ref", ref
            for key, child in value.items():
                if key in ("example", "x-example") or key.startswith("x-") or key == "$ref":
                    continue
                if isinstance(child, (dict, list)):
                    stack.append((child, pointer_of_child(where, key)))
        elif isinstance(value, list):
            for index, child in enumerate(value):
                if isinstance(child, (dict, list)):
                    stack.append((child, f"{where}/{index}"))


def pointer_of_child(pointer: str, key: str) -> str:
    return pointer + pointer_of(key)


def resolve_pointer(document: Any, fragment: str) -> tuple[bool, Any]:
    """Follow a JSON pointer (the part after ``#``); ``(False, None)`` when it leads nowhere."""
    node = document
    if fragment in ("", "/"):
        return True, node
    if not fragment.startswith("/"):
        return False, None
    for token in fragment[1:].split("/"):
        token = unescape_pointer_token(_percent_decode(token))
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return False, None
    return True, node


def _percent_decode(token: str) -> str:
    return unquote(token) if "%" in token else token


def _check_refs(spec: LoadedSpec, options: LoadOptions) -> None:
    """Refuse refs that would reach outside the spec's folder, inline the allowed file refs,
    then note the local refs that lead nowhere."""
    errors: list[Diagnostic] = []
    external = False
    base = spec.path.resolve().parent
    for pointer, ref in iter_refs(spec.document):
        target = ref.partition("#")[0]
        if not target:
            continue
        refusal = _refusal(target, base, base, options)
        if refusal:
            errors.append(spec.diag(Level.ERROR, pointer, f"$ref {ref!r} refused: {refusal}"))
        else:
            external = True
    if errors:
        raise SpecError(errors + spec.diagnostics)
    if external:
        _resolve_external_refs(spec, options)
    _note_broken_local_refs(spec, options)


def _note_broken_local_refs(spec: LoadedSpec, options: LoadOptions) -> None:
    broken: set[str] = set()
    level = Level.ERROR if options.strict else Level.WARNING
    for pointer, ref in iter_refs(spec.document):
        if ref.startswith("#") and not resolve_pointer(spec.document, ref[1:])[0]:
            broken.add(ref)
            spec.diagnostics.append(spec.diag(level, pointer, f"broken $ref {ref!r}: no such target; treated as any value"))
    spec.broken_refs = frozenset(broken)


def _refusal(target: str, referrer_dir: Path, root: Path, options: LoadOptions) -> str | None:
    """Why a ref to another file may not be followed, or None when it may."""
    remote = bool(_SCHEME.match(target)) and not re.match(r"^[A-Za-z]:[\\/]", target)
    if remote:
        if options.allow_remote_refs and target.lower().startswith(("http://", "https://")):
            return None
        return "remote references are not followed (use --allow-remote-refs for http(s) refs)"
    if os.path.isabs(target) or target.startswith("\\"):
        return "absolute paths are not followed"
    resolved = (referrer_dir / target).resolve()
    if not resolved.is_relative_to(root):
        return "it points outside the spec's folder"
    if not resolved.is_file():
        return "no such file"
    return None


def _resolve_external_refs(spec: LoadedSpec, options: LoadOptions) -> None:
    """Inline refs to other files with prance; refs inside the root document keep their names."""
    from prance.util import resolver

    path = spec.path.resolve()
    referenced: set[Path] = set()
    spec.follows_remote_refs = _check_referenced_files(spec.document, path, path.parent, options, referenced)
    spec.referenced_files = tuple(sorted(referenced))
    root_url_path = urlparse(path.as_uri()).path

    class FileRefResolver(resolver.RefResolver):  # type: ignore[misc]
        """Resolves refs into other files, and refs inside those files to their own content;
        leaves refs inside the root document alone, since their names become class names."""

        def _skip_reference(self, base_url: Any, ref_url: Any) -> bool:
            if ref_url.scheme == "file" and ref_url.path == root_url_path:
                return True
            return bool(super()._skip_reference(base_url, ref_url))

    resolve_types = resolver.RESOLVE_FILES | resolver.RESOLVE_INTERNAL | (resolver.RESOLVE_HTTP if options.allow_remote_refs else 0)
    ref_resolver = FileRefResolver(
        spec.document,
        path.as_uri(),
        resolve_types=resolve_types,
        strict=False,
        recursion_limit_handler=resolver.keep_ref_on_recursion,
    )
    try:
        ref_resolver.resolve_references()
    except Exception as exc:  # prance reports unreadable or unresolvable files in several ways
        raise SpecError([spec.diag(Level.ERROR, "", f"cannot resolve a $ref to another file: {type(exc).__name__}: {exc}")]) from None
    spec.document = ref_resolver.specs


def _check_referenced_files(document: Any, path: Path, root: Path, options: LoadOptions, seen: set[Path]) -> bool:
    """Apply the same ref rules to every local file a spec refers to, transitively; add them to
    ``seen``. Whether any allowed remote ref was met."""
    remote = False
    for pointer, ref in iter_refs(document):
        target = ref.partition("#")[0]
        if not target:
            continue
        refusal = _refusal(target, path.parent, root, options)
        if refusal:
            line = SourceMap(fallback=lambda: _yaml_lines(path.read_text("utf-8-sig"))).line(pointer)
            raise SpecError([Diagnostic(str(path), line, pointer, Level.ERROR, f"$ref {ref!r} refused: {refusal}")])
        if _SCHEME.match(target):
            remote = True  # an allowed remote ref: the user opted in
            continue
        referenced = (path.parent / target).resolve()
        if referenced not in seen:
            seen.add(referenced)
            child, _, _ = parse_document(referenced.read_bytes(), str(referenced))
            remote = _check_referenced_files(child, referenced, root, options, seen) or remote
    return remote
