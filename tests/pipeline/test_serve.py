"""`arsdocs serve` seen from Chromium: the open page follows the data without a manual build, and
a mistake is shown in the page, located and in French, over the last good documents."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.project import preview_running, run

pytestmark = pytest.mark.slow  # a real browser (see docs/contribuer/tests.md)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LETTER = "letters/premier-courrier/etablissement-1--prenom-nom.html"
DATA = "data/courriers/premier-courrier.yaml"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str, list[str]]]:
    project = tmp_path / "projet"
    assert run(tmp_path, "init", str(project)).exit_code == 0
    with preview_running(project) as (port, said):
        yield project, f"http://127.0.0.1:{port}", said


def test_the_open_page_follows_the_data_and_shows_a_mistake_until_it_is_fixed(
        served: tuple[Path, str, list[str]]) -> None:
    from playwright.sync_api import sync_playwright

    project, address, said = served
    data = project / DATA
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(f"{address}/")
        assert page.locator(f'a[href="{LETTER}"]').count() == 1, "the index lists the letter"
        page.goto(f"{address}/{LETTER}")
        assert "Objet du courrier, sur une ou deux lignes" in page.inner_text("body")

        data.write_text(data.read_text(encoding="utf-8").replace(
            "objet: !a-remplacer Objet du courrier, sur une ou deux lignes", "objet: Objet changé pendant l'aperçu"),
            encoding="utf-8")
        page.wait_for_function("document.body.innerText.includes('Objet changé pendant')", timeout=60_000)

        recipients = project / "data/recipients.yaml"
        good = recipients.read_text(encoding="utf-8")
        recipients.write_text("etablissements: [\n", encoding="utf-8")
        banner = page.locator("#arsdocs-erreur[role=alert]")
        banner.wait_for(timeout=60_000)
        assert "data/recipients.yaml:2:1 : syntaxe YAML invalide" in banner.inner_text()
        assert "Objet changé pendant" in page.inner_text("body"), "the last good letter stays"

        recipients.write_text(good, encoding="utf-8")
        banner.wait_for(state="detached", timeout=60_000)
        browser.close()
    assert any(line.startswith("Erreur : 1 erreur") for line in said), said
