"""The API surface that client code depends on, and what changed between two of them.

``surface(api)`` is a compact, JSON-serialisable summary of what code written against the
generated client calls and reads: operations (by Python name) with their parameters, body and
success response, and models with their fields. Descriptions, examples and anything else that
is only documentation are left out, so doc-only edits change nothing. Every mapping is built
with sorted keys and every list sorted, so two builds of one spec give equal, byte-identical
JSON. It is stored in the output's manifest and compared against on the next run.

``compare(old, new)`` lists the changes between two surfaces and marks those that break code
written against the old client; ``summary(changes)`` prints them.

What "breaking" means here: code that type-checked and worked with the old client fails with
the new one. Values flow two ways, and narrowing and widening swap roles between them:

- Values the client *sends* (parameters, bodies, fields of models used in requests) break when
  the accepted set shrinks: a new required argument, optional made required, an enum value
  removed, ``str`` -> ``Literal[...]``, ``int | str`` -> ``int``, number -> integer, a list's
  item type narrowed, nullable -> not nullable. Widening is safe.
- Values the client *reads* (success responses, fields of models found in responses) break when
  the set grows: code that handles every old value meets a new one. Adding an enum value counts
  as breaking (an exhaustive ``match`` with ``assert_never`` stops type-checking); removing one
  does not. A field made optional (it may now be ``None``) breaks readers; a new required field
  does not.
- A model used both ways (or in neither, as far as the spec shows) gets both rules.

Removing anything (operation, parameter, body, model, field, page iterator) breaks, and so does
moving an operation to another group (``client.<group>.<op>`` changes). A success response
that the client reads differently (a JSON model that becomes ``bytes``, ``str``, ``None`` or an
event stream) breaks when the method can return a kind of value it could not before. A new method or path, a parameter
moving between query and header, or a new wire name under the same Python name is recorded but
not breaking: the regenerated client sends the right thing and the calling code is unchanged.
A wire rename that changes the Python name (the usual case) is a removal and an addition.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .model import ANY, Api, Body, Model, ModelField, Operation, Pagination, Parameter, TypeInfo

SURFACE_FORMAT = 2  # bump when the shape of ``surface`` changes (2: response kinds, iterators)

Json = dict[str, Any]
ChangeKind = Literal["added", "removed", "changed"]
Subject = Literal["operation", "parameter", "body", "response", "iterator", "model", "field"]


@dataclass(frozen=True)
class Change:
    """One difference between two API surfaces."""

    kind: ChangeKind
    subject: Subject
    where: str  # get_id, get_id(identity_pool_id), Credentials.access_key_id
    detail: str
    breaking: bool


# --- the surface --------------------------------------------------------------------------


def surface(api: Api) -> Json:
    """What client code depends on, as sorted JSON-ready data (see the module docstring)."""
    use = _model_use(api)
    return {
        "format": SURFACE_FORMAT,
        "models": {m.name: _model(m, use.get(m.name, ())) for m in sorted(api.models, key=lambda m: m.name)},
        "operations": {op.py_name: _operation(op) for op in sorted(api.operations, key=lambda o: o.py_name)},
    }


def _operation(op: Operation) -> Json:
    return {
        "body": _body(op.body),
        "group": op.group,
        "method": op.method,
        "pagination": _pagination(op.pagination),
        "parameters": {p.py_name: _parameter(p) for p in sorted(op.parameters, key=lambda p: p.py_name)},
        "path": _display_path(op),
        "response": describe(op.success.type if op.success else None),
        "returns": dict(sorted(op.success_kinds.items())),
    }


def _pagination(pagination: Pagination | None) -> Json | None:
    """The page iterator client code calls (``iter_list_pets``) and the items it yields."""
    if pagination is None:
        return None
    return {"items": describe(pagination.item_type), "iterator": pagination.method_name}


def _display_path(op: Operation) -> str:
    """The path with its fixed query, and fixed headers as the spec's fragment (``/#X-Amz-Target=...``)."""
    headers = "&".join(f"{k}={v}" for k, v in op.fixed_headers)
    return op.display_path + (f"#{headers}" if headers else "")


def _parameter(p: Parameter) -> Json:
    return {"in": p.location, "required": p.required, "type": describe(p.type), "wire": p.wire_name}


def _body(body: Body | None) -> Json | None:
    if body is None:
        return None
    return {"name": body.py_name, "required": body.required, "type": describe(body.type)}


def _model(model: Model, use: tuple[str, ...]) -> Json:
    fields = sorted(model.fields, key=lambda f: f.py_name)
    return {"fields": {f.py_name: _field(f) for f in fields}, "use": list(use)}


def _field(f: ModelField) -> Json:
    return {"required": f.required, "type": describe(f.type), "wire": f.wire_name}


def describe(type_: TypeInfo | None) -> Json:
    """A type as its annotation plus the structure needed to tell narrowing from widening.

    ``None`` (no response body described) is ``Any``, which is what the client returns then.
    """
    return dict(sorted({"annotation": (type_ or ANY).expanded, **_shape(type_ or ANY)}.items()))


def _shape(t: TypeInfo) -> Json:
    """The structure of a type; only keys that say something, so the JSON stays small."""
    shape: Json = {"kind": t.kind}
    if t.kind == "string" and t.format == "binary":
        shape["binary"] = True  # bytes, not str
    if t.python_type:
        shape["python"] = t.python_type  # datetime.date, uuid.UUID, ...: not str or float
    if t.kind in ("array", "map"):
        shape["items"] = _shape(t.items or ANY)
    if t.kind == "model":
        shape["model"] = t.model
    if t.kind == "enum":
        shape["values"] = sorted(t.enum_values, key=_value_key)
    if t.kind == "union":
        shape["variants"] = sorted((_shape(v) for v in t.variants), key=_canonical)
    if t.nullable:
        shape["nullable"] = True
    return dict(sorted(shape.items()))


def _value_key(value: Any) -> str:
    """A value as JSON text: sortable across types, and ``1``, ``1.0`` and ``true`` stay apart."""
    return json.dumps(value) + type(value).__name__


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True)


def _model_use(api: Api) -> dict[str, tuple[str, ...]]:
    """For each model class: whether requests ("input") or responses ("output") contain it."""
    fields = {m.name: [f.type for f in m.fields] for m in api.models}
    sent = [p.type for op in api.operations for p in op.parameters]
    sent += [op.body.type for op in api.operations if op.body]
    read = [r.type for op in api.operations for r in op.responses if r.type]
    use: dict[str, list[str]] = {}
    for role, roots in (("input", sent), ("output", read)):
        for name in sorted(_reachable(roots, fields)):
            use.setdefault(name, []).append(role)
    return {name: tuple(roles) for name, roles in use.items()}


def _reachable(roots: Iterable[TypeInfo], fields: Mapping[str, list[TypeInfo]]) -> set[str]:
    """Model classes found in ``roots``, through items, union members and model fields."""
    found: set[str] = set()
    stack = list(roots)
    while stack:
        t = stack.pop()
        stack.extend([t.items] if t.items else [])
        stack.extend(t.variants)
        if t.kind == "model" and t.model and t.model not in found:
            found.add(t.model)
            stack.extend(fields.get(t.model, ()))
    return found


# --- type comparison ----------------------------------------------------------------------


def covers(wide: Json, narrow: Json) -> bool:
    """Whether every value of type ``narrow`` is also a value of type ``wide`` (shapes or descriptions)."""
    if _admits_none(narrow) and not _admits_none(wide):
        return False
    return _covers_values(wide, narrow)


def _admits_none(shape: Json) -> bool:
    if shape.get("nullable") or shape["kind"] == "any":
        return True
    return any(_admits_none(v) for v in shape.get("variants", ()))


def _covers_values(wide: Json, narrow: Json) -> bool:
    """``covers`` without the question of ``None``."""
    if wide["kind"] == "any":
        return True
    if narrow["kind"] == "union":
        return all(_covers_values(wide, v) for v in narrow["variants"])
    if wide["kind"] == "union":
        return any(_covers_values(v, narrow) for v in wide["variants"])
    if narrow["kind"] == "enum":
        return all(_admits_value(wide, v) for v in narrow["values"])
    if wide["kind"] == "enum":  # only a boolean fits in an enum: one listing both values
        return narrow["kind"] == "boolean" and _admits_value(wide, True) and _admits_value(wide, False)
    if (wide["kind"], narrow["kind"]) == ("number", "integer"):
        return "python" not in wide
    if wide["kind"] != narrow["kind"]:
        return False
    if wide["kind"] in ("array", "map"):
        return covers(wide["items"], narrow["items"])
    same = ("model", "binary", "python")
    return all(wide.get(key) == narrow.get(key) for key in same)


def _admits_value(shape: Json, value: Any) -> bool:
    """Whether one enum value is a value of ``shape``."""
    kind: str = shape["kind"]
    if kind == "any":
        return True
    if kind == "union":
        return any(_admits_value(v, value) for v in shape["variants"])
    if kind == "enum":
        return _value_key(value) in {_value_key(v) for v in shape["values"]}
    if isinstance(value, bool):
        return kind == "boolean"
    if isinstance(value, int):
        return kind in ("integer", "number")
    if isinstance(value, float):
        return kind == "number"
    return isinstance(value, str) and kind == "string" and not shape.get("binary") and not shape.get("python")


@dataclass(frozen=True)
class _Flow:
    """Which way values of a type travel: sent by the client, read by it, or both."""

    sends: bool
    reads: bool


_SENT = _Flow(sends=True, reads=False)
_READ = _Flow(sends=False, reads=True)


def _type_change(old: Json, new: Json, flow: _Flow, *, optional: bool = False) -> tuple[str, bool] | None:
    """The detail of a type change and whether it breaks; None when the type is the same.

    ``optional``: the value may be left out (``None``) before and after, so whether the type
    itself is nullable makes no difference to callers.
    """
    if _without_annotation(old) == _without_annotation(new):
        return None  # the same values: only how an annotation is written changed (a quote style)
    old_set, new_set = (_with_none(t) if optional else t for t in (old, new))
    wider, narrower = covers(new_set, old_set), covers(old_set, new_set)
    word = "widened" if wider and not narrower else "narrowed" if narrower and not wider else "changed"
    breaking = (flow.sends and not wider) or (flow.reads and not narrower)
    return f"{old['annotation']} -> {new['annotation']}, {word}", breaking


def _without_annotation(described: Json) -> Json:
    return {key: value for key, value in described.items() if key != "annotation"}


def _with_none(shape: Json) -> Json:
    return {**shape, "nullable": True}


# --- comparing surfaces -------------------------------------------------------------------


def compare(old: Json, new: Json) -> list[Change]:
    """The changes from surface ``old`` to surface ``new``: breaking ones first, then by place.

    Raises ``ValueError`` when either surface was written in another format than this one.
    """
    for side in (old, new):
        if side.get("format") != SURFACE_FORMAT:
            raise ValueError(f"API surface format {side.get('format')!r} is not {SURFACE_FORMAT}")
    changes = [*_compare_operations(old["operations"], new["operations"]), *_compare_models(old["models"], new["models"])]
    return sorted(changes, key=lambda c: (not c.breaking, c.where, c.subject, c.kind, c.detail))


def _keyed(old: Mapping[str, Json], new: Mapping[str, Json]) -> Iterator[tuple[str, Json | None, Json | None]]:
    """Every key of either mapping, sorted, with its value on each side (None where missing)."""
    for key in sorted(old.keys() | new.keys()):
        yield key, old.get(key), new.get(key)


def _diff(
    old: Mapping[str, Json],
    new: Mapping[str, Json],
    removed: Callable[[str, Json], Iterable[Change]],
    added: Callable[[str, Json], Iterable[Change]],
    changed: Callable[[str, Json, Json], Iterable[Change]],
) -> Iterator[Change]:
    for key, before, after in _keyed(old, new):
        if after is None and before is not None:
            yield from removed(key, before)
        elif before is None and after is not None:
            yield from added(key, after)
        elif before is not None and after is not None:
            yield from changed(key, before, after)


def _compare_operations(old: Mapping[str, Json], new: Mapping[str, Json]) -> Iterator[Change]:
    def endpoint(op: Json) -> str:
        return f"{op['method']} {op['path']}"

    yield from _diff(
        old,
        new,
        lambda name, op: [Change("removed", "operation", name, endpoint(op), True)],
        lambda name, op: [Change("added", "operation", name, endpoint(op), False)],
        _operation_changes,
    )


def _operation_changes(name: str, old: Json, new: Json) -> Iterator[Change]:
    if old["group"] != new["group"]:
        yield Change("changed", "operation", name, f"client.{old['group']} -> client.{new['group']}", True)
    before, after = f"{old['method']} {old['path']}", f"{new['method']} {new['path']}"
    if before != after:
        yield Change("changed", "operation", name, f"{before} -> {after}", False)
    yield from _diff(
        old["parameters"],
        new["parameters"],
        lambda p, param: [Change("removed", "parameter", f"{name}({p})", _where_sent(param), True)],
        lambda p, param: [_added_argument("parameter", f"{name}({p})", param, _where_sent(param))],
        lambda p, a, b: _parameter_changes(f"{name}({p})", a, b),
    )
    yield from _body_changes(name, old["body"], new["body"])
    if old["returns"] != new["returns"]:
        yield _returns_change(name, old["returns"], new["returns"])
    else:
        change = _type_change(old["response"], new["response"], _READ)
        if change:
            yield Change("changed", "response", name, *change)
    yield from _iterator_changes(name, old["pagination"], new["pagination"])


def _returns_change(name: str, old: Mapping[str, str], new: Mapping[str, str]) -> Change:
    """Success responses read another way (status -> json, binary, text, empty, event-stream):
    breaking when the method may now return a kind of value it never returned (``bytes`` where
    a model came, ``None`` beside it), since code reading the old values does not expect it."""

    def text(kinds: Mapping[str, str]) -> str:
        return ", ".join(f"{status} {kind}" for status, kind in kinds.items()) or "no success declared"

    breaking = not set(new.values()) <= set(old.values())
    return Change("changed", "response", name, f"{text(old)} -> {text(new)}", breaking)


def _iterator_changes(name: str, old: Json | None, new: Json | None) -> Iterator[Change]:
    """Iterators are compared by method name: a renamed one is a removal and an addition."""
    before = {old["iterator"]: old} if old else {}
    after = {new["iterator"]: new} if new else {}
    yield from _diff(
        before,
        after,
        lambda it, _: [Change("removed", "iterator", it, f"pages of {name}", True)],
        lambda it, _: [Change("added", "iterator", it, f"pages of {name}", False)],
        lambda it, x, y: _iterator_item_changes(it, x, y),
    )


def _iterator_item_changes(iterator: str, old: Json, new: Json) -> Iterator[Change]:
    change = _type_change(old["items"], new["items"], _READ)
    if change:
        yield Change("changed", "iterator", iterator, *change)


def _where_sent(param: Json) -> str:
    return f"{param['in']} {param['wire']}"


def _added_argument(subject: Subject, where: str, value: Json, place: str) -> Change:
    """A new parameter or body: breaking when required, since existing calls do not pass it."""
    words = ["required" if value["required"] else "optional", *([place] if place else [])]
    detail = f"{' '.join(words)}: {value['type']['annotation']}"
    return Change("added", subject, where, detail, bool(value["required"]))


def _parameter_changes(where: str, old: Json, new: Json) -> Iterator[Change]:
    if old["wire"] != new["wire"]:
        yield Change("changed", "parameter", where, f"wire name {old['wire']} -> {new['wire']}", False)
    if old["in"] != new["in"]:
        yield Change("changed", "parameter", where, f"in {old['in']} -> {new['in']}", False)
    yield from _argument_changes("parameter", where, old, new)


def _argument_changes(subject: Subject, where: str, old: Json, new: Json) -> Iterator[Change]:
    """Required-ness and type of something the client sends (a parameter or a body)."""
    if old["required"] != new["required"]:
        yield _required_change(subject, where, new["required"], breaking=new["required"])
    optional = not old["required"] and not new["required"]
    change = _type_change(old["type"], new["type"], _SENT, optional=optional)
    if change:
        yield Change("changed", subject, where, *change)


def _required_change(subject: Subject, where: str, required: bool, *, breaking: bool) -> Change:
    detail = "optional -> required" if required else "required -> optional"
    return Change("changed", subject, where, detail, breaking)


def _body_changes(name: str, old: Json | None, new: Json | None) -> Iterator[Change]:
    """Bodies are compared by their argument name: a renamed argument is a removal and an addition."""
    before = {old["name"]: old} if old else {}
    after = {new["name"]: new} if new else {}
    yield from _diff(
        before,
        after,
        lambda b, body: [Change("removed", "body", f"{name}({b})", "", True)],
        lambda b, body: [_added_argument("body", f"{name}({b})", body, "")],
        lambda b, x, y: _argument_changes("body", f"{name}({b})", x, y),
    )


def _compare_models(old: Mapping[str, Json], new: Mapping[str, Json]) -> Iterator[Change]:
    yield from _diff(
        old,
        new,
        lambda name, model: [Change("removed", "model", name, "", True)],
        lambda name, model: [Change("added", "model", name, "", False)],
        _model_changes,
    )


def _model_changes(name: str, old: Json, new: Json) -> Iterator[Change]:
    use = set(old["use"]) | set(new["use"])
    flow = _Flow(sends="input" in use, reads="output" in use) if use else _Flow(sends=True, reads=True)
    yield from _diff(
        old["fields"],
        new["fields"],
        lambda f, field: [Change("removed", "field", f"{name}.{f}", f"wire {field['wire']}", True)],
        lambda f, field: [_added_field(f"{name}.{f}", field, flow)],
        lambda f, a, b: _field_changes(f"{name}.{f}", a, b, flow),
    )


def _added_field(where: str, field: Json, flow: _Flow) -> Change:
    """A new field breaks only code that builds the model: it must now pass a required one."""
    required = "required" if field["required"] else "optional"
    detail = f"{required} wire {field['wire']}: {field['type']['annotation']}"
    return Change("added", "field", where, detail, bool(field["required"]) and flow.sends)


def _field_changes(where: str, old: Json, new: Json, flow: _Flow) -> Iterator[Change]:
    if old["wire"] != new["wire"]:
        yield Change("changed", "field", where, f"wire name {old['wire']} -> {new['wire']}", False)
    if old["required"] != new["required"]:
        # Builders must now pass it; readers may now find None.
        breaking = flow.sends if new["required"] else flow.reads
        yield _required_change("field", where, new["required"], breaking=breaking)
    optional = not old["required"] and not new["required"]
    change = _type_change(old["type"], new["type"], flow, optional=optional)
    if change:
        yield Change("changed", "field", where, *change)


# --- the report ---------------------------------------------------------------------------


def summary(changes: list[Change]) -> str:
    """One line a change, then a count; "no API changes" when there are none."""
    if not changes:
        return "no API changes"
    breaking = sum(c.breaking for c in changes)
    count = f"{len(changes)} change{'' if len(changes) == 1 else 's'}, {breaking} breaking"
    return "\n".join([*(_line(c) for c in changes), count])


def _line(change: Change) -> str:
    text = f"{'BREAKING ' if change.breaking else ''}{change.kind} {change.subject} {change.where}"
    if change.detail:
        text += f" ({change.detail})"
    return "  " + _printable(text)


def _printable(text: str) -> str:
    """Spec text (wire names, enum values) with control characters escaped: one line stays one line."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
