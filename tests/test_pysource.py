"""What ``pysource`` prints is already Black's output: for any text, a string literal and a
docstring come out exactly as Black would write them, so Black has nothing to change."""

from __future__ import annotations

import ast
import json

import black
from black.strings import normalize_string_quotes
from hypothesis import example, given, settings
from hypothesis import strategies as st

from stubforge.format import MODE, fits
from stubforge.pysource import assigned_call, attribute, docstring_statement, exploded_list, exploded_tuple, keyword_list, literal, parameter, split_at_last_bracket, string_literal
from stubforge.render import docstring, json_text

#: Text with what makes quoting and docstrings hard: quotes, backslashes, whitespace of every
#: kind, line breaks, control and wide characters.
TRICKY = st.text(alphabet=st.sampled_from(list("ab \t\n\r\"'\\`#{}") + ["\x00", "\x1f", "\x85", "\u2028", "\u3000", "\xa0", "界", "é"]))


def black_formatted(source: str) -> str:
    return black.format_str(source, mode=MODE)


@settings(max_examples=300, deadline=None)
@given(TRICKY)
@example("it's")
@example('say "hi"')
@example("both ' and \"")
@example("")
def test_a_string_literal_holds_the_text_and_is_black_formatted(text: str) -> None:
    source = f"x = {string_literal(text)}\n"
    assert ast.literal_eval(string_literal(text)) == text
    assert string_literal(text) == normalize_string_quotes(repr(text))
    assert black_formatted(source) == source


@settings(max_examples=300, deadline=None)
@given(TRICKY, TRICKY, st.integers(min_value=0, max_value=2))
@example('ends with a quote"', "", 0)
@example("ends with a backslash\\", "", 1)
@example(' "starts with a quote', "more", 1)
@example("x" * 95, "y" * 97, 1)
@example("first", "\u3000indented with an ideographic space", 2)
def test_a_docstring_is_laid_out_as_black_lays_it_out(summary: str, description: str, depth: int) -> None:
    indent = "    " * depth
    body = docstring(summary, 4 * depth) + (f"\n\n{indent}" + docstring(description, 4 * depth) + "\n" if description else "")
    wrapper = "".join("    " * level + "class _:\n" for level in range(depth))
    source = wrapper + docstring_statement(body, depth)
    assert black_formatted(source) == source


def test_literals_of_json_values() -> None:
    value = {"a": [1, 2.5, True, None, "it's"], "b": {}}
    assert literal(value) == '{"a": [1, 2.5, True, None, "it\'s"], "b": {}}'
    assert ast.literal_eval(literal(value)) == value
    assert literal(float("inf")) == "None"


def test_exploded_displays_keep_their_magic_trailing_comma() -> None:
    assert exploded_list([], 0) == "[]"
    assert exploded_tuple([], 0) == "()"
    assert exploded_tuple(['"a"'], 0) == '("a",)', "a one-tuple's comma is not magic: it stays inline"
    for display in (exploded_list(['"a"'], 1), exploded_list(['"a"', '"b"'], 1), exploded_tuple(['"a"', '"b"'], 1)):
        source = f"def f():\n    x = {display}\n"
        assert black_formatted(source) == source


def test_fits_measures_width_as_black_does() -> None:
    assert fits("x = 1\n")
    assert not fits("x = " + "1" * 97 + "\n")
    assert not fits('x = "' + "界" * 48 + '"\n'), "wide characters count twice"
    assert fits('    """' + "a" * 200 + '"""\n'), "docstring lines are never split"
    assert fits('    """Summary.\n\n    ' + "a" * 200 + '\n    """\n')
    assert fits('    path="' + "a" * 200 + '",\n'), "a lone string item cannot be split"
    assert not fits('    path=PREFIX + "' + "a" * 200 + '",\n')


ITEMS = st.lists(st.text(alphabet="abcdefghij_", min_size=1, max_size=60).map(string_literal), min_size=1, max_size=4)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(alphabet="abcdefghij_", min_size=1, max_size=30).map(string_literal), min_size=1, max_size=6), st.integers(min_value=1, max_value=3), st.integers(min_value=0, max_value=40))
def test_a_keyword_list_argument_is_what_black_makes_of_it(items: list[str], depth: int, padding: int) -> None:
    wrapper = "".join("    " * level + "class _:\n" for level in range(depth - 1))
    outer = "    " * (depth - 1)
    source = f"{wrapper}{outer}x = Spec(\n{outer}    {keyword_list('keyword' + '_' * padding, items, depth)}\n{outer})\n"
    assert black_formatted(source) == source


@settings(max_examples=400, deadline=None)
@given(ITEMS, st.integers(min_value=1, max_value=3), st.integers(min_value=0, max_value=40))
def test_an_item_split_at_its_last_bracket_is_what_black_makes_of_it(items: list[str], depth: int, padding: int) -> None:
    """Whenever every line fits (so the formatter trusts it), Black would change nothing."""
    head = "Param" + "_" * padding + "("
    wrapper = "".join("    " * level + "class _:\n" for level in range(depth - 1))
    outer = "    " * (depth - 1)
    source = f"{wrapper}{outer}x = [\n{outer}    {split_at_last_bracket(head, items, '),', depth)}\n{outer}]\n"
    assert not fits(source) or black_formatted(source) == source


@settings(max_examples=400, deadline=None)
@given(ITEMS, st.integers(min_value=0, max_value=60), st.booleans())
def test_an_annotated_parameter_split_at_its_last_bracket_is_what_black_makes_of_it(items: list[str], padding: int, required: bool) -> None:
    head = "p" * (padding + 1) + ": Annotated["
    tail = "]," if required else "] = None,"
    source = f"def f(\n    *,\n    {split_at_last_bracket(head, ['str | None', *items], tail, 1)}\n):\n    pass\n"
    assert not fits(source) or black_formatted(source) == source


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TRICKY,
    lambda children: st.lists(children) | st.dictionaries(TRICKY, children),
    max_leaves=30,
)


@settings(max_examples=500, deadline=None)
@given(JSON_VALUES)
def test_indented_json_is_what_the_standard_library_writes(value: object) -> None:
    """openapi.json and mock.json come from a faster encoder with the same output."""
    assert json_text(value) == json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


NAME = st.text(alphabet="abcdefghijXYZ", min_size=0, max_size=45).map(lambda n: "n" + n)
MEMBER = st.one_of(NAME.map(lambda n: f"models.{n}"), NAME.map(lambda n: f"list[models.{n}]"), NAME.map(lambda n: f"dict[str, {n}]"))
UNION = st.tuples(st.lists(MEMBER, min_size=1, max_size=3), st.sampled_from(["None", "str", "models.Thing", "list[str]"])).map(lambda t: " | ".join([*t[0], t[1]]))


@settings(max_examples=500, deadline=None)
@given(NAME, UNION, st.sampled_from(["None", ""]), st.integers(min_value=1, max_value=2))
@example("transaction_type", "models.InvoicePaymentMethodOptionsAcssDebitMandateOptionsTransaction | None", "None", 2)
def test_a_long_annotated_parameter_is_laid_out_as_black_lays_it_out(name: str, annotation: str, default: str, depth: int) -> None:
    wrapper = "".join("    " * level + "class _:\n" for level in range(depth - 1))
    outer = "    " * (depth - 1)
    line = parameter(name, annotation, default, depth)
    source = f"{wrapper}{outer}def f(\n{outer}    *,\n{outer}    {line}\n{outer}) -> None:\n{outer}    pass\n"
    assert not fits(source) or black_formatted(source) == source


@settings(max_examples=500, deadline=None)
@given(NAME, UNION, st.sampled_from(["None", ""]))
@example("transaction_type", "InvoicePaymentMethodOptionsAcssDebitMandateOptionsTransactionType | None", "None")
@example("verification_method", "PaymentIntentPaymentMethodOptionsUsBankAccountVerificationMethod | None", "None")
@example("allowed_categories", "list[IssuingCardholderAuthorizationControlsAllowedCategoriesItem] | None", "")
@example("payment_method_configuration_details", "PaymentMethodConfigBizPaymentMethodConfigurationDetails | None", "None")
def test_a_long_annotated_attribute_is_laid_out_as_black_lays_it_out(name: str, annotation: str, default: str) -> None:
    source = f"class A:\n    {attribute(name, annotation, default, 1)}\n"
    assert not fits(source) or black_formatted(source) == source


@settings(max_examples=500, deadline=None)
@given(UNION, st.integers(min_value=2, max_value=4))
def test_a_lone_union_argument_split_at_its_last_bracket_is_what_black_makes_of_it(annotation: str, depth: int) -> None:
    wrapper = "".join("    " * level + "class _:\n" for level in range(depth - 1))
    outer = "    " * (depth - 1)
    source = f"{wrapper}{outer}x = [\n{outer}    {split_at_last_bracket('TypeAdapter(', [annotation], '),', depth)}\n{outer}]\n"
    assert not fits(source) or black_formatted(source) == source


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="abcdefghij_", min_size=1, max_size=120).map(lambda name: "n_" + name), st.sampled_from(["raw_response", "async_streaming_response"]), st.integers(min_value=1, max_value=3))
@example("delete_admissionregistration_v1_alpha1_collection_initializer_configuration_xx", "async_streaming_response", 2)
@example("delete_admissionregistration_v1_alpha1_collection_initialize", "async_streaming_response", 2)
@example("d" * 110, "async_streaming_response", 2)
def test_an_assigned_call_is_what_black_makes_of_it(name: str, function: str, depth: int) -> None:
    """Whenever every line fits (so the formatter trusts it), Black would change nothing."""
    wrapper = "".join("    " * level + "class _:\n" for level in range(depth))
    indent = "    " * depth
    source = f"{wrapper}{indent}{assigned_call('self.' + name, function, 'api.' + name, depth)}\n"
    assert not fits(source) or black_formatted(source) == source
