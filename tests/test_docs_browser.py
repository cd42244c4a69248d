"""The HTML docs page in a real browser: search finds operations, paths, models and fields; the
sidebar and anchors navigate, groups collapse, the sidebar follows the reader, deep links come
from spec names. The page is one file that loads nothing (no request leaves it), logs no error,
and runs no script but its own, whatever the spec says.

The browser tests drive the Debian ``chromium`` package through Playwright (never a downloaded
browser); they skip only when /usr/bin/chromium is missing. Screenshots for review go to
build/screenshots/. The index tests at the top need no browser."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import pytest
from browser import CHROMIUM, launch
from conftest import DOCS_SCRIPT, GENERATED, ROOT, write_spec

from stubforge.pipeline import Options, generate_files
from stubforge.render import environment, inline_script, script_json

SCREENSHOTS = ROOT / "build" / "screenshots"
HOSTILE = "</script><script>alert(1)</script> [x](javascript:alert(1))"


def pets_spec(models: int = 0) -> dict[str, Any]:
    """Two tags, five operations (one deprecated), two models; ``models`` more (``Thing01``...)
    to make a long page."""
    pet_ref = {"$ref": "#/components/schemas/Pet"}
    json_of = lambda schema: {"application/json": {"schema": schema}}  # noqa: E731
    schemas: dict[str, Any] = {
        "Pet": {
            "type": "object",
            "description": "A pet in the store.",
            "required": ["id", "name"],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "birthDate": {"type": "string", "format": "date", "description": "When it was born."}},
        },
        "Order": {"type": "object", "properties": {"id": {"type": "integer"}, "quantity": {"type": "integer"}}},
    }
    for n in range(1, models + 1):
        schemas[f"Thing{n:02d}"] = {
            "type": "object",
            "description": f"Thing number {n}, described at some length. " * 6,
            "properties": {f"attribute{k}": {"type": "string", "description": f"Attribute {k} of thing {n}."} for k in range(6)},
        }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Pet Store", "version": "1.0"},
        "tags": [{"name": "pets", "description": "Everything about pets."}, {"name": "store"}],
        "paths": {
            "/pets": {
                "get": {"operationId": "listPets", "tags": ["pets"], "summary": "List all pets", "responses": {"200": {"description": "The pets.", "content": json_of({"type": "array", "items": pet_ref})}}},
                "post": {"operationId": "createPet", "tags": ["pets"], "summary": "Create a pet", "requestBody": {"required": True, "content": json_of(pet_ref)}, "responses": {"201": {"description": "Created."}}},
            },
            "/pets/{petId}": {
                "get": {
                    "operationId": "showPetById",
                    "tags": ["pets"],
                    "summary": "Info for a specific pet",
                    "parameters": [{"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "The pet.", "content": json_of(pet_ref)}},
                },
                "delete": {
                    "operationId": "deletePet",
                    "tags": ["pets"],
                    "deprecated": True,
                    "parameters": [{"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"204": {"description": "Gone."}},
                },
            },
            "/store/orders": {
                "post": {"operationId": "placeOrder", "tags": ["store"], "summary": "Place an order", "requestBody": {"content": json_of({"$ref": "#/components/schemas/Order"})}, "responses": {"200": {"description": "Placed."}}}
            },
        },
        "components": {"schemas": schemas},
    }


def hostile_spec() -> dict[str, Any]:
    """Spec text that tries to end the search index's element, run a script, or make a link run one."""
    spec = pets_spec()
    spec["info"]["description"] = HOSTILE
    spec["tags"][0]["description"] = HOSTILE
    get = spec["paths"]["/pets"]["get"]
    get.update(summary="List " + HOSTILE, description=HOSTILE, operationId="list</script><script>alert(1)</script>")
    spec["paths"]["/pets/</script><script>alert(2)</script>"] = spec["paths"].pop("/store/orders")
    pet = spec["components"]["schemas"]["Pet"]
    pet["description"] = HOSTILE
    pet["properties"]["</script><script>alert(3)</script>"] = {"type": "string", "description": HOSTILE}
    spec["components"]["schemas"]["</script><script>alert(4)</script>"] = {"type": "object", "description": HOSTILE, "properties": {"a": {"type": "string"}}}
    return spec


def page_of(tmp_path: Path, spec: dict[str, Any], name: str = "pets") -> str:
    files = generate_files(write_spec(tmp_path, f"{name}.json", json.dumps(spec)), Options(artefacts=("docs",))).files
    return files["docs/index.html"]


def write_page(folder: Path, spec: dict[str, Any], name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.html"
    path.write_text(page_of(folder, spec, name), encoding="utf-8")
    return path


def search_index_of(page: str) -> dict[str, Any]:
    found = re.findall(r'<script type="application/json" id="search-index">(.*?)</script>', page, re.DOTALL)
    assert len(found) == 1
    return json.loads(found[0])


# --- The page as generated (no browser) ------------------------------------------------------


def test_the_search_index_lists_operations_models_and_fields(tmp_path: Path) -> None:
    index = search_index_of(page_of(tmp_path, pets_spec()))
    assert index["operations"] == [
        ["operation-list-pets", "GET", "/pets", "List all pets", "listPets", "pets", "list_pets"],
        ["operation-create-pet", "POST", "/pets", "Create a pet", "createPet", "pets", "create_pet"],
        ["operation-show-pet-by-id", "GET", "/pets/{petId}", "Info for a specific pet", "showPetById", "pets", "show_pet_by_id"],
        ["operation-delete-pet", "DELETE", "/pets/{petId}", "", "deletePet", "pets", "delete_pet"],
        ["operation-place-order", "POST", "/store/orders", "Place an order", "placeOrder", "store", "place_order"],
    ]
    assert index["models"] == [["model-Pet", "Pet", "Pet"], ["model-Order", "Order", "Order"]]
    assert index["fields"] == [[0, "id", "id"], [0, "name", "name"], [0, "birthDate", "birth_date"], [1, "id", "id"], [1, "quantity", "quantity"]]


def test_spec_text_cannot_end_the_index_element(tmp_path: Path) -> None:
    page = page_of(tmp_path, hostile_spec())
    block = re.search(r'<script type="application/json" id="search-index">(.*?)</script>', page, re.DOTALL)
    assert block is not None and "<" not in block.group(1) and ">" not in block.group(1) and "&" not in block.group(1)
    index = json.loads(block.group(1))
    assert ["operation-list-script-script-alert-1-script", "GET", "/pets", "List </script><script>alert(1)</script> [x](javascript:alert(1))"] == index["operations"][0][:4]
    assert any(f[1] == "</script><script>alert(3)</script>" for f in index["fields"])  # the text kept, as text
    assert any(m[2] == "</script><script>alert(4)</script>" for m in index["models"])
    assert script_json({"a": "</script><!-- & \u2028"}) == '{"a":"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028"}'


def test_the_page_runs_one_script_allowed_by_its_hash(tmp_path: Path) -> None:
    page = page_of(tmp_path, pets_spec())
    digest = base64.b64encode(hashlib.sha256(DOCS_SCRIPT.encode()).digest()).decode()
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page)
    assert csp is not None
    assert csp.group(1) == f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
    assert re.findall(r"<script[^>]*>", page) == ['<script type="application/json" id="search-index">', "<script>"]
    assert "<script>" + DOCS_SCRIPT + "</script>" in page
    assert not re.search(r"\son[a-z]+=", page), "no inline event handlers"
    # The script never turns text into markup or code.
    for construct in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function(", "setTimeout(\"", "javascript:"):
        assert construct not in DOCS_SCRIPT, construct


def test_a_users_page_script_is_hashed_and_one_that_could_end_its_element_refused(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "page.js").write_text("console.log('mine');\n", encoding="utf-8")
    script = inline_script(environment(tmp_path), "docs/page.js")
    assert script.text == "console.log('mine');\n"
    assert script.csp_source == "'sha256-" + base64.b64encode(hashlib.sha256(b"console.log('mine');\n").digest()).decode() + "'"
    (tmp_path / "docs" / "page.js").write_text("x = '</SCRIPT>';\n", encoding="utf-8")
    with pytest.raises(ValueError, match="must not contain"):
        inline_script(environment(tmp_path), "docs/page.js")
    with pytest.raises(jinja2.TemplateNotFound):
        inline_script(environment(tmp_path), "docs/none.js")


def test_anchors_come_from_spec_names_not_positions(tmp_path: Path) -> None:
    """Deep links survive regeneration: reordering paths, tags and schemas moves no anchor."""
    spec = pets_spec(models=3)
    shuffled = json.loads(json.dumps(spec))
    shuffled["paths"] = dict(reversed(list(spec["paths"].items())))
    shuffled["tags"] = list(reversed(spec["tags"]))
    shuffled["components"]["schemas"] = dict(reversed(list(spec["components"]["schemas"].items())))
    first, second = search_index_of(page_of(tmp_path / "a", spec)), search_index_of(page_of(tmp_path / "b", shuffled))
    assert sorted(first["operations"]) == sorted(second["operations"])
    assert sorted(first["models"]) == sorted(second["models"])
    assert {o[4]: o[0] for o in first["operations"]}["showPetById"] == "operation-show-pet-by-id"


# --- In the browser --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("needs the Debian chromium package: /usr/bin/chromium is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = launch(playwright)
        yield launched
        launched.close()


@dataclass
class Opened:
    """A page loaded from a file, with what it did: console errors, requests, dialogs."""

    page: Any
    url: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_quiet(self) -> None:
        assert self.errors == [], self.errors
        assert self.dialogs == [], self.dialogs
        assert {url.split("#")[0] for url in self.requests} == {self.url.split("#")[0]}, self.requests


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., Opened]]:
    """Open a file in its own browser context; every page opened is checked to have logged no
    error, fired no dialog and requested nothing but itself."""
    opened: list[Opened] = []
    contexts: list[Any] = []

    def open_(path: Path, fragment: str = "", **context_options: Any) -> Opened:
        context = browser.new_context(**{"viewport": {"width": 1280, "height": 800}, **context_options})
        contexts.append(context)
        page = context.new_page()
        result = Opened(page, path.as_uri() + fragment)
        page.on("console", lambda message: result.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: result.errors.append(str(error)))
        page.on("dialog", lambda dialog: (result.dialogs.append(dialog.message), dialog.dismiss()))
        context.on("request", lambda request: result.requests.append(request.url))

        def only_the_page(route: Any) -> None:
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                route.abort()

        context.route("**/*", only_the_page)
        page.goto(result.url, wait_until="load")
        opened.append(result)
        return result

    yield open_
    try:
        for result in opened:
            result.assert_quiet()
    finally:
        for context in contexts:
            context.close()


@pytest.fixture(scope="module")
def pets_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_page(tmp_path_factory.mktemp("pets"), pets_spec(), "pets")


@pytest.fixture(scope="module")
def long_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_page(tmp_path_factory.mktemp("long"), pets_spec(models=70), "long")


def results(page: Any) -> list[tuple[str, str]]:
    """The search results shown: (href, text), in order."""
    return [tuple(r) for r in page.eval_on_selector_all(".search-results a", "links => links.map(a => [a.getAttribute('href'), a.textContent])")]


def in_view(page: Any, selector: str) -> bool:
    return page.eval_on_selector(selector, "e => { const r = e.getBoundingClientRect(); return r.top >= -1 && r.top < innerHeight && r.height > 0; }")


@pytest.mark.parametrize(
    "query, anchor",
    [
        ("info for a SPECIFIC", "operation-show-pet-by-id"),  # the summary, any case
        ("showPetById", "operation-show-pet-by-id"),  # the operationId
        ("show_pet_by_id", "operation-show-pet-by-id"),  # the Python name
        ("delete /pets/{petId}", "operation-delete-pet"),  # method and path
        ("store/orders", "operation-place-order"),
        ("client.store", "operation-place-order"),  # the client call
    ],
)
def test_search_finds_an_operation(open_page: Callable[..., Opened], pets_page: Path, query: str, anchor: str) -> None:
    page = open_page(pets_page).page
    page.fill(".toc-search input", query)
    assert results(page)[0][0] == "#" + anchor
    page.click(".search-results a >> nth=0")
    assert page.evaluate("location.hash") == "#" + anchor
    assert in_view(page, f"#{anchor}")


def test_search_finds_a_model_field_by_wire_or_python_name(open_page: Callable[..., Opened], pets_page: Path) -> None:
    page = open_page(pets_page).page
    page.fill(".toc-search input", "birthdate")
    assert results(page) == [("#model-Pet.birth_date", "fieldPet.birthDate.birth_date in Python")]
    page.fill(".toc-search input", "birth_date")
    assert results(page)[0][0] == "#model-Pet.birth_date"
    page.press(".toc-search input", "Enter")
    assert page.evaluate("location.hash") == "#model-Pet.birth_date"
    assert in_view(page, "[id='model-Pet.birth_date']"), "the field's row is shown"
    page.fill(".toc-search input", "pet")
    shown = results(page)
    assert shown[0] == ("#model-Pet", "modelPet")  # an exact name first
    assert ("#operation-list-pets", "GETList all pets/pets") in shown
    assert page.inner_text(".search-status") == f"{len(shown)} results"
    page.fill(".toc-search input", "no such thing")
    assert results(page) == [] and page.inner_text(".search-status") == "No results"


def test_keyboard_slash_focuses_enter_opens_escape_clears(open_page: Callable[..., Opened], pets_page: Path) -> None:
    page = open_page(pets_page).page
    assert page.is_visible("nav.toc details.toc-group")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.matches('.toc-search input')")
    page.keyboard.type("place an order")
    assert not page.is_visible("nav.toc details.toc-group"), "the contents give way to the results"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#operation-place-order"
    page.focus(".toc-search input")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#operation-place-order"
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    assert page.input_value(".toc-search input") == "" and results(page) == []
    assert page.is_visible("nav.toc details.toc-group")


def test_sidebar_links_and_anchors_navigate(open_page: Callable[..., Opened], pets_page: Path) -> None:
    page = open_page(pets_page).page
    page.click("nav.toc a[href='#model-Order']")
    assert page.evaluate("location.hash") == "#model-Order" and in_view(page, "#model-Order")
    page.wait_for_selector("nav.toc a[href='#model-Order'][aria-current]")
    page.click("#operation-list-pets h3 a")
    assert in_view(page, "#operation-list-pets")
    page.wait_for_selector("nav.toc a[href='#operation-list-pets'][aria-current]")
    assert page.eval_on_selector_all("nav.toc [aria-current]", "e => e.length") == 1


def test_a_deep_link_opens_its_place(open_page: Callable[..., Opened], long_page: Path) -> None:
    page = open_page(long_page, "#model-Thing55").page
    assert in_view(page, "#model-Thing55")
    page.wait_for_selector("nav.toc a[href='#model-Thing55'][aria-current]")
    assert page.is_visible("nav.toc a[href='#model-Thing55']")


def test_groups_collapse_and_an_anchor_inside_a_closed_group_opens_it(open_page: Callable[..., Opened], pets_page: Path) -> None:
    page = open_page(pets_page).page
    # The sidebar: a group folds by its marker; its heading link still navigates.
    sidebar_group = "nav.toc details:has(a[href='#group-pets'])"
    page.click(f"{sidebar_group} > summary", position={"x": 4, "y": 8})
    assert page.evaluate(f"document.querySelector(\"{sidebar_group}\").open") is False
    assert not page.is_visible("nav.toc a[href='#operation-list-pets']")
    # The content: a group folds by its heading.
    page.click("#group-pets > details > summary")
    assert page.evaluate("document.querySelector('#group-pets > details').open") is False
    assert not page.is_visible("#operation-list-pets")
    assert page.is_visible("#group-store h2")
    # A link into the closed group opens it.
    page.click("nav.toc a[href='#group-pets']")
    assert page.is_visible("#operation-list-pets")
    page.click("#group-pets > details > summary")
    page.fill(".toc-search input", "createPet")
    page.click(".search-results a >> nth=0")
    assert page.is_visible("#operation-create-pet") and in_view(page, "#operation-create-pet")
    # So does a fragment navigation (a typed or pasted link).
    page.click("#group-pets > details > summary")
    assert not page.is_visible("#operation-show-pet-by-id")
    page.evaluate("location.hash = '#operation-show-pet-by-id'")
    page.wait_for_function("document.querySelector('#group-pets > details').open")
    assert in_view(page, "#operation-show-pet-by-id")


def test_the_sidebar_follows_the_reader(open_page: Callable[..., Opened], long_page: Path) -> None:
    page = open_page(long_page).page
    # 75 entries: the sidebar starts folded, each group opens when the reader gets to it.
    assert page.eval_on_selector_all("nav.toc details", "ds => ds.map(d => d.open)") == [False, False, False]
    assert page.eval_on_selector_all("nav.toc [aria-current]", "e => e.length") == 0  # the overview is no entry
    for target in ("model-Thing40", "model-Thing12", "operation-place-order", "model-Thing66"):
        page.eval_on_selector(f"#{target}", "e => e.scrollIntoView()")  # scrolling, not a link
        link = page.wait_for_selector(f"nav.toc a[href='#{target}'][aria-current]")
        assert link is not None and link.is_visible()
        box, nav = link.bounding_box(), page.locator("nav.toc").bounding_box()
        assert box is not None and nav is not None and nav["y"] <= box["y"] and box["y"] + box["height"] <= nav["y"] + nav["height"], "scrolled into the sidebar's view"
    # A group opened only to show the reader's place folds again when the reader leaves it;
    # one the reader opened by hand stays open.
    page.click("nav.toc details:has(a[href='#group-store']) > summary", position={"x": 4, "y": 8})
    page.eval_on_selector("#operation-list-pets", "e => e.scrollIntoView()")
    page.wait_for_selector("nav.toc a[href='#operation-list-pets'][aria-current]")
    assert page.eval_on_selector_all("nav.toc details", "ds => ds.map(d => d.open)") == [True, True, False]


def test_in_a_narrow_window_the_place_is_marked_and_the_page_does_not_move(open_page: Callable[..., Opened], long_page: Path) -> None:
    """The contents sit above the page there: opening a group in them would push the page down."""
    page = open_page(long_page, viewport={"width": 600, "height": 800}).page
    assert page.evaluate("getComputedStyle(document.querySelector('nav.toc')).position") == "static"
    top = "e => Math.round(e.getBoundingClientRect().top)"
    before = page.eval_on_selector("#model-Thing40", "e => (e.scrollIntoView(), Math.round(e.getBoundingClientRect().top))")
    page.wait_for_selector("nav.toc a[href='#model-Thing40'][aria-current]", state="attached")
    page.wait_for_timeout(100)
    assert page.eval_on_selector("#model-Thing40", top) == before
    assert page.eval_on_selector_all("nav.toc details", "ds => ds.map(d => d.open)") == [False, False, False]


def test_without_javascript_everything_is_readable(open_page: Callable[..., Opened], long_page: Path) -> None:
    page = open_page(long_page, java_script_enabled=False).page
    assert page.query_selector(".toc-search") is None
    articles = page.eval_on_selector_all("main article", "list => list.map(a => a.id)")
    assert len(articles) == 5 + 72
    hidden = page.eval_on_selector_all("main article, nav.toc li a", "list => list.filter(e => !e.checkVisibility()).length")
    assert hidden == 0
    page.click("#group-store > details > summary")  # <details> folds without a script
    assert not page.is_visible("#operation-place-order")


def test_the_committed_docs_load_nothing_and_log_no_error(open_page: Callable[..., Opened]) -> None:
    path = GENERATED / "aws_cognito" / "docs" / "index.html"
    opened = open_page(path)
    page = opened.page
    assert page.is_visible(".toc-search input")
    first = page.eval_on_selector("nav.toc li a", "a => a.getAttribute('href')")
    page.fill(".toc-search input", page.eval_on_selector("nav.toc li a .name", "e => e.textContent"))
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == first
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_timeout(100)
    opened.assert_quiet()
    assert len(opened.requests) == 1


def test_dark_mode_and_screenshots_for_review(open_page: Callable[..., Opened], long_page: Path) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    colours = {}
    for scheme in ("light", "dark"):
        page = open_page(long_page, color_scheme=scheme).page
        colours[scheme] = page.evaluate("[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color, getComputedStyle(document.querySelector('nav.toc')).backgroundColor]")
        page.screenshot(path=str(SCREENSHOTS / f"docs-{scheme}.png"))
        page.fill(".toc-search input", "pet")
        page.screenshot(path=str(SCREENSHOTS / f"docs-{scheme}-search.png"))
    assert colours["light"][0] == "rgb(255, 255, 255)" and colours["dark"][0] == "rgb(13, 17, 23)"
    assert all(light != dark for light, dark in zip(colours["light"], colours["dark"]))
    page.emulate_media(color_scheme="light")  # the same page follows a change
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    assert (SCREENSHOTS / "docs-dark-search.png").stat().st_size > 10_000


def test_hostile_spec_text_runs_nothing(open_page: Callable[..., Opened], tmp_path: Path) -> None:
    opened = open_page(write_page(tmp_path, hostile_spec(), "hostile"))
    page = opened.page
    scripts = page.eval_on_selector_all("script", "list => list.map(s => [s.id, s.type])")
    assert scripts == [["search-index", "application/json"], ["", ""]], "no script but the page's own"
    assert page.eval_on_selector("script:not([type])", "s => s.textContent") == DOCS_SCRIPT
    hrefs = page.eval_on_selector_all("[href], [src]", "list => list.map(e => e.getAttribute('href') || e.getAttribute('src'))")
    assert hrefs and all(re.match(r"(#|https?://|mailto:)", h) for h in hrefs), [h for h in hrefs if not re.match(r"(#|https?://|mailto:)", h)]
    assert "[x](javascript:alert(1))" in page.inner_text("#operation-list-script-script-alert-1-script .description")  # shown as text
    texts = []
    for query in ("</script>", "alert", "javascript"):
        page.fill(".toc-search input", query)
        shown = results(page)
        assert shown, query
        texts += [text for _, text in shown]
        for index in range(len(shown)):
            page.click(f".search-results a >> nth={index}")
    assert any(text.startswith("fieldPet.</script><script>alert(3)</script>") for text in texts), "spec text shown as text"
    assert page.eval_on_selector_all(".search-results *", "list => list.filter(e => !['LI', 'A', 'SPAN'].includes(e.tagName)).length") == 0
    page.wait_for_timeout(100)
    opened.assert_quiet()  # no dialog, no error, no request
