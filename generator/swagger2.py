"""Swagger 2.0 → the intermediate model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from . import names
from .diagnostics import Level
from .load import LoadedSpec
from .model import Api, Body, Location, Parameter, Response, SecurityScheme, TypeInfo
from .normalize import Normalizer, oauth_flow
from .schemas import text

_LOCATIONS: dict[str, Location] = {"path": "path", "query": "query", "header": "header"}
#: Header parameters that the operation's media types say, ignored as OpenAPI 3 ignores them (a
#: declared ``Accept: application/json`` made the server refuse the client's ``*/*``). Unlike
#: OpenAPI 3, Authorization stays: Swagger 2.0 specs often declare it instead of a scheme.
_MEDIA_TYPE_HEADERS = {"accept": "produces", "content-type": "consumes"}
_COLLECTION_STYLES = {
    "csv": ("form", False),
    "ssv": ("spaceDelimited", False),
    "tsv": ("tabDelimited", False),
    "pipes": ("pipeDelimited", False),
    "multi": ("form", True),
}


def normalize(spec: LoadedSpec, spec_name: str) -> Api:
    return Swagger2(spec, spec_name, model_prefix="#/definitions/").normalize()


@dataclass
class Swagger2(Normalizer):
    def named_schemas(self) -> dict[str, Any]:
        definitions = self.doc.get("definitions")
        if definitions is None:
            return {}
        if isinstance(definitions, list) and not definitions:
            self.warn(Level.WARNING, "/definitions", "'definitions' is an empty list; read as an empty mapping")
            return {}
        if not isinstance(definitions, dict):
            self.warn(Level.WARNING, "/definitions", "'definitions' is not a mapping; ignored")
            return {}
        return definitions

    def base_url_and_path(self) -> tuple[str, str]:
        """``scheme://host/basePath`` when the spec names a host, else empty: the user must give one."""
        base_path = text(self.doc.get("basePath")).strip().rstrip("/")
        if "://" in base_path:
            self.warn(Level.WARNING, "/basePath", "basePath is a URL; only its path is used")
            base_path = urlparse(base_path).path.rstrip("/")
        base_path = "/" + base_path.lstrip("/") if base_path else ""
        host = text(self.doc.get("host")).strip().strip("/")
        if "://" in host:
            host = host.split("://", 1)[1]
        if not host or any(c in host for c in " {}"):
            return "", base_path
        listed = self.doc.get("schemes")
        if listed is not None and not isinstance(listed, list):
            self.warn(Level.WARNING, "/schemes", "'schemes' is not a list; https is used")
        schemes = [s for s in listed if s in ("https", "http")] if isinstance(listed, list) else []
        scheme = "https" if "https" in schemes or not schemes else schemes[0]
        return f"{scheme}://{host}{base_path}", base_path

    def raw_security_schemes(self) -> tuple[dict[str, Any], str]:
        raw = self.doc.get("securityDefinitions")
        return (raw if isinstance(raw, dict) else {}), "/securityDefinitions"

    def scheme(self, name: str, raw: dict[str, Any], py_name: str, pointer: str) -> SecurityScheme | None:
        kind = text(raw.get("type"))
        description = text(raw.get("description"))
        if kind == "apiKey":
            return self.api_key_scheme(name, raw, py_name, pointer, ("header", "query"))
        if kind == "basic":
            return SecurityScheme(name, py_name, "basic", "header", "Authorization", description, kind)
        if kind == "oauth2":
            flows = (oauth_flow(text(raw.get("flow")) or "oauth2", raw),)
            return SecurityScheme(name, py_name, "bearer", "header", "Authorization", description, kind, flows=flows)
        self.warn(Level.WARNING, pointer, f"security scheme {name!r} of type {kind!r} is not supported; ignored")
        return None

    def parameter(self, param: dict[str, Any], where: str, context: str, py_args: names.Namespace) -> Parameter | None:
        location, wire = text(param["in"]), text(param["name"])
        if location in ("body", "formData"):
            return None
        if location not in _LOCATIONS:
            self.warn(Level.WARNING, where + "/in", f"unknown parameter location {location!r}; skipped")
            return None
        if location == "header" and wire.lower() in _MEDIA_TYPE_HEADERS:
            what = _MEDIA_TYPE_HEADERS[wire.lower()]
            self.warn(Level.WARNING, where + "/name", f"header parameter {wire!r} is ignored, as OpenAPI 3 says of it: the operation's {what!r} says it; skipped")
            return None
        if "type" not in param and "schema" not in param:
            self.warn(Level.WARNING, where, f"parameter {wire!r} has no type; read as a string")
        schema = param.get("schema") if isinstance(param.get("schema"), dict) else _parameter_schema(param)
        required = bool(param.get("required"))
        if location == "path" and not required:
            self.warn(Level.WARNING, where, f"path parameter {wire!r} is not marked required; it is required")
            required = True
        style, explode = _COLLECTION_STYLES.get(text(param.get("collectionFormat")) or "csv", ("form", False))
        if location in ("path", "header"):
            style = "simple"
        return Parameter(
            wire_name=wire,
            py_name=py_args.claim(names.snake(wire, "param")),
            location=_LOCATIONS[location],
            type=self.converter.convert(schema, where, context + names.pascal(wire, "Param")),
            required=required,
            description=text(param.get("description")),
            style=style,
            explode=explode,
            example=None,
            default=param.get("default"),
        )

    def body(self, op: dict[str, Any], pointer: str, context: str, py_args: names.Namespace, params: list[tuple[dict[str, Any], str]]) -> Body | None:
        consumes = op.get("consumes") or self.doc.get("consumes") or []
        consumes = [c for c in consumes if isinstance(c, str)] if isinstance(consumes, list) else []
        for param, where in params:
            if text(param.get("in")) == "body":
                content_type = next((c for c in consumes if "json" in c), consumes[0] if consumes else "application/json")
                type_ = self.converter.convert(param.get("schema"), where + "/schema", context + "Body")
                return Body(py_args.claim("body"), content_type, type_, bool(param.get("required")), text(param.get("description")), None)
        form = [(param, where) for param, where in params if text(param.get("in")) == "formData"]
        return self._form_body(form, consumes, pointer, context, py_args) if form else None

    def _form_body(
        self, form: list[tuple[dict[str, Any], str]], consumes: list[str], pointer: str, context: str, py_args: names.Namespace
    ) -> Body:
        """formData parameters are one form body: an object with a property for each."""
        properties = {text(p["name"]): _parameter_schema(p) for p, _ in form}
        required = [text(p["name"]) for p, _ in form if p.get("required")]
        has_file = any(p.get("type") == "file" for p, _ in form)
        multipart = has_file or any("multipart" in c for c in consumes)
        content_type = "multipart/form-data" if multipart else "application/x-www-form-urlencoded"
        type_ = self.converter.convert({"type": "object", "properties": properties, "required": required}, pointer + "/parameters", context + "Form")
        return Body(py_args.claim("body"), content_type, type_, bool(required), "The form fields.", None)

    def response(self, op: dict[str, Any], status: str, raw: dict[str, Any], pointer: str, context: str) -> Response:
        produces = op.get("produces") or self.doc.get("produces") or ["application/json"]
        produces = [c for c in produces if isinstance(c, str)] if isinstance(produces, list) else []
        content_type = next((c for c in produces if "json" in c), produces[0] if produces else None)
        schema = raw.get("schema")
        type_: TypeInfo | None = None
        if isinstance(schema, dict):
            type_ = self.converter.convert(schema, pointer + "/schema", context + "Response")
        if type_ is None or content_type is None:
            return Response(status, text(raw.get("description")), type_, None, None)
        examples = self.fitting_examples(_response_examples(raw, content_type, pointer), type_, "response")
        response = Response(status, text(raw.get("description")), type_, content_type, None, examples=examples)
        self.check_media_type(content_type, response.server_media_type, pointer)
        return response


def _response_examples(raw: dict[str, Any], content_type: str, pointer: str) -> list[tuple[str, Any, str]]:
    """The response's example for the media type it is answered with (``examples`` is keyed by
    media type), named by that media type."""
    examples = raw.get("examples")
    if not isinstance(examples, dict) or content_type not in examples:
        return []
    return [(content_type, examples[content_type], f"{pointer}/examples/{content_type.replace('~', '~0').replace('/', '~1')}")]


#: A Swagger 2.0 parameter's own keywords, which are not part of the schema it also is.
_PARAMETER_KEYWORDS = {"in", "name", "required", "collectionFormat", "allowEmptyValue"}


def _parameter_schema(param: dict[str, Any]) -> dict[str, Any]:
    """The schema a non-body parameter is written as (``type``, ``items``, ``enum``... beside its name)."""
    return {"type": "string", **{k: v for k, v in param.items() if k not in _PARAMETER_KEYWORDS}}
