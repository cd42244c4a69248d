"""The OpenAPI 3.0 document the generated server publishes at ``/openapi.json``.

It describes what the server really accepts: operations that share a path and differ only in
their fixed query (``/?Action=GetId``) are one OpenAPI operation whose dispatch parameter is an
enum, since OpenAPI allows one operation per method and path.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from .model import Api, ModelField, Operation, Parameter, Route, SecurityScheme

#: Statuses whose answers never carry content, whatever the spec declares for them.
_NO_CONTENT = frozenset({"204", "205", "304"})
_ERROR = {"application/json": {"schema": {"type": "object", "properties": {"error": {"type": "string"}, "message": {"type": "string"}}}}}


def server_openapi(api: Api) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    published = _published_paths(api.routes)
    for route in api.routes:
        operation = _route_operation(route, api.operation_errors)
        path = published[route.path]
        if path != route.path:
            _rename_path_parameters(operation, route.path, path)
        methods = paths.setdefault(api.base_path + path, {})
        method = route.method.lower()
        methods[method] = _either(methods[method], operation) if method in methods else operation
    return {
        "openapi": "3.0.3",
        "info": {"title": api.title, "version": api.version or "0.0.0", "description": api.description},
        "paths": paths,
        "components": {
            "schemas": {m.name: _model_schema(m) for m in api.models},
            "securitySchemes": {s.name: _security_scheme(s) for s in api.security_schemes},
        },
    }


_PLACEHOLDER = re.compile(r"\{([^{}/]*)\}")


def _published_paths(routes: Sequence[Route]) -> dict[str, str]:
    """Route path -> the path it is published under. Paths that differ only in their
    placeholders' names (``/a/{id}``, ``/a/{type}``) are one resource (OpenAPI calls them
    identical, and invalid), which the server serves every method of: they are published as
    the first one, so that a resource's methods (and ``Allow``) are those of one path item."""
    first: dict[str, str] = {}
    for route in routes:
        first.setdefault(_PLACEHOLDER.sub("{}", route.path), route.path)
    return {route.path: first[_PLACEHOLDER.sub("{}", route.path)] for route in routes}


def _either(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Two operations of one method on paths that differ only in their placeholders' names,
    published as one: the server tries the first, and the second when the first's path
    parameters are not valid (``StrictJSONRoute.rivals``). A path parameter takes either's
    values; the other parameters are either's, optional unless both require them; a status
    whose answers differ is any JSON; a body, either's."""
    merged = {**first, "operationId": f"{first['operationId']}_or_{second['operationId']}"}
    theirs = {(p["in"], p["name"]): p for p in second["parameters"]}
    ours = {(p["in"], p["name"]) for p in first["parameters"]}
    parameters = []
    for parameter in first["parameters"]:
        other = theirs.get((parameter["in"], parameter["name"]))
        if other is None:
            parameters.append({**parameter, "required": False} if parameter["in"] != "path" else parameter)
        elif "schema" in parameter and "schema" in other and parameter["schema"] != other["schema"]:
            parameters.append({**parameter, "schema": {"anyOf": [parameter["schema"], other["schema"]]}})
        else:
            parameters.append(parameter)
    parameters += [{**p, "required": False} for key, p in theirs.items() if key not in ours and p["in"] != "path"]
    merged["parameters"] = parameters
    responses = dict(first["responses"])
    for status, response in second["responses"].items():
        if status in responses and responses[status] != response:
            responses[status] = {"description": responses[status]["description"], "content": {"application/json": {"schema": {}}}}
        else:
            responses.setdefault(status, response)
    merged["responses"] = responses
    if first.get("requestBody") != second.get("requestBody"):
        bodies = [op["requestBody"] for op in (first, second) if "requestBody" in op]
        content: dict[str, Any] = {}
        for body in bodies:
            for media, item in body["content"].items():
                known = content.get(media)
                content[media] = item if known is None or known == item else {"schema": {"anyOf": [known.get("schema", {}), item.get("schema", {})]}}
        merged["requestBody"] = {"required": len(bodies) == 2 and all(b.get("required") for b in bodies), "content": content}
    return merged


def _rename_path_parameters(operation: dict[str, Any], path: str, published: str) -> None:
    """Names the operation's path parameters as the ``published`` path does, by position."""
    names = dict(zip(_PLACEHOLDER.findall(path), _PLACEHOLDER.findall(published)))
    for parameter in operation["parameters"]:
        if parameter["in"] == "path" and parameter["name"] in names:
            parameter["name"] = names[parameter["name"]]


def _security_scheme(scheme: SecurityScheme) -> dict[str, Any]:
    if scheme.kind == "apiKey":
        return {"type": "apiKey", "in": scheme.location, "name": scheme.param_name}
    return {"type": "http", "scheme": scheme.kind}


_STYLES = {
    "path": {"simple", "label", "matrix"},
    "query": {"form", "spaceDelimited", "pipeDelimited", "deepObject"},
    "header": {"simple"},
    "cookie": {"form"},
}


#: A deepObject's property names, as the server reads them: ``name[a][b]`` and ``name[]`` are the
#: common spellings of a nested object and an array, no property named ``a][b`` or ``""``.
_DEEP_PROPERTY_NAMES = {"propertyNames": {"pattern": "^[^\\[\\]]+$"}}


def _parameter(p: Parameter, required: bool, others: tuple[str, ...] = ()) -> dict[str, Any]:
    """The parameter as the server reads it; ``others``: the query keys a form-exploded map
    leaves to the operation's other parameters, which are no names of its properties."""
    entry: dict[str, Any] = {"name": p.wire_name, "in": p.location, "required": required}
    if p.style == "json":
        entry["content"] = {"application/json": {"schema": p.type.json_schema}}
        return entry
    entry["schema"] = p.type.json_schema
    if p.type.kind == "any":  # an untyped parameter is read as the text sent (``type: time``)
        entry["schema"] = {**p.type.json_schema, "type": "string"}
    if p.server_parse == "deep":
        entry["schema"] = {"allOf": [p.type.json_schema, _DEEP_PROPERTY_NAMES]}
    elif p.server_parse == "rest" and others:
        entry["schema"] = {"allOf": [p.type.json_schema, {"propertyNames": {"not": {"enum": list(others)}}}]}
    if p.style in _STYLES[p.location]:
        entry["style"] = p.style
        entry["explode"] = p.explode
    return entry


#: Operation -> status -> the spec's error model the server answers that status in.
ErrorModels = dict[str, dict[int, str]]


def _route_operation(route: Route, errors: ErrorModels) -> dict[str, Any]:
    operations = list(route.all_operations)
    if not route.dispatched:
        return _operation(operations[0], optional_params=False, errors=errors)
    merged: dict[str, Any] = {
        "operationId": "_or_".join(op.py_name for op in operations),
        "summary": " | ".join(op.operation_id for op in operations),
        "description": _dispatch_description(route),
        "parameters": _dispatch_parameters(route) + _merged_parameters(operations, route),
        "responses": _merged_responses(operations, errors, selector_answers=bool(route.operations)),
    }
    body = _merged_body(operations)
    if body is not None:
        merged["requestBody"] = body
    return merged


def _dispatch_description(route: Route) -> str:
    """How the server picks the operation: by fixed values, then by the keys each requires."""
    told = [f"{op.operation_id} ({op.dispatch_text})" for op in route.operations]
    for op, selector in route.by_parameters:
        keys = selector.present_query + selector.present_headers
        told.append(f"{op.operation_id} (with {', '.join(keys)})" if keys else f"{op.operation_id} (without {', '.join(selector.absent_query + selector.absent_headers)})")
    if route.fallback is not None:
        told.append(f"{route.fallback.operation_id} (otherwise)")
    return "One operation of several, chosen by the request: " + "; ".join(told)


def _merged_body(operations: list[Operation]) -> dict[str, Any] | None:
    """The request body of operations told apart by a dispatch value: any one of theirs, by media
    type; required when every operation requires one."""
    bodies = [op.body for op in operations if op.body is not None]
    if not bodies:
        return None
    schemas: dict[str, list[dict[str, Any]]] = {}
    for body in bodies:
        found = schemas.setdefault(body.server_media_type, [])
        if body.type.json_schema not in found:
            found.append(body.type.json_schema)
    content = {media: {"schema": found[0] if len(found) == 1 else {"anyOf": found}} for media, found in schemas.items()}
    return {"required": len(bodies) == len(operations) and all(b.required for b in bodies), "content": content}


def _dispatch_parameters(route: Route) -> list[dict[str, Any]]:
    params = []
    for location, keys in (("query", route.dispatch_keys), ("header", route.dispatch_headers)):
        for key in keys:
            pairs = [pair for op in route.operations for pair in (op.fixed_query if location == "query" else op.fixed_headers)]
            values = sorted({v for k, v in pairs if k == key})
            params.append({"name": key, "in": location, "required": route.fallback is None, "schema": {"type": "string", "enum": values}})
    return params


def _merged_parameters(operations: list[Operation], route: Route) -> list[dict[str, Any]]:
    """Every operation's parameters, optional, except those the dispatch parameters replace."""
    dispatch = {k.lower() for k in route.dispatch_keys + route.dispatch_headers}
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for op in operations:
        for param in _operation(op, optional_params=True, errors={})["parameters"]:
            if param["name"].lower() not in dispatch:
                seen.setdefault((param["in"], param["name"]), param)
    return list(seen.values())


def _merged_responses(operations: list[Operation], errors: ErrorModels, selector_answers: bool) -> dict[str, Any]:
    """Every operation's responses (one status of different shapes: any JSON), and with
    ``selector_answers`` the 400 for a missing or unknown fixed value."""
    responses: dict[str, Any] = {}
    for op in operations:
        for status, response in _operation(op, optional_params=True, errors=errors)["responses"].items():
            if status in responses and responses[status] != response:
                responses[status] = {"description": responses[status]["description"], "content": {"application/json": {"schema": {}}}}
            else:
                responses.setdefault(status, response)
    if selector_answers:
        responses["400"] = {"description": "Missing or unknown dispatch value", "content": _ERROR}
    return responses


def _error_response(description: str, model: str | None) -> dict[str, Any]:
    """An error the server answers itself: in the spec's error model when it fills one (see
    ``Api.operation_errors``), else in its own shape."""
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}}} if model else _ERROR
    return {"description": description, "content": content}


def _server_error(declared: dict[str, Any] | None, description: str, model: str | None) -> dict[str, Any]:
    """An error status the server answers itself, which the spec may declare too (a handler's
    ``Response``, or mock mode's ``Prefer: code=``, answers the declared one): either, by media
    type, ``anyOf`` where both are of the same one."""
    own = _error_response(description, model)
    content = dict((declared or {}).get("content") or {})
    if not content:
        return own
    for media, entry in own["content"].items():
        theirs = content.get(media)
        if theirs is None:
            content[media] = entry
        elif theirs != entry:
            content[media] = {"schema": {"anyOf": [entry["schema"], theirs["schema"]]}}
    return {"description": description, "content": content}


def _operation(op: Operation, optional_params: bool, errors: ErrorModels) -> dict[str, Any]:
    parameters = [
        _parameter(p, p.required and (p.location == "path" or not optional_params), op.query_keys.get(p.py_name, ()) if p.server_parse == "rest" else ())
        for p in op.parameters
    ]
    result: dict[str, Any] = {"operationId": op.py_name, "summary": op.summary, "parameters": parameters}
    if op.body is not None:
        result["requestBody"] = {
            "required": op.body.required,
            "content": {op.body.server_media_type: {"schema": op.body.type.json_schema}},
        }
    responses: dict[str, Any] = {}
    for response in op.responses:
        entry: dict[str, Any] = {"description": response.description or response.status}
        if response.type is not None and response.status not in _NO_CONTENT:
            media_type = response.content_type if response.media_type_valid else response.server_media_type
            entry["content"] = {media_type or "application/json": {"schema": response.type.json_schema}}
        responses[response.status] = entry
    if op.success is None:
        responses["200"] = {"description": "Success"}
    models = errors.get(op.py_name, {})
    if op.security:
        result["security"] = [{scheme.name: [] for scheme in alternative} for alternative in op.security]
    if op.security or _requires_authorization_header(op):
        responses["401"] = _server_error(responses.get("401"), "No credentials", models.get(401))
    if op.body is not None:
        responses["415"] = _server_error(responses.get("415"), "A body of a media type the operation does not read", models.get(415))
    responses["422"] = _server_error(responses.get("422"), "The request does not match the spec", models.get(422))
    responses["501"] = _server_error(responses.get("501"), "Not implemented yet", models.get(501))
    result["responses"] = responses
    return result


def _requires_authorization_header(op: Operation) -> bool:
    """A required ``Authorization`` header parameter: the server answers 401 when it is missing."""
    return any(p.location == "header" and p.required and p.wire_name.lower() == "authorization" for p in op.parameters)


def _property_schema(field_: ModelField) -> dict[str, Any]:
    """A property's schema, marked readOnly or writeOnly as the spec marks it: a required
    property only one side sends is required on that side only (the server answers without
    a writeOnly one and reads requests without a readOnly one). A ``$ref`` takes no siblings
    in OpenAPI 3.0, so a marked one is wrapped in ``allOf``."""
    schema = field_.type.json_schema
    marks = {key: True for key, marked in (("readOnly", field_.read_only), ("writeOnly", field_.write_only)) if marked}
    if not marks:
        return schema
    return {"allOf": [schema], **marks} if "$ref" in schema else {**schema, **marks}


def _model_schema(model: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {f.wire_name: _property_schema(f) for f in model.fields},
    }
    required = [f.wire_name for f in model.fields if f.required]
    if required:
        schema["required"] = required
    if model.closed:
        schema["additionalProperties"] = False
    schema.update(model.constraints.json_schema)
    return schema
