"""What both normalizers share: walking paths, naming, grouping and routing operations.

``swagger2.Swagger2`` and ``openapi3.OpenApi3`` subclass ``Normalizer`` and say only what differs
between the versions: where named schemas live, how parameters, bodies, responses, servers and
security schemes are written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl

from . import names, pagination
from .diagnostics import Diagnostic, Level, SpecError, escape_pointer_token as escape, pointer_of, sort_unique
from .examples import call_example
from .load import LoadedSpec, resolve_pointer
from .mockdata import Direction, MockData
from .model import Api, Body, Group, Model, OAuthFlow, Operation, Parameter, Response, ResponseHeader, Route, SecurityScheme, Selector, TypeInfo, Verifier, is_media_type, query_spread_problem, style_problem
from .schemas import SchemaConverter, TooDeep, text

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
RETRY_SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"}
LOCAL_SERVER = "http://127.0.0.1:8000"
DEFAULT_VERSION = "0.0.0"
#: How many examples that do not fit their schema are named one by one (the rest are counted).
MAX_EXAMPLE_WARNINGS = 20
#: Module names the bodies of generated operation methods call: an argument must not hide them.
FUNCTION_BODY_NAMES = {"cast"}


@dataclass
class PendingOperation:
    """An operation before the API-wide names and examples are final."""

    fields: dict[str, Any]
    tag: str


@dataclass
class Normalizer:
    spec: LoadedSpec
    spec_name: str
    found: list[Diagnostic] = field(default_factory=list)
    model_prefix: str = ""
    unfit_examples: int = 0  # examples that do not fit their schema, each named up to MAX_EXAMPLE_WARNINGS

    def __post_init__(self) -> None:
        self.doc = self.spec.document
        self.converter = SchemaConverter(self.doc, self.model_prefix, self.warn)

    # -- what a version says differently ---------------------------------------------------

    def named_schemas(self) -> dict[str, Any]:
        raise NotImplementedError

    def base_url_and_path(self) -> tuple[str, str]:
        raise NotImplementedError

    def raw_security_schemes(self) -> tuple[dict[str, Any], str]:
        """The spec's security scheme mapping and its pointer."""
        raise NotImplementedError

    def scheme(self, name: str, raw: dict[str, Any], py_name: str, pointer: str) -> SecurityScheme | None:
        raise NotImplementedError

    def parameter(self, param: dict[str, Any], where: str, context: str, py_args: names.Namespace) -> Parameter | None:
        raise NotImplementedError

    def body(self, op: dict[str, Any], pointer: str, context: str, py_args: names.Namespace, params: list[tuple[dict[str, Any], str]]) -> Body | None:
        raise NotImplementedError

    def response(self, op: dict[str, Any], status: str, raw: dict[str, Any], pointer: str, context: str) -> Response:
        raise NotImplementedError

    def api_key_scheme(
        self, name: str, raw: dict[str, Any], py_name: str, pointer: str, locations: tuple[str, ...]
    ) -> SecurityScheme | None:
        location, param_name = text(raw.get("in")), text(raw.get("name"))
        if location not in locations or not param_name:
            self.warn(Level.WARNING, pointer, f"apiKey scheme {name!r} needs 'in' ({', '.join(locations)}) and 'name'; ignored")
            return None
        return SecurityScheme(name, py_name, "apiKey", location, param_name, text(raw.get("description")), "apiKey")  # type: ignore[arg-type]

    def extra_operation_warnings(self, op: dict[str, Any], pointer: str) -> None:
        """Parts of an operation that are not generated (callbacks, links) are named here."""

    def fitting_examples(self, named: list[tuple[str, Any, str]], type_: TypeInfo, direction: Direction) -> tuple[tuple[str, Any], ...]:
        """The spec's examples (name, value, pointer) that fit ``type_``; each other one is left
        out with a warning (the server validates what it answers)."""
        checker = MockData(self.converter.models_by_name, direction)
        kept = []
        for name, value, where in named:
            problem = checker.problem(value, type_)
            if problem is None:
                kept.append((name, value))
            else:
                self.unfit_example(where, f"example {name!r} does not fit its schema ({problem}); not used")
        return tuple(kept)

    def check_media_type(self, content_type: str, kind_type: str | None, where: str) -> None:
        """Warns of a response media type that is no ``type/subtype`` (``PDF``): no answer can
        carry it, so the server sends ``kind_type`` (and its OpenAPI document says so)."""
        if not is_media_type(content_type):
            self.warn(Level.WARNING, where, f"media type {content_type!r} is not type/subtype; the server answers {kind_type}")

    def unfit_example(self, where: str, message: str) -> None:
        """Warns of an example that is not used; past ``MAX_EXAMPLE_WARNINGS`` they are only
        counted (some specs write every example as a JSON string: hundreds of warnings)."""
        self.unfit_examples += 1
        if self.unfit_examples <= MAX_EXAMPLE_WARNINGS:
            self.warn(Level.WARNING, where, message)

    def _check_schema_examples(self) -> None:
        """Warns of each example of a named schema or of its properties that fits its type
        neither as a request nor as a response value: examples are used only where they fit."""
        checkers = (MockData(self.converter.models_by_name, "response"), MockData(self.converter.models_by_name, "request"))
        for pointer, model in self.converter.named_models():
            found = [(pointer, TypeInfo("model", model=model.name), model.example)] if model.example is not None else []
            found += [(f"{pointer}/properties/{escape(f.wire_name)}", f.type, example) for f in model.fields for example in f.type.examples]
            for where, type_, example in found:
                problems = [checker.problem(example, type_) for checker in checkers]
                if all(problems):
                    self.unfit_example(where, f"example does not fit its schema ({problems[0]}); not used")
            self._check_unsatisfiable_fields(pointer, model, checkers[0])

    def _check_unsatisfiable_fields(self, pointer: str, model: Model, checker: MockData) -> None:
        """Warns of each string or number property of a named schema that no value fits (a
        pattern no string of its format matches, bounds that exclude every multiple): the mock
        answers the closest value it can make for a required one, which a strict client may
        refuse, and leaves an optional one out."""
        for f in model.fields:
            if f.type.kind in ("string", "integer", "number"):
                value = checker.value(f.type)
                problem = checker.problem(value, f.type)
                if problem is not None:
                    where = f"{pointer}/properties/{escape(f.wire_name)}"
                    sent = f"mock answers send the closest, {value!r}, though {problem}" if f.required else f"made values leave it out ({problem} for the closest, {value!r})"
                    self.warn(Level.WARNING, where, f"no value fits the schema; {sent}")

    def with_examples(self, type_: TypeInfo, named: list[tuple[str, Any, str]], direction: Direction) -> TypeInfo:
        """``type_`` with the fitting ones of a parameter's or body's examples first."""
        kept = self.fitting_examples(named, type_, direction)
        return replace(type_, examples=tuple(value for _, value in kept) + type_.examples) if kept else type_

    # -- shared ----------------------------------------------------------------------------

    def warn(self, level: Level, pointer: str, message: str) -> None:
        self.found.append(self.spec.diag(level, pointer, message))

    def deref(self, node: Any) -> tuple[Any, str | None]:
        """Follow a parameter, response or body ``$ref`` inside the document (chains too)."""
        seen: set[str] = set()
        pointer = None
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
            ref = node["$ref"]
            if ref in seen:
                return None, pointer
            seen.add(ref)
            found, node = resolve_pointer(self.doc, ref[1:])
            pointer = ref[1:]
            if not found:
                return None, pointer
        return node, pointer

    def normalize(self) -> Api:
        try:
            return self._normalize()
        except TooDeep as exc:
            raise SpecError([self.spec.diag(Level.ERROR, exc.pointer, str(exc))]) from None

    def _normalize(self) -> Api:
        schemas = self.named_schemas()
        self.converter.declare_named(schemas)
        self.converter.build_named(schemas)
        schemes = self._security_schemes()
        pending = self._operations({s.name: s for s in schemes})
        models = self.converter.models()
        self._check_schema_examples()
        maker = Examples(MockData(self.converter.models_by_name, "request"), MockData(self.converter.models_by_name, "response"))
        base_url, base_path = self.base_url_and_path()
        groups = _with_pagination(self._groups(pending, maker, base_url), {m.name: m for m in models})
        if self.unfit_examples > MAX_EXAMPLE_WARNINGS:
            self.warn(Level.WARNING, "", f"{self.unfit_examples - MAX_EXAMPLE_WARNINGS} more examples do not fit their schema; not used")
        version, info = self._version_and_info()
        return Api(
            spec_name=self.spec_name,
            client_package=f"{self.spec_name}_client",
            server_package=f"{self.spec_name}_server",
            title=text(info.get("title")) or self.spec_name,
            version=version,
            package_version=version if re.fullmatch(r"\d+(\.\d+){0,3}", version) else "0.0.0",
            description=text(info.get("description")),
            base_url=base_url,
            base_path=base_path,
            groups=groups,
            routes=self._routes([op for g in groups for op in g.operations]),
            models=models,
            enums=self.converter.enums(),
            security_schemes=schemes,
            verifiers=_verifiers(schemes, groups),
            diagnostics=sort_unique(self.spec.diagnostics + self.found),
        )

    def _version_and_info(self) -> tuple[str, dict[str, Any]]:
        """The API's version (a server's OpenAPI document needs one) and its ``info`` mapping."""
        info = self.doc.get("info")
        if not isinstance(info, dict):
            self.warn(Level.WARNING, "/info" if "info" in self.doc else "", "no 'info' mapping; version 0.0.0 is used")
            return DEFAULT_VERSION, {}
        version = info.get("version")
        if isinstance(version, (str, int, float)) and not isinstance(version, bool) and text(version):
            return text(version), info
        self.warn(Level.WARNING, "/info/version" if "version" in info else "/info", "no 'info.version' text; version 0.0.0 is used")
        return DEFAULT_VERSION, info

    def _security_schemes(self) -> tuple[SecurityScheme, ...]:
        raw, pointer = self.raw_security_schemes()
        py_names = names.Namespace(names.CLIENT_CONSTRUCTOR_ARGUMENTS)
        schemes = []
        for name, scheme in raw.items():
            scheme, _ = self.deref(scheme)
            where = pointer + pointer_of(name)
            if not isinstance(scheme, dict):
                self.warn(Level.WARNING, where, "security scheme is not a mapping; ignored")
                continue
            made = self.scheme(name, scheme, py_names.claim(names.snake(name, "auth")), where)
            if made is not None:
                schemes.append(made)
        return _with_variables(schemes)

    def _security(self, op: dict[str, Any], schemes: dict[str, SecurityScheme], pointer: str) -> dict[str, Any]:
        """The operation's ``security`` alternatives and the ``scopes`` each scheme asks for."""
        requirements = op.get("security", self.doc.get("security"))
        if not isinstance(requirements, list):
            return {"security": (), "scopes": ()}
        alternatives: dict[tuple[tuple[SecurityScheme, tuple[str, ...]], ...], None] = {}
        for requirement in requirements:
            if not isinstance(requirement, dict):
                continue
            if not requirement:
                return {"security": (), "scopes": ()}  # an empty requirement: authentication is optional
            known = tuple((schemes[n], _scopes(scopes)) for n, scopes in requirement.items() if n in schemes)
            for unknown in (n for n in requirement if n not in schemes):
                self.warn(Level.WARNING, pointer + "/security", f"security requirement names unknown scheme {unknown!r}; ignored")
            if known:
                alternatives[known] = None
        return {
            "security": tuple(tuple(scheme for scheme, _ in alternative) for alternative in alternatives),
            "scopes": tuple(tuple(scopes for _, scopes in alternative) for alternative in alternatives),
        }

    def _operations(self, schemes: dict[str, SecurityScheme]) -> list[PendingOperation]:
        paths = self.doc.get("paths")
        if not isinstance(paths, dict):
            if paths is not None or "webhooks" not in self.doc:
                self.warn(Level.WARNING, "/paths", "no 'paths' mapping; the API has no operations")
            return []
        pending = []
        for key, item in paths.items():
            item_pointer = pointer_of("paths", key)
            item, _ = self.deref(item)
            if not isinstance(item, dict):
                self.warn(Level.WARNING, item_pointer, "path item is not a mapping (or a broken $ref); skipped")
                continue
            if not key.startswith("/"):
                self.warn(Level.WARNING, item_pointer, "path does not start with '/'; read as if it did")
            shared = self._list_of_parameters(item, item_pointer)
            for method in METHODS:
                operation = item.get(method)
                where = f"{item_pointer}/{method}"
                if isinstance(operation, dict):
                    pending.append(self._operation(key, method, operation, shared, where, schemes))
                elif method in item:
                    self.warn(Level.WARNING, where, "operation is not a mapping; skipped")
        return pending

    def _styled(self, param: Parameter, where: str) -> Parameter:
        """The parameter as the server reads it: an object's property names, and JSON text
        (with a warning) for a style that cannot carry its type unambiguously."""
        model = self.converter.models_by_name.get(param.type.model or "") if param.type.kind == "model" else None
        if model is not None:
            param = replace(param, object_keys=tuple(f.wire_name for f in model.fields))
        problem = style_problem(param, self.converter.models_by_name)
        if problem is None:
            return param
        explode = "exploded " if param.explode else ""
        self.warn(Level.WARNING, where, f"parameter {param.wire_name!r}: the {explode}{param.style} style cannot carry {problem} unambiguously; read as JSON text")
        return replace(param, style="json")

    def _unambiguous_query(self, parameters: list[Parameter], pointer: str) -> list[Parameter]:
        """The parameters, with the query objects spread over keys read as JSON text (with a
        warning) when their keys cannot be told apart."""
        problem = query_spread_problem(parameters)
        if problem is None:
            return parameters
        self.warn(Level.WARNING, pointer + "/parameters", f"{problem}; such objects are read as JSON text")
        return [replace(p, style="json") if p.server_parse in ("keys", "rest") else p for p in parameters]

    def _list_of_parameters(self, holder: dict[str, Any], pointer: str) -> list[Any]:
        """A path item's or operation's ``parameters``: a list, or none (with a warning)."""
        parameters = holder.get("parameters")
        if parameters is None or isinstance(parameters, list):
            return parameters or []
        self.warn(Level.WARNING, pointer + "/parameters", "'parameters' is not a list; ignored")
        return []

    def _operation(
        self, key: str, method: str, op: dict[str, Any], shared: list[Any], pointer: str, schemes: dict[str, SecurityScheme]
    ) -> PendingOperation:
        path, fixed_query, fixed_headers = split_path_key(key)
        operation_id = text(op.get("operationId")) or f"{method}{key}"
        context = names.pascal(operation_id, "Operation")
        py_args = names.Namespace(names.CLIENT_ARGUMENTS | names.HANDLER_ARGUMENTS | FUNCTION_BODY_NAMES)
        declared = self._declared_parameters(op, shared, pointer)
        fixed = {("query", k) for k, _ in fixed_query} | {("header", k.lower()) for k, _ in fixed_headers}
        parameters = []
        for param, where in declared:
            made = self.parameter(param, where, context, py_args)
            if made is not None and made.location == "path" and made.type.kind == "string" and param.get("x-ms-skip-url-encoding") is True:
                made = replace(made, reserved=True)
            if made is not None and not _nameable(made):
                self.warn(Level.WARNING, where + "/name", f"{made.location} parameter name {made.wire_name!r} cannot be sent (not an HTTP token); skipped")
            elif made is not None and (made.location, made.wire_name.lower() if made.location == "header" else made.wire_name) not in fixed:
                parameters.append(self._styled(made, where))
        parameters.extend(self._undeclared_path_parameters(path, parameters, pointer, py_args))
        parameters = self._unambiguous_query(parameters, pointer)
        parameters.sort(key=lambda p: (not p.required, p.location != "path"))
        body = self.body(op, pointer, context, py_args, declared)
        self.extra_operation_warnings(op, pointer)
        tags = [text(t) for t in op.get("tags") or [] if text(t)] if isinstance(op.get("tags"), list) else []
        fields = dict(
            operation_id=operation_id,
            method=method.upper(),
            path=path,
            server_path=_server_path(path, parameters),
            fixed_query=fixed_query,
            fixed_headers=fixed_headers,
            summary=text(op.get("summary")),
            description=text(op.get("description")),
            deprecated=bool(op.get("deprecated")),
            parameters=tuple(parameters),
            body=body,
            responses=self._responses(op, pointer, context),
            pointer=pointer,
            retry_safe=method.upper() in RETRY_SAFE_METHODS,
            **self._security(op, schemes, pointer),
        )
        return PendingOperation(fields, tags[0] if tags else "default")

    def _declared_parameters(self, op: dict[str, Any], shared: list[Any], pointer: str) -> list[tuple[dict[str, Any], str]]:
        """Path-level then operation-level parameters; an operation's own wins on (in, name)."""
        declared: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        own = self._list_of_parameters(op, pointer)
        item_pointer = pointer.rsplit("/", 1)[0]
        for base, items in ((item_pointer, shared), (pointer, own)):
            for index, raw in enumerate(items):
                param, ref_pointer = self.deref(raw)
                where = ref_pointer or f"{base}/parameters/{index}"
                if not isinstance(param, dict) or "name" not in param or "in" not in param:
                    self.warn(Level.WARNING, where, "parameter without 'name' and 'in' (or a broken $ref); skipped")
                    continue
                key = (text(param["in"]), text(param["name"]))
                if key in declared and base == pointer and declared[key][1].startswith(pointer + "/"):
                    self.warn(Level.WARNING, where, f"parameter {key[1]!r} in {key[0]} is declared twice; the last is used")
                declared[key] = (param, where)
        return list(declared.values())

    def _undeclared_path_parameters(
        self, path: str, parameters: list[Parameter], pointer: str, py_args: names.Namespace
    ) -> list[Parameter]:
        declared = {p.wire_name for p in parameters if p.location == "path"}
        extra = []
        in_template = re.findall(r"{([^{}]+)}", path)
        for wire in sorted({w for w in in_template if in_template.count(w) > 1}):
            self.warn(Level.WARNING, pointer, f"path parameter {wire!r} stands {in_template.count(wire)} times in the path; the client sends one value in every place, the server reads the first")
        for wire in dict.fromkeys(in_template):
            if wire not in declared:
                declared.add(wire)
                self.warn(Level.WARNING, pointer, f"path parameter {wire!r} is not declared; read as a required string")
                py_name = py_args.claim(names.snake(wire, "param"))
                extra.append(Parameter(wire, py_name, "path", TypeInfo("string"), True, "", "simple", False, None))
        for param in [p for p in parameters if p.location == "path" and "{" + p.wire_name + "}" not in path]:
            self.warn(Level.WARNING, pointer, f"path parameter {param.wire_name!r} is not in the path; it is not sent")
            parameters.remove(param)
        for param in parameters:
            self._warn_unsendable_path_parameter(param, pointer)
        return extra

    def _warn_unsendable_path_parameter(self, param: Parameter, pointer: str) -> None:
        """Warns of a path parameter whose model a request can send no property of (each is
        readOnly, no other is allowed: Jellyfin's ``Version``): its value is always an empty
        segment, which would change the path, so the client refuses every call."""
        model = self.converter.models_by_name.get(param.type.model or "") if param.type.kind == "model" else None
        if param.location == "path" and param.style != "json" and model is not None and model.closed and all(f.read_only for f in model.fields):
            self.warn(Level.WARNING, pointer, f"path parameter {param.wire_name!r}: a request can send no property of {model.name} (each is readOnly, no other is allowed), so its value is an empty segment; the client refuses every call")

    def _responses(self, op: dict[str, Any], pointer: str, context: str) -> tuple[Response, ...]:
        raw = op.get("responses")
        if not isinstance(raw, dict):
            if raw is not None:
                self.warn(Level.WARNING, pointer + "/responses", "'responses' is not a mapping; ignored")
            raw = {}
        responses = []
        for status, response in raw.items():
            where = f"{pointer}/responses/{escape(str(status))}"
            status = str(status).upper() if str(status).upper().endswith("XX") else str(status)
            if not re.fullmatch(r"[1-5](\d\d|XX)|default", status):
                self.warn(Level.WARNING, where, f"response status {status!r} is not an HTTP status; ignored")
                continue
            response, _ = self.deref(response)
            if not isinstance(response, dict):
                self.warn(Level.WARNING, where, "response is not a mapping (or a broken $ref); ignored")
                continue
            found = self.response(op, status, response, where, context)
            responses.append(replace(found, headers=self._response_headers(response.get("headers"))))
        return tuple(responses)

    def _response_headers(self, raw: Any) -> tuple[ResponseHeader, ...]:
        """The headers a response declares, with the type their text is read as."""
        headers = []
        for name, header in raw.items() if isinstance(raw, dict) else ():
            header, _ = self.deref(header)
            if isinstance(header, dict) and str(name).lower() != "content-type":
                schema = header.get("schema", header)  # Swagger 2.0 headers are their own schema
                headers.append(ResponseHeader(str(name), self._header_type(schema), text(header.get("description"))))
        return tuple(headers)

    def _header_type(self, schema: Any, depth: int = 0) -> TypeInfo:
        """The scalar (or array of scalars) a header holds; anything else is read as a string."""
        schema, _ = self.deref(schema)
        kind = schema.get("type") if isinstance(schema, dict) else None
        if kind == "array" and depth == 0:
            return TypeInfo("array", items=self._header_type(schema.get("items"), 1))
        if kind in ("integer", "number", "boolean"):
            return TypeInfo(kind)
        fmt = schema.get("format") if isinstance(schema, dict) else None
        return TypeInfo("string", format=fmt if fmt in ("date-time", "date") else None)

    def _groups(self, pending: list[PendingOperation], maker: Examples, base_url: str) -> tuple[Group, ...]:
        tags = self.doc.get("tags")
        tags = tags if isinstance(tags, list) else []
        tag_text = {text(t.get("name")): text(t.get("description")) for t in tags if isinstance(t, dict)}
        by_tag: dict[str, list[PendingOperation]] = {}
        for item in pending:
            by_tag.setdefault(item.tag, []).append(item)
        attrs = names.Namespace(names.GROUP_ATTRIBUTES_TAKEN)
        classes = names.Namespace(names.MODEL_NAMES_TAKEN)
        op_names = names.Namespace(names.OPERATION_NAMES_TAKEN)
        groups = []
        for tag, items in by_tag.items():
            attr = attrs.claim(names.snake(tag, "default"))
            operations = tuple(_finish(item, attr, op_names, maker, base_url) for item in items)
            groups.append(Group(tag, attr, classes.claim(names.pascal(tag, "Default")), tag_text.get(tag, ""), operations))
        return tuple(groups)


    def _routes(self, operations: list[Operation]) -> tuple[Route, ...]:
        """Operations by method and path; static paths sort before templated ones, so they win."""
        by_route: dict[tuple[str, str], list[Operation]] = {}
        for op in operations:
            by_route.setdefault((op.method, op.server_path), []).append(op)
        routes = []
        for (method, server_path), ops in by_route.items():
            fixed = sorted((op for op in ops if op.dispatched), key=lambda op: -len(op.fixed_query + op.fixed_headers))
            keys = tuple(dict.fromkeys(k for op in fixed for k, _ in op.fixed_query))
            headers = tuple(dict.fromkeys(k for op in fixed for k, _ in op.fixed_headers))
            plain, unreachable = _told_apart([op for op in ops if not op.dispatched])
            for op, twin in unreachable:
                self.warn(Level.WARNING, op.pointer, f"{method} {op.path} cannot be told apart from {twin.operation_id!r} by the parameters it takes; the server serves {twin.operation_id!r}")
            selected = tuple((op, _selector(op, plain, keys, headers)) for op in plain[:-1])
            routes.append(Route(method, ops[0].path, server_path, tuple(fixed), plain[-1] if plain else None, keys, headers, selected))
        routes.sort(key=_route_order)
        self._warn_identical_templates(routes)
        return tuple(routes)

    def _warn_identical_templates(self, routes: list[Route]) -> None:
        """Warns of paths that differ only in their placeholders' names, which OpenAPI calls
        identical (and invalid): one resource, published under the first one's path."""
        first: dict[str, str] = {}
        warned: set[str] = set()
        for route in routes:
            shape = re.sub(r"\{[^{}/]*\}", "{}", route.path)
            kept = first.setdefault(shape, route.path)
            if kept != route.path and route.path not in warned:
                warned.add(route.path)
                where = route.all_operations[0].pointer
                self.warn(Level.WARNING, where, f"path {route.path} differs from {kept} only in its placeholders' names (OpenAPI: identical paths); /openapi.json publishes both as {kept}")


def _route_order(route: Route) -> list[tuple[int, str]]:
    """Where the server tries a route: static segments before templated ones, so that a
    concrete path wins; a route whose value may span segments (a ``:path`` placeholder,
    ``x-ms-skip-url-encoding``) after every route that goes on past it, so that
    ``/apps/{app:path}`` leaves ``/apps/a/services/s`` to ``/apps/{app:path}/services/{name}``."""
    segments = route.server_path.split("/")
    key = [(int(segment.startswith("{")), segment) for segment in segments]
    return key + [(2, "")] * segments[-1].endswith(":path}")


def _query_and_header_keys(op: Operation, required: bool) -> tuple[frozenset[str], frozenset[str]]:
    """The query keys and (lower-case) header names of an operation's parameters: the required
    ones, or all it declares."""
    chosen = [p for p in op.parameters if p.required or not required]
    query = frozenset(p.wire_name for p in chosen if p.location == "query")
    return query, frozenset(p.wire_name.lower() for p in chosen if p.location == "header")


def _told_apart(plain: list[Operation]) -> tuple[list[Operation], list[tuple[Operation, Operation]]]:
    """The operations of one method and path without fixed values (told apart by a fragment
    only, which HTTP never sends), in the order the server tries them: the ones that require
    more keys first; and the ones no request can reach, each with the operation that takes its
    requests (the same keys required and declared)."""
    ordered = sorted(plain, key=lambda op: -sum(map(len, _query_and_header_keys(op, required=True))))
    kept: dict[tuple[frozenset[str], ...], Operation] = {}
    unreachable = []
    for op in ordered:
        signature = _query_and_header_keys(op, required=True) + _query_and_header_keys(op, required=False)
        if signature in kept:
            unreachable.append((op, kept[signature]))
        else:
            kept[signature] = op
    return list(kept.values()), unreachable


def _selector(op: Operation, plain: list[Operation], keys: tuple[str, ...], headers: tuple[str, ...]) -> Selector:
    """What selects ``op`` among ``plain``: its required keys present, and none of the keys only
    the others declare, nor any fixed key of the path's dispatched operations."""
    required_query, required_headers = _query_and_header_keys(op, required=True)
    own_query, own_headers = _query_and_header_keys(op, required=False)
    others = [_query_and_header_keys(other, required=False) for other in plain if other is not op]
    foreign_query = {k for query, _ in others for k in query} - own_query
    foreign_headers = {h for _, found in others for h in found} - own_headers
    return Selector(
        tuple(sorted(required_query)),
        tuple(sorted(required_headers)),
        keys + tuple(sorted(foreign_query - set(keys))),
        headers + tuple(sorted(foreign_headers - {h.lower() for h in headers})),
    )


#: A header or cookie name: an RFC 9110 token.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def _nameable(param: Parameter) -> bool:
    """Whether a parameter's name can go on the wire: a header's or a cookie's is a token (no
    spaces, no separators, not empty); any text can name a query parameter (``?=1`` too)."""
    return param.location not in ("header", "cookie") or _TOKEN.fullmatch(param.wire_name) is not None


def split_path_key(key: str) -> tuple[str, tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """A path key → its path, fixed query and fixed headers.

    ``/?Action=GetId`` is path ``/`` with the fixed query ``Action=GetId``; a fragment of
    ``name=value`` pairs (``/#X-Amz-Target=Foo``, as in AWS's JSON APIs) names fixed headers.
    Any other fragment (``/items#search``) names nothing HTTP sends: operations told apart by it
    alone are told apart by their parameters (see ``_told_apart``).
    """
    key, _, fragment = key.partition("#")
    path, _, query = key.partition("?")
    if not path.startswith("/"):
        path = "/" + path
    pairs = "&".join(piece for piece in fragment.split("&") if "=" in piece)
    headers = tuple((k, v) for k, v in parse_qsl(pairs, keep_blank_values=True) if re.fullmatch(r"[A-Za-z0-9-]+", k))
    return path, tuple(parse_qsl(query, keep_blank_values=True)), headers


def _server_path(path: str, parameters: list[Parameter]) -> str:
    """The path with Python names; a parameter that stands twice in the path is read from its
    first place only (a route names each of its parameters once), later places get names that
    no parameter has (generated names never start with "_")."""
    for param in parameters:
        if param.location == "path":
            first, *later = path.split("{" + param.wire_name + "}")
            convertor = _convertor(param, path)
            path = first + "".join("{" + (param.py_name + convertor if index == 0 else f"_{param.py_name}_{index + 1}") + "}" + part for index, part in enumerate(later))
    return path


def _convertor(param: Parameter, path: str) -> str:
    """How the server's route reads a path parameter: ``:path`` for a value that may span
    segments; ``:int`` (digits only) for an integer that shares its segment with another
    placeholder, so that ``/projects/{id}{.format}`` splits ``12.json`` into 12 and ``.json``
    (the default reads as much as it can, leaving the next placeholder one character)."""
    if param.reserved:
        return ":path"
    placeholder = "{" + param.wire_name + "}"
    segment = next((segment for segment in path.split("/") if placeholder in segment), "")
    return ":int" if param.type.kind == "integer" and segment.count("{") > 1 else ""


def _finish(item: PendingOperation, group: str, op_names: names.Namespace, maker: Examples, base_url: str) -> Operation:
    fields = item.fields
    py_name = op_names.claim(names.snake(fields["operation_id"], "operation"))
    parameters = tuple(replace(p, example=_parameter_example(p, maker.request)) for p in fields["parameters"])
    body: Body | None = fields["body"]
    if body is not None:
        body = replace(body, example=maker.request.value(body.type))
    responses = tuple(replace(r, example=_response_example(r, maker.response)) for r in fields["responses"])
    example = call_example(
        client_attr="client",
        group_attr=group,
        op_name=py_name,
        method=fields["method"],
        base_url=base_url or LOCAL_SERVER,
        path=fields["path"],
        fixed_query=fields["fixed_query"],
        fixed_headers=fields["fixed_headers"],
        parameters=parameters,
        body=body.example if body else None,
        body_arg=body.py_name if body else None,
        credentials=fields["security"][0] if fields["security"] else (),
    )
    return Operation(
        py_name=py_name,
        group=group,
        success=_success(responses),
        example=example,
        anchor="operation-" + py_name.replace("_", "-").strip("-"),
        **{**fields, "parameters": parameters, "body": body, "responses": responses},
    )


def oauth_flow(name: str, raw: dict[str, Any]) -> OAuthFlow:
    """One OAuth2 flow as the docs show it (OpenAPI 3's ``flows`` entry, or Swagger 2.0's scheme)."""
    scopes = raw.get("scopes")
    listed = tuple((text(scope), text(about)) for scope, about in scopes.items()) if isinstance(scopes, dict) else ()
    return OAuthFlow(name, text(raw.get("authorizationUrl")), text(raw.get("tokenUrl")), text(raw.get("refreshUrl")), listed)


def _with_variables(schemes: list[SecurityScheme]) -> tuple[SecurityScheme, ...]:
    """The schemes with the environment variables the docs' examples read their credentials
    from: TOKEN for a bearer token, USERNAME and PASSWORD for basic, the argument's name in
    capitals for an API key; a name taken by an earlier scheme gets the argument's name in
    front (``ADMIN_TOKEN``), then a number. Letters, digits and ``_`` only: safe in a shell
    word and a Python string whatever the spec names."""
    taken: set[str] = set()
    made = []
    for scheme in schemes:
        stem = re.sub(r"[^A-Z0-9_]", "_", scheme.py_name.upper()).strip("_") or "CREDENTIAL"
        stem = f"KEY_{stem}" if stem[0].isdigit() else stem
        wanted = {"basic": ("USERNAME", "PASSWORD"), "bearer": ("TOKEN",)}.get(scheme.kind, (stem,))
        if taken & set(wanted):
            wanted = tuple(w if w == stem else f"{stem}_{w}" for w in wanted)
        number = 2
        chosen = wanted
        while taken & set(chosen):
            chosen = tuple(f"{w}_{number}" for w in wanted)
            number += 1
        taken.update(chosen)
        made.append(replace(scheme, variables=chosen))
    return tuple(made)


def _scopes(listed: Any) -> tuple[str, ...]:
    """The scopes a security requirement lists for one scheme: its strings, each once."""
    return tuple(dict.fromkeys(text(s) for s in listed if isinstance(s, str))) if isinstance(listed, list) else ()


def _verifiers(schemes: tuple[SecurityScheme, ...], groups: tuple[Group, ...]) -> tuple[Verifier, ...]:
    """A verifier for each scheme some operation uses; its name is claimed after every operation's."""
    operations = [op for group in groups for op in group.operations]
    used = {scheme.name for op in operations for alternative in op.security for scheme in alternative}
    methods = names.verifier_names([s.name for s in schemes], [op.py_name for op in operations])
    return tuple(Verifier(scheme, method) for scheme, method in zip(schemes, methods, strict=True) if scheme.name in used)


@dataclass(frozen=True)
class Examples:
    """Makes the values of requests (docs, call examples) and of responses (the mock's answers)."""

    request: MockData
    response: MockData


def _parameter_example(param: Parameter, maker: MockData) -> Any:
    """A parameter's example value; a path parameter's is never empty text where its type allows
    another (the client refuses an empty path segment)."""
    return maker.segment_value(param.type) if param.location == "path" else maker.value(param.type)


def _response_example(response: Response, maker: MockData) -> Any:
    """The response's first named example (they fit), else a value made from its schema."""
    if response.examples:
        return response.examples[0][1]
    return maker.value(response.type) if response.type else None


def _with_pagination(groups: tuple[Group, ...], models: dict[str, Model]) -> tuple[Group, ...]:
    """The groups with each paginated operation's iterator; its name is claimed after every
    operation's, so that an operation keeps its name whatever iterators are added."""
    method_names = names.Namespace()
    for op in (op for group in groups for op in group.operations):
        method_names.claim(op.py_name)
    return tuple(
        replace(group, operations=tuple(replace(op, pagination=pagination.detect(op, models, method_names.claim)) for op in group.operations))
        for group in groups
    )


def _success(responses: tuple[Response, ...]) -> Response | None:
    ordered = sorted((r for r in responses if r.status.startswith("2")), key=lambda r: r.status)
    if ordered:
        return ordered[0]
    return next((r for r in responses if r.status == "default"), None)
