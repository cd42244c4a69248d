"""The docs show parameters, request bodies, responses and models as field tables: name, type
(model names link to the model's section), required, rules, default, description, read-only /
write-only / deprecated markers, with the example beside them, and each response's headers. A
body or success response of a model type lists that model's top-level fields right there;
nested models stay links. Both outputs: the HTML page and the Markdown reference."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import GENERATED, without_own_scripts, write_spec

from stubforge.model import TypeInfo
from stubforge.pipeline import Options, generate_files

HOSTILE_NOTE = "<script>alert('note')</script> | cell [x](javascript:alert(1))"
HOSTILE_DEFAULT = "</code><img src=x onerror=alert(1)> | broken"

SPEC = """
openapi: 3.0.3
info: {title: Tabled, version: "1"}
paths:
  /orders:
    post:
      operationId: createOrder
      tags: [orders]
      parameters:
        - {name: X-Trace, in: header, description: Trace id., schema: {type: string, example: trace-42}}
        - {name: dryRun, in: query, deprecated: true, schema: {type: boolean, default: false}}
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 50}}
        - {name: X-Tag, in: header, example: blue, schema: {type: string}}
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/Order'}}}
      responses:
        "201":
          description: Stored.
          headers:
            Location: {description: Where the order lives., schema: {type: string, format: uri}}
            Expires: {description: When the offer ends., schema: {type: string, format: date-time}}
            X-Left: {description: "**Requests** left, <b>raw</b>.", schema: {type: integer}}
          content: {application/json: {schema: {$ref: '#/components/schemas/Order'}}}
        "400":
          description: Refused.
          content: {application/json: {schema: {$ref: '#/components/schemas/Problem'}}}
    get:
      operationId: listOrders
      tags: [orders]
      parameters: [{name: match, in: query, style: deepObject, explode: true, schema: {$ref: '#/components/schemas/Line'}}]
      responses:
        "200":
          description: All orders.
          content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Order'}}}}
        "206":
          description: Some orders.
          content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Order'}}}}
  /orders/{id}/note:
    put:
      operationId: setNote
      tags: [orders]
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      requestBody:
        content: {text/plain: {schema: {type: string}}}
      responses:
        "200":
          description: A map of lines.
          content: {application/json: {schema: {type: object, additionalProperties: {$ref: '#/components/schemas/Line'}}}}
components:
  schemas:
    Order:
      type: object
      required: [id, secret, quantity, lines]
      properties:
        id: {type: string, readOnly: true, description: Made by the server.}
        secret: {type: string, writeOnly: true}
        quantity: {type: integer, minimum: 1, default: 1, description: How many.}
        status: {type: string, enum: [new, paid], default: new}
        customer: {$ref: '#/components/schemas/Customer'}
        lines: {type: array, items: {$ref: '#/components/schemas/Line'}}
        legacy: {type: string, deprecated: true}
        note: {type: string, description: NOTE, default: DEFAULT}
      example: {id: o-1, secret: s, quantity: 2, lines: []}
    Customer:
      type: object
      properties:
        loyaltyTier: {type: string, nullable: true}
    Line:
      type: object
      properties:
        sku: {type: string}
    Problem:
      type: object
      properties:
        problemDetail: {type: string}
"""


def docs(tmp_path: Path) -> tuple[str, str]:
    text = SPEC.replace("NOTE", _yaml_string(HOSTILE_NOTE)).replace("DEFAULT", _yaml_string(HOSTILE_DEFAULT))
    path = write_spec(tmp_path, "tabled.yaml", text)
    result = generate_files(path, Options(artefacts=("docs",)))
    return result.files["docs/index.html"], result.files["docs/README.md"]


def _yaml_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    return docs(tmp_path_factory.mktemp("tabled"))


@pytest.fixture(scope="module")
def page(outputs: tuple[str, str]) -> str:
    return outputs[0]


@pytest.fixture(scope="module")
def readme(outputs: tuple[str, str]) -> str:
    return outputs[1]


# --- Reading the outputs ----------------------------------------------------------------------


def html_section(page: str, anchor: str) -> str:
    """The article with the id ``anchor``."""
    start = page.index(f'<article class="{"operation" if anchor.startswith("operation-") else "model"}" id="{anchor}">')
    return page[start : page.index("</article>", start)]


class _Tables(HTMLParser):
    """Each table's rows, each row its cells' inner HTML, the header row first."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.source = source
        self._line_starts = [0]
        for line in source.splitlines(keepends=True):
            self._line_starts.append(self._line_starts[-1] + len(line))
        self.tables: list[list[list[str]]] = []
        self._cell_start: int | None = None
        self._depth = 0

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                self.tables.append([])
        elif self._depth == 1 and tag == "tr":
            self.tables[-1].append([])
        elif self._depth == 1 and tag in ("td", "th"):
            self._cell_start = self._offset() + len(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._depth -= 1
        elif self._depth == 1 and tag in ("td", "th") and self._cell_start is not None:
            self.tables[-1][-1].append(self.source[self._cell_start : self._offset()])
            self._cell_start = None


def _key(cell: str) -> str:
    """A row's name: its first cell's code (markers aside), else its text."""
    code = re.match(r"<code>(.*?)</code>", cell)
    return code.group(1) if code else re.sub(r"<[^>]+>", "", cell)


def html_tables(fragment: str) -> list[dict[str, dict[str, str]]]:
    """Each table as {first cell's text: {column: cell HTML}}."""
    parser = _Tables(fragment)
    parser.feed(fragment)
    found = []
    for header, *rows in parser.tables:
        found.append({_key(row[0]): dict(zip(header, row, strict=True)) for row in rows})
    return found


def md_section(readme: str, anchor: str) -> str:
    start = readme.index(f'<a id="{anchor}"></a>')
    end = readme.find('<a id="', start + 1)
    return readme[start : end if end != -1 else len(readme)]


def md_tables(fragment: str) -> list[dict[str, dict[str, str]]]:
    """Each Markdown table as {first cell's text: {column: cell}}; cells split at unescaped ``|``."""
    found: list[dict[str, dict[str, str]]] = []
    header: list[str] | None = None
    for line in fragment.splitlines() + [""]:
        if not line.startswith("|"):
            header = None
            continue
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        if header is None:
            header = cells
            found.append({})
        elif set(cells) != {"---"}:
            assert len(cells) == len(header), f"a row with {len(cells)} cells under {len(header)} columns: {line}"
            found[-1][_key(cells[0])] = dict(zip(header, cells, strict=True))
    return found


# --- Types link to models ---------------------------------------------------------------------


def test_reader_parts_are_the_expanded_annotation_with_models_linked() -> None:
    pet = TypeInfo("model", model="Pet")
    cases = [
        TypeInfo("array", items=pet, nullable=True),
        TypeInfo("map", items=TypeInfo("array", items=pet)),
        TypeInfo("union", variants=(pet, TypeInfo("model", model="Cat", nullable=True), TypeInfo("string"))),
        TypeInfo("union", variants=(pet, TypeInfo("any"))),
        TypeInfo("enum", enum_values=("a", "b"), alias="Letters"),
        TypeInfo("string", format="date-time"),
    ]
    for t in cases:
        assert "".join(text for text, _ in t.reader_parts) == t.expanded
    assert TypeInfo("array", items=pet, nullable=True).reader_parts == (("list[", None), ("Pet", "model-Pet"), ("] | None", None))
    assert cases[2].reader_parts == (("Pet", "model-Pet"), (" | ", None), ("Cat", "model-Cat"), (" | str | None", None))
    assert cases[3].reader_parts == (("Any", None),)


def test_types_link_to_models_everywhere(page: str, readme: str) -> None:
    order = html_section(page, "model-Order")
    fields = html_tables(order)[0]
    assert fields["customer"]["Type"] == '<code><a href="#model-Customer">Customer</a></code>'
    assert fields["lines"]["Type"] == '<code>list[<a href="#model-Line">Line</a>]</code>'
    assert fields["status"]["Type"] == "<code>Literal[&quot;new&quot;, &quot;paid&quot;]</code>"
    create = html_section(page, "operation-create-order")
    assert '<p><code><a href="#model-Order">Order</a></code> as <code>application/json</code>, required;' in create
    responses = html_tables(create)
    statuses = next(t for t in responses if "400" in t)
    assert statuses["201"]["Type"] == '<code><a href="#model-Order">Order</a></code> as <code>application/json</code>'
    assert statuses["400"]["Type"] == '<code><a href="#model-Problem">Problem</a></code> as <code>application/json</code>'
    listing = html_tables(html_section(page, "operation-list-orders"))
    assert listing[0]["match"]["Type"] == '<code><a href="#model-Line">Line</a></code>'
    assert listing[1]["200"]["Type"].startswith('<code>list[<a href="#model-Order">Order</a>]</code>')

    md_fields = md_tables(md_section(readme, "model-Order"))[0]
    assert md_fields["customer"]["Type"] == "<code>[Customer](#model-Customer)</code>"
    assert md_fields["lines"]["Type"] == "<code>list\\[[Line](#model-Line)\\]</code>"
    md_create = md_section(readme, "operation-create-order")
    assert "<code>[Order](#model-Order)</code> as <code>application/json</code>, required;" in md_create
    md_listing = md_tables(md_section(readme, "operation-list-orders"))
    assert md_listing[0]["match"]["Type"] == "<code>[Line](#model-Line)</code>"
    assert md_listing[1]["200"]["Type"].startswith("<code>list\\[[Order](#model-Order)\\]</code>")


# --- Parameters -------------------------------------------------------------------------------


def test_parameter_table(page: str, readme: str) -> None:
    params = html_tables(html_section(page, "operation-create-order"))[0]
    assert list(params) == ["X-Trace", "dryRun", "limit", "X-Tag"]
    assert params["X-Trace"]["Python argument"] == "<code>x_trace</code>" and params["X-Trace"]["In"] == "header"
    assert params["X-Trace"]["Description"] == 'Trace id.<div class="default">Example: <code>&quot;trace-42&quot;</code></div>'
    assert params["dryRun"]["Name"] == '<code>dryRun</code><div class="markers"><span class="marker">deprecated</span></div>'
    assert params["dryRun"]["Required"] == "no" and params["dryRun"]["Type"] == "<code>bool</code>"
    assert '<div class="default">Default: <code>false</code></div>' in params["dryRun"]["Description"]
    assert "Example" not in params["dryRun"]["Description"], "a made-up example is not shown"
    assert '<div class="rules">Rules: <code>≥ 1</code>, <code>≤ 50</code></div>' == params["limit"]["Description"]

    md = md_tables(md_section(readme, "operation-create-order"))[0]
    assert md["X-Trace"]["Description"] == 'Trace id.<br>Example: <code>"trace-42"</code>'
    assert md["dryRun"]["Name"] == "<code>dryRun</code><br>*deprecated*"
    assert md["dryRun"]["Description"] == "Default: <code>false</code>"
    assert md["limit"]["Description"] == "Rules: <code>≥ 1</code>, <code>≤ 50</code>"
    assert md["X-Tag"]["Description"] == 'Example: <code>"blue"</code>'
    assert params["X-Tag"]["Description"] == '<div class="default">Example: <code>&quot;blue&quot;</code></div>'


# --- Request body -----------------------------------------------------------------------------


def test_a_model_body_lists_its_fields_with_the_example_after(page: str, readme: str) -> None:
    create = html_section(page, "operation-create-order")
    body = create[create.index("<h4>Request body</h4>") : create.index("<h4>Responses</h4>")]
    assert '<p class="fields-of">Fields of <a href="#model-Order">Order</a>:</p>' in body
    fields = html_tables(body)[0]
    assert list(fields) == ["quantity", "lines", "id", "secret", "status", "customer", "legacy", "note"]  # the model's order
    assert set(fields["quantity"]) == {"Field", "Type", "Required", "Description"}
    # A request never carries a read-only field; a write-only one it must.
    assert fields["id"]["Field"] == '<code>id</code><div class="markers"><span class="marker">read-only</span></div>'
    assert fields["id"]["Required"] == "no"
    assert fields["secret"]["Field"] == '<code>secret</code><div class="markers"><span class="marker">write-only</span></div>'
    assert fields["secret"]["Required"] == "yes"
    assert fields["quantity"]["Description"] == 'How many.<div class="rules">Rules: <code>≥ 1</code></div><div class="default">Default: <code>1</code></div>'
    assert fields["status"]["Description"] == '<div class="default">Default: <code>&quot;new&quot;</code></div>'
    assert '<span class="marker">deprecated</span>' in fields["legacy"]["Field"]
    # Nested models are links, not expanded.
    assert fields["customer"]["Type"] == '<code><a href="#model-Customer">Customer</a></code>'
    assert "loyaltyTier" not in create and "sku" not in create
    # The example comes right after the table.
    assert body.index("</table>") < body.index('<div class="example-label">Example</div>')
    assert "&quot;quantity&quot;: 2" in body

    md = md_section(readme, "operation-create-order")
    md_body = md[md.index("#### Request body") : md.index("#### Responses")]
    assert "Fields of [Order](#model-Order):" in md_body
    md_fields = md_tables(md_body)[0]
    assert list(md_fields) == list(fields)
    assert md_fields["id"]["Field"] == "<code>id</code><br>*read-only*" and md_fields["id"]["Required"] == "no"
    assert md_fields["secret"]["Field"] == "<code>secret</code><br>*write-only*" and md_fields["secret"]["Required"] == "yes"
    assert md_fields["quantity"]["Description"] == "How many.<br>Rules: <code>≥ 1</code><br>Default: <code>1</code>"
    assert "loyaltyTier" not in md
    assert md_body.index("| <code>note</code>") < md_body.index("```json") and '"quantity": 2' in md_body


def test_a_body_that_is_no_model_keeps_its_one_line_type(page: str, readme: str) -> None:
    note = html_section(page, "operation-set-note")
    assert '<p><code>str</code> as <code>text/plain</code>, optional; Python argument <code>body</code>.</p>' in note
    assert "Fields of" not in note
    md = md_section(readme, "operation-set-note")
    assert "<code>str</code> as <code>text/plain</code>, optional;" in md and "Fields of" not in md


# --- Responses --------------------------------------------------------------------------------


def test_a_success_response_lists_its_model_fields_an_error_response_links_it(page: str, readme: str) -> None:
    create = html_section(page, "operation-create-order")
    responses = create[create.index("<h4>Responses</h4>") :]
    assert '<p class="fields-of">Response <code>201</code>: fields of <a href="#model-Order">Order</a>:</p>' in responses
    fields = next(t for t in html_tables(responses) if "quantity" in t)
    # A response always carries a required read-only field, never a write-only one.
    assert fields["id"]["Required"] == "yes"
    assert fields["secret"]["Required"] == "no"
    assert "problemDetail" not in create and "fields of <a href=\"#model-Problem\"" not in create

    listing = html_section(page, "operation-list-orders")
    assert '<p class="fields-of">Response <code>200</code>: fields of <a href="#model-Order">Order</a>:</p>' in listing
    assert "quantity" in html_tables(listing)[2]
    assert listing.count("fields of") == 1, "a model two success responses share is listed once"
    # A map of models is no model: its type links, no table.
    note = html_section(page, "operation-set-note")
    assert '<code>dict[str, <a href="#model-Line">Line</a>]</code>' in note and "fields of" not in note

    md = md_section(readme, "operation-create-order")
    md_responses = md[md.index("#### Responses") :]
    assert "Response <code>201</code>: fields of [Order](#model-Order):" in md_responses
    md_fields = next(t for t in md_tables(md_responses) if "quantity" in t)
    assert md_fields["id"]["Required"] == "yes" and md_fields["secret"]["Required"] == "no"
    assert "problemDetail" not in md


def test_response_headers(page: str, readme: str) -> None:
    create = html_section(page, "operation-create-order")
    assert '<p class="fields-of">Response <code>201</code> headers:</p>' in create
    headers = next(t for t in html_tables(create) if "Location" in t)
    assert headers["Location"] == {"Header": "<code>Location</code>", "Type": "<code>str</code>", "Description": "Where the order lives."}
    assert headers["Expires"]["Type"] == "<code>datetime.datetime</code>"
    assert headers["X-Left"]["Type"] == "<code>int</code>"
    assert headers["X-Left"]["Description"] == "<strong>Requests</strong> left, &lt;b&gt;raw&lt;/b&gt;."  # Markdown renders, raw HTML is text
    md = md_section(readme, "operation-create-order")
    assert "Response <code>201</code> headers:" in md
    md_headers = next(t for t in md_tables(md) if "Location" in t)
    assert md_headers["Location"] == {"Header": "<code>Location</code>", "Type": "<code>str</code>", "Description": "Where the order lives."}
    assert md_headers["Expires"]["Type"] == "<code>datetime.datetime</code>"
    assert md_headers["X-Left"]["Description"] == "\\*\\*Requests\\*\\* left, &lt;b&gt;raw&lt;/b&gt;."  # a cell: all text


# --- Model sections ---------------------------------------------------------------------------


def test_model_section_marks_defaults_and_access_and_gives_rows_ids(page: str, readme: str) -> None:
    order = html_section(page, "model-Order")
    fields = html_tables(order)[0]
    assert set(fields["quantity"]) == {"Field", "Python attribute", "Type", "Required", "Description"}
    assert fields["id"]["Required"] == "yes" and fields["secret"]["Required"] == "yes"  # as the spec says
    assert '<span class="marker">read-only</span>' in fields["id"]["Field"]
    assert '<span class="marker">write-only</span>' in fields["secret"]["Field"]
    assert '<div class="default">Default: <code>1</code></div>' in fields["quantity"]["Description"]
    assert '<tr id="model-Order.quantity">' in order
    md = md_tables(md_section(readme, "model-Order"))[0]
    assert md["id"]["Field"] == "<code>id</code><br>*read-only*" and md["id"]["Python attribute"] == "<code>id</code>"
    assert md["quantity"]["Description"].endswith("<br>Default: <code>1</code>")


# --- Spec text stays text ---------------------------------------------------------------------


def test_hostile_descriptions_and_defaults_stay_escaped(page: str, readme: str) -> None:
    for anchor in ("operation-create-order", "model-Order"):
        for table in (t for t in html_tables(html_section(page, anchor)) if "note" in t):
            assert table["note"]["Description"] == (
                "&lt;script&gt;alert('note')&lt;/script&gt; | cell [x](javascript:alert(1))"
                '<div class="default">Default: <code>&quot;&lt;/code&gt;&lt;img src=x onerror=alert(1)&gt; | broken&quot;</code></div>'
            )
    rest = without_own_scripts(page)
    assert "<script" not in rest and "<img" not in rest and 'href="javascript' not in rest
    md_notes = [t["note"]["Description"] for anchor in ("operation-create-order", "model-Order") for t in md_tables(md_section(readme, anchor)) if "note" in t]
    assert len(md_notes) == 3  # the body's, the response's and the model's: each one row, its pipes escaped
    for note in md_notes:
        assert note == (
            "&lt;script&gt;alert\\('note'\\)&lt;/script&gt; \\| cell \\[x\\]\\(javascript:alert\\(1\\)\\)"
            '<br>Default: <code>"&lt;/code&gt;&lt;img src=x onerror=alert\\(1\\)&gt; \\| broken"</code>'
        )
    assert "<script" not in readme and "<img" not in readme


def test_swagger2_body_and_response_tables(tmp_path: Path) -> None:
    path = write_spec(
        tmp_path,
        "tabled2.yaml",
        """
        swagger: "2.0"
        info: {title: Tabled two, version: "1"}
        paths:
          /pets:
            post:
              operationId: addPet
              parameters: [{in: body, name: body, required: true, schema: {$ref: '#/definitions/Pet'}}]
              responses:
                "200": {description: ok, schema: {$ref: '#/definitions/Pet'}, headers: {X-Id: {type: integer, description: The id.}}}
        definitions:
          Pet:
            type: object
            required: [name]
            properties:
              name: {type: string, default: Rex}
              owner: {$ref: '#/definitions/Owner'}
          Owner: {type: object, properties: {ownerName: {type: string}}}
        """,
    )
    files = generate_files(path, Options(artefacts=("docs",))).files
    add = html_section(files["docs/index.html"], "operation-add-pet")
    tables = [t for t in html_tables(add) if "name" in t]
    assert len(tables) == 2, "the body's and the response's"
    assert tables[0]["name"]["Description"] == '<div class="default">Default: <code>&quot;Rex&quot;</code></div>'
    assert tables[0]["owner"]["Type"] == '<code><a href="#model-Owner">Owner</a></code>'
    assert not any("ownerName" in t for t in html_tables(add)), "nested models are not expanded"
    assert next(t for t in html_tables(add) if "X-Id" in t)["X-Id"]["Description"] == "The id."
    md = md_section(files["docs/README.md"], "operation-add-pet")
    assert [t["name"]["Description"] for t in md_tables(md) if "name" in t] == ['Default: <code>"Rex"</code>'] * 2


def test_the_docs_show_the_page_iterator_raw_responses_and_where_credentials_go() -> None:
    docs = GENERATED / "petstore" / "docs"
    html, markdown = (docs / "index.html").read_text(encoding="utf-8"), (docs / "README.md").read_text(encoding="utf-8")
    assert '<dt>All pages</dt><dd><code>client.pets.iter_list_pets(&hellip;)</code> yields each <code><a href="#model-Pet">Pet</a></code>' in html
    assert "- **All pages:** <code>client.pets.iter\\_list\\_pets(...)</code> yields each <code>[Pet](#model-Pet)</code>" in markdown
    assert html.count("<dt>All pages</dt>") == markdown.count("- **All pages:**") == 1, "only list_pets pages"
    for text in (html, markdown):
        assert "with_raw_response" in text.replace("\\_", "_")
        assert "The client sends credentials only to the API's own origin: a redirect to another scheme, host or port drops them." in text.replace("&#39;", "'")
