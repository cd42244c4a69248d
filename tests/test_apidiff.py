"""The API surface and ``compare``: which spec edits break code written against the old client."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import SEED, write_spec
from stubforge.apidiff import Change, compare, summary, surface
from stubforge.pipeline import build_model

PETS = """
swagger: "2.0"
info: {title: Pets, version: "1"}
paths:
  /pets:
    get:
      operationId: listPets
      summary: List the pets
      tags: [pets]
      parameters:
        - {name: kind, in: query, type: string, enum: [cat, dog]}
        - {name: limit, in: query, type: integer}
      responses:
        200: {description: ok, schema: {type: array, items: {$ref: "#/definitions/Pet"}}}
    post:
      operationId: createPet
      tags: [pets]
      parameters:
        - {name: body, in: body, required: true, schema: {$ref: "#/definitions/NewPet"}}
      responses:
        201: {description: created, schema: {$ref: "#/definitions/Pet"}}
  /pets/{petId}:
    delete:
      operationId: deletePet
      tags: [pets]
      parameters:
        - {name: petId, in: path, required: true, type: integer}
      responses:
        204: {description: gone}
definitions:
  Pet:
    type: object
    description: A pet, as the store answers it.
    required: [id, name]
    properties:
      id: {type: integer}
      name: {type: string}
      status: {type: string, enum: [available, sold]}
  NewPet:
    type: object
    required: [name]
    properties:
      name: {type: string}
      tag: {type: string}
"""

ORDERS = """
openapi: 3.0.3
info: {title: Store, version: "1"}
paths:
  /orders/{orderId}:
    get:
      operationId: getOrder
      tags: [orders]
      parameters:
        - {name: orderId, in: path, required: true, schema: {type: string}}
        - {name: q, in: query, required: true, schema: PARAM}
      requestBody:
        required: false
        content: {application/json: {schema: {type: object, additionalProperties: {type: string}}}}
      responses:
        "200":
          description: ok
          content: {application/json: {schema: RESPONSE}}
"""


def build(tmp_path: Path, folder: str, text: str) -> dict:
    return surface(build_model(write_spec(tmp_path / folder, "api.yaml", text)))


def diff(tmp_path: Path, old: str, new: str) -> list[Change]:
    return compare(build(tmp_path, "old", old), build(tmp_path, "new", new))


def edit(text: str, *replacements: tuple[str, str]) -> str:
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return text


def orders(param: str = "{type: string}", response: str = "{type: string}") -> str:
    return ORDERS.replace("PARAM", param).replace("RESPONSE", response)


def brief(changes: list[Change]) -> list[tuple[str, str, str, bool]]:
    return [(c.kind, c.subject, c.where, c.breaking) for c in changes]


# --- operations -------------------------------------------------------------------------


def test_removed_operation_breaks(tmp_path: Path) -> None:
    new = edit(PETS, ("  /pets/{petId}:\n    delete:", "  /gone:\n    x-delete:"))
    assert diff(tmp_path, PETS, new) == [Change("removed", "operation", "delete_pet", "DELETE /pets/{petId}", True)]


def test_added_operation_does_not_break(tmp_path: Path) -> None:
    new = orders() + """
  /orders:
    get:
      operationId: listOrders
      responses: {"200": {description: ok}}
"""
    assert diff(tmp_path, orders(), new) == [Change("added", "operation", "list_orders", "GET /orders", False)]


def test_moving_an_operation_to_another_group_breaks_but_a_new_path_does_not(tmp_path: Path) -> None:
    moved = edit(PETS, ("      operationId: deletePet\n      tags: [pets]", "      operationId: deletePet\n      tags: [admin]"))
    assert brief(diff(tmp_path, PETS, moved)) == [("changed", "operation", "delete_pet", True)]
    new_method = edit(PETS, ("    delete:\n      operationId: deletePet", "    post:\n      operationId: deletePet"))
    [change] = diff(tmp_path, PETS, new_method)
    assert change == Change("changed", "operation", "delete_pet", "DELETE /pets/{petId} -> POST /pets/{petId}", False)


# --- parameters and bodies --------------------------------------------------------------


def test_new_required_parameter_breaks(tmp_path: Path) -> None:
    owner = "        - {name: owner, in: query, required: true, type: string}\n        - {name: limit,"
    new = edit(PETS, ("        - {name: limit,", owner))
    assert diff(tmp_path, PETS, new) == [Change("added", "parameter", "list_pets(owner)", "required query owner: str", True)]


def test_new_optional_parameter_does_not_break(tmp_path: Path) -> None:
    new = edit(PETS, ("        - {name: limit,", "        - {name: owner, in: query, type: string}\n        - {name: limit,"))
    assert diff(tmp_path, PETS, new) == [Change("added", "parameter", "list_pets(owner)", "optional query owner: str", False)]


def test_optional_parameter_made_required_breaks_and_back_does_not(tmp_path: Path) -> None:
    required = edit(PETS, ("{name: limit, in: query, type: integer}", "{name: limit, in: query, required: true, type: integer}"))
    assert diff(tmp_path, PETS, required) == [Change("changed", "parameter", "list_pets(limit)", "optional -> required", True)]
    assert diff(tmp_path, required, PETS) == [Change("changed", "parameter", "list_pets(limit)", "required -> optional", False)]


def test_removed_parameter_breaks(tmp_path: Path) -> None:
    new = edit(PETS, ("        - {name: limit, in: query, type: integer}\n", ""))
    assert diff(tmp_path, PETS, new) == [Change("removed", "parameter", "list_pets(limit)", "query limit", True)]


def test_enum_value_removed_from_a_parameter_breaks(tmp_path: Path) -> None:
    new = edit(PETS, ("enum: [cat, dog]}", "enum: [cat]}"))
    detail = 'Literal["cat", "dog"] -> Literal["cat"], narrowed'
    assert diff(tmp_path, PETS, new) == [Change("changed", "parameter", "list_pets(kind)", detail, True)]


def test_widened_parameter_type_does_not_break(tmp_path: Path) -> None:
    new = edit(
        PETS,
        ("enum: [cat, dog]}", "enum: [cat, dog, bird]}"),
        ("{name: limit, in: query, type: integer}", "{name: limit, in: query, type: number}"),
    )
    assert diff(tmp_path, PETS, new) == [
        Change("changed", "parameter", "list_pets(kind)", 'Literal["cat", "dog"] -> Literal["cat", "dog", "bird"], widened', False),
        Change("changed", "parameter", "list_pets(limit)", "int -> float, widened", False),
    ]


@pytest.mark.parametrize(
    ("old", "new", "word", "breaking"),
    [
        ("{type: string}", "{type: string, enum: [a, b]}", "narrowed", True),
        ("{type: string, enum: [a, b]}", "{type: string}", "widened", False),
        ("{type: integer, enum: [1, 2]}", "{type: integer}", "widened", False),
        ("{oneOf: [{type: integer}, {type: string}]}", "{type: integer}", "narrowed", True),
        ("{type: integer}", "{oneOf: [{type: integer}, {type: string}]}", "widened", False),
        ("{type: number}", "{type: integer}", "narrowed", True),
        ("{type: string, nullable: true}", "{type: string}", "narrowed", True),
        ("{type: string}", "{type: string, nullable: true}", "widened", False),
        ("{type: array, items: {type: number}}", "{type: array, items: {type: integer}}", "narrowed", True),
        ("{type: array, items: {type: string, enum: [a]}}", "{type: array, items: {type: string}}", "widened", False),
        ("{type: integer}", "{type: string}", "changed", True),
        ("{type: string, format: binary}", "{type: string}", "changed", True),
        ("{type: string}", "{type: string, format: date-time}", "changed", True),
        ("{type: string, format: uuid}", "{type: string}", "changed", True),
        ("{type: number, format: decimal}", "{type: integer}", "changed", True),
    ],
)
def test_parameter_type_changes(tmp_path: Path, old: str, new: str, word: str, breaking: bool) -> None:
    [change] = diff(tmp_path, orders(param=old), orders(param=new))
    assert (change.kind, change.subject, change.where, change.breaking) == ("changed", "parameter", "get_order(q)", breaking)
    assert change.detail.endswith(", " + word)


def test_nullable_makes_no_difference_to_an_optional_parameter(tmp_path: Path) -> None:
    old = edit(PETS, ("{name: limit, in: query, type: integer}", "{name: limit, in: query, type: integer, x-nullable: true}"))
    [change] = diff(tmp_path, old, PETS)
    assert change == Change("changed", "parameter", "list_pets(limit)", "int | None -> int, changed", False)


def test_body_rules(tmp_path: Path) -> None:
    required = edit(orders(), ("      requestBody:\n        required: false", "      requestBody:\n        required: true"))
    assert diff(tmp_path, orders(), required) == [Change("changed", "body", "get_order(body)", "optional -> required", True)]
    without = edit(PETS, ("        - {name: body, in: body, required: true, schema: {$ref: \"#/definitions/NewPet\"}}\n", ""))
    assert diff(tmp_path, PETS, without) == [Change("removed", "body", "create_pet(body)", "", True)]
    assert diff(tmp_path, without, PETS) == [Change("added", "body", "create_pet(body)", "required: NewPet", True)]
    optional = edit(orders(), ("      requestBody:\n        required: false\n", "      x-body:\n"))
    assert brief(diff(tmp_path, optional, orders())) == [("added", "body", "get_order(body)", False)]


def test_a_format_or_a_description_is_not_part_of_the_surface(tmp_path: Path) -> None:
    new = edit(
        PETS,
        ("summary: List the pets", "summary: All of them\n      description: Every pet, paged"),
        ("description: A pet, as the store answers it.", "description: Changed."),
        ("{name: limit, in: query, type: integer}", "{name: limit, in: query, type: integer, format: int64, description: at most}"),
    )
    assert diff(tmp_path, PETS, new) == []
    assert summary(diff(tmp_path, PETS, new)) == "no API changes"


# --- responses and models ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "breaking"),
    [
        ("{type: string, enum: [a, b]}", "{type: string, enum: [a]}", False),
        ("{type: string, enum: [a]}", "{type: string, enum: [a, b]}", True),
        ("{type: string}", "{type: string, nullable: true}", True),
        ("{type: integer}", "{type: number}", True),
        ("{type: number}", "{type: integer}", False),
    ],
)
def test_response_type_breaks_when_it_widens(tmp_path: Path, old: str, new: str, breaking: bool) -> None:
    [change] = diff(tmp_path, orders(response=old), orders(response=new))
    assert brief([change]) == [("changed", "response", "get_order", breaking)]


KINDS = """
openapi: 3.0.3
info: {title: Kinds, version: "1"}
paths:
  /report:
    get:
      operationId: getReport
      responses:
RESPONSES
components:
  schemas:
    Report: {type: object, properties: {title: {type: string}}}
"""
JSON_200 = '        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Report"}}}}\n'


def kinds(*responses: str) -> str:
    return KINDS.replace("RESPONSES\n", "".join(responses))


@pytest.mark.parametrize(
    ("new", "detail", "breaking"),
    [
        ('        "200": {description: ok, content: {application/pdf: {schema: {type: string, format: binary}}}}\n', "200 json -> 200 binary", True),
        ('        "200": {description: ok, content: {text/plain: {schema: {type: string}}}}\n', "200 json -> 200 text", True),
        ('        "200": {description: ok, content: {text/event-stream: {schema: {type: string}}}}\n', "200 json -> 200 event-stream", True),
        ('        "204": {description: no report}\n', "200 json -> 204 empty", True),
        (JSON_200 + '        "204": {description: not ready}\n', "200 json -> 200 json, 204 empty", True),
        (JSON_200.replace('"200"', '"201"'), "200 json -> 201 json", False),
    ],
)
def test_a_response_read_as_another_kind_breaks(tmp_path: Path, new: str, detail: str, breaking: bool) -> None:
    """A model that becomes bytes, text, None or events: code reading the model meets another
    kind of value. Only the kinds are reported (the type change says nothing more)."""
    [change] = diff(tmp_path, kinds(JSON_200), kinds(new))
    assert change == Change("changed", "response", "get_report", detail, breaking)


def test_a_response_that_can_no_longer_be_empty_does_not_break(tmp_path: Path) -> None:
    old = kinds(JSON_200 + '        "204": {description: not ready}\n')
    assert brief(diff(tmp_path, old, kinds(JSON_200))) == [("changed", "response", "get_report", False)]


PAGED = """
openapi: 3.0.3
info: {title: Paged, version: "1"}
paths:
  /pets:
    get:
      operationId: listPets
      parameters:
        - {name: cursor, in: query, schema: {type: string}}
      responses:
        "200":
          description: a page
          content:
            application/json:
              schema:
                type: object
                properties:
                  pets: {type: array, items: {type: string, enum: [cat, dog]}}
                  next_cursor: {type: string}
"""


def test_a_page_iterator_that_disappears_breaks_and_one_that_appears_does_not(tmp_path: Path) -> None:
    """A second array leaves the items in doubt: the iterator is gone, the operation stays."""
    doubtful = edit(PAGED, ("                  next_cursor: {type: string}", "                  next_cursor: {type: string}\n                  owners: {type: array, items: {type: string}}"))
    removed = [c for c in diff(tmp_path, PAGED, doubtful) if c.subject == "iterator"]
    assert removed == [Change("removed", "iterator", "iter_list_pets", "pages of list_pets", True)]
    added = [c for c in diff(tmp_path, doubtful, PAGED) if c.subject == "iterator"]
    assert added == [Change("added", "iterator", "iter_list_pets", "pages of list_pets", False)]


def test_page_iterator_items_break_when_they_widen(tmp_path: Path) -> None:
    wider = edit(PAGED, ("enum: [cat, dog]", "enum: [cat, dog, eel]"))
    narrower = edit(PAGED, ("enum: [cat, dog]", "enum: [cat]"))
    assert ("changed", "iterator", "iter_list_pets", True) in brief(diff(tmp_path, PAGED, wider))
    assert ("changed", "iterator", "iter_list_pets", False) in brief(diff(tmp_path, PAGED, narrower))


def test_removed_field_breaks(tmp_path: Path) -> None:
    new = edit(PETS, ("      status: {type: string, enum: [available, sold]}\n", ""))
    assert diff(tmp_path, PETS, new) == [Change("removed", "field", "Pet.status", "wire status", True)]


def test_removed_model_breaks(tmp_path: Path) -> None:
    new = edit(
        PETS,
        ("schema: {$ref: \"#/definitions/NewPet\"}", "schema: {type: string}"),
        ("  NewPet:\n    type: object", "  NewPet:\n    type: string"),
    )
    assert brief(diff(tmp_path, PETS, new)) == [("removed", "model", "NewPet", True), ("changed", "body", "create_pet(body)", True)]


def test_added_optional_field_does_not_break(tmp_path: Path) -> None:
    new = edit(PETS, ("      tag: {type: string}", "      tag: {type: string}\n      age: {type: integer}"))
    assert diff(tmp_path, PETS, new) == [Change("added", "field", "NewPet.age", "optional wire age: int", False)]


def test_added_required_field_breaks_only_models_the_client_sends(tmp_path: Path) -> None:
    new = edit(
        PETS,
        ("    required: [name]\n", "    required: [name, tag]\n"),  # NewPet: a request body
        ("    required: [id, name]\n", "    required: [id, name, status]\n"),  # Pet: only in responses
    )
    assert brief(diff(tmp_path, PETS, new)) == [("changed", "field", "NewPet.tag", True), ("changed", "field", "Pet.status", False)]


def test_field_rules_follow_the_direction_values_travel(tmp_path: Path) -> None:
    surfaces = build(tmp_path, "old", PETS)
    assert (surfaces["models"]["Pet"]["use"], surfaces["models"]["NewPet"]["use"]) == (["output"], ["input"])
    fewer = edit(PETS, ("enum: [available, sold]", "enum: [available]"))
    more = edit(PETS, ("enum: [available, sold]", "enum: [available, sold, lost]"))
    assert brief(diff(tmp_path, PETS, fewer)) == [("changed", "field", "Pet.status", False)]
    assert brief(diff(tmp_path, PETS, more)) == [("changed", "field", "Pet.status", True)]
    narrowed_input = edit(PETS, ("      tag: {type: string}", "      tag: {type: string, enum: [x]}"))
    assert brief(diff(tmp_path, PETS, narrowed_input)) == [("changed", "field", "NewPet.tag", True)]
    optional = edit(PETS, ("    required: [id, name]\n", "    required: [id]\n"), ("    required: [name]\n", ""))
    assert diff(tmp_path, PETS, optional) == [
        Change("changed", "field", "Pet.name", "required -> optional", True),
        Change("changed", "field", "NewPet.name", "required -> optional", False),
    ]


def test_wire_rename_is_a_removal_and_an_addition(tmp_path: Path) -> None:
    new = edit(
        PETS,
        ("{name: limit, in: query, type: integer}", "{name: count, in: query, type: integer}"),
        ("      name: {type: string}\n      status:", "      title: {type: string}\n      status:"),
    )
    assert brief(diff(tmp_path, PETS, new)) == [
        ("removed", "field", "Pet.name", True),
        ("removed", "parameter", "list_pets(limit)", True),
        ("added", "field", "Pet.title", False),
        ("added", "parameter", "list_pets(count)", False),
    ]


def test_new_wire_name_under_the_same_python_name_is_not_breaking(tmp_path: Path) -> None:
    new = edit(PETS, ("/pets/{petId}:", "/pets/{pet_id}:"), ("{name: petId, in: path", "{name: pet_id, in: path"))
    assert diff(tmp_path, PETS, new) == [
        Change("changed", "operation", "delete_pet", "DELETE /pets/{petId} -> DELETE /pets/{pet_id}", False),
        Change("changed", "parameter", "delete_pet(pet_id)", "wire name petId -> pet_id", False),
    ]


# --- the surface itself and the report ---------------------------------------------------


def test_unchanged_spec_has_no_changes(tmp_path: Path) -> None:
    for text in (PETS, orders()):
        assert diff(tmp_path, text, text) == []


def test_surface_is_json_and_stable_across_builds(tmp_path: Path) -> None:
    first, second = build(tmp_path, "a", PETS), build(tmp_path, "b", PETS)
    assert json.dumps(first) == json.dumps(second) == json.dumps(first, sort_keys=True)
    pet = first["models"]["Pet"]["fields"]["status"]
    status_type = {"annotation": 'Literal["available", "sold"]', "kind": "enum", "values": ["available", "sold"]}
    assert pet == {"required": False, "type": status_type, "wire": "status"}
    union = build(tmp_path, "c", orders(param="{oneOf: [{type: string}, {type: integer}], nullable: true}"))
    assert union["operations"]["get_order"]["parameters"]["q"]["type"] == {
        "annotation": "str | int | None",
        "kind": "union",
        "nullable": True,
        "variants": [{"kind": "integer"}, {"kind": "string"}],
    }


def test_an_annotation_written_differently_is_no_change(tmp_path: Path) -> None:
    """A manifest from an older stubforge wrote Literal['a'] where this one writes Literal["a"]."""
    new = build(tmp_path, "a", PETS)
    old = json.loads(json.dumps(new).replace('Literal[\\"available\\", \\"sold\\"]', "Literal['available', 'sold']"))
    assert old != new
    assert compare(old, new) == []


def test_seed_surface_round_trips_through_json() -> None:
    seed = surface(build_model(SEED))
    loaded = json.loads(json.dumps(seed))
    assert loaded == seed and compare(seed, loaded) == []
    assert loaded["operations"]["get_id"]["path"] == "/?Action=GetId"
    assert loaded["operations"]["get_id"]["parameters"]["identity_pool_id"]["wire"] == "IdentityPoolId"


def test_compare_refuses_another_surface_format() -> None:
    with pytest.raises(ValueError, match="format"):
        compare({"operations": {}, "models": {}}, {"format": 1, "operations": {}, "models": {}})


def test_summary_lists_breaking_changes_first_and_counts(tmp_path: Path) -> None:
    new = edit(
        PETS,
        ("  /pets/{petId}:\n    delete:", "  /gone:\n    x-delete:"),
        ("        - {name: limit,", "        - {name: owner, in: query, type: string}\n        - {name: limit,"),
    )
    assert summary(diff(tmp_path, PETS, new)) == (
        "  BREAKING removed operation delete_pet (DELETE /pets/{petId})\n"
        "  added parameter list_pets(owner) (optional query owner: str)\n"
        "2 changes, 1 breaking"
    )
    one = [Change("added", "field", "Pet.x\ny", "", False)]
    assert summary(one) == "  added field Pet.x\\ny\n1 change, 0 breaking"
