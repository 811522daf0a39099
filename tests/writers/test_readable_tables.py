"""Tables read whole: in Chromium at a desktop and a phone width, and in LibreOffice's layout of the
Word files, no code, date, amount or percentage of a table cell is split across two lines."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import docx
import pytest

from helpers.readback import libreoffice_to_pdf, pdf_lines

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WIDTHS = (1200, 390)
# Written apart from the code's own pattern: what a reader calls a code, a date, an amount.
TOKEN = (r"MI\d+-\d+(?:-\d+)?|[A-Z]{2,4}\d{1,3}[a-z]?|\d{2}/\d{2}/\d{4}|\d{4}-\d{4}"
         r"|\d{1,3}(?:[\u202f\u00a0]\d{3})+(?:,\d+)?(?:[\u00a0\u202f]€)?|\d+(?:,\d+)?[\u00a0\u202f](?:%|€)|\d+,\d+")

# For each table cell, each token in each of its text nodes: the distinct tops of the boxes the
# browser draws it in (one line: one top). Also whether the page itself scrolls sideways.
MEASURE = """(pattern) => {
  const token = new RegExp(pattern, "g");
  const split = [];
  let count = 0;
  for (const cell of document.querySelectorAll("td, th")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(token)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set(Array.from(range.getClientRects(), r => Math.round(r.top)));
        count += 1;
        if (tops.size > 1) split.push(match[0]);
      }
    }
  }
  const root = document.documentElement;
  const regions = Array.from(document.querySelectorAll(".tableau"), r => r.scrollWidth > r.clientWidth);
  return {count, split, pageScrolls: root.scrollWidth > root.clientWidth, regionsScrolling: regions};
}"""


def _pages(everything: Path) -> list[Path]:
    return sorted(path for path in (everything / "out").rglob("*.html")
                  if ".arsdocs" not in path.parts and path.name != "index.html")


def test_chromium_never_splits_a_code_date_or_amount_at_either_width(everything: Path) -> None:
    from playwright.sync_api import sync_playwright

    pages = _pages(everything)
    assert len(pages) > 100
    failures: list[str] = []
    checked: Counter[int] = Counter()
    scrolling: Counter[int] = Counter()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for width in WIDTHS:
            page = browser.new_page(viewport={"width": width, "height": 900})
            for path in pages:
                page.goto(path.as_uri())
                result = page.evaluate(MEASURE, TOKEN)
                name = path.relative_to(everything / "out").as_posix()
                checked[width] += result["count"]
                scrolling[width] += sum(result["regionsScrolling"])
                if result["split"]:
                    failures.append(f"{width} px, {name}: {result['split'][:5]}")
                if result["pageScrolls"]:
                    failures.append(f"{width} px, {name}: the whole page scrolls sideways")
            page.close()
        browser.close()
    assert failures == [], "\n".join(failures)
    assert checked[390] == checked[1200] > 150, checked
    # the wide tables do not fit a phone: they scroll inside their region, the page does not
    assert scrolling[390] > scrolling[1200], scrolling
    print(f"\n{len(pages)} pages, {checked[1200]} tokens at each width; tables scrolling at 390 px: {scrolling[390]}")


def test_libreoffice_never_splits_a_code_date_or_amount_of_the_cpom_tables(everything: Path, tmp_path: Path) -> None:
    """Every token of every table cell of the Word annexes is found whole on one line of the PDF
    that LibreOffice lays out from them (as many times as the cells hold it, at least)."""
    folder = everything / "out/cpom/dsr-chirurgie-pediatrique-2027-2030"
    annexes = sorted(folder.glob("annexe-*.docx"))
    assert len(annexes) == 4
    libreoffice_to_pdf(annexes, tmp_path)
    total = 0
    token = re.compile(TOKEN.replace(r"[\u202f\u00a0]", " ").replace(r"[\u00a0\u202f]", " "))
    for annex in annexes:
        expected: Counter[str] = Counter()
        for table in docx.Document(str(annex)).tables:
            for row in table.rows:
                for cell in {id(cell._tc): cell for cell in row.cells}.values():
                    expected.update(token.findall(_plain(cell.text)))
        lines = [" ".join(word.text for word in line) for page in pdf_lines(tmp_path / f"{annex.stem}.pdf")
                 for line in page]
        found: Counter[str] = Counter()
        for line in lines:
            found.update(token.findall(_plain(line)))
        missing = {text: count - found[text] for text, count in expected.items() if found[text] < count}
        total += sum(expected.values())
        assert missing == {}, f"{annex.name}: split or lost in LibreOffice: {missing}"
    assert total > 60, total


def _plain(text: str) -> str:
    """One spelling for the spaces and hyphens a layout may change: no-break ones as plain."""
    return re.sub(r"[\u00a0\u202f]", " ", text).replace("\u2011", "-")
