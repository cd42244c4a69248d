"""The intermediate model: what every template needs, decided once, independent of spec version.

Frozen dataclasses only; what they derive is computed once (``cached_property``), since
templates ask for the same annotation many times. Names here are already safe identifiers (made
by ``names``); the original spec text travels beside them (``wire_name``, ``operation_id``,
descriptions) and reaches generated files only through the render filters.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Iterable, Literal, Mapping, Sequence

from . import names
from .diagnostics import Diagnostic
from .pysource import literal

Location = Literal["path", "query", "header", "cookie"]
Encoding = Literal["json", "form", "multipart", "binary", "text"]
#: How the server reads a body FastAPI does not (see ``Body.server_reading``).
BodyReading = Literal["form", "multipart", "bytes", "text", "json-text"]
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

    @cached_property
    def rules(self) -> tuple[str, ...]:
        """The constraints as short phrases for readers (``≥ 1``, ``length ≤ 64``, ``unique items``)."""
        phrases = list(_bounds("", self.minimum, self.exclusive_minimum, self.maximum, self.exclusive_maximum))
        if self.multiple_of is not None:
            phrases.append(f"multiple of {self.multiple_of}")
        phrases += _bounds("length ", self.min_length, False, self.max_length, False)
        if self.pattern is not None:
            phrases.append(f"matches /{self.pattern}/")
        phrases += [f"{p} items" for p in _bounds("", self.min_items, False, self.max_items, False)]
        if self.unique_items:
            phrases.append("unique items")
        phrases += [f"{p} properties" for p in _bounds("", self.min_properties, False, self.max_properties, False)]
        return tuple(phrases)

    @cached_property
    def backtracking_safe(self) -> bool:
        """Whether Python's backtracking ``re`` may run ``pattern`` on untrusted text: no
        repetition holds another repetition, an alternation or a back reference (the shapes that
        take exponential time, such as ``(a+)+b``). The server prefers pydantic's linear Rust
        engine and falls back to ``re`` only for such patterns (see ``_pattern`` in the server's
        models)."""
        return self.pattern is not None and _backtracking_safe(_re_parser.parse(self.pattern), False)

    @cached_property
    def pattern_checked(self) -> bool:
        """Whether the server checks ``pattern``: pydantic's Rust engine runs every pattern but
        those with look-arounds or back references, which Python's ``re`` runs only when
        ``backtracking_safe``."""
        if self.pattern is None:
            return False
        return self.backtracking_safe or not _uses_backtracking(_re_parser.parse(self.pattern))

    @property
    def json_schema(self) -> dict[str, Any]:
        """The keywords in OpenAPI 3.0's dialect (``exclusiveMinimum`` as a boolean), as the server
        enforces them: a pattern it does not check is left out."""
        schema: dict[str, Any] = {}
        for attribute, keyword in _CONSTRAINT_KEYWORDS:
            value = getattr(self, attribute)
            if value is not None and value is not False:
                schema[keyword] = value
        if not self.pattern_checked:
            schema.pop("pattern", None)
        return schema


def _bounds(what: str, low: float | None, low_open: bool, high: float | None, high_open: bool) -> list[str]:
    """``what`` bounded below and above, as phrases: one ``= n`` when both bounds are the same."""
    if low is not None and low == high and not (low_open or high_open):
        return [f"{what}= {low}"] if what else [f"= {low}"]
    phrases = []
    if low is not None:
        phrases.append(f"{what}{'>' if low_open else '≥'} {low}")
    if high is not None:
        phrases.append(f"{what}{'<' if high_open else '≤'} {high}")
    return phrases


#: Python's own regular expression parser (``re._parser``, which typeshed does not describe).
_re_parser: Any = importlib.import_module("re._parser")
_REPEATS = {_re_parser.MAX_REPEAT, _re_parser.MIN_REPEAT}
_RISKY_IN_REPEAT = _REPEATS | {_re_parser.BRANCH, _re_parser.GROUPREF, _re_parser.GROUPREF_EXISTS}


def _backtracking_safe(items: Any, in_repeat: bool) -> bool:
    """Whether a parsed pattern (``re._parser``'s tree) has no risky item inside a repetition."""
    for op, argument in items:
        if in_repeat and op in _RISKY_IN_REPEAT:
            return False
        repeated = in_repeat or (op in _REPEATS and argument[1] > 1)
        nested = argument if isinstance(argument, (list, tuple)) else ()
        for child in nested:
            if isinstance(child, _re_parser.SubPattern) or (isinstance(child, list) and child and isinstance(child[0], tuple)):
                if not _backtracking_safe(child, repeated):
                    return False
            elif isinstance(child, list):  # the alternatives of a BRANCH
                if not all(_backtracking_safe(alt, repeated) for alt in child if isinstance(alt, _re_parser.SubPattern)):
                    return False
    return True


_BACKTRACKING_ONLY = {_re_parser.ASSERT, _re_parser.ASSERT_NOT, _re_parser.GROUPREF, _re_parser.GROUPREF_EXISTS}


def _uses_backtracking(items: Any) -> bool:
    """Whether a parsed pattern holds a look-around or a back reference (which only a
    backtracking engine runs), at any depth."""
    pending = [items]
    while pending:
        node = pending.pop()
        if isinstance(node, tuple) and len(node) == 2 and node[0] in _BACKTRACKING_ONLY:
            return True
        if isinstance(node, (list, tuple, _re_parser.SubPattern)):
            pending.extend(node)
    return False


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
    #: The schema's own examples (``example``, ``examples``, ``x-example``), as JSON values, not
    #: yet checked against the type. Not part of the type: equal types may differ in examples.
    examples: tuple[Any, ...] = field(default=(), compare=False, hash=False, repr=False)

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
    def reader_parts(self) -> tuple[tuple[str, str | None], ...]:
        """``expanded`` in pieces for the docs: (text, the anchor of the model it names, or
        None), so that ``list[Pet] | None`` prints with ``Pet`` a link to the model's section.
        The texts joined are ``expanded``."""
        members = self._reader_members()
        if (("Any", None),) in members:
            return (("Any", None),)
        none = (("None", None),)
        ordered = [m for m in members if m != none] + [none] * (none in members)
        pieces: list[tuple[str, str | None]] = []
        for index, member in enumerate(ordered):
            pieces += [(" | ", None)] * bool(index) + list(member)
        merged: list[tuple[str, str | None]] = []
        for text, anchor in pieces:  # neighbouring plain texts become one
            if anchor is None and merged and merged[-1][1] is None:
                merged[-1] = (merged[-1][0] + text, None)
            else:
                merged.append((text, anchor))
        return tuple(merged)

    def _reader_members(self) -> list[tuple[tuple[str, str | None], ...]]:
        """``_members`` for ``reader_parts``: each member in pieces."""
        if self.kind == "union":
            members = [m for v in self.variants for m in v._reader_members()]
        elif self.kind in ("array", "map"):
            inner = self.items.reader_parts if self.items else (("Any", None),)
            members = [((("list[" if self.kind == "array" else "dict[str, "), None),) + inner + (("]", None),)]
        elif self.kind == "model" and self.model is not None:
            members = [((self.model, model_anchor(self.model)),)]
        else:
            members = [((self._base("", expand=True, server=False), None),)]
        return list(dict.fromkeys(members + [(("None", None),)] * self.nullable))

    @cached_property
    def tabulated_model(self) -> str | None:
        """The model whose fields the docs show beside a body or response of this type: its own,
        or its items' for a list of a model; None for anything else (maps, unions, scalars)."""
        if self.kind == "model":
            return self.model
        if self.kind == "array" and self.items is not None and self.items.kind == "model":
            return self.items.model
        return None

    @cached_property
    def server_annotation(self) -> str:
        """The annotation inside the server's ``models.py``: pydantic reads base64 text as bytes."""
        return self._annotation("", server=True)

    @cached_property
    def server_qualified(self) -> str:
        """The annotation in the server's other modules."""
        return self._annotation("models.", server=True)

    @cached_property
    def validated_annotation(self) -> str:
        """The server's annotation with the schema's constraints as pydantic metadata
        (``Annotated[int, Field(ge=1, le=100)]``), inside the server's ``models.py``: what
        requests and responses are validated with. Handler signatures keep the plain one."""
        return self._annotation("", server=True, validated=True)

    @cached_property
    def validated_qualified(self) -> str:
        """The validated annotation in the server's other modules."""
        return self._annotation("models.", server=True, validated=True)

    @cached_property
    def accepts_null(self) -> bool:
        """Whether JSON ``null`` is a value of this type: nullable, any value, or a union with
        a member that accepts it."""
        return self.nullable or self.kind == "any" or any(v.accepts_null for v in self.variants)

    def _annotation(self, prefix: str, expand: bool = False, server: bool = False, validated: bool = False) -> str:
        members = self._members(prefix, expand, server, validated)
        if "Any" in members:
            return "Any"
        non_null = [m for m in members if m != "None"]
        return " | ".join(non_null + ["None"] * (len(non_null) < len(members)))

    def _members(self, prefix: str, expand: bool, server: bool, validated: bool = False) -> list[str]:
        """The members of the annotation's union, each once (``None`` among them when nullable)."""
        if self.kind == "union":
            members = [m for v in self.variants for m in v._members(prefix, expand, server, validated)]
        else:
            base = self._base(prefix, expand, server, validated)
            checks = self._checks(prefix) if validated else []
            members = [f"Annotated[{base}, {', '.join(checks)}]" if checks else base]
        return list(dict.fromkeys(members + ["None"] * self.nullable))

    def _base(self, prefix: str, expand: bool, server: bool, validated: bool = False) -> str:
        if self.kind in ("array", "map"):
            inner = self.items._annotation(prefix, expand, server, validated) if self.items else "Any"
            return f"list[{inner}]" if self.kind == "array" else f"dict[str, {inner}]"
        if self.kind == "model":
            return f"{prefix}{self.model}"
        if self.kind == "enum":
            return f"{prefix}{self.alias}" if self.alias and not expand else literal_annotation(self.enum_values)
        typed = self.server_python_type if server else self.python_type
        if typed == "bytes" and server and self.format == "byte":
            return "Base64Bytes"
        return typed or _PRIMITIVE_ANNOTATIONS[self.kind]

    def _checks(self, prefix: str) -> list[str]:
        """The pydantic metadata that enforces this value's constraints and format (the
        validators live in the server's ``models.py``, which ``prefix`` reaches)."""
        c = self.constraints
        keywords: list[tuple[str, Any]] = []
        checks: list[str] = []
        # The range of int32/int64 comes first: pydantic merges the ``Field``s of one annotation,
        # the later winning, so the spec's own ``minimum``/``maximum`` narrow it, not the reverse.
        format_range: list[str] = []
        if self.kind in ("integer", "number"):
            keywords += [("gt" if c.exclusive_minimum else "ge", c.minimum), ("lt" if c.exclusive_maximum else "le", c.maximum)]
            keywords += [("multiple_of", c.multiple_of)]
            if self.kind == "integer" and self.format in _INTEGER_FORMATS:
                format_range.append(f"{prefix}_{self.format.upper()}")
        elif self.kind == "boolean":
            checks.append(f"{prefix}_BOOLEAN_TEXT")
        elif self.kind == "enum" and any(not isinstance(v, str) for v in self.enum_values):
            checks.append(f"{prefix}_LITERAL_KIND")
        elif self.kind == "string" and self.format == "decimal":
            # Before-validators run last first: the spec's pattern sees the text, then it is read.
            checks.append(f"{prefix}_DECIMAL_TEXT")
            if c.pattern is not None:
                checks.append(f"{prefix}_text_pattern({literal(c.pattern)}{'' if c.backtracking_safe else ', False'})")
        elif self.kind == "string" and self.format in ("date", "date-time"):
            checks.append(f"{prefix}_{self.format.replace('-', '_').upper()}")
        elif self.kind == "string" and self.server_python_type is None:
            keywords += [("min_length", c.min_length), ("max_length", c.max_length)]
            if c.pattern is not None:
                checks.append(f"{prefix}_pattern({literal(c.pattern)}{'' if c.backtracking_safe else ', False'})")
            format_check = _FORMAT_CHECKS.get(self.format or "")
            checks += [f"{prefix}{format_check}"] if format_check else []
        elif self.kind == "array":
            keywords += [("min_length", c.min_items), ("max_length", c.max_items)]
            checks += [f"{prefix}_UNIQUE_ITEMS"] * c.unique_items
        elif self.kind == "map":
            keywords += [("min_length", c.min_properties), ("max_length", c.max_properties)]
        given = [f"{name}={literal(value)}" for name, value in keywords if value is not None and literal(value) != "None"]
        return format_range + ([f"Field({', '.join(given)})"] if given else []) + checks

    @cached_property
    def rules(self) -> tuple[str, ...]:
        """What a value must be beyond its annotation, for readers: its format (unless its Python
        type says it) and constraints, then those of each item of an array."""
        shown_by_type = self.python_type is not None
        own = ((f"format {self.format}",) if self.format and not shown_by_type else ()) + self.constraints.rules
        if self.kind == "array" and self.items is not None and self.items.rules:
            own += tuple(f"each item {rule}" for rule in self.items.rules)
        return own

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
        if self.decimal_text and self.kind == "string" and self.constraints.pattern_checked:
            schema["allOf"] = [{"pattern": DECIMAL_TEXT}]  # the spec's pattern and a decimal's
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
        if self.kind == "string" and self.format == "decimal":
            schema["pattern"] = DECIMAL_TEXT  # what the server reads as a decimal
        return schema


ANY = TypeInfo("any")
BASE64_BYTES = "Base64Bytes"
#: The text of a decimal the server reads from a string (``format: decimal``): what Python's
#: ``Decimal`` reads, less spaces, underscores, NaN and infinities.
DECIMAL_TEXT = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
#: Integer formats whose range the server checks (``_INT32``, ``_INT64`` in its models).
_INTEGER_FORMATS = ("int32", "int64")
#: String formats the server checks with a validator of its ``models.py`` (besides ``_DATE`` and
#: ``_DATE_TIME``, which read the text into their Python type; uuid and byte are checked by
#: theirs): the formats JSON Schema validators check, which the corpus uses.
_FORMAT_CHECKS = {"email": "_EMAIL", "uri": "_URI", "time": "_TIME", "hostname": "_HOSTNAME", "ipv4": "_IPV4", "ipv6": "_IPV6"}



def model_anchor(name: str) -> str:
    """The docs' anchor of a model's section (``Model.anchor``), which links to it use."""
    return "model-" + name


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


#: How the server reads a parameter (see ``Parameter.server_parse``).
ServerParse = Literal["plain", "text", "array", "object", "pairs", "json", "deep", "keys", "rest", "union"]
#: Query styles whose exploded arrays repeat the key: ``id=3&id=4``.
REPEATED_STYLES = frozenset({"form", "spaceDelimited", "pipeDelimited", "tabDelimited"})


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
    object_keys: tuple[str, ...] = ()  # an object's property names (form-exploded query objects)
    deprecated: bool = False  # the spec marks it deprecated (docs only)
    #: A path value sent with its ``/`` and other reserved characters as they are, so that it
    #: may span segments (AutoRest's ``x-ms-skip-url-encoding``: Azure's ``{scope}``).
    reserved: bool = False

    @cached_property
    def markers(self) -> tuple[str, ...]:
        """What the docs mark beside the name."""
        return ("deprecated",) * self.deprecated

    @cached_property
    def example_given(self) -> bool:
        """Whether ``example`` (what the docs' examples send) is one the spec gave, which the
        docs show beside the parameter; a made-up value says nothing its type does not."""
        return any(type(given) is type(self.example) and given == self.example for given in self.type.examples)

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
    def server_parse(self) -> ServerParse:
        """How the server reads it: FastAPI as is ("plain"), or by the parameter's OpenAPI style
        and explode (the generated app's ``_parse_parameter``): a scalar behind a label or
        matrix prefix ("text"), an array ("array"), an object as ``k,v,k,v`` ("object") or
        ``k=v,k=v`` ("pairs"), JSON text ("json"), ``name[k]=v`` query keys ("deep"), an
        object's properties as query keys: its own ("keys") or every key no other parameter
        names ("rest"), a union of plain values and arrays of them, by what was sent ("union":
        a repeated key or a text no scalar member takes is the array). The one place this rule
        lives (the client is to send the same)."""
        if self.style == "json":
            return "json"
        query = self.location == "query"
        if self.type.kind in ("model", "map"):
            if query and self.style == "deepObject":
                return "deep"
            if query and self.style == "form" and self.explode:
                return "keys" if self.type.kind == "model" else "rest"
            return "pairs" if self.explode else "object"
        if self.type.kind == "array":
            repeated = query and self.explode and self.style in REPEATED_STYLES
            return "plain" if repeated else "array"
        if self.type.kind == "enum" and not all(isinstance(v, str) for v in self.type.enum_values):
            return "json"  # ``Literal[500]``, ``Literal[False, True]`` match no query text: read "500" as JSON
        if self.type.kind == "union" and not self.type.scalar:
            return "union"
        if not (self.type.scalar or self.type.kind == "any"):
            return "json"
        return "text" if self.location == "path" and self.style in ("label", "matrix") else "plain"

    @cached_property
    def repeats_key(self) -> bool:
        """Whether an array goes as the key repeated (``?id=3&id=4``: form, exploded), so that
        FastAPI hands the server every value sent."""
        return self.location == "query" and self.style == "form" and self.explode

    @cached_property
    def wire_prefix(self) -> str:
        """What the style puts before the value: ``.`` (label), ``;name=`` (matrix; ``;`` before
        an exploded object's own ``k=v`` pairs)."""
        if self.location != "path" or self.style not in ("label", "matrix"):
            return ""
        if self.style == "label":
            return "."
        return ";" if self.server_parse == "pairs" else f";{self.wire_name}="

    @cached_property
    def separator(self) -> str:
        """What the style puts between an array's items or an object's names and values."""
        if self.location == "path" and self.explode and self.style in ("label", "matrix"):
            return "." if self.style == "label" else (";" if self.server_parse == "pairs" else f";{self.wire_name}=")
        return {"spaceDelimited": " ", "pipeDelimited": "|", "tabDelimited": "\t"}.get(self.style, ",")

    @cached_property
    def validated_argument_annotation(self) -> str:
        """What the server validates the argument with: its type and constraints. A parameter
        the server parses itself is validated only when it was sent, so None is among its values
        only when its type is nullable (``?flag=null`` is no boolean, when sent as JSON)."""
        if self.server_parse != "plain":
            return self.type.validated_qualified
        return _optional(self.type.validated_qualified, self.required)

    @cached_property
    def server_annotation(self) -> str:
        """What FastAPI reads: the real type with its constraints, or the raw string the server
        then parses."""
        if self.server_parse == "plain" and self.type.kind != "any":
            return self.validated_argument_annotation
        return _optional("list[str]" if self.server_parse == "union" and self.repeats_key else "str", self.required)

    @cached_property
    def fastapi_marker(self) -> str:
        """The FastAPI parameter class that reads this parameter from a request."""
        return {"path": "Path", "query": "Query", "header": "Header", "cookie": "Cookie"}[self.location]

    @cached_property
    def fastapi_reader(self) -> str:
        """The marker as written in an ``Annotated`` parameter: ``Query(alias="petId")``."""
        alias = "" if self.location == "path" else f"alias={literal(self.wire_name)}"
        return f"{self.fastapi_marker}({alias})"


def _plain_text(t: TypeInfo) -> bool:
    """Whether a value of the type is written as plain text in a styled parameter."""
    return t.scalar or t.kind == "any"


def _value_types(p: Parameter, models: Mapping[str, Model]) -> set[str]:
    """The kinds of an array's items, a map's values or a model's properties."""
    if p.type.kind in ("array", "map"):
        return {p.type.items.kind} if p.type.items is not None else {"any"}
    model = models.get(p.type.model or "") if p.type.kind == "model" else None
    return {f.type.kind for f in model.fields} if model is not None else set()


def style_problem(p: Parameter, models: Mapping[str, Model]) -> str | None:
    """Why the parameter's style and explode cannot carry its type unambiguously (nested
    arrays or objects, an exploded delimited object, a deepObject that is no object), or None."""
    if p.style == "json":
        return None
    kind = p.type.kind
    if p.style == "label" and p.explode and _value_types(p, models) & {"string", "number"}:
        return "values that may hold its separator '.'"
    if kind == "union" and not p.type.scalar:
        return _union_problem(p)
    if kind == "array":
        if p.style == "deepObject":
            return "an array"
        return None if p.type.items is None or _plain_text(p.type.items) else "an array whose items are not plain values"
    if kind not in ("model", "map"):
        return None
    if kind == "map" and p.type.items is not None and not _plain_text(p.type.items):
        return "an object whose values are not plain values"
    model = models.get(p.type.model or "")
    if model is not None and not all(_plain_text(f.type) for f in model.fields):
        return "an object whose properties are not plain values"
    if p.explode and p.style in ("spaceDelimited", "pipeDelimited", "tabDelimited"):
        return f"an exploded {p.style} object"
    return None


def _union_problem(p: Parameter) -> str | None:
    """Why a union with an array member cannot be told from its text: a member that is not a
    plain value or an array of them, or (unless each item goes as its own repeated key) a string
    member, whose text may hold the array's separator."""
    if p.style == "deepObject":
        return "a union"
    plain = [v for v in p.type.variants if _plain_text(v) or (v.kind == "array" and (v.items is None or _plain_text(v.items)))]
    if len(plain) < len(p.type.variants):
        return "a union whose members are not plain values or arrays of them"
    if not p.repeats_key and any(v.kind in ("string", "any") for v in p.type.variants):
        return "a union of an array and a string"
    return None


def query_spread_problem(parameters: Sequence[Parameter]) -> str | None:
    """Why the query's objects spread over keys (form exploded) cannot be told apart: two
    that take every other key, or one whose property is another parameter's name, or None."""
    spread = [p for p in parameters if p.server_parse in ("keys", "rest", "deep")]
    if sum(p.server_parse == "rest" for p in parameters) > 1 or (len(spread) > 1 and any(p.server_parse == "rest" for p in spread)):
        return "more than one query object takes the keys no other parameter names"
    names = [p.wire_name for p in parameters if p.location == "query" and p.server_parse not in ("keys", "rest")]
    names += [k for p in parameters if p.server_parse == "keys" for k in p.object_keys]
    return "a query object's property shares its name with another query key" if len(names) != len(set(names)) else None


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
    def validated_argument_annotation(self) -> str:
        """What the server validates the body with: its type and constraints."""
        return _optional(self.type.validated_qualified, self.required)

    @cached_property
    def validated_sent_annotation(self) -> str:
        """What the server validates a JSON body that was sent with: an optional body may be
        left out, but one sent as ``null`` must be of a nullable type."""
        return self.type.validated_qualified

    @cached_property
    def python_default(self) -> str:
        """The default in generated signatures and models: None when optional, none ("") when required."""
        return "" if self.required else "None"

    @cached_property
    def encoding(self) -> Encoding:
        """How the body goes on the wire, from its media type. A wildcard (``*/*``) names no
        format: a schema other than a string is JSON, as for responses (``Response.kind``)."""
        lowered = self.content_type.lower()
        if "json" in lowered:
            return "json"
        if "x-www-form-urlencoded" in lowered:
            return "form"
        if "multipart/" in lowered:
            return "multipart"
        if lowered.startswith("text/") or "xml" in lowered:
            return "text"
        if "*" in lowered and self.type.kind != "string":
            return "json"
        if "*" in lowered and self.type.format != "binary":
            return "text"
        return "binary"

    @cached_property
    def server_media_type(self) -> str:
        """The media type the server reads the body as, and publishes: the declared one, but for
        a wildcard JSON body a concrete one (the server reads JSON only: any other is a 415)."""
        if self.encoding == "json" and "*" in self.content_type:
            return "application/json"
        return self.content_type

    @cached_property
    def server_reading(self) -> BodyReading:
        """How the server reads a body that is not JSON: the fields of a form or multipart body
        (an object); else the raw body: ``bytes`` for a bytes type (raw on the wire, never
        base64), ``json-text`` for a structured type (objects and arrays travel as JSON text,
        which the client sends), ``text`` for the rest (validated as text, like parameters)."""
        if self.encoding in ("form", "multipart") and self.type.kind != "string":
            return self.encoding
        if self.type.python_type == "bytes" or (self.type.kind == "any" and self.encoding != "text"):
            return "bytes"
        return "json-text" if self.type.kind in ("model", "map", "array") else "text"


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


#: A media type (RFC 9110's ``type/subtype`` of tokens) with optional parameters.
_MEDIA_TYPE = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+/[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*(;.*)?", re.DOTALL)
#: The concrete media type of each body kind, for a declared one that is a wildcard or malformed.
_KIND_MEDIA_TYPES = {"json": "application/json", "text": "text/plain", "binary": "application/octet-stream"}


def is_media_type(text: str) -> bool:
    return _MEDIA_TYPE.fullmatch(text.strip()) is not None


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
    #: The spec's named examples of the body (``name``, JSON value): OpenAPI 3's ``examples``
    #: (``example`` is named "example"), Swagger 2.0's ``examples`` (named by media type). After
    #: normalizing, only those that fit ``type`` are left.
    examples: tuple[tuple[str, Any], ...] = ()

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
        ``text/*``), which no answer may carry, or a key that is no media type (``PDF``), a
        concrete type of the body's kind."""
        if self.content_type is None:
            return None
        if not self.media_type_valid:
            return _KIND_MEDIA_TYPES.get(self.kind, "application/octet-stream")
        major, _, minor = self.content_type.split(";")[0].strip().partition("/")
        if not minor.startswith("*"):
            return self.content_type
        if major == "*":
            return _KIND_MEDIA_TYPES.get(self.kind, self.content_type)
        return "text/plain" if major.lower() == "text" else self.content_type

    @cached_property
    def media_type_valid(self) -> bool:
        """Whether the declared media type is ``type/subtype`` (RFC 9110), parameters aside."""
        return self.content_type is None or is_media_type(self.content_type)

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
class OAuthFlow:
    """One OAuth2 flow of a scheme, for the docs: its URLs ("" when not given) and its scopes."""

    name: str  # implicit, password, clientCredentials, authorizationCode (Swagger 2.0: accessCode, application)
    authorization_url: str
    token_url: str
    refresh_url: str
    scopes: tuple[tuple[str, str], ...]  # (scope, description)

    @cached_property
    def urls(self) -> tuple[tuple[str, str], ...]:
        """(label, URL) for each URL the flow gives."""
        found = (("Authorization URL", self.authorization_url), ("Token URL", self.token_url), ("Refresh URL", self.refresh_url))
        return tuple((label, url) for label, url in found if url)


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
    bearer_format: str = ""  # http bearer's bearerFormat (a hint: JWT)
    flows: tuple[OAuthFlow, ...] = ()  # OAuth2's
    openid_url: str = ""  # OpenID Connect's discovery URL
    #: The environment variables the docs' examples read the credential from: (TOKEN,),
    #: (API_KEY,), (USERNAME, PASSWORD); shell and Python names whatever the spec's are.
    variables: tuple[str, ...] = ()

    @cached_property
    def anchor(self) -> str:
        """The docs' id of the scheme's entry in the Authentication section."""
        return "auth-" + self.py_name.replace("_", "-").strip("-")

    @cached_property
    def details(self) -> tuple[tuple[str, str], ...]:
        """(label, value) rows that describe the scheme in the docs (flows aside)."""
        if self.spec_type == "apiKey":
            return (("Type", "API key"), ("In", self.location), ("Name", self.param_name))
        if self.spec_type in ("http", "basic"):
            rows = (("Type", "HTTP"), ("Scheme", "basic" if self.kind == "basic" else "bearer"))
            return rows + ((("Bearer format", self.bearer_format),) if self.bearer_format else ())
        if self.spec_type == "oauth2":
            return (("Type", "OAuth2"), ("Sent as", "Authorization: Bearer <token>"))
        rows = (("Type", "OpenID Connect"), ("Sent as", "Authorization: Bearer <token>"))
        return rows + ((("Discovery URL", self.openid_url),) if self.openid_url else ())

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

    @cached_property
    def scoped(self) -> bool:
        """Whether an operation's requirement names scopes the server's verifier is given."""
        return self.spec_type in ("oauth2", "openIdConnect")


@dataclass(frozen=True)
class Verifier:
    """The server's ``Handlers`` method that verifies one security scheme's credential."""

    scheme: SecurityScheme
    method: str  # verify_api_key: a Handlers method, never an operation's name

    @cached_property
    def credential_annotation(self) -> str:
        """What the verifier is given: the credential's text, or the username and password."""
        return "BasicCredentials" if self.scheme.kind == "basic" else "str"

    @cached_property
    def challenge(self) -> str:
        """The ``WWW-Authenticate`` challenge a 401 names for the scheme; "" for API keys."""
        return {"basic": 'Basic realm="api"', "bearer": "Bearer"}.get(self.scheme.kind, "")

    @cached_property
    def what(self) -> str:
        """The credential, for the verifier's docstring."""
        if self.scheme.kind == "basic":
            return "HTTP basic credentials (username and password)"
        if self.scheme.kind == "bearer":
            tokens = {"oauth2": "an OAuth2 access token", "openIdConnect": "an OpenID Connect token"}
            token = tokens.get(self.scheme.spec_type, "a bearer token")
            return f"{token}, sent as ``Authorization: Bearer <token>``"
        return f"an API key, sent in the {self.scheme.location} {self.scheme.param_name!r}"


@dataclass(frozen=True)
class Example:
    """A ready-to-show call of an operation, for the docs."""

    curl: str
    python: str
    imports: tuple[str, ...] = ()  # the modules the Python call names (datetime, uuid, decimal)
    #: The client constructor's credential arguments (``api_key=os.environ["API_KEY"]``): the
    #: operation's first security alternative's, read from the variables the curl line reads.
    credentials: tuple[str, ...] = ()

    @cached_property
    def preamble(self) -> str:
        """What the Python example imports before the client: ``os`` for the credentials."""
        return "import os\n" if self.credentials else ""


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
    #: The scopes each scheme of each alternative asks for, in the shape of ``security``.
    scopes: tuple[tuple[tuple[str, ...], ...], ...] = ()

    @cached_property
    def security_display(self) -> tuple[tuple[tuple[SecurityScheme, tuple[str, ...]], ...], ...]:
        """The alternatives for the docs: each a tuple of (scheme, the scopes it asks for)."""
        scopes = self.scopes or tuple(tuple(() for _ in alternative) for alternative in self.security)
        return tuple(tuple(zip(alternative, needs, strict=True)) for alternative, needs in zip(self.security, scopes, strict=True))

    @cached_property
    def requirements(self) -> tuple[dict[str, list[str]], ...]:
        """The alternatives as the spec writes them and the server checks them: scheme name ->
        the scopes it asks for."""
        scopes = self.scopes or tuple(tuple(() for _ in alternative) for alternative in self.security)
        return tuple(
            {scheme.name: list(needed) for scheme, needed in zip(alternative, needs, strict=True)}
            for alternative, needs in zip(self.security, scopes, strict=True)
        )

    @cached_property
    def fastapi_parameters(self) -> tuple[Parameter, ...]:
        """The parameters FastAPI reads itself (objects spread over query keys are read from the
        raw query)."""
        return tuple(p for p in self.parameters if p.server_parse not in ("deep", "keys", "rest"))

    @cached_property
    def single_query(self) -> tuple[str, ...]:
        """The query parameters (wire names) that may appear once: all but exploded arrays
        (``?id=1&id=2``) and deepObject ones (``?f[a]=1``). FastAPI would keep the last of a
        repeated one; the server refuses it (``_refuse_repeated_query``)."""
        return tuple(
            p.wire_name
            for p in self.parameters
            if p.location == "query"
            and p.server_parse != "deep"
            and not (p.server_parse == "plain" and p.type.kind == "array")
            and not (p.server_parse == "union" and p.repeats_key)
        )

    @cached_property
    def parsed_parameters(self) -> tuple[Parameter, ...]:
        """The parameters the server parses from raw text itself (see ``Parameter.server_parse``)."""
        return tuple(p for p in self.parameters if p.server_parse != "plain")

    @cached_property
    def query_keys(self) -> dict[str, tuple[str, ...]]:
        """For each object parameter read from query keys (by ``py_name``): the keys it owns
        ("keys": its properties), or the keys it leaves to the others ("rest"): the other
        parameters', the fixed query's and the query API keys'."""
        found: dict[str, tuple[str, ...]] = {}
        for p in self.parameters:
            if p.server_parse == "keys":
                found[p.py_name] = p.object_keys
            elif p.server_parse == "rest":
                others = [q.wire_name for q in self.parameters if q.location == "query" and q is not p]
                others += [k for k, _ in self.fixed_query]
                others += [s.param_name for schemes in self.security for s in schemes if s.location == "query"]
                found[p.py_name] = tuple(sorted(set(others)))
        return found

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
    def checked_response(self) -> str | None:
        """What the server validates a handler's JSON answer with (the primary success's type and
        constraints); None when the answer is not JSON or the spec gives it no schema."""
        if self.success is None or self.success.kind != "json" or self.success.type is None:
            return None
        return self.success.type.validated_qualified

    def error_response(self, status: int) -> Response | None:
        """The response the spec declares for an error status the server answers itself: the
        exact status, else its class (``4XX``), else ``default``."""
        by_status = {r.status.upper(): r for r in self.responses}
        for key in (str(status), f"{status // 100}XX", "DEFAULT"):
            if key in by_status:
                return by_status[key]
        return None

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
class Selector:
    """What a request must carry to reach one of the operations of a method and path that the
    spec tells apart only by a fragment (``/items#search``), which HTTP never sends: the query
    keys and headers it requires, and none that only the others declare."""

    present_query: tuple[str, ...] = ()
    present_headers: tuple[str, ...] = ()
    absent_query: tuple[str, ...] = ()
    absent_headers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Route:
    """Operations that share a method and path; they differ in their fixed query or headers,
    or (told apart by a fragment only) in the parameters they take."""

    method: str
    path: str
    server_path: str
    operations: tuple[Operation, ...]  # most specific fixed query first
    fallback: Operation | None  # the operation with no fixed query, if any
    dispatch_keys: tuple[str, ...]  # query names the fixed queries use
    dispatch_headers: tuple[str, ...]  # header names the fixed headers use
    #: Operations without fixed values, tried before the fallback, each with what selects it.
    by_parameters: tuple[tuple[Operation, Selector], ...] = ()

    @cached_property
    def all_operations(self) -> tuple[Operation, ...]:
        """In the order the server tries them: fixed queries first, then the operations
        selected by their parameters, the fallback last."""
        return self.operations + tuple(op for op, _ in self.by_parameters) + ((self.fallback,) if self.fallback else ())

    def selector(self, op: Operation) -> Selector:
        """What selects ``op`` among the route's operations (its fixed values aside): a
        fallback takes what carries none of the fixed keys."""
        found = next((selector for chosen, selector in self.by_parameters if chosen is op), None)
        if found is not None:
            return found
        if op.dispatched:
            return Selector()
        return Selector(absent_query=self.dispatch_keys, absent_headers=self.dispatch_headers)

    @cached_property
    def dispatched(self) -> bool:
        """Whether the server tells the route's operations apart (else it has one)."""
        return len(self.all_operations) > 1 or any(op.dispatched for op in self.operations)


@dataclass(frozen=True)
class ModelField:
    wire_name: str
    py_name: str
    type: TypeInfo
    required: bool  # as the spec says
    description: str
    read_only: bool = False  # sent by the server only: never in a request body
    write_only: bool = False  # sent by the client only: never in a response
    default: Any = None  # the schema's default, a JSON value (None: none given), for the docs
    deprecated: bool = False  # the spec marks it deprecated (docs only)

    @cached_property
    def markers(self) -> tuple[str, ...]:
        """What the docs mark beside the name: who sends the field, whether it is deprecated."""
        return ("read-only",) * self.read_only + ("write-only",) * self.write_only + ("deprecated",) * self.deprecated

    def required_in(self, side: Literal["request", "response", "model"]) -> bool:
        """Whether the docs call the field required in a request body, a response body, or (in
        the model's own section) as the spec says: a request never carries a readOnly field, a
        response never a writeOnly one, whatever ``required`` says."""
        if side == "request":
            return self.server_required
        return self.required and not (side == "response" and self.write_only)

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
        """The field's annotation inside the server's ``models.py``, constraints included."""
        return _optional(self.type.validated_annotation, self.server_required)

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
        return model_anchor(self.name)

    @cached_property
    def rules(self) -> tuple[str, ...]:
        """What an object of this model must be beyond its fields, for readers."""
        return (("no other properties",) if self.closed else ()) + self.constraints.rules

    @cached_property
    def renamed_fields(self) -> tuple[ModelField, ...]:
        return tuple(f for f in self.fields if f.renamed)

    @cached_property
    def read_only_fields(self) -> tuple[ModelField, ...]:
        """The fields the client leaves out of request bodies."""
        return tuple(f for f in self.fields if f.read_only)

    @cached_property
    def server_extra(self) -> Literal["forbid", "allow"]:
        """What the server's model does with properties the schema does not list."""
        return "forbid" if self.closed else "allow"

    @cached_property
    def refuses_null(self) -> tuple[str, ...]:
        """The Python names of the optional fields whose type does not accept ``null``: the
        server's model annotates them ``X | None`` (absent), so it refuses a JSON null itself."""
        return tuple(f.py_name for f in self.fields if not f.server_required and not f.type.accepts_null)

    @cached_property
    def decimal_text_fields(self) -> tuple[ModelField, ...]:
        """The fields whose decimals the client writes as strings (see ``TypeInfo.decimal_text``)."""
        return tuple(f for f in self.fields if f.type.decimal_text)


#: The error statuses the server answers itself within an operation: a bad dispatch value or a
#: body it cannot read (400), no credentials (401), a body too large (413), a body of a media
#: type the operation does not read (415), an invalid request (422), a handler's answer that
#: does not match the spec (500), no implementation (501).
SERVER_ERROR_STATUSES = (400, 401, 413, 415, 422, 500, 501)
#: Field names (lowercase, without ``_`` and ``-``) that get the error's message, its status or
#: its kind (``invalid_request``) when the server fills a spec's error model.
_MESSAGE_FIELDS = frozenset({"message", "msg", "detail", "details", "description", "errormessage", "errordescription", "title", "reason", "text"})
_STATUS_FIELDS = frozenset({"code", "status", "statuscode", "httpstatus", "httpcode", "errorcode"})
_KIND_FIELDS = frozenset({"code", "error", "type", "errorcode", "errortype", "kind", "status", "reason"})


@dataclass(frozen=True)
class ErrorShape:
    """How the server fills a spec's error model: each field it sets and what goes there
    (``message``, ``status`` or ``error``: the kind of error, such as ``invalid_request``)."""

    model: str
    fields: tuple[tuple[str, Literal["message", "status", "error"]], ...]

    @property
    def roles(self) -> dict[str, str]:
        return dict(self.fields)


def error_shape(model: Model) -> ErrorShape | None:
    """The shape of ``model`` as an error body, or None when the server cannot fill it: a
    required field of no known role, or no field for the message."""
    fields: list[tuple[str, Literal["message", "status", "error"]]] = []
    for f in model.fields:
        role = _error_role(f)
        if role is None and f.required:
            return None
        if role is not None:
            fields.append((f.wire_name, role))
    return ErrorShape(model.name, tuple(fields)) if any(r == "message" for _, r in fields) else None


def _error_role(f: ModelField) -> Literal["message", "status", "error"] | None:
    key = re.sub(r"[_\-]", "", f.wire_name.lower())
    plain_string = f.type.kind == "string" and f.type.format is None and not f.type.nullable
    if f.type.kind == "integer" and key in _STATUS_FIELDS:
        return "status"
    if plain_string and key in _MESSAGE_FIELDS:
        return "message"
    if plain_string and key in _KIND_FIELDS:
        return "error"
    return None


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
    verifiers: tuple[Verifier, ...] = ()  # the schemes operations use, in declaration order
    diagnostics: tuple[Diagnostic, ...] = field(default=())

    @cached_property
    def operations(self) -> tuple[Operation, ...]:
        return tuple(op for group in self.groups for op in group.operations)

    @cached_property
    def models_by_name(self) -> dict[str, Model]:
        return {m.name: m for m in self.models}

    def field_table(self, type_: TypeInfo | None) -> Model | None:
        """The model whose fields the docs tabulate beside a body or response of ``type_`` (see
        ``TypeInfo.tabulated_model``), or None."""
        return self.models_by_name.get(type_.tabulated_model or "") if type_ is not None else None

    def response_table(self, op: Operation, response: Response) -> Model | None:
        """The model whose fields the docs tabulate under one of ``op``'s responses: a success
        response's, once per operation. An error response links its model instead: that is most
        often one error shape every operation shares (Jira's ``ErrorCollection``: 210 tables,
        900 kB of its page), tabulated once in the models section."""
        shown: set[str] = set()
        for success in op.success_responses:
            model = self.field_table(success.type)
            if success.status == response.status:
                return model if model is not None and model.name not in shown else None
            shown.update([model.name] if model is not None else [])
        return None

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
    def server_model_typing(self) -> list[str]:
        """What the server's ``models.py`` imports from ``typing`` (its validators use ``Any`` and
        ``Annotated``)."""
        annotations = "\n".join(f.server_annotation for m in self.models for f in m.fields)
        literal_ = bool(self.enums) or "Literal[" in annotations
        return ["Annotated", "Any"] + ["Literal"] * literal_

    @cached_property
    def server_imports(self) -> tuple[list[str], bool]:
        """What the server's ``app.py`` and ``handlers.py`` import for the operations' annotations."""
        return server_imports(t for op in self.operations for t in op.argument_types)

    @cached_property
    def app_imports(self) -> tuple[list[str], bool]:
        """What the server's ``app.py`` imports for the annotations it prints: the operations'
        arguments and the answers it checks (``Operation.checked_response``)."""
        checked = [op.success.type for op in self.operations if op.checked_response and op.success]
        return server_imports([t for op in self.operations for t in op.argument_types] + checked)

    @cached_property
    def handler_annotations(self) -> str:
        """Every argument annotation of the server's handler interface, one per line."""
        found = {p.server_argument_annotation for op in self.operations for p in op.parameters}
        found.update(op.body.server_argument_annotation for op in self.operations if op.body)
        return "\n".join(sorted(found))

    @cached_property
    def app_annotations(self) -> str:
        """Every annotation the server's ``app.py`` prints (FastAPI's readers, the server's own
        parsers, the JSON bodies and answers it validates), one per line."""
        found = {p.server_annotation for op in self.operations for p in op.fastapi_parameters}
        found.update(p.validated_argument_annotation for op in self.operations for p in op.parsed_parameters)
        found.update(op.body.validated_argument_annotation for op in self.operations if op.body)
        found.update(op.checked_response for op in self.operations if op.checked_response)
        return "\n".join(sorted(found))

    @cached_property
    def handlers_typing(self) -> list[str]:
        """What the server's ``handlers.py`` imports from ``typing``."""
        return ["Any"] * bool(self.operations) + ["Literal"] * ("Literal[" in self.handler_annotations) + ["TypeVar"]

    @cached_property
    def handlers_use_models(self) -> bool:
        return "models." in self.handler_annotations

    @cached_property
    def app_typing(self) -> list[str]:
        """What the server's ``app.py`` imports from ``typing`` besides the names its runtime uses."""
        annotated = any(op.fastapi_parameters or op.json_body for op in self.operations) or "Annotated[" in self.app_annotations
        return ["Annotated"] * annotated + ["Literal"] * ("Literal[" in self.app_annotations)

    @cached_property
    def app_fastapi(self) -> list[str]:
        """What the server's ``app.py`` imports from ``fastapi``: its own names and the readers
        of the operations' parameters and JSON bodies."""
        readers = {p.fastapi_marker for op in self.operations for p in op.fastapi_parameters}
        readers.update(["Body"] * any(op.json_body for op in self.operations))
        return sorted(readers | {"FastAPI", "Request"})

    @cached_property
    def app_uses_models(self) -> bool:
        return "models." in self.app_annotations or bool(self.error_shapes)

    @cached_property
    def error_shapes(self) -> dict[str, ErrorShape]:
        """Model name -> how the server fills it, for the models some operation declares for a
        status the server answers itself (see ``operation_errors``)."""
        by_name = {m.name: m for m in self.models}
        shapes: dict[str, ErrorShape] = {}
        for op in self.operations:
            for status in SERVER_ERROR_STATUSES:
                response = op.error_response(status)
                model = response.type.model if response and response.kind == "json" and response.type and response.type.kind == "model" else None
                if model in by_name and model not in shapes:
                    shape = error_shape(by_name[model])
                    if shape is not None:
                        shapes[model] = shape
        return shapes

    @cached_property
    def operation_errors(self) -> dict[str, dict[int, str]]:
        """Operation -> status -> the error model its errors are answered in, for the statuses
        the server answers itself whose declared response is a model it can fill; every other
        error keeps the server's own shape (``{"error", "message"}``)."""
        found: dict[str, dict[int, str]] = {}
        for op in self.operations:
            for status in SERVER_ERROR_STATUSES:
                response = op.error_response(status)
                model = response.type.model if response and response.kind == "json" and response.type and response.type.kind == "model" else None
                if model in self.error_shapes:
                    found.setdefault(op.py_name, {})[status] = model
        return found

    @cached_property
    def error_model_sets(self) -> tuple[dict[int, str], ...]:
        """The distinct status -> error model maps of ``operation_errors``, in first-use order:
        the server's app lists each once."""
        found: list[dict[int, str]] = []
        for statuses in self.operation_errors.values():
            if statuses not in found:
                found.append(statuses)
        return tuple(found)

    @cached_property
    def operation_error_sets(self) -> dict[str, int]:
        """Operation -> the index of its map in ``error_model_sets``."""
        keys = [tuple(sorted(statuses.items())) for statuses in self.error_model_sets]
        return {name: keys.index(tuple(sorted(statuses.items()))) for name, statuses in self.operation_errors.items()}

    @cached_property
    def write_only_fields(self) -> list[str]:
        """The wire names of writeOnly fields: an answer may leave a required one out."""
        return sorted({f.wire_name for m in self.models for f in m.fields if f.write_only and f.server_required})

    @cached_property
    def not_found_error(self) -> str | None:
        """The error model of a 404 for a path no operation serves: the one every operation that
        declares a JSON model for 404 (exactly, ``4XX`` or ``default``) declares, if they agree."""
        models: set[str | None] = set()
        for op in self.operations:
            response = op.error_response(404)
            if response is not None and response.kind == "json" and response.type is not None:
                models.add(response.type.model if response.type.kind == "model" else None)
        if len(models) != 1:
            return None
        (model,) = models
        return model if model in self.error_shapes else None

    @cached_property
    def server_models_stdlib(self) -> list[str]:
        """The standard modules the server's ``models.py`` imports: its annotations' and its
        validators'."""
        return sorted(set(self.server_model_imports[0]) | {"contextlib", "datetime", "decimal", "functools", "ipaddress", "json", "re"})

    @property
    def decimal_text(self) -> str:
        """The pattern of a decimal in a string (``DECIMAL_TEXT``), which the server's models check."""
        return DECIMAL_TEXT

    @cached_property
    def server_models_count_properties(self) -> bool:
        """Whether a server model checks ``minProperties``/``maxProperties`` (a model validator)."""
        return any(m.constraints for m in self.models)

    @cached_property
    def server_models_refuse_null(self) -> bool:
        """Whether a server model refuses ``null`` for some optional field (see ``Model.refuses_null``)."""
        return any(m.refuses_null for m in self.models)

    @cached_property
    def server_app_uses_field(self) -> bool:
        """Whether the server's ``app.py`` names pydantic's ``Field`` (a constraint of a parameter,
        a body or a checked response)."""
        return "Field(" in self.app_annotations

    @cached_property
    def client_distribution(self) -> str:
        return names.distribution_name(self.client_package)

    @cached_property
    def server_distribution(self) -> str:
        return names.distribution_name(self.server_package)
