"""/docs works with no internet and under a Content-Security-Policy without inline script: the
page loads only same-origin files, each one is served with its right content type, and no
script, style or event handler is written into the page itself."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from tests.support.server import ServerProcess


class PageParts(HTMLParser):
    """What a browser would load from a page, and what it would run or apply inline."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []  # src of each <script>
        self.stylesheets: list[str] = []
        self.icons: list[str] = []
        self.other_references: list[str] = []  # every other src or href
        self.inline: list[str] = []  # inline script or style, event handlers, style attributes
        self.elements: list[tuple[str, dict[str, str]]] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        rel = attributes.get("rel", "").split()
        if tag == "script":
            self.scripts.append(attributes.get("src", ""))
        elif tag == "link" and "stylesheet" in rel:
            self.stylesheets.append(attributes["href"])
        elif tag == "link" and "icon" in rel:
            self.icons.append(attributes["href"])
        else:
            self.other_references += [attributes[a] for a in ("src", "href") if a in attributes]
        self.inline += [f"{tag} {name}" for name in attributes if name.startswith("on")]
        if "style" in attributes:
            self.inline.append(f"{tag} style attribute")
        if tag in ("script", "style"):
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in is not None and data.strip():
            self.inline.append(f"<{self._in}> {data.strip()[:80]}")


def parse(page: str) -> PageParts:
    parts = PageParts()
    parts.feed(page)
    parts.close()
    return parts


@pytest.fixture(scope="module")
def docs(server: ServerProcess) -> httpx.Response:
    response = httpx.get(f"{server.url}/docs", timeout=30)
    assert response.status_code == 200, response.text
    return response


@pytest.fixture(scope="module")
def page(docs: httpx.Response) -> PageParts:
    return parse(docs.text)


def test_the_docs_page_is_html_that_loads_swagger_ui_and_its_initializer(
    docs: httpx.Response, page: PageParts
) -> None:
    assert docs.headers["content-type"].startswith("text/html")
    names = [urlsplit(src).path.rsplit("/", 1)[-1] for src in page.scripts]
    assert names == ["swagger-ui-bundle.js", "swagger-initializer.js"], page.scripts
    assert len(page.stylesheets) == 1, page.stylesheets


def test_the_docs_page_references_only_its_own_origin(
    server: ServerProcess, docs: httpx.Response, page: PageParts
) -> None:
    references = page.scripts + page.stylesheets + page.icons + page.other_references
    assert references, "the page references nothing: the parser found no src or href"
    origin = urlsplit(server.url)[:2]
    for reference in references:
        assert reference, "a <script> or link without its URL"
        absolute = urlsplit(urljoin(str(docs.url), reference))
        assert absolute[:2] == origin, f"{reference} leaves {server.url}"


def test_the_docs_page_has_no_inline_script_style_or_event_handler(page: PageParts) -> None:
    assert page.inline == []


@pytest.mark.parametrize(
    ("kind", "content_type"),
    [
        ("scripts", r"(text|application)/javascript"),
        ("stylesheets", r"text/css"),
        ("icons", r"image/(png|x-icon|svg\+xml)"),
    ],
)
def test_each_file_the_page_loads_is_served_with_its_content_type(
    docs: httpx.Response, page: PageParts, kind: str, content_type: str
) -> None:
    urls = getattr(page, kind)
    assert urls, f"the page loads no {kind}"
    for url in urls:
        response = httpx.get(urljoin(str(docs.url), url), timeout=30)
        assert response.status_code == 200, url
        # Sent with nosniff: a browser refuses a script or stylesheet of the wrong type.
        assert response.headers["x-content-type-options"] == "nosniff"
        assert re.match(content_type, response.headers["content-type"]), (
            url,
            response.headers["content-type"],
        )
        assert len(response.content) > 100, f"{url} is all but empty"


def test_the_initializer_starts_swagger_ui_on_the_schema_the_page_names(
    docs: httpx.Response, page: PageParts
) -> None:
    """The initializer finds its element and the schema's URL in the page (the page cannot
    hand them over in a script), and that URL is the service's OpenAPI document."""
    initializer = httpx.get(urljoin(str(docs.url), page.scripts[-1]), timeout=30).text
    assert "SwaggerUIBundle(" in initializer
    (element_id,) = re.findall(r'getElementById\("([^"]+)"\)', initializer)
    (key,) = re.findall(r"dataset\.(\w+)", initializer)
    attribute = "data-" + re.sub(r"([A-Z])", lambda m: "-" + m[1].lower(), key)
    (root,) = [attrs for _, attrs in page.elements if attrs.get("id") == element_id]
    schema = httpx.get(urljoin(str(docs.url), root[attribute]), timeout=30)
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.1")  # what Swagger UI 5 renders
    assert "validatorUrl: null" in initializer  # its badge would be an image from swagger.io


def test_only_the_files_the_page_uses_are_served(server: ServerProcess) -> None:
    """The package's folder is not served whole, and no name reaches the file system."""
    for path in (
        "/docs/assets/redoc.standalone.js",  # in the package, but ReDoc is not served
        "/docs/assets/..%2F__init__.py",
        "/docs/assets/%2E%2E%2Fcore.py",
        "/docs/assets/",
    ):
        assert httpx.get(f"{server.url}{path}", timeout=30).status_code == 404, path


def test_redoc_and_the_oauth2_redirect_page_are_not_served(server: ServerProcess) -> None:
    """ReDoc styles itself inline (refused by the CSP); the OAuth2 redirect page serves only
    browser-redirect flows, which the API does not have. If someone adds such a flow to the
    schema, this fails: serve a redirect page without inline script then."""
    for path in ("/redoc", "/docs/oauth2-redirect"):
        assert httpx.get(f"{server.url}{path}", timeout=30).status_code == 404, path
    schemes = httpx.get(f"{server.url}/openapi.json", timeout=30).json()["components"][
        "securitySchemes"
    ]
    assert schemes, "the schema names no way to authorize"
    for name, scheme in schemes.items():
        assert scheme["type"] != "openIdConnect", name
        assert not {"implicit", "authorizationCode"} & set(scheme.get("flows", {})), name
