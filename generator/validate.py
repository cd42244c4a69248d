"""Schema validation of the spec itself; findings are warnings (errors under --strict), never a gate.

The document is checked against the official JSON Schema of its OpenAPI version (shipped with
openapi-spec-validator), in one pass over the plain data: well under a second on the biggest
public specs. openapi-spec-validator's further semantic walk is not run: it follows every
``$ref`` again at every use (13 s on GitHub's spec, 30 s on Microsoft Graph's). Of what it
finds, what matters for generation (undeclared path parameters, broken refs, duplicate names)
the loader and the normalizer report themselves, with locations; defaults that do not match
their schema's type are not reported.
"""

from __future__ import annotations

from .diagnostics import Diagnostic, Level, pointer_of
from .load import LoadedSpec

MAX_FINDINGS = 20


def validation_findings(spec: LoadedSpec) -> list[Diagnostic]:
    """What the OpenAPI JSON Schema says of the document, located; refs are not followed here."""
    try:
        from openapi_spec_validator.schemas import openapi_v2_schema_validator, openapi_v30_schema_validator, openapi_v31_schema_validator
    except ImportError:
        return []
    document = spec.document
    if spec.version == "swagger2":
        validator = openapi_v2_schema_validator
    elif str(document.get("openapi", "")).startswith("3.1"):
        validator = openapi_v31_schema_validator
    else:
        validator = openapi_v30_schema_validator
    findings = []
    try:
        for error in validator.iter_errors(document):
            message = error.message.splitlines()[0][:300]
            findings.append(spec.diag(Level.WARNING, pointer_of(*error.absolute_path), f"spec validation: {message}"))
            if len(findings) >= MAX_FINDINGS:
                break
    except Exception as exc:  # the validator itself failed on a sloppy spec: say so and go on
        findings.append(spec.diag(Level.WARNING, "", f"spec validation stopped early: {type(exc).__name__}: {exc}"[:300]))
    return findings
