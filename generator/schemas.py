"""JSON Schema (Swagger 2.0 / OpenAPI 3 dialects) → ``TypeInfo`` and named ``Model``s.

Named schemas (``#/definitions/Pet``, ``#/components/schemas/Pet``) become model classes;
inline object schemas become models named after where they stand. Anything this generator does
not model yet becomes ``any`` with a warning, so the rest still generates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from . import names
from .diagnostics import Level
from .load import resolve_pointer
from .model import ANY, Model, ModelField, TypeInfo

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

    def declare_named(self, definitions: dict[str, Any]) -> None:
        """Give every named object schema its class name up front, so refs may point forward."""
        for key, schema in definitions.items():
            if isinstance(schema, dict) and self._is_object(schema):
                self._named[self.model_prefix + names_escape(key)] = self.class_names.claim(names.pascal(key, "Model"))

    def build_named(self, definitions: dict[str, Any]) -> None:
        for key, schema in definitions.items():
            ref = self.model_prefix + names_escape(key)
            if ref in self._named:
                self._build_model(self._named[ref], key, schema, ref[1:])

    def models(self) -> tuple[Model, ...]:
        return tuple(self._models[name] for name in self._order)

    def convert(self, schema: Any, pointer: str, context: str, seen: frozenset[str] = frozenset()) -> TypeInfo:
        """The type of ``schema``; ``context`` names an inline object's class if it needs one."""
        if not isinstance(schema, dict):
            return ANY
        nullable = bool(schema.get("x-nullable") or schema.get("nullable"))
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return self._convert_ref(ref, pointer, context, seen, nullable)
        kind = schema.get("type")
        if isinstance(kind, list):
            non_null = [k for k in kind if k != "null"]
            nullable = nullable or len(non_null) < len(kind)
            kind = non_null[0] if len(non_null) == 1 else None
        enum = schema.get("enum")
        if isinstance(enum, list):
            values = literal_values(enum)
            if values:
                return TypeInfo("enum", enum_values=values, nullable=nullable or None in enum)
        if kind in _PRIMITIVES:
            return TypeInfo(kind, format=_str_or_none(schema.get("format")), nullable=nullable)
        if kind == "file":
            return TypeInfo("string", format="binary", nullable=nullable)
        if kind == "array":
            items = self.convert(schema.get("items"), pointer + "/items", context + "Item", seen)
            return TypeInfo("array", items=items, nullable=nullable)
        if kind == "object" or self._is_object(schema):
            return self._convert_object(schema, pointer, context, seen, nullable)
        return TypeInfo("any")

    def _convert_ref(self, ref: str, pointer: str, context: str, seen: frozenset[str], nullable: bool) -> TypeInfo:
        if ref in self._named:
            return TypeInfo("model", model=self._named[ref], nullable=nullable)
        found, target = resolve_pointer(self.document, ref[1:]) if ref.startswith("#") else (False, None)
        if not found or ref in seen:
            return TypeInfo("any", nullable=nullable)
        inner = self.convert(target, ref[1:], context, seen | {ref})
        return TypeInfo(inner.kind, inner.format, inner.items, inner.model, inner.enum_values, inner.nullable or nullable)

    def _convert_object(self, schema: dict[str, Any], pointer: str, context: str, seen: frozenset[str], nullable: bool) -> TypeInfo:
        properties = schema.get("properties")
        if isinstance(properties, dict) and properties:
            class_name = self.class_names.claim(names.pascal(context, "Model"))
            self._build_model(class_name, context, schema, pointer)
            return TypeInfo("model", model=class_name, nullable=nullable)
        extra = schema.get("additionalProperties")
        values = self.convert(extra, pointer + "/additionalProperties", context + "Value", seen) if isinstance(extra, dict) else ANY
        return TypeInfo("map", items=values, nullable=nullable)

    def _build_model(self, class_name: str, wire_name: str, schema: dict[str, Any], pointer: str) -> None:
        properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        required = set(schema.get("required") or []) if isinstance(schema.get("required"), list) else set()
        if "allOf" in schema or "oneOf" in schema or "anyOf" in schema:
            self.warn(Level.WARNING, pointer, "allOf/oneOf/anyOf are not modelled yet; only the listed properties are typed")
        field_names = names.Namespace()
        fields = []
        self._order.append(class_name)
        for wire, prop in properties.items():
            py_name = field_names.claim(names.attribute(wire, "field"))
            prop_type = self.convert(prop, f"{pointer}/properties/{names_escape(wire)}", class_name + names.pascal(wire, "Field"))
            description = prop.get("description", "") if isinstance(prop, dict) else ""
            fields.append(ModelField(wire, py_name, prop_type, wire in required, text(description)))
        fields.sort(key=lambda f: not f.required)  # dataclass fields without defaults come first
        self._models[class_name] = Model(class_name, wire_name, text(schema.get("description")), tuple(fields), None)

    @staticmethod
    def _is_object(schema: dict[str, Any]) -> bool:
        return schema.get("type") == "object" or (
            "type" not in schema and isinstance(schema.get("properties"), dict) and bool(schema["properties"])
        )


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
