"""Swagger 2.0 → the intermediate model."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl

from . import names
from .diagnostics import Diagnostic, Level, pointer_of, sort_unique
from .examples import ExampleMaker, call_example
from .load import LoadedSpec, resolve_pointer
from .model import Api, Body, Group, Location, Operation, Parameter, Response, Route, TypeInfo
from .schemas import SchemaConverter, text

METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
RETRY_SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}
_LOCATIONS: dict[str, Location] = {"path": "path", "query": "query", "header": "header", "formData": "form"}
_COLLECTION_STYLES = {
    "csv": ("form", False),
    "ssv": ("spaceDelimited", False),
    "tsv": ("tabDelimited", False),
    "pipes": ("pipeDelimited", False),
    "multi": ("form", True),
}


@dataclass
class _Context:
    spec: LoadedSpec
    found: list[Diagnostic] = field(default_factory=list)

    def warn(self, level: Level, pointer: str, message: str) -> None:
        self.found.append(self.spec.diag(level, pointer, message))


@dataclass
class _PendingOperation:
    """An operation before the model's names and examples are final."""

    fields: dict[str, Any]
    tag: str


def normalize(spec: LoadedSpec, spec_name: str) -> Api:
    ctx = _Context(spec)
    doc = spec.document
    definitions = _definitions(doc, ctx)
    converter = SchemaConverter(doc, "#/definitions/", ctx.warn)
    converter.declare_named(definitions)
    converter.build_named(definitions)
    pending = _operations(doc, ctx, converter)
    models = converter.models()
    maker = ExampleMaker({m.name: m for m in models})
    base_url = _base_url(doc)
    groups = _groups(doc, pending, maker, base_url)
    operations = [op for g in groups for op in g.operations]
    info = doc.get("info") if isinstance(doc.get("info"), dict) else {}
    return Api(
        spec_name=spec_name,
        client_package=f"{spec_name}_client",
        server_package=f"{spec_name}_server",
        title=text(info.get("title")) or spec_name,
        version=text(info.get("version")),
        package_version=_package_version(text(info.get("version"))),
        description=text(info.get("description")),
        base_url=base_url,
        base_path=_base_path(doc),
        groups=groups,
        routes=_routes(operations),
        models=models,
        diagnostics=sort_unique(spec.diagnostics + ctx.found),
    )


def _definitions(doc: dict[str, Any], ctx: _Context) -> dict[str, Any]:
    definitions = doc.get("definitions")
    if definitions is None:
        return {}
    if isinstance(definitions, list) and not definitions:
        ctx.warn(Level.WARNING, "/definitions", "'definitions' is an empty list; read as an empty mapping")
        return {}
    if not isinstance(definitions, dict):
        ctx.warn(Level.WARNING, "/definitions", "'definitions' is not a mapping; ignored")
        return {}
    return definitions


def _base_path(doc: dict[str, Any]) -> str:
    base_path = text(doc.get("basePath")).rstrip("/")
    return "/" + base_path.lstrip("/") if base_path else ""


def _base_url(doc: dict[str, Any]) -> str:
    """``scheme://host/basePath`` when the spec names a host, else empty: the user must give one."""
    base_path = _base_path(doc)
    host = text(doc.get("host")).strip("/")
    if not host:
        return ""
    schemes = [s for s in doc.get("schemes") or [] if s in ("https", "http")]
    scheme = "https" if "https" in schemes or not schemes else schemes[0]
    return f"{scheme}://{host}{base_path}"


def split_path_key(key: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """``/?Action=GetId`` → (``/``, ((Action, GetId),)): the path and its fixed query."""
    path, _, query = key.partition("?")
    path = path.split("#", 1)[0]
    if not path.startswith("/"):
        path = "/" + path
    return path, tuple(parse_qsl(query, keep_blank_values=True))


def _operations(doc: dict[str, Any], ctx: _Context, converter: SchemaConverter) -> list[_PendingOperation]:
    paths = doc.get("paths")
    if not isinstance(paths, dict):
        ctx.warn(Level.WARNING, "/paths", "no 'paths' mapping; the API has no operations")
        return []
    pending = []
    for key, item in paths.items():
        if not isinstance(item, dict):
            continue
        item_pointer = pointer_of("paths", key)
        if not key.startswith("/"):
            ctx.warn(Level.WARNING, item_pointer, "path does not start with '/'; read as if it did")
        shared = item.get("parameters") if isinstance(item.get("parameters"), list) else []
        for method in METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                pending.append(_operation(doc, ctx, converter, key, method, operation, shared, f"{item_pointer}/{method}"))
    return pending


def _operation(
    doc: dict[str, Any],
    ctx: _Context,
    converter: SchemaConverter,
    key: str,
    method: str,
    op: dict[str, Any],
    shared: list[Any],
    pointer: str,
) -> _PendingOperation:
    path, fixed_query = split_path_key(key)
    operation_id = text(op.get("operationId")) or f"{method}{key}"
    context = names.pascal(operation_id, "Operation")
    py_args = names.Namespace(names.CLIENT_ARGUMENTS | names.HANDLER_ARGUMENTS)
    parameters, body = _parameters(doc, ctx, converter, op, shared, pointer, path, context, py_args)
    tags = [text(t) for t in op.get("tags") or [] if text(t)] if isinstance(op.get("tags"), list) else []
    fields = dict(
        operation_id=operation_id,
        method=method.upper(),
        path=path,
        server_path=_server_path(path, parameters),
        fixed_query=fixed_query,
        summary=text(op.get("summary")),
        description=text(op.get("description")),
        deprecated=bool(op.get("deprecated")),
        parameters=parameters,
        body=body,
        responses=_responses(doc, converter, op, pointer, context),
        pointer=pointer,
        retry_safe=method.upper() in RETRY_SAFE_METHODS,
    )
    return _PendingOperation(fields, tags[0] if tags else "default")


def _deref(doc: dict[str, Any], node: Any) -> tuple[Any, str | None]:
    """Follow a parameter or response ``$ref`` inside the document."""
    if isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
        found, target = resolve_pointer(doc, node["$ref"][1:])
        return (target if found else None), node["$ref"][1:]
    return node, None


def _parameters(
    doc: dict[str, Any],
    ctx: _Context,
    converter: SchemaConverter,
    op: dict[str, Any],
    shared: list[Any],
    pointer: str,
    path: str,
    context: str,
    py_args: names.Namespace,
) -> tuple[tuple[Parameter, ...], Body | None]:
    declared: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
    own = op.get("parameters") if isinstance(op.get("parameters"), list) else []
    for source, items in (("shared", shared), ("own", own)):
        for index, raw in enumerate(items):
            param, ref_pointer = _deref(doc, raw)
            where = ref_pointer or (f"{pointer}/parameters/{index}" if source == "own" else pointer.rsplit("/", 1)[0] + f"/parameters/{index}")
            if not isinstance(param, dict) or "name" not in param or "in" not in param:
                ctx.warn(Level.WARNING, where, "parameter without 'name' and 'in' (or a broken $ref); skipped")
                continue
            declared[(text(param["in"]), text(param["name"]))] = (param, where)
    parameters: list[Parameter] = []
    body: Body | None = None
    for (location, wire), (param, where) in declared.items():
        if location == "body":
            body = _body(op, param, converter, where, context, py_args)
        elif location in _LOCATIONS:
            parameters.append(_parameter(ctx, converter, param, where, _LOCATIONS[location], wire, context, py_args))
        else:
            ctx.warn(Level.WARNING, where + "/in", f"unknown parameter location {location!r}; skipped")
    parameters.extend(_undeclared_path_parameters(ctx, path, parameters, pointer, py_args))
    parameters.sort(key=lambda p: (not p.required, p.location != "path"))
    return tuple(parameters), body


def _parameter(
    ctx: _Context,
    converter: SchemaConverter,
    param: dict[str, Any],
    where: str,
    location: Location,
    wire: str,
    context: str,
    py_args: names.Namespace,
) -> Parameter:
    if "type" not in param and "schema" not in param:
        ctx.warn(Level.WARNING, where, f"parameter {wire!r} has no type; read as a string")
    schema = param.get("schema") if isinstance(param.get("schema"), dict) else {**param, "type": param.get("type", "string")}
    type_ = converter.convert(schema, where, context + names.pascal(wire, "Param"))
    required = bool(param.get("required"))
    if location == "path" and not required:
        ctx.warn(Level.WARNING, where, f"path parameter {wire!r} is not marked required; it is required")
        required = True
    style, explode = _COLLECTION_STYLES.get(text(param.get("collectionFormat")) or "csv", ("form", False))
    if location in ("path", "header"):
        style = "simple"
    return Parameter(
        wire_name=wire,
        py_name=py_args.claim(names.snake(wire, "param")),
        location=location,
        type=type_,
        required=required,
        description=text(param.get("description")),
        style=style,
        explode=explode,
        example=None,
        default=param.get("default"),
    )


def _undeclared_path_parameters(
    ctx: _Context, path: str, parameters: list[Parameter], pointer: str, py_args: names.Namespace
) -> list[Parameter]:
    declared = {p.wire_name for p in parameters if p.location == "path"}
    extra = []
    for wire in re.findall(r"{([^{}]+)}", path):
        if wire not in declared:
            declared.add(wire)
            ctx.warn(Level.WARNING, pointer, f"path parameter {wire!r} is not declared; read as a required string")
            extra.append(Parameter(wire, py_args.claim(names.snake(wire, "param")), "path", TypeInfo("string"), True, "", "simple", False, None))
    return extra


def _body(
    op: dict[str, Any], param: dict[str, Any], converter: SchemaConverter, where: str, context: str, py_args: names.Namespace
) -> Body:
    consumes = op.get("consumes") or []
    content_type = next((c for c in consumes if isinstance(c, str) and "json" in c), "application/json")
    type_ = converter.convert(param.get("schema"), where + "/schema", context + "Body")
    return Body(py_args.claim("body"), content_type, type_, bool(param.get("required")), text(param.get("description")), None)


def _responses(doc: dict[str, Any], converter: SchemaConverter, op: dict[str, Any], pointer: str, context: str) -> tuple[Response, ...]:
    raw = op.get("responses") if isinstance(op.get("responses"), dict) else {}
    produces = op.get("produces") or doc.get("produces") or ["application/json"]
    content_type = next((c for c in produces if isinstance(c, str) and "json" in c), produces[0] if produces else None)
    responses = []
    for status, response in raw.items():
        response, _ = _deref(doc, response)
        if not isinstance(response, dict):
            continue
        schema = response.get("schema")
        type_ = converter.convert(schema, f"{pointer}/responses/{status}/schema", context + "Response") if isinstance(schema, dict) else None
        responses.append(Response(str(status), text(response.get("description")), type_, content_type if type_ else None, None))
    return tuple(responses)


def _server_path(path: str, parameters: tuple[Parameter, ...]) -> str:
    for param in parameters:
        if param.location == "path":
            path = path.replace("{" + param.wire_name + "}", "{" + param.py_name + "}")
    return path


def _groups(doc: dict[str, Any], pending: list[_PendingOperation], maker: ExampleMaker, base_url: str) -> tuple[Group, ...]:
    tag_text = {text(t.get("name")): text(t.get("description")) for t in doc.get("tags") or [] if isinstance(t, dict)}
    by_tag: dict[str, list[_PendingOperation]] = {}
    for item in pending:
        by_tag.setdefault(item.tag, []).append(item)
    attrs = names.Namespace(names.GROUP_ATTRIBUTES_TAKEN)
    classes = names.Namespace(names.MODEL_NAMES_TAKEN)
    op_names = names.Namespace()
    groups = []
    for tag, items in by_tag.items():
        attr = attrs.claim(names.snake(tag, "default"))
        operations = tuple(_finish(item, attr, op_names, maker, base_url) for item in items)
        groups.append(Group(tag, attr, classes.claim(names.pascal(tag, "Default")), tag_text.get(tag, ""), operations))
    return tuple(groups)


def _finish(item: _PendingOperation, group: str, op_names: names.Namespace, maker: ExampleMaker, base_url: str) -> Operation:
    fields = item.fields
    py_name = op_names.claim(names.snake(fields["operation_id"], "operation"))
    parameters = tuple(_with_example(p, maker) for p in fields["parameters"])
    body: Body | None = fields["body"]
    if body is not None:
        body = Body(body.py_name, body.content_type, body.type, body.required, body.description, maker.value(body.type))
    responses = tuple(Response(r.status, r.description, r.type, r.content_type, maker.value(r.type) if r.type else None) for r in fields["responses"])
    example = call_example(
        client_attr="client",
        group_attr=group,
        op_name=py_name,
        method=fields["method"],
        base_url=base_url or "http://127.0.0.1:8000",
        path=fields["path"],
        fixed_query=fields["fixed_query"],
        parameters=parameters,
        body=body.example if body else None,
        body_arg=body.py_name if body else None,
    )
    return Operation(
        py_name=py_name,
        group=group,
        success=_success(responses),
        example=example,
        anchor="operation-" + py_name.replace("_", "-").strip("-"),
        **{**fields, "parameters": parameters, "body": body, "responses": responses},
    )


def _with_example(param: Parameter, maker: ExampleMaker) -> Parameter:
    return replace(param, example=maker.value(param.type))


def _success(responses: tuple[Response, ...]) -> Response | None:
    ordered = sorted((r for r in responses if r.status.startswith("2") and r.status.isdigit()), key=lambda r: r.status)
    if ordered:
        return ordered[0]
    return next((r for r in responses if r.status == "default"), None)


def _routes(operations: list[Operation]) -> tuple[Route, ...]:
    by_route: dict[tuple[str, str], list[Operation]] = {}
    for op in operations:
        by_route.setdefault((op.method, op.server_path), []).append(op)
    routes = []
    for (method, server_path), ops in by_route.items():
        fixed = sorted((op for op in ops if op.fixed_query), key=lambda op: -len(op.fixed_query))
        fallback = next((op for op in ops if not op.fixed_query), None)
        keys = tuple(dict.fromkeys(k for op in fixed for k, _ in op.fixed_query))
        routes.append(Route(method, ops[0].path, server_path, tuple(fixed), fallback, keys))
    return tuple(routes)


def _package_version(version: str) -> str:
    return version if re.fullmatch(r"\d+(\.\d+){0,3}", version) else "0.0.0"
