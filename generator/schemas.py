"""JSON Schema (Swagger 2.0 / OpenAPI 3 dialects) → ``TypeInfo`` and named ``Model``s.

Named schemas (``#/definitions/Pet``, ``#/components/schemas/Pet``) become model classes;
inline object schemas become models named after where they stand. Anything this generator does
not model yet becomes ``any`` with a warning, so the rest still generates.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterator

from . import names
from .diagnostics import Level
from .load import resolve_pointer
from .model import ANY, NO_CONSTRAINTS, Constraints, Model, ModelField, NamedEnum, TypeInfo

Warn = Callable[[Level, str, str], None]
_PRIMITIVES = {"string", "integer", "number", "boolean"}
_TYPE_NAMES = _PRIMITIVES | {"array", "object", "null", "file"}
#: Schemas nested deeper than this (inline, through allOf, or through refs to schemas that are
#: not models) are refused with a located error, so that no later step recurses without bound.
MAX_SCHEMA_DEPTH = 100


class TooDeep(Exception):
    """A schema nests deeper than ``MAX_SCHEMA_DEPTH``: generation stops at the first such place
    (every schema of a long chain would be too deep, and each would take as long to find)."""

    def __init__(self, pointer: str):
        self.pointer = pointer
        super().__init__(f"schema nested deeper than {MAX_SCHEMA_DEPTH} levels (inline, through allOf, or through refs to schemas that are not models)")


@dataclass
class SchemaConverter:
    document: dict[str, Any]
    model_prefix: str  # "#/definitions/" or "#/components/schemas/"
    warn: Warn
    class_names: names.Namespace = field(default_factory=lambda: names.Namespace(names.MODEL_NAMES_TAKEN))
    _named: dict[str, str] = field(default_factory=dict)  # ref → class name
    _models: dict[str, Model] = field(default_factory=dict)  # class name → model
    _order: list[str] = field(default_factory=list)

    _ref_types: dict[str, TypeInfo] = field(default_factory=dict)  # converted non-model refs
    _enums: list[NamedEnum] = field(default_factory=list)
    _depth: int = 0  # schemas being converted or read, one inside the next

    def repaired(self, schema: dict[str, Any], pointer: str) -> dict[str, Any]:
        """``schema`` with each keyword of the wrong JSON type repaired or dropped, a warning
        for each (see ``repair_schema``)."""
        return repair_schema(schema, lambda where, message: self.warn(Level.WARNING, pointer + where, message))

    @contextmanager
    def _nested(self, pointer: str) -> Iterator[None]:
        """One level deeper into a schema; past ``MAX_SCHEMA_DEPTH``, generation stops."""
        if self._depth >= MAX_SCHEMA_DEPTH:
            raise TooDeep(pointer)
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1

    def declare_named(self, definitions: dict[str, Any]) -> None:
        """Give every named object schema its class name up front, so refs may point forward."""
        for key, schema in definitions.items():
            if isinstance(schema, dict) and self._is_object(schema, self.model_prefix[1:] + names_escape(key), frozenset()):
                self._named[self.model_prefix + names_escape(key)] = self.class_names.claim(names.pascal(key, "Model"))

    def build_named(self, definitions: dict[str, Any]) -> None:
        for key, schema in definitions.items():
            ref = self.model_prefix + names_escape(key)
            if ref in self._named:
                self._build_model(self._named[ref], key, schema, ref[1:], frozenset({ref}))

    def models(self) -> tuple[Model, ...]:
        return tuple(self._models[name] for name in self._order)

    def enums(self) -> tuple[NamedEnum, ...]:
        return tuple(self._enums)

    def convert(self, schema: Any, pointer: str, context: str, seen: frozenset[str] = frozenset()) -> TypeInfo:
        """The type of ``schema``; ``context`` names an inline object's class if it needs one."""
        if not isinstance(schema, dict):
            return ANY
        with self._nested(pointer):
            converted = self._convert(self.repaired(schema, pointer), pointer, context, seen)
        examples = schema_examples(schema)
        return replace(converted, examples=examples) if examples else converted

    def named_models(self) -> list[tuple[str, Model]]:
        """The models of named schemas, each with its schema's pointer."""
        return [(ref[1:], self._models[name]) for ref, name in self._named.items() if name in self._models]

    @property
    def models_by_name(self) -> dict[str, Model]:
        """The models built so far, by class name (every one a converted type refers to)."""
        return self._models

    def _convert(self, schema: dict[str, Any], pointer: str, context: str, seen: frozenset[str]) -> TypeInfo:
        nullable = bool(schema.get("x-nullable") or schema.get("nullable"))
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return _nullable(self._convert_ref(ref, context, seen), nullable)
        kind = schema.get("type")
        if isinstance(kind, list):
            non_null = [k for k in kind if k != "null"]
            nullable = nullable or len(non_null) < len(kind)
            if len(non_null) > 1:
                variants = tuple(self.convert({**schema, "type": k}, pointer, context, seen) for k in non_null)
                return TypeInfo("union", variants=variants, nullable=nullable)
            kind = non_null[0] if non_null else None
        if "const" in schema and isinstance(schema["const"], (str, int)):
            return TypeInfo("enum", enum_values=(schema["const"],), nullable=nullable)
        enum = schema.get("enum")
        if isinstance(enum, list):
            values = literal_values(enum)
            if any(isinstance(v, (dict, list)) for v in enum):
                self.warn(Level.WARNING, pointer + "/enum", "enum holds objects or lists; typed without its values")
            if values:
                return TypeInfo("enum", enum_values=values, nullable=nullable or None in enum, alias=self._enum_alias(context, values))
        for keyword in ("oneOf", "anyOf"):
            if isinstance(schema.get(keyword), list) and schema[keyword] and not schema.get("properties"):
                return _nullable(self._convert_union(schema, keyword, pointer, context, seen), nullable)
        all_of = schema.get("allOf")
        if isinstance(all_of, list) and not schema.get("properties"):
            typed = [(i, part) for i, part in enumerate(all_of) if _has_type(part)]
            if len(typed) == 1:
                index, part = typed[0]
                return _nullable(self.convert(part, f"{pointer}/allOf/{index}", context, seen), nullable)
        if kind in _PRIMITIVES:
            constraints = self._constraints(schema, pointer)
            return TypeInfo(kind, format=_str_or_none(schema.get("format")), nullable=nullable, constraints=constraints)
        if kind == "file":
            return TypeInfo("string", format="binary", nullable=nullable)
        if kind == "array":
            items = self.convert(schema.get("items"), pointer + "/items", context + "Item", seen)
            return TypeInfo("array", items=items, nullable=nullable, constraints=self._constraints(schema, pointer))
        if kind == "object" or self._is_object(schema, pointer, seen):
            return self._convert_object(schema, pointer, context, seen, nullable)
        return TypeInfo("any")

    def _enum_alias(self, context: str, values: tuple[str | int | bool, ...]) -> str | None:
        """A name for an enum of several values, after where it stands; a single value (a
        ``const``, a tag) reads best as it is."""
        if len(values) < 2:
            return None
        name = self.class_names.claim(names.pascal(context, "Enum"))
        self._enums.append(NamedEnum(name, values))
        return name

    def _convert_ref(self, ref: str, context: str, seen: frozenset[str]) -> TypeInfo:
        if ref in self._named:
            return TypeInfo("model", model=self._named[ref])
        if ref in self._ref_types:
            return self._ref_types[ref]
        found, target = resolve_pointer(self.document, ref[1:]) if ref.startswith("#") else (False, None)
        if not found or ref in seen:
            return ANY
        converted = self.convert(target, ref[1:], names.pascal(ref.rsplit("/", 1)[-1], context), seen | {ref})
        self._ref_types[ref] = converted
        return converted

    def _convert_union(self, schema: dict[str, Any], keyword: str, pointer: str, context: str, seen: frozenset[str]) -> TypeInfo:
        variants: list[TypeInfo] = []
        nullable = False
        for index, part in enumerate(schema[keyword]):
            if isinstance(part, dict) and (part.get("type") == "null" or part.get("enum") == [None]):
                nullable = True
                continue
            variant = self.convert(part, f"{pointer}/{keyword}/{index}", f"{context}Option{index + 1}", seen)
            if variant not in variants:
                variants.append(variant)
        if any(v.kind == "any" for v in variants) or not variants:
            return TypeInfo("any")
        if len(variants) == 1:
            return _nullable(variants[0], nullable)
        return TypeInfo("union", variants=tuple(variants), nullable=nullable)

    def _convert_object(self, schema: dict[str, Any], pointer: str, context: str, seen: frozenset[str], nullable: bool) -> TypeInfo:
        properties, _ = self._properties(schema, pointer, seen)
        if properties:
            class_name = self.class_names.claim(names.pascal(context, "Model"))
            self._build_model(class_name, context, schema, pointer, seen)
            return TypeInfo("model", model=class_name, nullable=nullable)
        extra = schema.get("additionalProperties")
        values = self.convert(extra, pointer + "/additionalProperties", context + "Value", seen) if isinstance(extra, dict) else ANY
        return TypeInfo("map", items=values, nullable=nullable, constraints=self._constraints(schema, pointer))

    def _constraints(self, schema: dict[str, Any], pointer: str) -> Constraints:
        """The validation keywords of ``schema``; one of the wrong JSON type (or a pattern that
        does not compile) is left out with a warning, so that no artefact enforces nonsense."""
        if not any(keyword in schema for keyword in _CONSTRAINT_CHECKS):
            return NO_CONSTRAINTS
        found: dict[str, Any] = {}
        for keyword, (attribute, valid, what) in _CONSTRAINT_CHECKS.items():
            if keyword not in schema:
                continue
            value = schema[keyword]
            if keyword in ("exclusiveMinimum", "exclusiveMaximum") and _is_number(value):
                bound = "minimum" if keyword == "exclusiveMinimum" else "maximum"
                found[bound], found[attribute] = value, True  # JSON Schema 2019+ (OpenAPI 3.1)
            elif valid(value):
                found.setdefault(attribute, value)
            else:
                self.warn(Level.WARNING, f"{pointer}/{keyword}", f"'{keyword}' is {_brief(value)}, not {what}; ignored")
        literal = _javascript_literal(found.get("pattern"))
        if literal is not None:
            self.warn(Level.WARNING, f"{pointer}/pattern", f"pattern {_brief(found['pattern'])} is written as a JavaScript regular expression literal; read as {_brief(literal)}")
            found["pattern"] = literal
        if "pattern" in found and not _compiles(found["pattern"]):
            self.warn(Level.WARNING, f"{pointer}/pattern", f"pattern {_brief(found.pop('pattern'))} is not a regular expression Python can run; ignored")
        return Constraints(**found)

    def _properties(self, schema: dict[str, Any], pointer: str, seen: frozenset[str]) -> tuple[dict[str, Any], set[str]]:
        """Own properties plus those of every ``allOf`` part (followed through refs)."""
        properties: dict[str, Any] = {}
        required: set[str] = set()
        schema = self.repaired(schema, pointer)
        with self._nested(pointer):
            for index, part in enumerate(schema.get("allOf") or []):
                part, ref = self._follow(part, seen)
                if isinstance(part, dict):
                    where = ref[1:] if ref else f"{pointer}/allOf/{index}"
                    inherited, inherited_required = self._properties(part, where, seen | ({ref} if ref else set()))
                    properties.update(inherited)
                    required |= inherited_required
        own = schema.get("properties")
        if isinstance(own, dict):
            properties.update(own)
        if isinstance(schema.get("required"), list):
            required |= {r for r in schema["required"] if isinstance(r, str)}
        return properties, required

    def _follow(self, part: Any, seen: frozenset[str]) -> tuple[Any, str | None]:
        ref = part.get("$ref") if isinstance(part, dict) else None
        if not isinstance(ref, str):
            return part, None
        if ref in seen or not ref.startswith("#"):
            return None, None
        found, target = resolve_pointer(self.document, ref[1:])
        return (target if found else None), ref

    def _build_model(self, class_name: str, wire_name: str, schema: dict[str, Any], pointer: str, seen: frozenset[str]) -> None:
        schema = self.repaired(schema, pointer)
        properties, required = self._properties(schema, pointer, seen)
        if isinstance(schema.get("oneOf"), list) or isinstance(schema.get("anyOf"), list):
            self.warn(Level.WARNING, pointer, "oneOf/anyOf beside properties: only the listed properties are typed")
        field_names = names.Namespace()
        fields = []
        self._order.append(class_name)
        self._models[class_name] = Model(class_name, wire_name, text(schema.get("description")), (), None)
        for wire, prop in properties.items():
            py_name = field_names.claim(names.attribute(wire, "field"))
            prop_type = self.convert(prop, f"{pointer}/properties/{names_escape(wire)}", class_name + names.pascal(wire, "Field"), seen)
            prop = prop if isinstance(prop, dict) else {}
            read_only, write_only = prop.get("readOnly") is True, prop.get("writeOnly") is True
            default = repair_schema(prop, lambda where, message: None).get("default")  # convert warned of a misfit
            description = text(prop.get("description", ""))
            field_ = ModelField(wire, py_name, prop_type, wire in required, description, read_only, write_only, default, prop.get("deprecated") is True)
            fields.append(field_)
        fields.sort(key=lambda f: not f.python_required)  # dataclass fields without defaults come first
        closed = schema.get("additionalProperties") is False
        constraints = self._constraints(schema, pointer)
        example = next(iter(schema_examples(schema)), None)
        self._models[class_name] = Model(class_name, wire_name, text(schema.get("description")), tuple(fields), example, closed, constraints)

    def _is_object(self, schema: dict[str, Any], pointer: str, seen: frozenset[str]) -> bool:
        schema = self.repaired(schema, pointer)
        if schema.get("type") == "object":
            return True
        if "type" in schema or schema.get("oneOf") or schema.get("anyOf") or schema.get("enum"):
            return False
        properties, _ = self._properties(schema, pointer, seen)
        return bool(properties)


_TYPE_KEYWORDS = ("$ref", "type", "properties", "items", "allOf", "oneOf", "anyOf", "enum", "const", "additionalProperties")


def _has_type(part: Any) -> bool:
    """Whether an allOf part says anything about type (not only a description or example)."""
    return isinstance(part, dict) and any(key in part for key in _TYPE_KEYWORDS)


def _nullable(type_: TypeInfo, nullable: bool) -> TypeInfo:
    return replace(type_, nullable=True) if nullable and not type_.nullable and type_.kind != "any" else type_


def literal_values(enum: list[Any]) -> tuple[str | int | bool, ...]:
    """Enum values a ``Literal`` can hold, without repeats (``1`` and ``True`` are different).

    ``Literal`` takes no floats and no containers, so an enum holding any of those is typed by
    its base type instead (empty result).
    """
    values = [v for v in enum if v is not None]
    if not values or not all(isinstance(v, (str, int)) for v in values):
        return ()
    unique = {(type(v).__name__, v): v for v in values}
    return tuple(unique.values())


def schema_examples(schema: dict[str, Any]) -> tuple[Any, ...]:
    """A schema's examples: ``example`` (``x-example`` in Swagger 2.0 specs), and the list of
    JSON Schema's ``examples`` (OpenAPI 3.1). Unchecked: ``mockdata`` uses those that fit."""
    found = [schema[key] for key in ("example", "x-example") if key in schema]
    listed = schema.get("examples")
    return tuple(found + (listed if isinstance(listed, list) else []))


def names_escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def text(value: Any) -> str:
    """Spec prose as a plain string (specs put numbers and nulls where text belongs)."""
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


#: A JavaScript regular expression literal: ``/body/flags``.
_JAVASCRIPT_LITERAL = re.compile(r"/(.+)/([gimsuy]*)", re.DOTALL)
#: The literal's flags that change what matches, as Python's inline flags (g, u, y do not).
_INLINE_FLAGS = {"i": "i", "m": "m", "s": "s"}


def _javascript_literal(pattern: Any) -> str | None:
    """The pattern a JavaScript literal (``/^[0-9]{5}$/i``) means, or None when ``pattern`` is
    none. A pattern between slashes is taken for a literal only when it has flags or is
    anchored at both ends (``/^...$/``), so that ``/api/`` still matches the text ``/api/``."""
    found = _JAVASCRIPT_LITERAL.fullmatch(pattern) if isinstance(pattern, str) else None
    if found is None:
        return None
    body, flags = found.groups()
    if not flags and not (body.startswith("^") and body.endswith("$")):
        return None
    inline = "".join(sorted({_INLINE_FLAGS[f] for f in flags if f in _INLINE_FLAGS}))
    return (f"(?{inline})" if inline else "") + body


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return False
    return True


#: keyword → (Constraints attribute, whether its value is right, what it must be).
_CONSTRAINT_CHECKS: dict[str, tuple[str, Callable[[Any], bool], str]] = {
    "minimum": ("minimum", _is_number, "a number"),
    "maximum": ("maximum", _is_number, "a number"),
    "exclusiveMinimum": ("exclusive_minimum", lambda v: isinstance(v, bool), "a boolean or a number"),
    "exclusiveMaximum": ("exclusive_maximum", lambda v: isinstance(v, bool), "a boolean or a number"),
    "multipleOf": ("multiple_of", lambda v: _is_number(v) and v > 0, "a number above 0"),
    "minLength": ("min_length", _is_count, "a count"),
    "maxLength": ("max_length", _is_count, "a count"),
    "pattern": ("pattern", lambda v: isinstance(v, str), "a string"),
    "minItems": ("min_items", _is_count, "a count"),
    "maxItems": ("max_items", _is_count, "a count"),
    "uniqueItems": ("unique_items", lambda v: isinstance(v, bool), "a boolean"),
    "minProperties": ("min_properties", _is_count, "a count"),
    "maxProperties": ("max_properties", _is_count, "a count"),
}


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


Report = Callable[[str, str], None]  # (pointer below the schema, message)


def repair_schema(schema: dict[str, Any], report: Report) -> dict[str, Any]:
    """``schema`` with every keyword this generator reads made the JSON type it must be.

    Specs in the wild hold a schema where a type name belongs (``type: {type: string}``), a
    string where a list belongs, and so on. Each such keyword is repaired when what was meant is
    clear (the inner schema is used, one name becomes a list of one) or else dropped (the type
    is then less precise, at worst ``any``), and each repair is reported. A schema that needs no
    repair is returned as it is.
    """
    kind = schema.get("type")
    default_fits = "default" not in schema or not isinstance(kind, str) or kind not in _JSON_TYPES or _fits(schema["default"], kind)
    if default_fits and all(_KEYWORD_CHECKS[key][0](value) for key, value in schema.items() if key in _KEYWORD_CHECKS):
        return schema
    repaired = dict(schema)
    while isinstance(repaired.get("type"), dict) and _has_type(repaired["type"]):
        report("/type", "'type' holds a schema instead of a type name; that schema is used")
        inner = repaired.pop("type")
        repaired = {**repaired, **inner}
    for key, (valid, repair, what) in _KEYWORD_CHECKS.items():
        if key not in repaired or valid(repaired[key]):
            continue
        found = _brief(repaired[key])
        fixed = repair(repaired[key])
        if fixed is None:
            del repaired[key]
            report("/" + names_escape(key), f"'{key}' is {found}, not {what}; ignored")
        else:
            repaired[key], how = fixed
            report("/" + names_escape(key), f"'{key}' is {found}, not {what}; {how}")
    kind = repaired.get("type")
    if "default" in repaired and isinstance(kind, str) and kind in _JSON_TYPES and not _fits(repaired["default"], kind):
        report("/default", f"'default' is {_brief(repaired.pop('default'))}, not of type {kind}; ignored")
    return repaired


_JSON_TYPES: dict[str, Any] = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "array": list, "object": dict}


def _fits(value: Any, kind: str) -> bool:
    """Whether a JSON value is of a schema type (null fits any: nullable is checked elsewhere)."""
    if value is None:
        return True
    if isinstance(value, bool) and kind != "boolean":
        return False
    return isinstance(value, _JSON_TYPES[kind])


def _brief(value: Any) -> str:
    """What a value is, for a message: short whatever the spec holds."""
    if isinstance(value, (dict, list)):
        kind = "a mapping" if isinstance(value, dict) else "a list"
        return f"{kind} of {len(value)}"
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _is_type_name(value: Any) -> bool:
    return isinstance(value, str) and value in _TYPE_NAMES


def _valid_type(value: Any) -> bool:
    return _is_type_name(value) or (isinstance(value, list) and bool(value) and all(_is_type_name(v) for v in value))


def _repair_type(value: Any) -> Any:
    names_ = [v for v in value if _is_type_name(v)] if isinstance(value, list) else []
    return (names_, "only the type names in it are used") if names_ else None


def _is_schema(value: Any) -> bool:
    """A schema, or a boolean one (JSON Schema's ``true``: anything, ``false``: nothing)."""
    return isinstance(value, (dict, bool))


def _valid_properties(value: Any) -> bool:
    return isinstance(value, dict) and all(_is_schema(v) for v in value.values())


def _repair_properties(value: Any) -> Any:
    """A property whose schema is not a mapping is kept, untyped."""
    if not isinstance(value, dict):
        return None
    return {k: (v if _is_schema(v) else {}) for k, v in value.items()}, "properties whose schema is not a mapping are untyped"


def _repair_items(value: Any) -> Any:
    """``items: [schema]`` (tuple validation, or a slip) with a single schema: that schema."""
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        return value[0], "the one schema in the list is used"
    return None


def _valid_required(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _repair_required(value: Any) -> Any:
    if isinstance(value, str):
        return [value], f"read as [{value!r}]"
    names_ = [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
    return (names_, "only the names in it are used") if names_ else None


def _valid_schema_list(value: Any) -> bool:
    return isinstance(value, list) and all(_is_schema(v) for v in value)


def _repair_schema_list(value: Any) -> Any:
    if isinstance(value, dict) and _has_type(value):
        return [value], "read as a list of that one schema"
    schemas = [v for v in value if _is_schema(v)] if isinstance(value, list) else []
    return (schemas, "only the schemas in it are used") if schemas else None


def _drop(value: Any) -> Any:
    return None


#: keyword → (whether its value is right, a repair and how it was made (None: drop it), what it must be).
_KEYWORD_CHECKS: dict[str, tuple[Callable[[Any], bool], Callable[[Any], Any], str]] = {
    "$ref": (lambda v: isinstance(v, str), _drop, "a string"),
    "type": (_valid_type, _repair_type, "a type name or a list of them"),
    "properties": (_valid_properties, _repair_properties, "a mapping of property names to schemas"),
    "items": (_is_schema, _repair_items, "a schema"),
    "additionalProperties": (_is_schema, _drop, "a schema or a boolean"),
    "required": (_valid_required, _repair_required, "a list of property names"),
    "enum": (lambda v: isinstance(v, list), _drop, "a list"),
    "allOf": (_valid_schema_list, _repair_schema_list, "a list of schemas"),
    "oneOf": (_valid_schema_list, _repair_schema_list, "a list of schemas"),
    "anyOf": (_valid_schema_list, _repair_schema_list, "a list of schemas"),
    "format": (lambda v: isinstance(v, str), _drop, "a string"),
    "nullable": (lambda v: isinstance(v, bool), _drop, "a boolean"),
    "x-nullable": (lambda v: isinstance(v, bool), _drop, "a boolean"),
    "discriminator": (lambda v: isinstance(v, (dict, str)), _drop, "a mapping (or, in Swagger 2.0, a property name)"),
}
