"""Which operations return their results in pages, and how the client walks them.

Only conventions the spec makes unambiguous are recognised, in this order:

1. **cursor**: the success response (an object) has a field naming a next cursor
   (``next_cursor``, ``nextPageToken``, ``NextToken``, ``NextMarker``, ...) that matches exactly
   one optional request parameter, in the query or in the JSON body, by the same stem
   (``cursor``, ``page_token``, ``NextToken``, ``Marker``, ``start_cursor``...); or a
   ``continue`` (Kubernetes' ``metadata.continue``) and a ``continue`` parameter.
2. **next_link**: the response has a string field holding the next page's URL: ``next``,
   ``nextLink``, ``next_url``, ``@odata.nextLink``, or ``next`` inside ``links``/``paging``/...
3. **link_header**: the success response declares a ``Link`` header (RFC 8288, ``rel="next"``).

Each also needs exactly one array of items: the response itself (link header only) or exactly one
array field at the top of the response object. Two candidate cursors or links, two arrays, no
matching parameter: no iterator. Page or offset numbers are not recognised: nothing in a spec says
reliably when they end.
"""

from __future__ import annotations

import functools
from typing import Callable, Mapping, NamedTuple

from . import names
from .model import FieldPath, Model, ModelField, Operation, Pagination, PaginationKind, TypeInfo

#: The last word of a cursor's name, and the words that may stand before it.
_CURSOR_WORDS = {"cursor", "token", "marker"}
_CURSOR_QUALIFIERS = {"page", "continuation", "pagination"}
#: Words before a cursor stem in a request parameter's name: ``start_cursor``, ``NextToken``.
_REQUEST_PREFIXES = {"next", "start", "starting"}
#: Names a cursor has in both the request and the response (Kubernetes' ``continue``).
_CONTINUATIONS = {("continue",), ("continuation",), ("continuation", "token")}
#: Names of a field holding the next page's URL (as words), and of objects that hold ``next``.
_LINK_NAMES = {("next",), ("next", "link"), ("next", "url"), ("next", "href"), ("next", "page", "url"), ("next", "page", "link"), ("odata", "next", "link")}
_LINK_HOLDERS = {("links",), ("link",), ("paging",), ("pagination",), ("page", "info")}
#: A string in these formats is a link, never a cursor.
_URL_FORMATS = {"uri", "url", "uri-reference", "iri", "iri-reference"}


def detect(op: Operation, models: Mapping[str, Model], claim: Callable[[str], str]) -> Pagination | None:
    """How ``op``'s pages are walked, or None; ``claim`` names the iterator method."""
    response = op.success
    if response is None or response.type is None or not response.status.startswith("2"):
        return None
    fields = _fields(response.type, models)
    items = _items_field(fields)
    found = _cursor(op, fields, items, models)
    follows_links = op.method == "GET" and not _has_cursor_parameter(op, models)
    if found is None and follows_links:
        found = _next_link(fields, items, models)
    if found is None and follows_links and any(h.wire_name.lower() == "link" for h in response.headers):
        found = _link_header(response.type, items)
    if found is None:
        return None
    in_query = found.cursor_argument if found.cursor_field is None else None
    return Pagination(
        kind=found.kind,
        method_name=claim(names.snake("iter_" + op.py_name, "iter")),
        item_type=found.item_type,
        items=found.items,
        arguments=tuple(p for p in op.parameters if p.py_name != in_query),
        next=found.next,
        cursor_argument=found.cursor_argument,
        cursor_field=found.cursor_field,
    )


class _Found(NamedTuple):
    kind: PaginationKind
    items: FieldPath
    item_type: TypeInfo
    next: FieldPath = ()
    cursor_argument: str | None = None
    cursor_field: tuple[str, str] | None = None


def _fields(type_: TypeInfo, models: Mapping[str, Model]) -> tuple[ModelField, ...]:
    """The fields of an object type; none for anything else."""
    model = models.get(type_.model or "") if type_.kind == "model" else None
    return model.fields if model else ()


def _items_field(fields: tuple[ModelField, ...]) -> ModelField | None:
    """The one array field of a response object; None when there are none or several."""
    arrays = [f for f in fields if f.type.kind == "array"]
    return arrays[0] if len(arrays) == 1 else None


def _item_type(array: TypeInfo) -> TypeInfo:
    return array.items or TypeInfo("any")


@functools.lru_cache(maxsize=4096)
def _words(name: str) -> tuple[str, ...]:
    """A name's words; cached, since every list operation asks for the same field names again."""
    return tuple(names.words(name))


def _candidates(fields: tuple[ModelField, ...], items: ModelField, models: Mapping[str, Model]) -> list[tuple[FieldPath, ModelField]]:
    """Every field of the response object and of the objects it holds (one level down), but the items."""
    found: list[tuple[FieldPath, ModelField]] = []
    for f in fields:
        if f is items:
            continue
        found.append((_path(f), f))
        for inner in _fields(f.type, models):
            found.append((_path(f) + _path(inner), inner))
    return found


def _cursor_stem(words: tuple[str, ...]) -> tuple[str, ...] | None:
    """The words that name a cursor (``page token``, ``marker``), or None."""
    if 1 <= len(words) <= 2 and words[-1] in _CURSOR_WORDS and all(w in _CURSOR_QUALIFIERS for w in words[:-1]):
        return words
    return None


def _request_stem(words: tuple[str, ...]) -> tuple[str, ...] | None:
    """The cursor stem of a request parameter's name: ``start_cursor`` and ``cursor`` → cursor."""
    if words[:1] and words[0] in _REQUEST_PREFIXES and _cursor_stem(words[1:]):
        return words[1:]
    return _cursor_stem(words)


def _matches(response_name: str, request_name: str) -> bool:
    """Whether the response field's value goes back in the request parameter: a ``next...``
    field of the same name (``NextToken``) or cursor stem (``next_page_token`` and
    ``page_token``), a bare ``next`` and a cursor (``cursor``, ``page_token``), or the same
    continuation (``continue``)."""
    response, request = _words(response_name), _words(request_name)
    if response in _CONTINUATIONS:
        return response == request
    if response[:1] != ("next",):
        return False
    if response == ("next",):
        return request == response or _request_stem(request) is not None
    return response == request or (_cursor_stem(response[1:]) is not None and _cursor_stem(response[1:]) == _request_stem(request))


def _has_cursor_parameter(op: Operation, models: Mapping[str, Model]) -> bool:
    """Whether something in the request looks like a cursor (a parameter, a field of an object
    parameter or of the body): then a response's ``next`` is one too, not a URL, and when it
    matched no cursor the spec is ambiguous."""
    wire_names = [p.wire_name for p in op.parameters]
    for type_ in [p.type for p in op.parameters] + ([op.body.type] if op.body else []):
        wire_names.extend(f.wire_name for f in _fields(type_, models))
    return any(_words(wire) in _CONTINUATIONS | {("next",)} or _request_stem(_words(wire)) is not None for wire in wire_names)


def _request_slots(op: Operation, models: Mapping[str, Model]) -> list[tuple[str, str, tuple[str, str] | None]]:
    """Where a cursor may go: (wire name, argument, body field) of each optional query parameter
    and optional field of a JSON body object."""
    slots: list[tuple[str, str, tuple[str, str] | None]] = [
        (p.wire_name, p.py_name, None) for p in op.parameters if p.location == "query" and not p.required and p.type.scalar
    ]
    if op.body is not None and op.body.encoding == "json":
        for f in _fields(op.body.type, models):
            if not f.required and f.type.scalar:
                slots.append((f.wire_name, op.body.py_name, (f.py_name, f.wire_name)))
    return slots


def _cursor(op: Operation, fields: tuple[ModelField, ...], items: ModelField | None, models: Mapping[str, Model]) -> _Found | None:
    if items is None:
        return None
    slots = _request_slots(op, models)
    pairs = [
        (path, slot)
        for path, f in _candidates(fields, items, models)
        if f.type.scalar and f.type.format not in _URL_FORMATS
        for slot in slots
        if _matches(f.wire_name, slot[0])
    ]
    if len(pairs) != 1:
        return None
    path, (_, argument, body_field) = pairs[0]
    return _Found("cursor", _path(items), _item_type(items.type), path, argument, body_field)


def _next_link(fields: tuple[ModelField, ...], items: ModelField | None, models: Mapping[str, Model]) -> _Found | None:
    if items is None:
        return None
    links = [
        path
        for path, f in _candidates(fields, items, models)
        if _is_text(f.type) and _is_link_name(tuple(_words(wire) for _, wire in path))
    ]
    if len(links) != 1:
        return None
    return _Found("next_link", _path(items), _item_type(items.type), links[0])


def _is_text(type_: TypeInfo) -> bool:
    return type_.kind == "string" and type_.format != "binary"


def _is_link_name(path_words: tuple[tuple[str, ...], ...]) -> bool:
    if len(path_words) == 1:
        return path_words[0] in _LINK_NAMES
    return path_words[0] in _LINK_HOLDERS and path_words[1] in _LINK_NAMES


def _link_header(type_: TypeInfo, items: ModelField | None) -> _Found | None:
    if type_.kind == "array":
        return _Found("link_header", (), _item_type(type_))
    if items is not None:
        return _Found("link_header", _path(items), _item_type(items.type))
    return None


def _path(f: ModelField) -> FieldPath:
    return ((f.py_name, f.wire_name),)
