"""Names: every identifier the generator emits is made in generator/names.py, from untrusted text.

Whatever a spec holds, a name is a plain ASCII identifier that is not a keyword, a soft keyword or
a shadowed builtin, never starts with a digit or an underscore, and collisions are resolved the
same way on every run.
"""

from __future__ import annotations

import builtins
import keyword
import random

import pytest

from stubforge import names

RESERVED = set(keyword.kwlist) | set(keyword.softkwlist) | set(dir(builtins))


def assert_safe(name: str) -> None:
    assert name.isidentifier(), name
    assert name.isascii(), name
    assert not keyword.iskeyword(name), name
    assert not keyword.issoftkeyword(name), name
    assert name not in dir(builtins), f"{name!r} shadows a builtin"
    assert not name.startswith("_"), name
    assert not name[0].isdigit(), name


@pytest.mark.parametrize(
    ("text", "snake", "pascal"),
    [
        ("IdentityIdsToDelete", "identity_ids_to_delete", "IdentityIdsToDelete"),
        ("getOpenIdTokenForDeveloperIdentity", "get_open_id_token_for_developer_identity", "GetOpenIdTokenForDeveloperIdentity"),
        ("GetOpenIdTokenForDeveloperIdentity", "get_open_id_token_for_developer_identity", "GetOpenIdTokenForDeveloperIdentity"),
        ("compute.routers.list", "compute_routers_list", "ComputeRoutersList"),
        ("Filter.N", "filter_n", "FilterN"),
        ("No Name", "no_name", "NoName"),
        ("Api-Version", "api_version", "ApiVersion"),
        ("X-Amz-Target", "x_amz_target", "XAmzTarget"),
        ("Open ID Token for Developer Identities", "open_id_token_for_developer_identities", "OpenIdTokenForDeveloperIdentities"),
        ("getHTTPResponse", "get_http_response", "GetHttpResponse"),
        ("already_snake_case", "already_snake_case", "AlreadySnakeCase"),
        ("SCREAMING_CASE", "screaming_case", "ScreamingCase"),
        ("PetID", "pet_id", "PetId"),
        ("IdentityId", "identity_id", "IdentityId"),
    ],
)
def test_snake_and_pascal(text: str, snake: str, pascal: str) -> None:
    assert names.snake(text, "param") == snake
    assert names.pascal(text, "Model") == pascal


@pytest.mark.parametrize(
    ("text", "expected"),
    [("class", "class_"), ("def", "def_"), ("None", "none_"), ("True", "true_"), ("from", "from_"), ("async", "async_"), ("await", "await_")],
)
def test_keywords_are_escaped(text: str, expected: str) -> None:
    assert names.snake(text, "param") == expected
    assert_safe(expected)


@pytest.mark.parametrize(("text", "expected"), [("match", "match_"), ("case", "case_"), ("type", "type_"), ("_", "param")])
def test_soft_keywords_are_escaped(text: str, expected: str) -> None:
    assert names.snake(text, "param") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("id", "id_"), ("list", "list_"), ("print", "print_"), ("input", "input_"), ("format", "format_"), ("hash", "hash_"), ("self", "self_")],
)
def test_shadowed_builtins_are_escaped(text: str, expected: str) -> None:
    assert names.snake(text, "param") == expected


@pytest.mark.parametrize("text", ["Exception", "Ellipsis", "None", "True", "False", "NotImplemented"])
def test_class_names_do_not_shadow_builtins(text: str) -> None:
    name = names.pascal(text, "Model")
    assert_safe(name)
    assert name.rstrip("_") == text


@pytest.mark.parametrize("text", ["2fa", "123", "3DSecure", "0", "42nd-street"])
def test_leading_digits_get_the_fallback_in_front(text: str) -> None:
    snake = names.snake(text, "param")
    pascal = names.pascal(text, "Model")
    assert snake.startswith("param_"), snake
    assert pascal.startswith("Model"), pascal
    digits = "".join(c for c in text if c.isdigit())
    assert "".join(c for c in snake if c.isdigit()) == digits
    assert "".join(c for c in pascal if c.isdigit()) == digits
    assert_safe(snake)
    assert_safe(pascal)


@pytest.mark.parametrize("text", ["", " ", "___", "-", "!!!", "$", "日本語", "🙂", "\x00", "\u200b"])
def test_names_without_letters_get_the_fallback(text: str) -> None:
    assert names.snake(text, "param") == "param"
    assert names.pascal(text, "Model") == "Model"


@pytest.mark.parametrize(
    ("text", "snake"),
    [("Ünïcödé", "unicode"), ("ñandú", "nandu"), ("café_au_lait", "cafe_au_lait"), ("ｆｕｌｌｗｉｄｔｈ", "fullwidth")],
)
def test_non_ascii_is_folded_to_ascii(text: str, snake: str) -> None:
    result = names.snake(text, "param")
    assert result.isascii()
    assert result == snake


def test_a_code_injection_string_becomes_a_plain_identifier() -> None:
    text = "x'); import os; os.system('id"
    for name in (names.snake(text, "operation"), names.pascal(text, "Operation"), names.constant(text, "VALUE")):
        assert name.isidentifier(), name
        assert not keyword.iskeyword(name), name
        assert all(c.isalnum() or c == "_" for c in name), name
    assert names.snake(text, "operation") == "x_import_os_os_system_id"


def test_constants_are_upper_snake() -> None:
    assert names.constant("in-progress", "VALUE") == "IN_PROGRESS"
    assert names.constant("class", "VALUE") == "CLASS"
    assert names.constant("", "VALUE") == "VALUE"
    assert names.constant("1", "VALUE") == "VALUE_1"


def test_package_names_are_safe_and_predictable() -> None:
    assert names.package_name("aws-cognito") == "aws_cognito"
    assert names.package_name("petstore") == "petstore"
    assert names.package_name("Petstore.v2").startswith("petstore_")
    for stem in ("../../etc", "/etc/passwd", "con", "__init__", "123", "", "os", "sys", "json"):
        name = names.package_name(stem)
        assert name.isidentifier() and name.isascii() and not name.startswith("_"), name
        assert "/" not in name and "." not in name


NASTY = [
    "",
    " ",
    "_",
    "__",
    "__init__",
    "__class__",
    "__import__('os').system('id')",
    "x'); import os; os.system('id",
    "x'); open('PWNED','w'); ('",
    '"""; open("PWNED","w"); """',
    "'''",
    '\\',
    "\\N{BULLET}",
    "\x00",
    "\r\n",
    "\t",
    "{{ 7*7 }}",
    "{% raw %}",
    "<script>alert(1)</script>",
    "../../escape",
    "/etc/passwd",
    "C:\\Windows\\system32",
    "0",
    "007",
    "1st",
    "-1",
    "1e10",
    "class",
    "Class",
    "CLASS",
    "match",
    "case",
    "type",
    "_",
    "self",
    "cls",
    "None",
    "none",
    "True",
    "false",
    "id",
    "list",
    "dict",
    "str",
    "print",
    "exec",
    "eval",
    "__builtins__",
    "Ünïcödé",
    "日本語",
    "مرحبا",
    "🙂🙃",
    "ℌ𝔢𝔩𝔩𝔬",
    "ﬁle",
    "²",
    "Ⅻ",
    "a" * 300,
    "a-b_c.d e/f:g;h,i",
    "$ref",
    "@type",
    "#/definitions/Pet",
    "Filter.N",
    "Pet[]",
    "map<string,int>",
    "x-amz-target",
    "%20",
    "a\u200bb",
    "\ufeffBOM",
]


def _random_strings(count: int) -> list[str]:
    """Deterministic noise: ASCII punctuation, digits, letters, keywords and non-ASCII, mixed."""
    rng = random.Random(20240501)
    alphabet = (
        list("abcXYZ019_-. /\\'\"`$#@!?{}[]()<>:;,=+*&|~^%\t\n")
        + ["é", "ß", "日", "🙂", "\u0301", "\u200b", "ǅ", "İ", "ı", "ﬀ", "①", "٣"]
        + [k for k in keyword.kwlist + keyword.softkwlist]
        + ["id", "list", "self", "None", "__"]
    )
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(count)]


@pytest.mark.parametrize("fallback", [("param", "Model"), ("operation", "Operation")])
def test_every_name_is_a_safe_identifier_whatever_the_text(fallback: tuple[str, str]) -> None:
    snake_fallback, pascal_fallback = fallback
    for text in NASTY + _random_strings(3000):
        snake = names.snake(text, snake_fallback)
        pascal = names.pascal(text, pascal_fallback)
        constant = names.constant(text, pascal_fallback.upper())
        for name in (snake, pascal):
            try:
                assert_safe(name)
            except AssertionError as exc:
                raise AssertionError(f"{text!r} -> {name!r}: {exc}") from None
        assert constant.isidentifier() and constant.isascii() and not constant.startswith("_"), (text, constant)
        assert not keyword.iskeyword(constant), (text, constant)
        assert snake == snake.lower(), (text, snake)
        assert pascal[0].isupper(), (text, pascal)
        assert "__" not in snake, (text, snake)


def test_names_are_a_pure_function_of_the_text() -> None:
    strings = NASTY + _random_strings(500)
    first = [(names.snake(s, "param"), names.pascal(s, "Model")) for s in strings]
    second = [(names.snake(s, "param"), names.pascal(s, "Model")) for s in reversed(strings)]
    assert first == second[::-1]


# --------------------------------------------------------------------------- collisions


def test_snake_collisions_get_numbered_suffixes() -> None:
    scope = names.Namespace()
    assert [scope.claim("a"), scope.claim("a"), scope.claim("a")] == ["a", "a_2", "a_3"]


def test_class_collisions_get_numbered_suffixes_without_underscore() -> None:
    scope = names.Namespace()
    assert [scope.claim("Pet"), scope.claim("Pet"), scope.claim("Pet")] == ["Pet", "Pet2", "Pet3"]


def test_collisions_skip_names_already_taken() -> None:
    scope = names.Namespace()
    assert [scope.claim("a_2"), scope.claim("a"), scope.claim("a")] == ["a_2", "a", "a_3"]
    classes = names.Namespace()
    assert [classes.claim("Pet2"), classes.claim("Pet"), classes.claim("Pet")] == ["Pet2", "Pet", "Pet3"]


def test_an_escaped_keyword_collision_stays_valid() -> None:
    scope = names.Namespace()
    first, second = scope.claim(names.snake("class", "p")), scope.claim(names.snake("Class", "p"))
    assert first == "class_"
    assert second != first
    assert second.isidentifier() and not keyword.iskeyword(second)


def test_reserved_names_are_never_handed_out() -> None:
    reserved = names.CLIENT_ARGUMENTS | names.HANDLER_ARGUMENTS

    def run() -> list[str]:
        scope = names.Namespace(reserved)
        return [scope.claim(n) for n in ("timeout", "self", "request", "timeout", "body")]

    claimed = run()
    assert claimed == run()
    assert len(set(claimed)) == len(claimed)
    assert not set(claimed) & reserved
    assert [c.rstrip("_0123456789") for c in claimed] == ["timeout", "self", "request", "timeout", "body"]
    assert claimed[-1] == "body"


def test_collision_resolution_is_deterministic() -> None:
    wire = ["IdentityId", "identity_id", "identityId", "Identity-Id", "IDENTITY_ID", "identity.id"]

    def run() -> list[str]:
        scope = names.Namespace()
        return [scope.claim(names.snake(w, "param")) for w in wire]

    assert run() == run() == ["identity_id", "identity_id_2", "identity_id_3", "identity_id_4", "identity_id_5", "identity_id_6"]
    classes = names.Namespace(names.MODEL_NAMES_TAKEN)
    claimed = [classes.claim(names.pascal(w, "Model")) for w in ("Pet", "pet", "PET", "Client", "Model")]
    assert claimed[:3] == ["Pet", "Pet2", "Pet3"]
    for wanted, got in zip(("Client", "Model"), claimed[3:]):
        assert got != wanted and got.startswith(wanted) and got.isidentifier(), got
        assert got not in names.MODEL_NAMES_TAKEN


@pytest.mark.parametrize("text", ["l", "L", "I", "O"])
def test_names_linters_call_ambiguous_are_escaped(text: str) -> None:
    """A field ``l`` or a class ``I`` reads as 1 and ruff's default rules (E741, E742) refuse it."""
    for made in (names.snake(text, "param"), names.attribute(text, "field"), names.pascal(text, "Model")):
        assert made not in {"l", "I", "O"}
