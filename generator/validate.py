"""Schema validation of the spec itself; findings are warnings (errors under --strict), never a gate."""

from __future__ import annotations

from .diagnostics import Diagnostic, Level, pointer_of
from .load import LoadedSpec

MAX_FINDINGS = 20


def validation_findings(spec: LoadedSpec) -> list[Diagnostic]:
    """What openapi-spec-validator says of the document, located; refs are not followed here."""
    try:
        from openapi_spec_validator import OpenAPIV2SpecValidator, OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
    except ImportError:
        return []
    document = spec.document
    if spec.version == "swagger2":
        validator_class = OpenAPIV2SpecValidator
    elif str(document.get("openapi", "")).startswith("3.1"):
        validator_class = OpenAPIV31SpecValidator
    else:
        validator_class = OpenAPIV30SpecValidator
    findings = []
    try:
        for error in validator_class(document).iter_errors():
            pointer = pointer_of(*error.absolute_path) if hasattr(error, "absolute_path") else ""
            message = getattr(error, "message", str(error)).splitlines()[0][:300]
            findings.append(spec.diag(Level.WARNING, pointer, f"spec validation: {message}"))
            if len(findings) >= MAX_FINDINGS:
                break
    except Exception as exc:  # the validator itself failed on a sloppy spec: say so and go on
        findings.append(spec.diag(Level.WARNING, "", f"spec validation stopped early: {type(exc).__name__}: {exc}"[:300]))
    return findings
