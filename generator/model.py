"""The intermediate model: what every template needs, decided once, independent of spec version.

Frozen dataclasses only; what they derive is computed once (``cached_property``), since
templates ask for the same annotation many times. Names here are already safe identifiers (made
by ``names``); the original spec text travels beside them (``wire_name``, ``operation_id``,
descriptions) and reaches generated files only through the render filters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Iterable, Literal

from . import names
from .diagnostics import Diagnostic
from .pysource import literal

Location = Literal["path", "query", "header", "cookie"]
Encoding = Literal["json", "form", "multipart", "binary", "text"]
AuthKind = Literal["apiKey", "basic", "bearer"]
Kind = Literal["string", "integer", "number", "boolean", "array", "map", "model", "enum", "union", "any"]
#: What a response's body is read as: decoded JSON, text, bytes, nothing, or a stream of events.
ResponseKind = Literal["json", "text", "binary", "empty", "event-stream"]
#: Statuses whose responses never carry content (RFC 9110).
NO_CONTENT_STATUSES = frozenset({"204", "205", "304"})
PaginationKind = Literal["cursor", "next_link", "link_header"]
#: A path to a value inside a decoded response: (Python attribute, wire name) per step.
FieldPath = tuple[tuple[str, str], ...]

_PRIMITIVE_ANNOTATIONS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "any": "Any"}
#: The Python type of a string format (and of ``number`` with ``format: decimal``). ``byte`` is
#: base64 text on the wire, ``binary`` raw bytes; both are ``bytes`` to the user.
_FORMAT_TYPES = {
    "date": "datetime.date",
    "date-time": "datetime.datetime",
    "uuid": "uuid.UUID",
    "decimal": "decimal.Decimal",
    "byte": "bytes",
    "binary": "bytes",
}


@dataclass(frozen=True)
class Constraints:
    """What a schema demands of a value beyond its type (JSON Schema validation keywords), read
    once by the normalizer: the server enforces them, the mock's data respects them, the docs
    print them. Bounds are JSON numbers; ``pattern`` is the spec's ECMA-262 text, checked to
    compile. A keyword of the wrong JSON type in the spec is left out (with a warning)."""

    minimum: int | float | None = None
    maximum: int | float | None = None
    exclusive_minimum: bool = False  # ``minimum`` itself is not allowed
    exclusive_maximum: bool = False
    multiple_of: int | float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    min_items: int | None = None
    max_items: int | None = None
    unique_items: bool = False
    min_properties: int | None = None
    max_properties: int | None = None

    def __bool__(self) -> bool:
        return self != NO_CONSTRAINTS

    @property
    def json_schema(self) -> dict[str, Any]:
        """The keywords in OpenAPI 3.0's dialect (``exclusiveMinimum`` as a boolean)."""
        schema: dict[str, Any] = {}
        for attribute, keyword in _CONSTRAINT_KEYWORDS:
            value = getattr(self, attribute)
            if value is not None and value is not False:
                schema[keyword] = value
        return schema


#: (Constraints attribute, JSON Schema keyword), in the order schemas print them.
_CONSTRAINT_KEYWORDS = (
    ("minimum", "minimum"),
    ("exclusive_minimum", "exclusiveMinimum"),
    ("maximum", "maximum"),
    ("exclusive_maximum", "exclusiveMaximum"),
    ("multiple_of", "multipleOf"),
    ("min_length", "minLength"),
    ("max_length", "maxLength"),
    ("pattern", "pattern"),
    ("min_items", "minItems"),
    ("max_items", "maxItems"),
    ("unique_items", "uniqueItems"),
    ("min_properties", "minProperties"),
    ("max_properties", "maxProperties"),
)
NO_CONSTRAINTS = Constraints()


@dataclass(frozen=True)
class TypeInfo:
    """The type of one value: a parameter, a field, a body or a response."""

    kind: Kind
    format: str | None = None
    items: TypeInfo | None = None  # array items, map values
    model: str | None = None  # class name, for kind "model"
    enum_values: tuple[str | int | float | bool, ...] = ()
    nullable: bool = False
    variants: tuple[TypeInfo, ...] = ()  # union members
    alias: str | None = None  # an enum's name in the models module (see ``NamedEnum``)
    constraints: Constraints = NO_CONSTRAINTS

    @cached_property
    def annotation(self) -> str:
        """The annotation inside ``models.py``, where model classes are in scope by bare name."""
        return self._annotation("")

    @cached_property
    def qualified(self) -> str:
        """The annotation in any other module, which imports the models module as ``models``."""
        return self._annotation("models.")

    @cached_property
    def expanded(self) -> str:
        """The annotation with every enum spelled out as its ``Literal`` values, for readers."""
        return self._annotation("", expand=True)

    @cached_property
    def server_annotation(self) -> str:
        """The annotation inside the server's ``models.py``: pydantic reads base64 text as bytes."""
        return self._annotation("", server=True)

    @cached_property
    def server_qualified(self) -> str:
        """The annotation in the server's other modules."""
        return self._annotation("models.", server=True)

    def _annotation(self, prefix: str, expand: bool = False, server: bool = False) -> str:
        members = self._members(prefix, expand, server)
        if "Any" in members:
            return "Any"
        non_null = [m for m in members if m != "None"]
        return " | ".join(non_null + ["None"] * (len(non_null) < len(members)))

    def _members(self, prefix: str, expand: bool, server: bool) -> list[str]:
        """The members of the annotation's union, each once (``None`` among them when nullable)."""
        if self.kind == "union":
            members = [m for v in self.variants for m in v._members(prefix, expand, server)]
        else:
            members = [self._base(prefix, expand, server)]
        return list(dict.fromkeys(members + ["None"] * self.nullable))

    def _base(self, prefix: str, expand: bool, server: bool) -> str:
        if self.kind in ("array", "map"):
            inner = self.items._annotation(prefix, expand, server) if self.items else "Any"
            return f"list[{inner}]" if self.kind == "array" else f"dict[str, {inner}]"
        if self.kind == "model":
            return f"{prefix}{self.model}"
        if self.kind == "enum":
            return f"{prefix}{self.alias}" if self.alias and not expand else literal_annotation(self.enum_values)
        typed = self.server_python_type if server else self.python_type
        if typed == "bytes" and server and self.format == "byte":
            return "Base64Bytes"
        return typed or _PRIMITIVE_ANNOTATIONS[self.kind]

    @cached_property
    def python_type(self) -> str | None:
        """The Python type a string or number of this format is read as (None: the JSON value)."""
        if self.kind == "string" or (self.kind == "number" and self.format == "decimal"):
            return _FORMAT_TYPES.get(self.format or "")
        return None

    @cached_property
    def server_python_type(self) -> str | None:
        """``python_type`` on the server, but for a JSON number of format decimal: pydantic would
        write a ``Decimal`` as a JSON string, so the server keeps it a ``float``."""
        return None if self.kind == "number" else self.python_type

    @cached_property
    def imports(self) -> frozenset[str]:
        """What the client's annotation names that a module must import: ``datetime``,
        ``decimal``, ``uuid``."""
        return self._imports(server=False)

    @cached_property
    def server_imports(self) -> frozenset[str]:
        """The same for the server's annotation, pydantic's ``Base64Bytes`` among them."""
        return self._imports(server=True)

    def _imports(self, server: bool) -> frozenset[str]:
        typed = self.server_python_type if server else self.python_type
        found = {typed.split(".")[0]} if typed and "." in typed else set()
        if server and typed == "bytes" and self.format == "byte":
            found.add(BASE64_BYTES)
        for inner in (self.items, *self.variants):
            if inner is not None:
                found |= inner._imports(server)
        return frozenset(found)

    @cached_property
    def decimal_text(self) -> bool:
        """Whether decimals of this type are strings on the wire (``type: string, format:
        decimal``), not JSON numbers."""
        if self.kind == "string" and self.format == "decimal":
            return True
        return any(inner.decimal_text for inner in (self.items, *self.variants) if inner is not None)

    @cached_property
    def decoded(self) -> bool:
        """Whether the client turns the JSON data into other values (models, dates, bytes...)."""
        if self.kind == "model" or self.python_type is not None:
            return True
        return any(inner.decoded for inner in (self.items, *self.variants) if inner is not None)

    @cached_property
    def scalar(self) -> bool:
        """One plain value (what a query string or header carries without encoding)."""
        if self.kind == "union":
            return all(v.scalar for v in self.variants)
        return self.kind in ("string", "integer", "number", "boolean", "enum")

    @property
    def json_schema(self) -> dict[str, Any]:
        """A JSON Schema (OpenAPI 3.0 dialect) for this type, refs pointing at components."""
        schema = self._base_schema()
        if self.kind != "model":
            schema.update(self.constraints.json_schema)
        if self.nullable:
            schema["nullable"] = True
        return schema

    def _base_schema(self) -> dict[str, Any]:
        if self.kind in ("array", "map"):
            inner = self.items.json_schema if self.items else {}
            return {"type": "array", "items": inner} if self.kind == "array" else {"type": "object", "additionalProperties": inner}
        if self.kind == "model":
            return {"$ref": f"#/components/schemas/{self.model}"}
        if self.kind == "enum":
            return {"enum": list(self.enum_values)}
        if self.kind == "union":
            return {"anyOf": [v.json_schema for v in self.variants]}
        if self.kind == "any":
            return {}
        schema: dict[str, Any] = {"type": self.kind}
        if self.format:
            schema["format"] = self.format
        return schema


ANY = TypeInfo("any")
BASE64_BYTES = "Base64Bytes"


def client_modules(types: Iterable[TypeInfo | None]) -> list[str]:
    """The standard modules that annotations of ``types`` name, for ``import`` lines."""
    return sorted({name for t in types if t is not None for name in t.imports})


def server_imports(types: Iterable[TypeInfo | None]) -> tuple[list[str], bool]:
    """The standard modules the server's annotations of ``types`` name, and whether they name
    pydantic's ``Base64Bytes``."""
    found = {name for t in types if t is not None for name in t.server_imports}
    return sorted(found - {BASE64_BYTES}), BASE64_BYTES in found


def literal_annotation(values: tuple[str | int | float | bool, ...]) -> str:
    return "Literal[" + ", ".join(literal(v) for v in values) + "]"


@dataclass(frozen=True)
class NamedEnum:
    """An enum the models module names (``Status = Literal["active", "closed"]``), so that
    annotations stay short and users can name the type."""

    name: str
    values: tuple[str | int | bool, ...]


def _union(annotations: list[str]) -> str:
    """One annotation for several responses: Any absorbs the rest; an event stream stands alone."""
    if not annotations or "Any" in annotations:
        return "Any"
    if "EventStream" in annotations:
        return "EventStream"
    members = list(dict.fromkeys(a for a in annotations if a != "None"))
    if "None" in annotations and not any(a.endswith("| None") for a in members):
        members.append("None")
    return " | ".join(members)


def _optional(annotation: str, required: bool) -> str:
    if required or annotation == "Any" or annotation.endswith("| None"):
        return annotation
    return f"{annotation} | None"


@dataclass(frozen=True)
class Parameter:
    wire_name: str
    py_name: str
    location: Location
    type: TypeInfo
    required: bool
    description: str
    style: str  # form, simple, spaceDelimited, pipeDelimited, tsv...
    explode: bool
    example: Any  # a JSON value, for docs and mocks
    default: Any = None

    @cached_property
    def argument_annotation(self) -> str:
        """The keyword argument's annotation: optional arguments also take None (not sent)."""
        return _optional(self.type.qualified, self.required)

    @cached_property
    def server_argument_annotation(self) -> str:
        """The handler's argument annotation (see ``TypeInfo.server_annotation``)."""
        return _optional(self.type.server_qualified, self.required)

    @cached_property
    def python_default(self) -> str:
        """The default in generated signatures and models: None when optional, none ("") when required."""
        return "" if self.required else "None"

    @cached_property
    def server_parse(self) -> Literal["plain", "split", "json", "deep"]:
        """How the server reads it: FastAPI as is; split from one string; JSON; deepObject keys."""
        if self.style == "json":
            return "json"
        if self.type.kind in ("model", "map"):
            return "deep" if self.location == "query" and self.style == "deepObject" else "json"
        if self.type.kind == "array":
            scalar_items = self.type.items is not None and self.type.items.scalar
            exploded = self.location == "query" and self.style == "form" and self.explode
            return "plain" if exploded and scalar_items else "split"
        if self.type.kind == "enum" and not all(isinstance(v, str) for v in self.type.enum_values):
            return "json"  # ``Literal[500]``, ``Literal[False, True]`` match no query text: read "500" as JSON
        return "plain" if self.type.scalar or self.type.kind == "any" else "json"

    @cached_property
    def server_annotation(self) -> str:
        """What FastAPI reads: the real type, or the raw string the server then parses."""
        if self.server_parse == "plain" and self.type.kind != "any":
            return self.server_argument_annotation
        return _optional("str", self.required)

    @cached_property
    def delimiter(self) -> str:
        return {"spaceDelimited": " ", "pipeDelimited": "|", "tabDelimited": "\t"}.get(self.style, ",")

    @cached_property
    def fastapi_marker(self) -> str:
        """The FastAPI parameter class that reads this parameter from a request."""
        return {"path": "Path", "query": "Query", "header": "Header", "cookie": "Cookie"}[self.location]

    @cached_property
    def fastapi_reader(self) -> str:
        """The marker as written in an ``Annotated`` parameter: ``Query(alias="petId")``."""
        alias = "" if self.location == "path" else f"alias={literal(self.wire_name)}"
        return f"{self.fastapi_marker}({alias})"


@dataclass(frozen=True)
class Body:
    py_name: str
    content_type: str
    type: TypeInfo
    required: bool
    description: str
    example: Any

    @cached_property
    def argument_annotation(self) -> str:
        return _optional(self.type.qualified, self.required)

    @cached_property
    def server_argument_annotation(self) -> str:
        return _optional(self.type.server_qualified, self.required)

    @cached_property
    def python_default(self) -> str:
        """The default in generated signatures and models: None when optional, none ("") when required."""
        return "" if self.required else "None"

    @cached_property
    def encoding(self) -> Encoding:
        """How the body goes on the wire, from its media type."""
        lowered = self.content_type.lower()
        if "json" in lowered:
            return "json"
        if "x-www-form-urlencoded" in lowered:
            return "form"
        if "multipart/" in lowered:
            return "multipart"
        if lowered.startswith("text/") or "xml" in lowered:
            return "text"
        return "binary"


@dataclass(frozen=True)
class ResponseHeader:
    """A header the spec declares for a response, which the client decodes to its type."""

    wire_name: str
    type: TypeInfo
    description: str

    @cached_property
    def wire_type(self) -> str:
        """How the client's runtime reads the header's text: ``integer``, ``array:date-time``..."""
        return _header_type(self.type)


def _header_type(type_: TypeInfo) -> str:
    if type_.kind == "array":
        return "array:" + (_header_type(type_.items) if type_.items else "string")
    if type_.kind == "string" and type_.format in ("date-time", "date"):
        return type_.format
    return type_.kind if type_.kind in ("integer", "number", "boolean") else "string"


@dataclass(frozen=True)
class Response:
    status: str  # "200", "4XX", "default"
    description: str
    type: TypeInfo | None  # None: no body described
    content_type: str | None
    example: Any
    headers: tuple[ResponseHeader, ...] = ()

    @cached_property
    def kind(self) -> ResponseKind:
        """How the body is read, from the media type; a status that carries no content is empty."""
        if self.type is None or self.content_type is None or self.status in NO_CONTENT_STATUSES:
            return "empty"
        lowered = self.content_type.lower()
        if lowered.startswith("text/event-stream"):
            return "event-stream"
        if "json" in lowered:
            return "json"
        if lowered.startswith("text/") or "xml" in lowered:
            return "text"
        if "*" in lowered and self.type.kind != "string":
            return "json"  # "*/*" with a structured schema: JSON in practice (Spring's specs)
        if "*" in lowered and self.type.format != "binary":
            return "text"
        return "binary"

    @cached_property
    def server_media_type(self) -> str | None:
        """The Content-Type the server sends: the declared one, but for a wildcard (``*/*``,
        ``text/*``), which no answer may carry, a concrete type of the body's kind."""
        if self.content_type is None:
            return None
        major, _, minor = self.content_type.split(";")[0].strip().partition("/")
        if not minor.startswith("*"):
            return self.content_type
        if major == "*":
            return {"json": "application/json", "text": "text/plain", "binary": "application/octet-stream"}.get(self.kind, self.content_type)
        return "text/plain" if major.lower() == "text" else self.content_type

    @cached_property
    def annotation(self) -> str:
        """What the client returns for this response."""
        return self._annotation(self.type.qualified if self.type else "Any")

    @cached_property
    def description_annotation(self) -> str:
        """The same for readers: enums spelled out."""
        return self._annotation(self.type._annotation("models.", expand=True) if self.type else "Any")

    def _annotation(self, json_annotation: str) -> str:
        return {"json": json_annotation, "text": "str", "binary": "bytes", "empty": "None"}.get(self.kind, "EventStream")


@dataclass(frozen=True)
class SecurityScheme:
    """One way to authenticate; the client takes a keyword argument for each."""

    name: str  # the scheme's key in the spec
    py_name: str  # the client's keyword argument
    kind: AuthKind  # apiKey; basic; bearer (also OAuth2 and OpenID Connect tokens)
    location: Literal["header", "query", "cookie"]
    param_name: str  # the header, query or cookie name that carries it
    description: str
    spec_type: str  # apiKey, http, oauth2, openIdConnect, basic (Swagger 2.0)

    @cached_property
    def argument_annotation(self) -> str:
        return "tuple[str, str] | None" if self.kind == "basic" else "str | None"

    @cached_property
    def auth_help(self) -> str:
        """What the client's keyword argument for this scheme takes."""
        if self.kind == "basic":
            what = "(username, password) for HTTP basic authentication"
        elif self.kind == "bearer":
            what = "a token, sent as ``Authorization: Bearer <token>``"
        else:
            what = f"an API key, sent in the {self.location} {self.param_name!r}"
        return f"{what} (scheme {self.name!r}). {self.description}".strip()


@dataclass(frozen=True)
class Example:
    """A ready-to-show call of an operation, for the docs."""

    curl: str
    python: str
    imports: tuple[str, ...] = ()  # the modules the Python call names (datetime, uuid, decimal)


@dataclass(frozen=True)
class Pagination:
    """How the client walks an operation's pages; found by ``generator/pagination.py``.

    ``cursor``: the response's next cursor goes back in the request argument ``cursor_argument``
    (a query parameter, or the field ``cursor_field`` of the JSON body). ``next_link``: the
    response holds the next page's URL. ``link_header``: the ``Link`` header's ``rel="next"`` does.
    """

    kind: PaginationKind
    method_name: str  # the iterator method: iter_list_pets
    item_type: TypeInfo
    items: FieldPath  # where the items are in the response; () when the response is the array
    arguments: tuple[Parameter, ...]  # the iterator's parameters: the operation's, less the cursor
    next: FieldPath = ()  # where the next cursor or link is in the response (cursor, next_link)
    cursor_argument: str | None = None
    cursor_field: tuple[str, str] | None = None  # (Python, wire) name of the body field

    @cached_property
    def item_annotation(self) -> str:
        return self.item_type.qualified

    @cached_property
    def how(self) -> str:
        """What leads to the next page, for readers."""
        return {"cursor": "the next cursor in the response", "next_link": "the next page's link in the response", "link_header": "the Link header"}[self.kind]


@dataclass(frozen=True)
class Operation:
    py_name: str
    operation_id: str
    method: str  # upper case
    path: str  # the path template as sent: /pets/{petId}
    server_path: str  # the same path with Python names: /pets/{pet_id}
    fixed_query: tuple[tuple[str, str], ...]
    fixed_headers: tuple[tuple[str, str], ...]  # from a path key fragment: /#X-Amz-Target=Foo
    group: str  # py name of the group
    summary: str
    description: str
    deprecated: bool
    parameters: tuple[Parameter, ...]
    body: Body | None
    responses: tuple[Response, ...]
    pointer: str
    retry_safe: bool
    security: tuple[tuple[SecurityScheme, ...], ...]  # alternatives, each needing all its schemes; () = none
    success: Response | None  # the response a mock server answers with
    example: Example
    anchor: str  # a stable id for docs links
    pagination: Pagination | None = None  # None: the client has no iterator for it

    @cached_property
    def fastapi_parameters(self) -> tuple[Parameter, ...]:
        """The parameters FastAPI reads itself (deepObject ones are read from the raw query)."""
        return tuple(p for p in self.parameters if p.server_parse != "deep")

    @cached_property
    def parsed_parameters(self) -> tuple[Parameter, ...]:
        """The parameters the server parses from raw text itself (see ``Parameter.server_parse``)."""
        return tuple(p for p in self.parameters if p.server_parse != "plain")

    @cached_property
    def json_body(self) -> Body | None:
        """The body when FastAPI reads and validates it as JSON."""
        return self.body if self.body is not None and self.body.encoding == "json" else None

    @cached_property
    def raw_body(self) -> Body | None:
        """The body when the server reads it from the raw request (forms, files, text)."""
        return self.body if self.body is not None and self.body.encoding != "json" else None

    @cached_property
    def success_status(self) -> int:
        """The status a handler's plain return value is sent with."""
        return int(self.success.status) if self.success and self.success.status.isdigit() else 200

    @cached_property
    def mock_body(self) -> Any:
        """What mock mode answers with: the success response's example, or no body."""
        return self.success.example if self.success and self.success.type else None

    @cached_property
    def success_responses(self) -> tuple[Response, ...]:
        """The responses a call may return: the 2xx ones (``default`` when there is none).

        A HEAD request's responses are empty whatever they declare.
        """
        found = tuple(r for r in self.responses if r.status.startswith("2"))
        found = found or tuple(r for r in self.responses if r.status == "default")
        if self.method == "HEAD":
            return tuple(replace(r, type=None, content_type=None) for r in found)
        return found

    @cached_property
    def success_kinds(self) -> dict[str, ResponseKind]:
        """Status -> how the client reads each success response (the Endpoint's ``success``)."""
        return {r.status: r.kind for r in self.success_responses}

    @cached_property
    def return_annotation(self) -> str:
        """What the sync method returns: the union of its success responses; Any when the spec
        declares none."""
        return _union([r.annotation for r in self.success_responses])

    @cached_property
    def async_return_annotation(self) -> str:
        """What the async method returns: an event stream is read asynchronously."""
        return self.return_annotation.replace("EventStream", "AsyncEventStream")

    @cached_property
    def return_description(self) -> str:
        """The return type for readers: enums spelled out."""
        return _union([r.description_annotation for r in self.success_responses])

    @cached_property
    def streams_events(self) -> bool:
        return "event-stream" in self.success_kinds.values()

    @cached_property
    def decoded_responses(self) -> tuple[Response, ...]:
        """JSON responses the client turns into model instances: successes, and errors (whose
        model becomes the error's ``body``)."""
        return tuple(r for r in self.responses if r.kind == "json" and r.type is not None and r.type.decoded)

    @cached_property
    def response_headers(self) -> tuple[ResponseHeader, ...]:
        """The headers declared for the first success response, which the client decodes."""
        return self.success_responses[0].headers if self.success_responses else ()

    @cached_property
    def argument_types(self) -> tuple[TypeInfo, ...]:
        """The types of the operation's arguments (parameters and body)."""
        return tuple(p.type for p in self.parameters) + ((self.body.type,) if self.body else ())

    @cached_property
    def types(self) -> tuple[TypeInfo | None, ...]:
        """Every type the operation's client signature and decoders name."""
        return self.argument_types + tuple(r.type for r in self.responses)

    @cached_property
    def fixed_query_string(self) -> str:
        return "&".join(f"{k}={v}" for k, v in self.fixed_query)

    @cached_property
    def dispatched(self) -> bool:
        """Whether this operation is told apart from others on its path by fixed values."""
        return bool(self.fixed_query or self.fixed_headers)

    @cached_property
    def dispatch_text(self) -> str:
        return ", ".join([self.fixed_query_string] * bool(self.fixed_query) + [f"{k}: {v}" for k, v in self.fixed_headers])

    @cached_property
    def display_path(self) -> str:
        return self.path + ("?" + self.fixed_query_string if self.fixed_query else "")


@dataclass(frozen=True)
class Group:
    """The operations of one tag: an attribute of the client and a handler interface of the server."""

    name: str  # the tag as written
    attr: str  # client attribute, module name
    class_stem: str  # IdentitiesApi / IdentitiesHandlers
    description: str
    operations: tuple[Operation, ...]

    @cached_property
    def anchor(self) -> str:
        return "group-" + self.attr.replace("_", "-").strip("-")

    @cached_property
    def annotations(self) -> str:
        """Every annotation and type expression the group's client module prints, one per line:
        what its imports are decided from (a module imports only what it uses)."""
        found: set[str] = set()
        for op in self.operations:
            found.update((op.return_annotation, op.async_return_annotation))
            found.update(p.argument_annotation for p in op.parameters)
            found.update([op.body.argument_annotation] if op.body else [])
            found.update(r.type.qualified for r in op.decoded_responses if r.type is not None)
            found.update([op.pagination.item_annotation] if op.pagination else [])
        return "\n".join(sorted(found))

    @cached_property
    def uses_any(self) -> bool:
        return re.search(r"\bAny\b", self.annotations) is not None

    @cached_property
    def uses_literal(self) -> bool:
        return "Literal[" in self.annotations

    @cached_property
    def uses_models(self) -> bool:
        return "models." in self.annotations

    @cached_property
    def has_parameters(self) -> bool:
        return any(op.parameters for op in self.operations)

    @cached_property
    def streams_events(self) -> bool:
        """Whether an operation returns a stream of server-sent events (its module imports them)."""
        return any(op.streams_events for op in self.operations)

    @cached_property
    def paginated(self) -> bool:
        """Whether an operation of the group has a page iterator (its module imports the runtime's)."""
        return any(op.pagination for op in self.operations)

    @cached_property
    def client_modules(self) -> list[str]:
        """The modules the group's client module must import for its annotations."""
        return client_modules(t for op in self.operations for t in op.types)

    @cached_property
    def decodes(self) -> bool:
        """Whether some response of the group is decoded (its module imports ``decoder_for``)."""
        return any(op.decoded_responses for op in self.operations)


@dataclass(frozen=True)
class Route:
    """Operations that share a method and path; they differ only in their fixed query."""

    method: str
    path: str
    server_path: str
    operations: tuple[Operation, ...]  # most specific fixed query first
    fallback: Operation | None  # the operation with no fixed query, if any
    dispatch_keys: tuple[str, ...]  # query names the fixed queries use
    dispatch_headers: tuple[str, ...]  # header names the fixed headers use

    @cached_property
    def all_operations(self) -> tuple[Operation, ...]:
        """In the order the server tries them: fixed queries first, the fallback last."""
        return self.operations + ((self.fallback,) if self.fallback else ())


@dataclass(frozen=True)
class ModelField:
    wire_name: str
    py_name: str
    type: TypeInfo
    required: bool  # as the spec says
    description: str
    read_only: bool = False  # sent by the server only: never in a request body
    write_only: bool = False  # sent by the client only: never in a response

    @cached_property
    def python_required(self) -> bool:
        """Whether the model class demands the field: a required field that only one side sends
        (readOnly, writeOnly) may be absent from the other side's bodies, so it is optional."""
        return self.required and not (self.read_only or self.write_only)

    @cached_property
    def annotation(self) -> str:
        """The field's annotation inside ``models.py``: optional fields also take None."""
        return _optional(self.type.annotation, self.python_required)

    @cached_property
    def server_required(self) -> bool:
        """Whether the server's model demands the field: the server validates requests only,
        which carry writeOnly fields but not readOnly ones."""
        return self.required and not self.read_only

    @cached_property
    def server_annotation(self) -> str:
        """The field's annotation inside the server's ``models.py``."""
        return _optional(self.type.server_annotation, self.server_required)

    @cached_property
    def server_default(self) -> str:
        return "" if self.server_required else "None"

    @cached_property
    def python_default(self) -> str:
        """The default in generated signatures and models: None when optional, none ("") when required."""
        return "" if self.python_required else "None"

    @cached_property
    def renamed(self) -> bool:
        """Whether the Python name differs from the name on the wire."""
        return self.py_name != self.wire_name


@dataclass(frozen=True)
class Model:
    name: str  # class name
    wire_name: str  # the definition's key in the spec
    description: str
    fields: tuple[ModelField, ...]
    example: Any
    closed: bool = False  # ``additionalProperties: false``: no properties but the listed ones
    constraints: Constraints = NO_CONSTRAINTS  # minProperties, maxProperties

    @cached_property
    def anchor(self) -> str:
        return "model-" + self.name

    @cached_property
    def renamed_fields(self) -> tuple[ModelField, ...]:
        return tuple(f for f in self.fields if f.renamed)

    @cached_property
    def read_only_fields(self) -> tuple[ModelField, ...]:
        """The fields the client leaves out of request bodies."""
        return tuple(f for f in self.fields if f.read_only)

    @cached_property
    def decimal_text_fields(self) -> tuple[ModelField, ...]:
        """The fields whose decimals the client writes as strings (see ``TypeInfo.decimal_text``)."""
        return tuple(f for f in self.fields if f.type.decimal_text)


@dataclass(frozen=True)
class Api:
    spec_name: str  # aws_cognito
    client_package: str  # aws_cognito_client
    server_package: str  # aws_cognito_server
    title: str
    version: str
    package_version: str  # the spec's version when it is a valid PEP 440 version, else 0.0.0
    description: str
    base_url: str  # the spec's server URL with its base path; "" when the spec names no host
    base_path: str  # the path every operation's path is under: "" or "/v1"
    groups: tuple[Group, ...]
    routes: tuple[Route, ...]
    models: tuple[Model, ...]
    enums: tuple[NamedEnum, ...] = ()
    security_schemes: tuple[SecurityScheme, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = field(default=())

    @cached_property
    def operations(self) -> tuple[Operation, ...]:
        return tuple(op for group in self.groups for op in group.operations)

    @cached_property
    def paginated_operations(self) -> tuple[Operation, ...]:
        """The operations the client has a page iterator for."""
        return tuple(op for op in self.operations if op.pagination)

    @cached_property
    def model_types(self) -> tuple[TypeInfo, ...]:
        return tuple(f.type for m in self.models for f in m.fields)

    @cached_property
    def models_use_literal(self) -> bool:
        """Whether the client's ``models.py`` names ``Literal`` (an enum, or a field's inline enum)."""
        return bool(self.enums) or any("Literal[" in f.annotation for m in self.models for f in m.fields)

    @cached_property
    def model_modules(self) -> list[str]:
        """The modules the client's ``models.py`` imports for its annotations."""
        return client_modules(self.model_types)

    @cached_property
    def server_model_imports(self) -> tuple[list[str], bool]:
        """What the server's ``models.py`` imports for its annotations (see ``server_imports``)."""
        return server_imports(self.model_types)

    @cached_property
    def server_imports(self) -> tuple[list[str], bool]:
        """What the server's ``app.py`` and ``handlers.py`` import for the operations' annotations."""
        return server_imports(t for op in self.operations for t in op.argument_types)

    @cached_property
    def client_distribution(self) -> str:
        return names.distribution_name(self.client_package)

    @cached_property
    def server_distribution(self) -> str:
        return names.distribution_name(self.server_package)
