"""Draw the envelope window's frame over the first page of a built letter, PDF and Word side by side
(the Word file as LibreOffice lays it out): the documentation's figure docs/images/fenetre-enveloppe.png.
Run after `./dev.sh build`: python tools/envelope_figure.py [out/letters/<courrier>/<lettre>]"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "out/letters/lancement-dsr/chru-nancy--thomas-colin"
RESOLUTION = 60  # dots per inch
FRAME = (110, 55, 195, 88)  # the default of arsdocs.yaml, in millimetres
WINDOW = (100, 50, 200, 95)  # where a DL envelope's 100 × 45 mm window may fall as the letter moves


def first_page(pdf: Path, folder: Path) -> Image.Image:
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", str(RESOLUTION), "-png", str(pdf), str(folder / pdf.stem)],
                   check=True)
    return Image.open(next(folder.glob(f"{pdf.stem}*.png"))).convert("RGB")


def framed(page: Image.Image) -> Image.Image:
    draw = ImageDraw.Draw(page)
    scale = RESOLUTION / 25.4
    draw.rectangle([value * scale for value in WINDOW], outline=(0, 0, 200), width=1)
    draw.rectangle([value * scale for value in FRAME], outline=(220, 0, 0), width=2)
    return page


def main(stem: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        subprocess.run(["soffice", f"-env:UserInstallation={(folder / 'profil').as_uri()}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(folder / "word"), str(stem.with_suffix(".docx"))],
                       check=True, capture_output=True)
        pages = [framed(first_page(stem.with_suffix(".pdf"), folder)),
                 framed(first_page(folder / "word" / f"{stem.name}.pdf", folder / "word"))]
    figure = Image.new("RGB", (sum(page.width for page in pages) + 12, pages[0].height), "white")
    figure.paste(pages[0], (0, 0))
    figure.paste(pages[1], (pages[0].width + 12, 0))
    target = ROOT / "docs" / "images" / "fenetre-enveloppe.png"
    figure.save(target, optimize=True)
    print(f"écrit : {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
