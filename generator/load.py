"""load: bytes in, a plain JSON-like document plus a source map out.

Real specs are sloppy, so this step accepts what is unambiguous (``---`` framing, integer
mapping keys, a BOM, duplicate keys) and records a warning for each kind of repair. Every
``$ref`` is checked here, before any library could follow it: only refs inside the document and
relative files inside the spec's own folder are followed unless remote refs are allowed.

Every file is read the same way (``read_bounded``): only a regular file, only up to the size
limit, checked with ``stat`` before it is opened, so a FIFO, a device or a huge file is refused
with a located error instead of blocking or filling the memory. Which ``$ref`` is a reference
is decided in one place (``iter_refs``); a ``$ref`` that is data (in an example, a default, an
enum, an extension) is hidden from prance, and prance reads no file itself: it is handed the
documents this module read and checked.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import unquote, urlparse

import yaml

from .diagnostics import Diagnostic, Level, SpecError, escape_pointer_token, pointer_of, unescape_pointer_token

YamlLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: A document that expands (through YAML aliases) to more nodes than this is refused.
MAX_NODES = 5_000_000
#: Nesting deeper than this is refused rather than risking a RecursionError later; this holds for
#: the document once other files are inlined too (a long chain of files is refused by it).
MAX_DEPTH = 200
#: The default of the ``max_spec_mb`` setting: the most MB of spec text read for one spec, per
#: file and for the spec and the files it refers to together. Microsoft Graph's beta spec, the
#: biggest public one we know, is 47 MB; 100,000 operations (tests/bench.py synthetic_spec,
#: indented JSON) are 87 MB and generate within 2 GB.
DEFAULT_MAX_SPEC_MB = 100
MB = 1024 * 1024

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_CONSTRUCTED_TAGS = {
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


class SourceMap:
    """JSON pointer → 1-based line: recorded while a YAML document is read, or found on demand
    in a JSON document's text (``locate``)."""

    def __init__(self, lines: dict[str, int] | None = None, locate: Callable[[str], int] | None = None):
        self._lines = lines or {}
        self._locate = locate

    def line(self, pointer: str) -> int:
        """The line of ``pointer``, or of its nearest located ancestor (0 when unknown)."""
        if self._locate is not None:
            return self._locate(pointer)
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
    #: The most bytes read per file, and for all the spec's files together.
    max_bytes: int = DEFAULT_MAX_SPEC_MB * MB


class Unreadable(Exception):
    """A file that is not read: why, in words for a diagnostic."""


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of ``path`` when it is a regular file of at most ``limit`` bytes.

    ``stat`` decides before anything is opened: opening a FIFO blocks, and ``/dev/zero`` stats as
    size 0 and never ends. The file is then opened without blocking and checked again on the
    open descriptor (it may have been swapped since), and never more than ``limit`` bytes are read.
    """
    try:
        _check_file(os.stat(path), limit)
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise Unreadable("no such file") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL character in the path
        raise Unreadable(f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    with os.fdopen(descriptor, "rb") as file:
        _check_file(os.fstat(descriptor), limit)
        data = file.read(limit + 1)
    if len(data) > limit:
        raise Unreadable(f"refused: larger than the {_megabytes(limit)} limit (setting max_spec_mb)")
    return data


def _check_file(status: os.stat_result, limit: int) -> None:
    if stat.S_ISDIR(status.st_mode):
        raise Unreadable("is a directory, not a spec file")
    if not stat.S_ISREG(status.st_mode):
        raise Unreadable(f"refused: not a regular file but {_file_kind(status.st_mode)}")
    if status.st_size > limit:
        raise Unreadable(f"refused: {_megabytes(status.st_size)} is over the {_megabytes(limit)} limit (setting max_spec_mb)")


def _file_kind(mode: int) -> str:
    kinds = [(stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")]
    return next((name for test, name in kinds if test(mode)), "a special file")


def _megabytes(size: int) -> str:
    return f"{size / MB:.1f} MB" if size % MB else f"{size // MB} MB"


def load_spec(path: Path, options: LoadOptions = LoadOptions(), display_name: str | None = None) -> LoadedSpec:
    name = display_name or str(path)
    try:
        raw = read_bounded(path, options.max_bytes)
    except Unreadable as exc:
        raise SpecError([Diagnostic(name, 0, "", Level.ERROR, str(exc))]) from None
    document, source_map, repairs = parse_document(raw, name)
    spec = LoadedSpec(path, name, raw, document, source_map)
    spec.diagnostics.extend(repairs)
    _check_kind(spec)
    _check_refs(spec, options)
    return spec


def parse_document(raw: bytes, name: str) -> tuple[dict[str, Any], SourceMap, list[Diagnostic]]:
    """Decode and parse ``raw``: JSON when it looks like JSON, YAML otherwise."""
    text = _decode(raw, name)
    document, source_map, repairs = _parse_text(text, name)
    if _SURROGATE_ESCAPE.search(text):
        places = _replace_lone_surrogates(document)
        if places:
            first = min(places, key=source_map.line)
            more = f" ({len(places)} places, the first here)" if len(places) > 1 else ""
            message = "a lone UTF-16 surrogate escape is not a character; replaced by U+FFFD" + more
            repairs.append(Diagnostic(name, source_map.line(first), _without_surrogates(first), Level.WARNING, message))
    return document, source_map, repairs


def _parse_text(text: str, name: str) -> tuple[dict[str, Any], SourceMap, list[Diagnostic]]:
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
        return document, SourceMap(locate=JsonLines(text).line), []
    return _parse_yaml(text, name)


#: How a lone surrogate gets into a document: a ``\uDC00`` escape (JSON, or YAML in double quotes).
_SURROGATE_ESCAPE = re.compile(r"\\(?:u|U0000)[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(text: str) -> str:
    return _LONE_SURROGATE.sub("\ufffd", text)


def _replace_lone_surrogates(document: Any) -> list[str]:
    """Replace every lone surrogate in keys and strings with U+FFFD, in place: it cannot be
    written as UTF-8, so every generated file would fail on it. The pointers (as read, to find
    their lines) of the repaired places."""
    places: list[str] = []
    stack: list[tuple[Any, str]] = [(document, "")]
    while stack:
        container, pointer = stack.pop()
        entries = list(container.items()) if isinstance(container, dict) else list(enumerate(container))
        repaired: list[tuple[Any, Any]] = []
        for key, child in entries:
            child_pointer = f"{pointer}/{escape_pointer_token(key)}"
            if isinstance(key, str) and _LONE_SURROGATE.search(key):
                places.append(child_pointer)
                key = _without_surrogates(key)
            if isinstance(child, str) and _LONE_SURROGATE.search(child):
                places.append(child_pointer)
                child = _without_surrogates(child)
            elif isinstance(child, (dict, list)):
                stack.append((child, child_pointer))
            repaired.append((key, child))
        if isinstance(container, dict):
            container.clear()
            container.update(repaired)
        else:
            container[:] = [child for _, child in repaired]
    return places


def _decode(raw: bytes, name: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SpecError([Diagnostic(name, line, "", Level.ERROR, f"not UTF-8 text (byte {exc.start})")]) from None
    if "\x00" in text:
        raise SpecError([Diagnostic(name, 1, "", Level.ERROR, "binary data, not a YAML or JSON document")])
    return text


#: Where a member of a JSON object or array is: the line it starts on, the offset it starts at
#: (its key's, in an object), the offset its value starts at.
_Member = tuple[int, int, int]
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]{0,17}")
#: The JSON value that starts at an offset of a text, and the offset after it (C speed).
_decode_json_at = json.JSONDecoder().raw_decode


def _after_space(text: str, index: int) -> int:
    """The offset of the first character at or after ``index`` that is not JSON whitespace."""
    match = _JSON_SPACE.match(text, index)
    assert match is not None  # the pattern matches the empty string
    return match.end()


class JsonLines:
    """The line of a JSON pointer in a JSON text that ``json.loads`` read, found when asked.

    A warning in a big spec must not cost a pass over all of it in Python: the pointer is followed
    down from the root, and each object or array on the way is scanned once at C speed (a key by
    the JSON decoder, which also steps over a value; line breaks counted by ``str.count``);
    where its members start is kept, so pointers under the same container do not scan it again.
    A member is on the line of its key, a repeated key on that of its last member (the one
    ``json.loads`` keeps), the root on line 1. Text without a line break (minified JSON) is never
    scanned."""

    def __init__(self, text: str):
        self._text = text
        self._one_line = "\n" not in text
        self._root: _Member = (1, 0, _after_space(text, 0))
        self._members: dict[int, dict[str, _Member] | list[_Member]] = {}

    def line(self, pointer: str) -> int:
        """The line of ``pointer``, or of its nearest ancestor that is in the document."""
        member = self._root
        if self._one_line or not pointer.startswith("/"):
            return member[0]
        for token in pointer[1:].split("/"):
            child = self._child(member, unescape_pointer_token(token))
            if child is None:
                break
            member = child
        return member[0]

    def _child(self, parent: _Member, key: str) -> _Member | None:
        members = self._members.get(parent[2])
        if members is None:
            opener = self._text[parent[2]]
            if opener not in "{[":
                return None  # a scalar has no members
            members = self._members[parent[2]] = self._scan_object(parent) if opener == "{" else self._scan_array(parent)
        if isinstance(members, dict):
            return members.get(key)
        if _ARRAY_INDEX.fullmatch(key) and int(key) < len(members):
            return members[int(key)]
        return None

    def _scan_object(self, parent: _Member) -> dict[str, _Member]:
        text, members = self._text, {}
        line, position = parent[0], parent[1]
        index = _after_space(text, parent[2] + 1)
        while text[index] == '"':
            line, position = line + text.count("\n", position, index), index
            key, after_key = _decode_json_at(text, index)
            after_colon = _after_space(text, after_key) + 1
            value = _after_space(text, after_colon)
            members[key] = (line, index, value)
            index = self._next_member(value)
        return members

    def _scan_array(self, parent: _Member) -> list[_Member]:
        text, items = self._text, []
        line, position = parent[0], parent[1]
        index = _after_space(text, parent[2] + 1)
        while text[index] != "]":
            line, position = line + text.count("\n", position, index), index
            items.append((line, index, index))
            index = self._next_member(index)
        return items

    def _next_member(self, value: int) -> int:
        """Where the member after the value at ``value`` starts, or its container's closing bracket."""
        end = _after_space(self._text, _decode_json_at(self._text, value)[1])
        return _after_space(self._text, end + 1) if self._text[end] == "," else end


def _yaml_lines(text: str) -> dict[str, int]:
    reader = _YamlReader("")
    try:
        reader.read(text)  # the same text already passed parse_document's checks
    except (yaml.YAMLError, SpecError):
        return {}
    return reader.lines


def _parse_yaml(text: str, name: str) -> tuple[dict[str, Any], SourceMap, list[Diagnostic]]:
    reader = _YamlReader(name)
    try:
        found = reader.read(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        problem = exc.problem or exc.context or "invalid"
        raise SpecError([Diagnostic(name, line, "", Level.ERROR, f"not valid YAML or JSON: {problem}")]) from None
    except yaml.YAMLError as exc:
        raise SpecError([Diagnostic(name, 0, "", Level.ERROR, f"not valid YAML or JSON: {exc}")]) from None
    if found is None:
        raise SpecError([Diagnostic(name, 1, "", Level.ERROR, "the file holds no document")])
    document, line = found
    if not isinstance(document, dict):
        raise SpecError([Diagnostic(name, line, "", Level.ERROR, "the document is not a mapping")])
    repairs = reader.repairs()
    if reader.documents > 1:
        repairs.append(
            Diagnostic(name, 1, "", Level.WARNING, "document is framed by '---' markers (a YAML stream); read as one document")
        )
    return document, SourceMap(reader.lines), repairs


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


class _Open:
    """A mapping or sequence being read: its value so far and what its size and depth are."""

    __slots__ = ("value", "pointer", "line", "anchor", "key", "key_line", "size", "depth")

    def __init__(self, value: Any, pointer: str, line: int, anchor: str | None):
        self.value = value
        self.pointer = pointer
        self.line = line
        self.anchor = anchor
        self.key: str | None = None  # a mapping's key waiting for its value (_MERGE for "<<")
        self.key_line = 0
        self.size = 1
        self.depth = 1


_MERGE = "\x00merge"


class _Reading:
    """An anchor whose node is still being read: an alias to it is a cycle."""

    __slots__ = ("line",)

    def __init__(self, line: int):
        self.line = line


class _YamlReader:
    """Plain data straight from libyaml's events, with the line of every JSON pointer.

    PyYAML's composed node tree of a 30 MB spec takes 1.4 GB; events are read one at a time.
    Aliases share the anchored value, whose size and depth once expanded are counted, so alias
    bombs, alias cycles and deep nesting are refused in time linear in the text, without
    recursion. What lies under an alias is located at the alias."""

    def __init__(self, name: str):
        self.name = name
        self.lines: dict[str, int] = {}
        self.key_repairs: dict[str, list[tuple[int, str]]] = {}
        self.documents = 0  # every document of the stream, empty ones too
        self._found = 0  # the documents that are not empty
        self._resolver = YamlLoader("")
        self._constructor = yaml.constructor.SafeConstructor()
        self._anchors: dict[str, tuple[Any, int, int] | _Reading] = {}  # value, size, depth

    def read(self, text: str) -> tuple[Any, int] | None:
        """The one non-empty document and its first line; None when there is none."""
        found: tuple[Any, int] | None = None
        stack: list[_Open] = []
        for event in yaml.parse(text, Loader=YamlLoader):
            if isinstance(event, yaml.DocumentStartEvent):
                self.documents += 1
                self._anchors.clear()
            elif isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                done = self._node(event, stack)
                if done is not None and not stack:
                    found = self._document(found, done, event.start_mark.line + 1)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                closed = stack.pop()
                self._check(closed.size, closed.depth, closed.line)
                if closed.anchor is not None:
                    self._anchors[closed.anchor] = (closed.value, closed.size, closed.depth)
                if stack:
                    self._attach(stack[-1], closed.value, closed.size, closed.depth, closed.line, closed.pointer)
                else:
                    found = self._document(found, (closed.value, False), closed.line)
        return found

    def _document(self, found: tuple[Any, int] | None, done: tuple[Any, bool], line: int) -> tuple[Any, int] | None:
        value, empty = done
        if empty:
            return found
        self._found += 1
        if found is not None:
            raise SpecError([Diagnostic(self.name, line, "", Level.ERROR, f"{self._found} YAML documents in one file; expected one")])
        return value, line

    def _node(self, event: Any, stack: list[_Open]) -> tuple[Any, bool] | None:
        """Start a collection, or read a scalar or an alias; (value, empty) when the event is a
        whole document's root."""
        line = event.start_mark.line + 1
        parent = stack[-1] if stack else None
        if parent is not None and isinstance(parent.value, dict) and parent.key is None:
            self._key(parent, event, line)
            return None
        pointer = self._child_pointer(parent)
        self.lines.setdefault(pointer, line)
        if isinstance(event, yaml.AliasEvent):
            anchored = self._anchors.get(event.anchor)
            if anchored is None:
                raise SpecError([Diagnostic(self.name, line, "", Level.ERROR, f"not valid YAML or JSON: found undefined alias {event.anchor!r}")])
            if isinstance(anchored, _Reading):
                raise SpecError([Diagnostic(self.name, anchored.line, "", Level.ERROR, "a YAML alias refers to itself")])
            value, size, depth = anchored
            if parent is None:
                return value, False
            self._attach(parent, value, size, depth, line, pointer)
            return None
        if isinstance(event, yaml.ScalarEvent):
            tag, value = self._scalar(event)
            if event.anchor is not None:
                self._anchors[event.anchor] = (value, 1, 1)
            if parent is None:
                return value, tag.endswith(":null") and not event.value
            self._attach(parent, value, 1, 1, line, pointer)
            return None
        if event.anchor is not None:
            self._anchors[event.anchor] = _Reading(line)
        stack.append(_Open({} if isinstance(event, yaml.MappingStartEvent) else [], pointer, line, event.anchor))
        return None

    def _scalar(self, event: Any) -> tuple[str, Any]:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self._resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag in _CONSTRUCTED_TAGS:
            node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark)
            return tag, self._constructor.yaml_constructors[tag](self._constructor, node)
        return tag, event.value

    def _key(self, parent: _Open, event: Any, line: int) -> None:
        parent.key_line = line
        parent.size += 1
        if isinstance(event, yaml.ScalarEvent):
            tag = event.tag if event.tag not in (None, "!") else self._resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
            if tag == "tag:yaml.org,2002:merge":
                parent.key = _MERGE
                return
            if tag in _CONSTRUCTED_TAGS:
                self._note(f"{tag.rsplit(':', 1)[1]} mapping key read as a string", line, parent.pointer + "/" + event.value)
            parent.key = str(event.value)
            return
        if isinstance(event, yaml.AliasEvent):
            anchored = self._anchors.get(event.anchor)
            if isinstance(anchored, tuple) and not isinstance(anchored[0], (dict, list)):
                parent.key = str(anchored[0])
                return
        raise SpecError([Diagnostic(self.name, line, parent.pointer, Level.ERROR, "a mapping key is not a plain value")])

    def _child_pointer(self, parent: _Open | None) -> str:
        if parent is None:
            return ""
        if isinstance(parent.value, list):
            return f"{parent.pointer}/{len(parent.value)}"
        if parent.key == _MERGE:
            return parent.pointer
        return parent.pointer + "/" + str(parent.key).replace("~", "~0").replace("/", "~1")

    def _attach(self, parent: _Open, value: Any, size: int, depth: int, line: int, pointer: str) -> None:
        parent.size += size
        parent.depth = max(parent.depth, depth + 1)
        self._check(parent.size, parent.depth, parent.line)
        if isinstance(parent.value, list):
            parent.value.append(value)
            return
        key, parent.key = parent.key, None
        if key == _MERGE:
            for source in value if isinstance(value, list) else [value]:
                if isinstance(source, dict):
                    for k, v in source.items():
                        parent.value.setdefault(k, v)
            return
        assert key is not None
        if key in parent.value:
            self._note("duplicate mapping key; the last value is used", parent.key_line, pointer)
        parent.value[key] = value

    def _check(self, size: int, depth: int, line: int) -> None:
        if size > MAX_NODES:
            raise SpecError([Diagnostic(self.name, line, "", Level.ERROR, f"the document expands to more than {MAX_NODES} nodes (YAML alias bomb?)")])
        if depth > MAX_DEPTH:
            raise SpecError([Diagnostic(self.name, line, "", Level.ERROR, f"the document nests deeper than {MAX_DEPTH} levels")])

    def _note(self, kind: str, line: int, pointer: str) -> None:
        self.key_repairs.setdefault(kind, []).append((line, pointer))

    def repairs(self) -> list[Diagnostic]:
        found = []
        for kind, places in self.key_repairs.items():
            line, pointer = places[0]
            more = f" ({len(places)} places, the first here)" if len(places) > 1 else ""
            found.append(Diagnostic(self.name, line, pointer, Level.WARNING, kind + more))
        return found


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


# --------------------------------------------------------------------------- which $refs are refs

#: Keys whose value is data, not spec structure: a ``$ref`` inside is text, never followed.
#: (``value`` is an Example Object's; extensions, ``x-...``, are data too.)
_DATA_KEYS = frozenset({"example", "default", "enum", "const", "value"})
#: Keys whose value maps names the spec's author chose to objects: there a key such as ``$ref``,
#: ``example`` or ``x-id`` is a name (a property called ``x-id`` is a schema, its refs are refs).
_NAME_MAPS = frozenset(
    {
        "properties", "patternProperties", "definitions", "$defs", "dependentSchemas", "parameters", "responses",
        "headers", "securityDefinitions", "schemas", "requestBodies", "securitySchemes", "links", "callbacks",
        "pathItems", "content", "encoding", "webhooks", "paths", "variables", "examples",
    }
)  # fmt: skip
#: Name maps whose ``x-`` keys are still extensions (the Paths and Responses objects).
_EXTENSIBLE_NAME_MAPS = frozenset({"paths", "responses"})
_OBJECT, _NAMES, _EXTENSIBLE_NAMES, _DATA = range(4)


def _child_place(place: int, key: str, child: Any, swagger2: bool) -> int:
    """What the value at ``key`` of a mapping read as ``place`` is."""
    if place == _DATA or (place == _EXTENSIBLE_NAMES and key.startswith("x-")):
        return _DATA
    if place != _OBJECT:
        return _OBJECT
    if key.startswith("x-") or key in _DATA_KEYS:
        return _DATA
    if key == "examples" and (swagger2 or not isinstance(child, dict)):
        return _DATA  # Swagger 2.0 response examples and 3.1 schema examples are values
    if key in _NAME_MAPS and isinstance(child, dict):
        return _EXTENSIBLE_NAMES if key in _EXTENSIBLE_NAME_MAPS else _NAMES
    return _OBJECT


def _mappings(document: Any, swagger2: bool) -> Iterator[tuple[str, dict[str, Any], int, Any, Any]]:
    """Every mapping of ``document`` as ``(pointer, mapping, place, parent, key in parent)``,
    where place says how its keys read: keywords of a spec object, names, or data."""
    stack: list[tuple[Any, str, int, Any, Any]] = [(document, "", _OBJECT, None, None)]
    while stack:
        value, pointer, place, parent, key = stack.pop()
        if isinstance(value, list):
            item_place = _DATA if place == _DATA else _OBJECT
            items = [(item, f"{pointer}/{i}", item_place, value, i) for i, item in enumerate(value) if isinstance(item, (dict, list))]
            stack.extend(reversed(items))  # in document order
            continue
        yield pointer, value, place, parent, key
        children = [
            (child, pointer_of_child(pointer, child_key), _child_place(place, child_key, child, swagger2), value, child_key)
            for child_key, child in value.items()
            if isinstance(child, (dict, list)) and not (child_key == "$ref" and place == _OBJECT)
        ]
        stack.extend(reversed(children))


def _is_ref(mapping: dict[str, Any], place: int) -> bool:
    return place == _OBJECT and isinstance(mapping.get("$ref"), str)


def iter_refs(node: Any, pointer: str = "", swagger2: bool = False) -> Iterator[tuple[str, str]]:
    """Yield ``(pointer, ref)`` for every ``$ref`` that is a reference: a string in a spec object
    or schema; not one in data (examples, defaults, enums, extensions) nor a name (a property
    called ``$ref``)."""
    for where, mapping, place, _, _ in _mappings(node, swagger2):
        if _is_ref(mapping, place):
            yield pointer + where + "/$ref", mapping["$ref"]


class _Held:
    """Stands in, while prance resolves, for a mapping whose ``$ref`` key is not a reference,
    so that prance never sees it; a leaf to prance, and the same object when copied."""

    def __init__(self, value: dict[str, Any]):
        self.value = value

    def __deepcopy__(self, memo: Any) -> _Held:
        return self


def _hide_data_refs(document: dict[str, Any], swagger2: bool) -> None:
    """Replace, in place, every mapping that holds a ``$ref`` key that is not a reference (see
    ``iter_refs``) by a ``_Held``."""
    hidden = [(parent, key, mapping) for _, mapping, place, parent, key in _mappings(document, swagger2) if "$ref" in mapping and not _is_ref(mapping, place) and parent is not None]
    for parent, key, mapping in hidden:
        parent[key] = _Held(mapping)


def _show_data_refs(document: Any) -> None:
    """Put back, in place, what ``_hide_data_refs`` held (prance shares subtrees: each is visited once)."""
    seen: set[int] = set()
    stack = [document]
    while stack:
        container = stack.pop()
        if id(container) in seen:
            continue
        seen.add(id(container))
        keys = container.keys() if isinstance(container, dict) else range(len(container))
        for key in keys:
            child = container[key]
            if isinstance(child, _Held):
                child = container[key] = child.value  # it may hold mappings hidden in turn
            if isinstance(child, (dict, list)):
                stack.append(child)


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
    files = _gather_files(spec, options)
    if len(files) > 1 or spec.follows_remote_refs:
        _resolve_external_refs(spec, files, options)
    _note_broken_local_refs(spec, options)


def _note_broken_local_refs(spec: LoadedSpec, options: LoadOptions) -> None:
    broken: set[str] = set()
    level = Level.ERROR if options.strict else Level.WARNING
    for pointer, ref in iter_refs(spec.document, swagger2=spec.version == "swagger2"):
        if ref.startswith("#") and not resolve_pointer(spec.document, ref[1:])[0]:
            broken.add(ref)
            spec.diagnostics.append(spec.diag(level, pointer, f"broken $ref {ref!r}: no such target; treated as any value"))
    spec.broken_refs = frozenset(broken)


def _refusal(target: str, referrer_dir: Path, root: Path, options: LoadOptions) -> tuple[str | None, Path | None]:
    """Why a ref to another file may not be followed (or None when it may), and the file it
    names (None for an allowed remote ref)."""
    if any(ord(char) < 32 or char == "\x7f" for char in target):
        return "the path holds a control character (such as NUL)", None
    remote = bool(_SCHEME.match(target)) and not re.match(r"^[A-Za-z]:[\\/]", target)
    if remote:
        if options.allow_remote_refs and target.lower().startswith(("http://", "https://")):
            return None, None
        return "remote references are not followed (use --allow-remote-refs for http(s) refs)", None
    if os.path.isabs(target) or target.startswith("\\"):
        return "absolute paths are not followed", None
    try:
        resolved = (referrer_dir / target).resolve()
    except (OSError, RuntimeError, ValueError) as exc:  # a symlink loop, a name too long, an unencodable name
        return f"the path cannot be followed: {getattr(exc, 'strerror', None) or exc}", None
    if not resolved.is_relative_to(root):
        return "it points outside the spec's folder", None
    return None, resolved


@dataclass
class _File:
    """A file the spec refers to (or the spec itself), read and parsed by this module."""

    path: Path  # resolved
    display_name: str
    document: dict[str, Any]
    source_map: SourceMap

    def diag(self, pointer: str, message: str) -> Diagnostic:
        return Diagnostic(self.display_name, self.source_map.line(pointer), pointer, Level.ERROR, message)


def _gather_files(spec: LoadedSpec, options: LoadOptions) -> dict[Path, _File]:
    """Read and check every file the spec refers to, transitively, one at a time (a chain of
    10,000 files is a loop, not a recursion): each ref to a file must pass ``_refusal``, the file
    must be readable by ``read_bounded``, all of them together within the size limit, and the
    part a ref names must exist. Every problem is a located error at the ref."""
    try:
        root = spec.path.resolve()
    except (OSError, RuntimeError) as exc:
        raise SpecError([spec.diag(Level.ERROR, "", f"cannot read: {exc}")]) from None
    swagger2 = spec.version == "swagger2"
    files = {root: _File(root, spec.display_name, spec.document, spec.source_map)}
    queue = deque([files[root]])
    budget = options.max_bytes - len(spec.raw)
    errors: list[Diagnostic] = []
    while queue:
        current = queue.popleft()
        for pointer, ref in iter_refs(current.document, swagger2=swagger2):
            target, _, fragment = ref.partition("#")
            if not target:
                continue
            refusal, path = _refusal(target, current.path.parent, root.parent, options)
            if refusal:
                errors.append(current.diag(pointer, f"$ref {ref!r} refused: {refusal}"))
                continue
            if path is None:
                spec.follows_remote_refs = True  # an allowed remote ref: the user opted in
                continue
            if path not in files:
                try:
                    raw = read_bounded(path, options.max_bytes)
                except Unreadable as exc:
                    errors.append(current.diag(pointer, f"$ref {ref!r}: {exc}"))
                    continue
                budget -= len(raw)
                if budget < 0:
                    limit = _megabytes(options.max_bytes)
                    errors.append(current.diag(pointer, f"$ref {ref!r}: refused: with the files read before it, the spec is over the {limit} limit (setting max_spec_mb)"))
                    queue.clear()
                    break
                files[path] = _read_referenced(path, raw, spec, root.parent, current.diag(pointer, f"$ref {ref!r}: the file it names is not a usable spec part"))
                queue.append(files[path])
            if not resolve_pointer(files[path].document, fragment)[0]:
                errors.append(current.diag(pointer, f"$ref {ref!r} leads nowhere: {files[path].display_name} has no {fragment!r}"))
    if errors:
        raise SpecError(errors + spec.diagnostics)
    spec.referenced_files = tuple(sorted(path for path in files if path != root))
    return files


def _read_referenced(path: Path, raw: bytes, spec: LoadedSpec, folder: Path, context: Diagnostic) -> _File:
    """Parse a referenced file, shown by its path next to the spec's (as the user named it)."""
    display_name = os.path.join(os.path.dirname(spec.display_name), os.path.relpath(path, folder))
    try:
        document, source_map, repairs = parse_document(raw, display_name)
    except SpecError as error:
        raise SpecError([context, *error.diagnostics]) from None
    spec.diagnostics.extend(repairs)
    return _File(path, display_name, document, source_map)


def _resolve_external_refs(spec: LoadedSpec, files: dict[Path, _File], options: LoadOptions) -> None:
    """Inline refs to other files with prance; refs inside the root document keep their names.

    prance reads nothing itself: every file it asks for must be one of ``files`` (read and
    checked by ``_gather_files``), else resolution stops with an error; http(s) documents (only
    with ``allow_remote_refs``) are fetched by prance and get their data refs hidden too."""
    from prance.util import path as prance_path, resolver, url as prance_url

    swagger2 = spec.version == "swagger2"
    for file in files.values():
        _hide_data_refs(file.document, swagger2)
    root = spec.path.resolve()
    root_url_path = urlparse(root.as_uri()).path
    remote: dict[str, Any] = {}
    by_name = {str(path): file for path, file in files.items()}

    class FileRefResolver(resolver.RefResolver):  # type: ignore[misc]
        """Resolves refs into other files, and refs inside those files to their own content;
        leaves refs inside the root document alone, since their names become class names."""

        def _skip_reference(self, base_url: Any, ref_url: Any) -> bool:
            if ref_url.scheme == "file" and ref_url.path == root_url_path:
                return True
            return bool(super()._skip_reference(base_url, ref_url))

        def _fetch_ref_value(self, ref_url: Any, obj_path: list[str]) -> Any:
            return prance_path.path_get(_document_at(ref_url), obj_path)

    def _document_at(ref_url: Any) -> Any:
        if ref_url.scheme in ("http", "https") and options.allow_remote_refs:
            key = prance_url.urlresource(ref_url)
            if key not in remote:
                remote[key] = prance_url.fetch_url(ref_url, {}, None, False)
                _hide_data_refs(remote[key], swagger2)
            return remote[key]
        vetted = None
        if ref_url.scheme == "file":
            vetted = by_name.get(ref_url.path) or files.get(Path(ref_url.path).resolve())
        if vetted is None:
            raise _NotVetted(prance_url.urlresource(ref_url))
        return vetted.document

    resolve_types = resolver.RESOLVE_FILES | resolver.RESOLVE_INTERNAL | (resolver.RESOLVE_HTTP if options.allow_remote_refs else 0)
    ref_resolver = FileRefResolver(
        spec.document,
        root.as_uri(),
        resolve_types=resolve_types,
        strict=False,
        recursion_limit_handler=resolver.keep_ref_on_recursion,
    )
    try:
        ref_resolver.resolve_references()
    except _NotVetted as exc:
        raise SpecError([spec.diag(Level.ERROR, "", f"refused to read {exc}: only checked files inside the spec's folder are read")]) from None
    except Exception as exc:  # prance reports unresolvable refs in several ways
        raise SpecError([spec.diag(Level.ERROR, "", f"cannot resolve a $ref to another file: {type(exc).__name__}: {exc}")]) from None
    document = ref_resolver.specs
    _show_data_refs(document)
    _check_inlined_size(spec, document, files[root].document, swagger2)
    spec.document = document


class _NotVetted(Exception):
    """prance asked for a file that ``_gather_files`` did not check (it never should)."""


def _check_inlined_size(spec: LoadedSpec, document: dict[str, Any], original: dict[str, Any], swagger2: bool) -> None:
    """Refuse a document that, with other files inlined, nests deeper than MAX_DEPTH or expands
    to more than MAX_NODES (files referring to files several times each), located at the first
    ref in the spec that brings it in. Shared subtrees are measured once, so this is linear."""
    depths: dict[int, int] = {}
    sizes: dict[int, int] = {}
    _measure(document, depths, sizes)
    if depths[id(document)] <= MAX_DEPTH and sizes[id(document)] <= MAX_NODES:
        return
    for pointer, ref in iter_refs(original, swagger2=swagger2):
        site = pointer.rsplit("/", 1)[0]
        found, value = resolve_pointer(document, site)
        if not ref.startswith("#") and found and isinstance(value, (dict, list)):
            if site.count("/") + depths[id(value)] > MAX_DEPTH:
                raise SpecError([spec.diag(Level.ERROR, pointer, f"$ref {ref!r}: with the files it brings in, the document nests deeper than {MAX_DEPTH} levels")])
            if sizes[id(value)] > MAX_NODES:
                raise SpecError([spec.diag(Level.ERROR, pointer, f"$ref {ref!r}: the files it brings in expand to more than {MAX_NODES} nodes")])
    raise SpecError([spec.diag(Level.ERROR, "", f"with the files it refers to inlined, the document nests deeper than {MAX_DEPTH} levels or expands to more than {MAX_NODES} nodes")])


def _measure(document: Any, depths: dict[int, int], sizes: dict[int, int]) -> None:
    """The depth and the expanded size of every container under ``document``, by ``id``: an
    iterative post-order walk that visits each shared container once."""
    stack: list[tuple[Any, bool]] = [(document, False)]
    pending: set[int] = set()
    while stack:
        value, children_done = stack.pop()
        children = [c for c in (value.values() if isinstance(value, dict) else value) if isinstance(c, (dict, list))]
        if not children_done:
            if id(value) not in depths and id(value) not in pending:
                pending.add(id(value))
                stack.append((value, True))
                stack.extend((child, False) for child in children if id(child) not in depths)
            continue
        depths[id(value)] = 1 + max((depths.get(id(c), 0) for c in children), default=0)
        sizes[id(value)] = 1 + len(value) + sum(sizes.get(id(c), 0) for c in children)
