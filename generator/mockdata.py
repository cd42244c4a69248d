"""Mock data: complete, schema-valid, deterministic values for a type, and the check that tells
whether a spec's example fits its type.

``MockData.value`` uses the type's own example when it fits (the schema's ``example``, a named
model's), else makes one: every property (optional ones too) down to ``FULL_DEPTH`` levels and
within ``BUDGET`` values, required ones below; one item per array and one entry per map (or as
many as ``minItems`` / ``minProperties`` demand); each value within its bounds, multipleOf,
lengths, pattern (a string made to match the regular expression), enum and format. An optional
string or number property that no value fits (a pattern no string matches) is left out; a
required one gets the closest value. A model already being filled further up (a recursive
model) gets its required properties only, so values stay small. ``MockData.problem`` says why a value does not fit a type (None: it fits);
examples that do not fit are never used, since the server validates what it answers.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import ipaddress
import math
import re
import uuid
from dataclasses import replace
from typing import Any, Iterator, Literal, Mapping

from .model import ANY, Constraints, Model, ModelField, TypeInfo

try:  # Python 3.11+: the parser of the ``re`` module
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older Pythons
    import sre_parse  # type: ignore[no-redef]

Direction = Literal["response", "request"]

#: Models nested deeper than this (counting models only) get their required properties only.
FULL_DEPTH = 4
#: Nothing deeper than this is made (a required property that refers to its own model).
MAX_DEPTH = 12
#: Values made for one answer before models get only their required properties and arrays
#: only their minimum of items: big specs have models of hundreds of properties.
BUDGET = 500
#: The integer formats' ranges.
_INTEGER_RANGES = {
    "int8": (-(2**7), 2**7 - 1),
    "int16": (-(2**15), 2**15 - 1),
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "uint8": (0, 2**8 - 1),
    "uint16": (0, 2**16 - 1),
    "uint32": (0, 2**32 - 1),
    "uint64": (0, 2**64 - 1),
}
_FULL_TIME = r"\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)"
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\d[Tt]" + _FULL_TIME)
_HOST_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
#: Formats that are one regular expression (fullmatch), as JSON Schema validators check them:
#: RFC 3986 URIs (absolute: a scheme first; the references may be relative) and an ISO 8601
#: duration. (Dates, times and host names are checked in ``_has_format`` itself.)
_FORMAT_PATTERNS = {
    "uri": re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]*"),
    "iri": re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*"),
    "uri-reference": re.compile(r"([A-Za-z][A-Za-z0-9+.-]*:|(?![^/?#]*:))[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]*"),
    "iri-reference": re.compile(r"([A-Za-z][A-Za-z0-9+.-]*:|(?![^/?#]*:))[^\s<>\"{}|\\^`]*"),
    "duration": re.compile(r"P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?"),
}


def _format_value(fmt: str, variant: int) -> str | None:
    """A value of a string format, a different one for each ``variant``."""
    day = datetime.date(2024, 1, 31) + datetime.timedelta(days=variant)
    values = {
        "date": day.isoformat(),
        "date-time": f"{day.isoformat()}T12:00:00Z",
        "time": f"12:00:{variant % 60:02d}Z",
        "uuid": str(uuid.UUID(int=0x3FA85F6457174562B3FC2C963F66AFA6 + variant)),
        "email": f"user{variant or ''}@example.com",
        "idn-email": f"user{variant or ''}@example.com",
        "uri": f"https://example.com/{variant or ''}",
        "url": f"https://example.com/{variant or ''}",
        "iri": f"https://example.com/{variant or ''}",
        "uri-reference": f"/example/{variant or ''}",
        "hostname": f"host{variant or ''}.example.com",
        "ipv4": f"192.0.2.{1 + variant % 254}",
        "ipv6": f"2001:db8::{1 + variant % 65534:x}",
        "byte": base64.b64encode(f"example{variant or ''}".encode()).decode(),
        "password": f"secret{variant or ''}",
        "duration": f"P{1 + variant}D",
        "decimal": f"{1 + variant}.50",
    }
    return values.get(fmt)


class MockData:
    """Values for types of one API (``models``: class name -> model). ``direction`` says which
    side sends them: a response leaves writeOnly properties out, a request readOnly ones."""

    def __init__(self, models: Mapping[str, Model], direction: Direction = "response") -> None:
        self._models = models
        self._direction = direction
        self._budget = 0
        self._made: dict[tuple[TypeInfo, str], Any] = {}

    # -- making values --------------------------------------------------------------------

    def value(self, type_: TypeInfo) -> Any:
        """A value of ``type_``: its first example that fits, else a complete one made up."""
        key = (type_, _examples_key(type_))
        if key not in self._made:
            self._budget = BUDGET
            self._made[key] = self._value(type_, 0, 0, ())
        return self._made[key]

    def segment_value(self, type_: TypeInfo) -> Any:
        """A path parameter's value: as ``value``, but not one whose text is empty (the client
        refuses an empty path segment, which would change the request's path) while the type
        allows another: a later example or enum value, a string of at least one character."""
        value = self.value(type_)
        if not _empty_text(value):
            return value
        candidates = [example for example in type_.examples if not _empty_text(example)]
        if type_.kind == "string":
            longer = replace(type_.constraints, min_length=max(1, type_.constraints.min_length or 0))
            candidates.append(self.value(replace(type_, examples=(), constraints=longer)))
        self._budget = BUDGET
        candidates += [self._value(type_, 0, variant, ()) for variant in range(1, 4)]
        return next((c for c in candidates if not _empty_text(c) and self.problem(c, type_) is None), value)

    def _value(self, type_: TypeInfo, depth: int, variant: int, stack: tuple[str, ...]) -> Any:
        self._budget -= 1
        if variant == 0:
            for example in type_.examples:
                if self.problem(example, type_) is None:
                    return example
        kind = type_.kind
        if kind == "enum":
            values = [v for v in type_.enum_values if v is not None]
            return values[variant % len(values)] if values else None
        if kind == "string":
            return self._string(type_, variant)
        if kind in ("integer", "number"):
            return self._number(type_, variant)
        if kind == "boolean":
            return variant % 2 == 0
        if kind == "array":
            return self._array(type_, depth, stack)
        if kind == "map":
            return self._map(type_, depth, variant, stack)
        if kind == "union" and type_.variants:
            return self._value(type_.variants[0], depth, variant, stack)
        if kind == "model" and type_.model is not None and type_.model in self._models:
            return self._model(self._models[type_.model], depth, variant, stack)
        return f"value{variant or ''}"  # any value; a string says more than an empty object

    def _string(self, type_: TypeInfo, variant: int) -> str:
        constraints = type_.constraints
        candidates: list[str] = []
        if constraints.pattern:
            matching = pattern_strings(constraints.pattern, variant)
            # A pattern is searched for, not matched whole: repeated to the length bounds, a
            # match often still matches (``[a-f0-9]+`` of length 40, ``^arn:aws:`` of 20 or more).
            candidates.extend(matching + [_sized(text, constraints) for text in matching])
        made = _format_value(type_.format or "", variant)
        if made is not None:
            candidates.append(made)
        candidates.append(_sized("string" + (str(variant) if variant else ""), constraints))
        for candidate in candidates:
            if self._string_problem(candidate, type_) is None:
                return candidate
        # No string fits both the pattern and the format (the spec's own conflict, warned of at
        # generation): the closest keeps the pattern and lengths, which every JSON Schema
        # validator checks, over the format, which most treat as an annotation.
        unformatted = replace(type_, format=None)
        for candidate in candidates:
            if self._string_problem(candidate, unformatted) is None:
                return candidate
        return candidates[-1]

    def _number(self, type_: TypeInfo, variant: int) -> int | float:
        for candidate in _number_candidates(type_, variant):
            if self._number_problem(candidate, type_) is None:
                return candidate
        return 0

    def _array(self, type_: TypeInfo, depth: int, stack: tuple[str, ...]) -> list[Any]:
        constraints = type_.constraints
        items = type_.items or ANY
        wanted = _count(constraints.min_items, constraints.max_items, self._room(depth))
        found: list[Any] = []
        variant = 0
        while len(found) < wanted and variant < wanted + 20:
            item = self._value(items, depth, variant, stack)
            variant += 1
            if not constraints.unique_items or item not in found:
                found.append(item)
        return found

    def _map(self, type_: TypeInfo, depth: int, variant: int, stack: tuple[str, ...]) -> dict[str, Any]:
        constraints = type_.constraints
        values = type_.items or ANY
        wanted = _count(constraints.min_properties, constraints.max_properties, self._room(depth))
        return {f"key{index + 1}": self._value(values, depth, variant + index, stack) for index in range(wanted)}

    def _model(self, model: Model, depth: int, variant: int, stack: tuple[str, ...]) -> dict[str, Any]:
        if variant == 0 and model.example is not None and self.problem(model.example, TypeInfo("model", model=model.name)) is None:
            return dict(model.example) if isinstance(model.example, dict) else model.example
        if depth >= MAX_DEPTH:
            return {}
        full = self._room(depth) and model.name not in stack
        sent = [f for f in model.fields if self._sends(f)]
        required = [f for f in sent if self._demands(f)]
        optional = [f for f in sent if not self._demands(f)]
        minimum = model.constraints.min_properties or 0
        wanted = len(optional) if full else max(0, minimum - len(required))
        if model.constraints.max_properties is not None:
            wanted = min(wanted, max(0, model.constraints.max_properties - len(required)))
        chosen = {id(f) for f in required + optional[:wanted]}
        inner = stack + (model.name,)
        value = {}
        for f in sent:
            if id(f) in chosen:
                made = self._value(f.type, depth + 1, variant, inner)
                if self._demands(f) or not self._unfit_scalar(made, f.type):
                    value[f.wire_name] = made
        extra = 1
        while len(value) < minimum and not model.closed:
            value.setdefault(f"key{extra}", f"value{extra}")
            extra += 1
        return value

    def _unfit_scalar(self, value: Any, type_: TypeInfo) -> bool:
        """Whether ``value``, made for a string or number type, does not fit it: no value does
        (a pattern no string matches), so an optional property is better left out."""
        return type_.kind in ("string", "integer", "number") and self.problem(value, type_) is not None

    def _room(self, depth: int) -> bool:
        """Whether values at ``depth`` may be filled beyond what their schema demands."""
        return depth < FULL_DEPTH and self._budget > 0

    def _sends(self, field_: ModelField) -> bool:
        return not (field_.write_only if self._direction == "response" else field_.read_only)

    def _demands(self, field_: ModelField) -> bool:
        return field_.required and self._sends(field_)

    # -- checking values ------------------------------------------------------------------

    def problem(self, value: Any, type_: TypeInfo, where: str = "") -> str | None:
        """Why ``value`` (decoded JSON) does not fit ``type_``; None when it fits."""
        if not where and not _json_safe(value):
            return "it holds NaN, an infinity or an integer too long to write as JSON"
        here = where or "the value"
        if value is None:
            return None if type_.nullable or type_.kind == "any" else f"{here} is null"
        kind = type_.kind
        if kind == "any":
            return None
        if kind == "union":
            if any(self.problem(value, v, where) is None for v in type_.variants):
                return None
            return f"{here} fits none of the variants"
        if kind == "enum":
            if any(value == v and type(value) is type(v) for v in type_.enum_values):
                return None
            return f"{here} is {_brief(value)}, not one of the enum's values"
        if kind == "string":
            return self._string_problem(value, type_, here)
        if kind in ("integer", "number"):
            return self._number_problem(value, type_, here)
        if kind == "boolean":
            return None if isinstance(value, bool) else f"{here} is {_brief(value)}, not a boolean"
        if kind == "array":
            return self._array_problem(value, type_, where)
        if kind == "map":
            return self._map_problem(value, type_, where)
        if kind == "model" and type_.model is not None and type_.model in self._models:
            return self._model_problem(value, self._models[type_.model], where)
        return None

    def _string_problem(self, value: Any, type_: TypeInfo, here: str = "the value") -> str | None:
        if not isinstance(value, str):
            return f"{here} is {_brief(value)}, not a string"
        constraints = type_.constraints
        if constraints.min_length is not None and len(value) < constraints.min_length:
            return f"{here} is shorter than {constraints.min_length} characters"
        if constraints.max_length is not None and len(value) > constraints.max_length:
            return f"{here} is longer than {constraints.max_length} characters"
        if constraints.pattern and not _searches(constraints.pattern, value):
            return f"{here} does not match the pattern {constraints.pattern!r}"
        if not _has_format(value, type_.format or ""):
            return f"{here} is not a {type_.format}"
        return None

    def _number_problem(self, value: Any, type_: TypeInfo, here: str = "the value") -> str | None:
        integer = type_.kind == "integer"
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (isinstance(value, float) and not math.isfinite(value)):
            return f"{here} is {_brief(value)}, not a number"
        if integer and not (isinstance(value, int) or value.is_integer()):
            return f"{here} is {_brief(value)}, not an integer"
        low, low_open, high, high_open = _bounds(type_)
        if low is not None and (value < low or (low_open and value == low)):
            return f"{here} is below the minimum {low}"
        if high is not None and (value > high or (high_open and value == high)):
            return f"{here} is above the maximum {high}"
        multiple = type_.constraints.multiple_of
        if multiple is not None and not _is_multiple(value, multiple):
            return f"{here} is not a multiple of {multiple}"
        return None

    def _array_problem(self, value: Any, type_: TypeInfo, where: str) -> str | None:
        if not isinstance(value, list):
            return f"{where or 'the value'} is {_brief(value)}, not a list"
        problem = _count_problem(len(value), type_.constraints.min_items, type_.constraints.max_items, where, "items")
        if problem is None and type_.constraints.unique_items and any(value[i] in value[:i] for i in range(len(value))):
            problem = f"{where or 'the list'} holds an item twice"
        items = type_.items or ANY
        for index, item in enumerate(value):
            problem = problem or self.problem(item, items, f"{where}[{index}]")
        return problem

    def _map_problem(self, value: Any, type_: TypeInfo, where: str) -> str | None:
        if not isinstance(value, dict):
            return f"{where or 'the value'} is {_brief(value)}, not an object"
        problem = _count_problem(len(value), type_.constraints.min_properties, type_.constraints.max_properties, where, "properties")
        values = type_.items or ANY
        for key, item in value.items():
            problem = problem or self.problem(item, values, f"{where}.{key}" if where else str(key))
        return problem

    def _model_problem(self, value: Any, model: Model, where: str) -> str | None:
        if not isinstance(value, dict):
            return f"{where or 'the value'} is {_brief(value)}, not an object"
        fields = {f.wire_name: f for f in model.fields}
        missing = [f.wire_name for f in model.fields if self._demands(f) and f.wire_name not in value]
        if missing:
            return f"{where or 'the object'} lacks the required property {missing[0]!r}"
        extra = [key for key in value if key not in fields]
        if model.closed and extra:
            return f"{where or 'the object'} has the property {extra[0]!r}, which {model.wire_name} does not allow"
        problem = _count_problem(len(value), model.constraints.min_properties, model.constraints.max_properties, where, "properties")
        for key, item in value.items():
            if key in fields:
                problem = problem or self.problem(item, fields[key].type, f"{where}.{key}" if where else key)
        return problem


def _json_safe(value: Any) -> bool:
    """Whether JSON can carry ``value`` (YAML reads ``.nan`` and ``.inf``), walked without recursion."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return False
        if isinstance(item, int) and item.bit_length() > 10_000:
            return False
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return True


def _empty_text(value: Any) -> bool:
    """Whether ``value`` is written as empty text in a path: an empty string or list."""
    return isinstance(value, (str, list)) and not value


def _examples_key(type_: TypeInfo) -> str:
    """The examples of a type and of the types inside it (not models, which are named), which
    its equality leaves out."""
    inner = "".join(_examples_key(t) for t in (type_.items, *type_.variants) if t is not None)
    return repr(type_.examples) + inner if type_.examples or inner else ""


def _count(minimum: int | None, maximum: int | None, room: bool) -> int:
    """How many items (or entries) to make: one when there is room, as the bounds demand."""
    wanted = max(minimum or 0, 1 if room else 0)
    return min(wanted, maximum) if maximum is not None else wanted


def _count_problem(count: int, minimum: int | None, maximum: int | None, where: str, what: str) -> str | None:
    if minimum is not None and count < minimum:
        return f"{where or 'the value'} has fewer than {minimum} {what}"
    if maximum is not None and count > maximum:
        return f"{where or 'the value'} has more than {maximum} {what}"
    return None


def _sized(text: str, constraints: Constraints) -> str:
    """``text`` repeated or cut to the length bounds."""
    minimum = constraints.min_length or 0
    if len(text) < minimum:
        text = (text * (minimum // max(len(text), 1) + 1))[:minimum]
    if constraints.max_length is not None:
        text = text[: constraints.max_length]
    return text


def _bounds(type_: TypeInfo) -> tuple[int | float | None, bool, int | float | None, bool]:
    """(low, whether low itself is excluded, high, whether high is excluded), the integer
    format's range included."""
    constraints = type_.constraints
    low, high = constraints.minimum, constraints.maximum
    low_open, high_open = constraints.exclusive_minimum and low is not None, constraints.exclusive_maximum and high is not None
    format_range = _INTEGER_RANGES.get(type_.format or "") if type_.kind == "integer" else None
    if format_range is not None:
        if low is None or low < format_range[0]:
            low, low_open = format_range[0], False
        if high is None or high > format_range[1]:
            high, high_open = format_range[1], False
    return low, low_open, high, high_open


def _number_candidates(type_: TypeInfo, variant: int) -> Iterator[int | float]:
    """Values to try, nicest first: zero, or the bound nearest to it, stepped by multipleOf (or
    1) into the range; then the middle of the range."""
    integer = type_.kind == "integer"
    low, _, high, _ = _bounds(type_)
    step = type_.constraints.multiple_of or 1
    if low is not None and low > 0:
        base, direction = math.ceil(low / step), 1
    elif high is not None and high < 0:
        base, direction = math.floor(high / step), -1
    else:
        base, direction = 0, 1
    for offset in range(40):
        candidate = (base + direction * (offset + variant)) * step
        if isinstance(candidate, float):
            candidate = round(candidate, 10)
            candidate = int(candidate) if integer and candidate.is_integer() else candidate
        yield candidate
    if low is not None and high is not None:
        middle = (low + high) / 2
        yield math.floor(middle) if integer else middle


def _is_multiple(value: int | float, multiple: int | float) -> bool:
    """As JSON Schema validators check it: an exact quotient for float divisors."""
    if isinstance(multiple, float) or isinstance(value, float):
        quotient = value / multiple
        return math.isfinite(quotient) and int(quotient) == quotient
    return value % multiple == 0


def _searches(pattern: str, value: str) -> bool:
    try:
        return re.search(pattern, value) is not None
    except (re.error, RecursionError):
        return True


def _has_format(value: str, fmt: str) -> bool:
    """Whether ``value`` is of the string format, for the formats servers and checkers test."""
    try:
        if fmt == "date":
            return re.fullmatch(r"\d{4}-\d\d-\d\d", value) is not None and bool(datetime.date.fromisoformat(value))
        if fmt == "date-time":
            return _RFC3339.fullmatch(value) is not None and bool(datetime.datetime.fromisoformat(value.upper().replace("Z", "+00:00")))
        if fmt == "uuid":
            return len(value) == 36 and bool(uuid.UUID(value))
        if fmt == "byte":
            return bool(base64.b64decode(value, validate=True)) or value == ""
        if fmt == "time":
            return re.fullmatch(_FULL_TIME, value) is not None and bool(datetime.time.fromisoformat(value.upper()))
        if fmt == "hostname":
            return len(value) <= 253 and all(_HOST_LABEL.fullmatch(label) for label in value.split("."))
        if fmt == "ipv4":
            return bool(ipaddress.IPv4Address(value))
        if fmt == "ipv6":
            return "%" not in value and bool(ipaddress.IPv6Address(value))
        if fmt in ("email", "idn-email"):
            return re.fullmatch(r"[^@\s]+@[^@\s]+", value) is not None
        if fmt in _FORMAT_PATTERNS:
            return _FORMAT_PATTERNS[fmt].fullmatch(value) is not None
    except (ValueError, binascii.Error):
        return False
    return True


def _brief(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return ("an object" if isinstance(value, dict) else "a list") + f" of {len(value)}"
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


# -- strings that match a pattern ---------------------------------------------------------------

#: How many extra repeats of ``*``, ``+`` and ``{m,n}`` parts each attempt makes.
_EXTRA_REPEATS = (0, 1, 2, 4, 8, 16, 32, 64)


def pattern_strings(pattern: str, variant: int = 0) -> list[str]:
    """Strings that match ``pattern`` (``re.search``), shortest first: one per number of extra
    repeats. Inline flags count (``(?s)``, ``(?i:...)``, ``(?m)``: ``^`` and ``$`` at line
    breaks); lookarounds and back references are made loosely, and a string made that does not
    match is left out. A pattern the parser cannot read gives none."""
    try:
        parsed = sre_parse.parse(pattern)
        compiled = re.compile(pattern)
    except (re.error, RecursionError, OverflowError, ValueError):
        return []
    found: list[str] = []
    for extra in _EXTRA_REPEATS:
        try:
            made = _PatternWriter(extra, variant).text(parsed)
        except (RecursionError, ValueError, OverflowError):
            continue
        if made not in found and compiled.search(made):
            found.append(made)
    return found


class _PatternWriter:
    """Writes one string for a parsed pattern: each repeat ``extra`` times more than its
    minimum (within its maximum), the ``variant``-th alternative and character of each choice.
    The flags in force (the pattern's global ones, a group's own) decide what ``^``, ``$`` and
    excluded characters need."""

    _MAX_REPEAT = 1000

    def __init__(self, extra: int, variant: int) -> None:
        self.extra = extra
        self.variant = variant
        self.groups: dict[int, str] = {}
        self.out: list[str] = []
        #: A MULTILINE ``$`` was written: what follows must start a new line.
        self.line_ended = False

    def text(self, parsed: Any) -> str:
        self.write(parsed, parsed.state.flags)
        return "".join(self.out)

    def write(self, parsed: Any, flags: int) -> None:
        for op, av in parsed:
            self._item(str(op), av, flags)

    def _emit(self, text: str) -> None:
        if not text:
            return
        if self.line_ended:
            if not text.startswith("\n"):
                self.out.append("\n")
            self.line_ended = False
        self.out.append(text)

    def _item(self, name: str, av: Any, flags: int) -> None:
        ignore_case = bool(flags & re.IGNORECASE)
        if name == "LITERAL":
            self._emit(chr(av))
        elif name == "NOT_LITERAL":
            self._emit(next(c for c in "ab" if not _same_char(c, chr(av), ignore_case)))
        elif name == "ANY":
            self._emit("a")
        elif name == "IN":
            self._emit(self._in(av, ignore_case))
        elif name == "BRANCH":
            branches = av[1]
            self.write(branches[self.variant % len(branches)], flags)
        elif name == "SUBPATTERN":
            group, add_flags, del_flags, inner = av
            start = len(self.out)
            self.write(inner, (flags | add_flags) & ~del_flags)
            if group is not None:
                self.groups[group] = "".join(self.out[start:])
        elif name == "ATOMIC_GROUP":
            self.write(av, flags)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            self._repeat(av, flags)
        elif name == "CATEGORY":
            self._emit(self._category(str(av)))
        elif name == "GROUPREF":
            self._emit(self.groups.get(av, ""))
        elif name == "GROUPREF_EXISTS":
            self.write(av[1], flags)
        elif name == "AT" and flags & re.MULTILINE:
            self._line_anchor(str(av))
        # Other anchors, lookarounds (ASSERT, ASSERT_NOT): nothing to write.

    def _repeat(self, av: Any, flags: int) -> None:
        low, high, inner = av
        count = max(low, 1 if high else 0) + self.extra
        if high != sre_parse.MAXREPEAT:
            count = min(count, high)
        for _ in range(min(count, max(low, self._MAX_REPEAT))):
            self.write(inner, flags)

    def _line_anchor(self, at: str) -> None:
        """``^`` and ``$`` in MULTILINE mode: a line starts after a line break, ends before one."""
        if at == "AT_BEGINNING" and self.out and not self.out[-1].endswith("\n"):
            self._emit("\n")
        elif at == "AT_END":
            self.line_ended = True

    def _category(self, category: str) -> str:
        # After a MULTILINE ``$``, the line break itself is the white space asked for.
        return "\n" if self.line_ended and category == "CATEGORY_SPACE" else _category_char(category)

    def _in(self, items: list[Any], ignore_case: bool) -> str:
        if items and str(items[0][0]) == "NEGATE":
            excluded = items[1:]
            for char in "aA0_-x.Z9":
                if not any(_in_item(variant, op, av) for op, av in excluded for variant in _cases(char, ignore_case)):
                    return char
            return "~"
        choices: list[str] = []
        for op, av in items:
            if str(op) == "LITERAL":
                choices.append(chr(av))
            elif str(op) == "RANGE":
                low, high = av
                choices.append(chr(low + self.variant % (high - low + 1)))
            elif str(op) == "CATEGORY":
                choices.append(self._category(str(av)))
        return choices[self.variant % len(choices)] if choices else "a"


def _cases(char: str, ignore_case: bool) -> set[str]:
    """The characters ``char`` stands for: itself, and its other case when case is ignored."""
    return {char, char.lower(), char.upper()} if ignore_case else {char}


def _same_char(char: str, other: str, ignore_case: bool) -> bool:
    return other in _cases(char, ignore_case)


def _category_char(category: str) -> str:
    return {
        "CATEGORY_DIGIT": "0",
        "CATEGORY_NOT_DIGIT": "a",
        "CATEGORY_SPACE": " ",
        "CATEGORY_NOT_SPACE": "a",
        "CATEGORY_WORD": "a",
        "CATEGORY_NOT_WORD": "-",
    }.get(category, "a")


def _in_item(char: str, op: Any, av: Any) -> bool:
    name = str(op)
    if name == "LITERAL":
        return ord(char) == av
    if name == "RANGE":
        return av[0] <= ord(char) <= av[1]
    if name == "CATEGORY":
        return re.fullmatch({"CATEGORY_DIGIT": r"\d", "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_SPACE": r"\s", "CATEGORY_NOT_SPACE": r"\S", "CATEGORY_WORD": r"\w", "CATEGORY_NOT_WORD": r"\W"}.get(str(av), "x"), char) is not None
    return False
