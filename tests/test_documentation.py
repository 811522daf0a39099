"""The documentation site (docs/, mkdocs.yml): built by mkdocs-material with `--strict` (a broken
link, an unknown anchor, a page out of the menu fail it), in French with a French search; the
settings reference generated from what the components declare; the README's links lead to pages
that exist; the pages read in Chromium on a telephone (390 px) and a desktop (1 280 px)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from helpers.project import REPO

pytestmark = pytest.mark.slow  # builds the site in a child process; a real browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    run = subprocess.run([str(Path(sys.executable).with_name("mkdocs")), "build", "--strict", "-d", str(folder)],
                         cwd=REPO, capture_output=True, text=True, timeout=300,
                         env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stdout + run.stderr
    return folder


def test_the_site_builds_strictly_in_french_with_every_page_of_the_menu(site: Path) -> None:
    pages = sorted(path.relative_to(REPO / "docs").as_posix() for path in (REPO / "docs").rglob("*.md"))
    assert len(pages) >= 18
    for page in pages:
        built = site / (page.removesuffix(".md").removesuffix("index") + ("" if page.endswith("index.md") else "/"))
        html = (built / "index.html").read_text(encoding="utf-8")
        assert '<html lang="fr"' in html, page
    config = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["config"]
    assert config["lang"] == ["fr"]


def _declared(model: type[BaseModel], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for name, field in model.model_fields.items():
        keys.add(prefix + name)
        for nested in _models(field.annotation):
            keys |= _declared(nested, f"{prefix}{name}.")
    return keys


def _models(annotation: Any) -> list[type[BaseModel]]:
    from typing import get_args

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [found for argument in get_args(annotation) for found in _models(argument)]


def test_the_settings_reference_lists_every_key_a_component_declares(site: Path) -> None:
    from ars_docs.base.registry import builder_class, builder_names
    from ars_docs.source.project import Settings

    declared = _declared(Settings)
    for name in builder_names():
        for key, model in builder_class(name).settings_sections.items():
            declared |= {key} | _declared(model, f"{key}.")
    page = (site / "reference" / "reglages" / "index.html").read_text(encoding="utf-8")
    listed = set(re.findall(r"<code>([a-z_.]+)(?::)?</code>", page))
    assert declared - listed == set()
    assert {"smtp.delai_confirmation_s", "agence.dpd", "enveloppe.gauche_mm", "moteur_pdf"} <= listed


def test_the_readme_is_short_and_its_links_lead_to_pages(site: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 160
    links = re.findall(r"\]\((docs/[^)#]+)", readme)
    assert len(links) >= 15
    assert [link for link in links if not (REPO / link).is_file()] == []


@pytest.mark.parametrize("width", [390, 1280])
def test_the_pages_read_on_a_telephone_and_a_desktop(site: Path, width: int) -> None:
    """Each page at this width: nothing wider than the window but the code blocks and tables that
    scroll inside themselves; the menu and the search are reachable."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)  # served, as the officers read it
    threading.Thread(target=server.serve_forever, daemon=True).start()
    root = f"http://127.0.0.1:{server.server_address[1]}/"
    pages = ["index.html", "procedures/service-courrier/index.html", "familles/courriers/index.html",
             "reference/reglages/index.html", "contribuer/architecture/index.html"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": width, "height": 844})
            for name in pages:
                page.goto(root + name.removesuffix("index.html"))
                overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{name} : {overflow} px de trop à {width} px"
                assert page.locator("h1").first.is_visible()
                search = "label.md-search__icon" if width < 960 else "input.md-search__input"
                assert page.locator(search).first.is_visible(), name
        finally:
            browser.close()
            server.shutdown()
