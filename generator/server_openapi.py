"""The OpenAPI 3.0 document the generated server publishes at ``/openapi.json``.

It describes what the server really accepts: operations that share a path and differ only in
their fixed query (``/?Action=GetId``) are one OpenAPI operation whose dispatch parameter is an
enum, since OpenAPI allows one operation per method and path.
"""

from __future__ import annotations

from typing import Any

from .model import Api, Operation, Parameter, Route, SecurityScheme

#: Statuses whose answers never carry content, whatever the spec declares for them.
_NO_CONTENT = frozenset({"204", "205", "304"})
_ERROR = {"application/json": {"schema": {"type": "object", "properties": {"error": {"type": "string"}, "message": {"type": "string"}}}}}


def server_openapi(api: Api) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in api.routes:
        paths.setdefault(api.base_path + route.path, {})[route.method.lower()] = _route_operation(route, api.operation_errors)
    return {
        "openapi": "3.0.3",
        "info": {"title": api.title, "version": api.version or "0.0.0", "description": api.description},
        "paths": paths,
        "components": {
            "schemas": {m.name: _model_schema(m) for m in api.models},
            "securitySchemes": {s.name: _security_scheme(s) for s in api.security_schemes},
        },
    }


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


def _parameter(p: Parameter, required: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": p.wire_name, "in": p.location, "required": required}
    if p.style == "json":
        entry["content"] = {"application/json": {"schema": p.type.json_schema}}
        return entry
    entry["schema"] = p.type.json_schema
    if p.style in _STYLES[p.location]:
        entry["style"] = p.style
        entry["explode"] = p.explode
    return entry


#: Operation -> status -> the spec's error model the server answers that status in.
ErrorModels = dict[str, dict[int, str]]


def _route_operation(route: Route, errors: ErrorModels) -> dict[str, Any]:
    operations = list(route.operations) + ([route.fallback] if route.fallback else [])
    if len(operations) == 1 and not operations[0].dispatched:
        return _operation(operations[0], optional_params=False, errors=errors)
    merged: dict[str, Any] = {
        "operationId": "_or_".join(op.py_name for op in operations),
        "summary": " | ".join(op.operation_id for op in operations),
        "description": "Dispatched on " + ", ".join(route.dispatch_keys + route.dispatch_headers) + ": " + ", ".join(
            op.dispatch_text or "(none)" for op in operations
        ),
        "parameters": _dispatch_parameters(route) + _merged_parameters(operations, route),
        "responses": _merged_responses(operations, errors),
    }
    body = _merged_body(operations)
    if body is not None:
        merged["requestBody"] = body
    return merged


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


def _merged_responses(operations: list[Operation], errors: ErrorModels) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for op in operations:
        for status, response in _operation(op, optional_params=True, errors=errors)["responses"].items():
            if status in responses and responses[status] != response:
                responses[status] = {"description": responses[status]["description"], "content": {"application/json": {"schema": {}}}}
            else:
                responses.setdefault(status, response)
    responses["400"] = {"description": "Missing or unknown dispatch value", "content": _ERROR}
    return responses


def _error_response(description: str, model: str | None) -> dict[str, Any]:
    """An error the server answers itself: in the spec's error model when it fills one (see
    ``Api.operation_errors``), else in its own shape."""
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}}} if model else _ERROR
    return {"description": description, "content": content}


def _operation(op: Operation, optional_params: bool, errors: ErrorModels) -> dict[str, Any]:
    parameters = [_parameter(p, p.required and (p.location == "path" or not optional_params)) for p in op.parameters]
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
            entry["content"] = {response.content_type or "application/json": {"schema": response.type.json_schema}}
        responses[response.status] = entry
    if op.success is None:
        responses["200"] = {"description": "Success"}
    models = errors.get(op.py_name, {})
    if op.security:
        result["security"] = [{scheme.name: [] for scheme in alternative} for alternative in op.security]
    if op.security or _requires_authorization_header(op):
        responses["401"] = _error_response("No credentials", models.get(401))
    if op.body is not None:
        responses["415"] = _error_response("A body of a media type the operation does not read", models.get(415))
    responses["422"] = _error_response("The request does not match the spec", models.get(422))
    responses["501"] = _error_response("Not implemented yet", models.get(501))
    result["responses"] = responses
    return result


def _requires_authorization_header(op: Operation) -> bool:
    """A required ``Authorization`` header parameter: the server answers 401 when it is missing."""
    return any(p.location == "header" and p.required and p.wire_name.lower() == "authorization" for p in op.parameters)


def _model_schema(model: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {f.wire_name: f.type.json_schema for f in model.fields},
    }
    required = [f.wire_name for f in model.fields if f.required]
    if required:
        schema["required"] = required
    if model.closed:
        schema["additionalProperties"] = False
    schema.update(model.constraints.json_schema)
    return schema
