"""JSON Schema (Swagger 2.0 / OpenAPI 3 dialects) → ``TypeInfo`` and named ``Model``s.

Named schemas (``#/definitions/Pet``, ``#/components/schemas/Pet``) become model classes;
inline object schemas become models named after where they stand. Anything this generator does
not model yet becomes ``any`` with a warning, so the rest still generates.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable

from . import names
from .diagnostics import Level
from .load import resolve_pointer
from .model import ANY, Model, ModelField, NamedEnum, TypeInfo

Warn = Callable[[Level, str, str], None]
_PRIMITIVES = {"string", "integer", "number", "boolean"}


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

    def declare_named(self, definitions: dict[str, Any]) -> None:
        """Give every named object schema its class name up front, so refs may point forward."""
        for key, schema in definitions.items():
            if isinstance(schema, dict) and self._is_object(schema, frozenset()):
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
            return TypeInfo(kind, format=_str_or_none(schema.get("format")), nullable=nullable)
        if kind == "file":
            return TypeInfo("string", format="binary", nullable=nullable)
        if kind == "array":
            items = self.convert(schema.get("items"), pointer + "/items", context + "Item", seen)
            return TypeInfo("array", items=items, nullable=nullable)
        if kind == "object" or self._is_object(schema, seen):
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
        properties, _ = self._properties(schema, seen)
        if properties:
            class_name = self.class_names.claim(names.pascal(context, "Model"))
            self._build_model(class_name, context, schema, pointer, seen)
            return TypeInfo("model", model=class_name, nullable=nullable)
        extra = schema.get("additionalProperties")
        values = self.convert(extra, pointer + "/additionalProperties", context + "Value", seen) if isinstance(extra, dict) else ANY
        return TypeInfo("map", items=values, nullable=nullable)

    def _properties(self, schema: dict[str, Any], seen: frozenset[str]) -> tuple[dict[str, Any], set[str]]:
        """Own properties plus those of every ``allOf`` part (followed through refs)."""
        properties: dict[str, Any] = {}
        required: set[str] = set()
        for index, part in enumerate(schema.get("allOf") or [] if isinstance(schema.get("allOf"), list) else []):
            part, ref = self._follow(part, seen)
            if isinstance(part, dict):
                inherited, inherited_required = self._properties(part, seen | ({ref} if ref else set()))
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
        properties, required = self._properties(schema, seen)
        if isinstance(schema.get("oneOf"), list) or isinstance(schema.get("anyOf"), list):
            self.warn(Level.WARNING, pointer, "oneOf/anyOf beside properties: only the listed properties are typed")
        field_names = names.Namespace()
        fields = []
        self._order.append(class_name)
        self._models[class_name] = Model(class_name, wire_name, text(schema.get("description")), (), None)
        for wire, prop in properties.items():
            py_name = field_names.claim(names.attribute(wire, "field"))
            prop_type = self.convert(prop, f"{pointer}/properties/{names_escape(wire)}", class_name + names.pascal(wire, "Field"), seen)
            description = prop.get("description", "") if isinstance(prop, dict) else ""
            fields.append(ModelField(wire, py_name, prop_type, wire in required, text(description)))
        fields.sort(key=lambda f: not f.required)  # dataclass fields without defaults come first
        self._models[class_name] = Model(class_name, wire_name, text(schema.get("description")), tuple(fields), None)

    def _is_object(self, schema: dict[str, Any], seen: frozenset[str]) -> bool:
        if schema.get("type") == "object":
            return True
        if "type" in schema or schema.get("oneOf") or schema.get("anyOf") or schema.get("enum"):
            return False
        properties, _ = self._properties(schema, seen)
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


def names_escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def text(value: Any) -> str:
    """Spec prose as a plain string (specs put numbers and nulls where text belongs)."""
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else str(value)


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
