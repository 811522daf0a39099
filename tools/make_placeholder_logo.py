"""Regenerate templates/commun/bloc-marque-provisoire.png, the neutral stand-in for the brand block.

The real "République française" block and the ARS logo are official files, never redrawn:
point `logo:` in arsdocs.yaml at them. Run: python tools/make_placeholder_logo.py
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
FONTS = ROOT / "templates" / "commun" / "polices"


def build() -> Image.Image:
    image = Image.new("RGB", (900, 300), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((4, 4, 895, 295), outline=(120, 120, 120), width=4)
    bold = ImageFont.truetype(str(FONTS / "LiberationSans-Bold.ttf"), 44)
    regular = ImageFont.truetype(str(FONTS / "LiberationSans-Regular.ttf"), 34)
    small = ImageFont.truetype(str(FONTS / "LiberationSans-Italic.ttf"), 26)
    draw.text((40, 40), "RÉPUBLIQUE", font=bold, fill=(0, 0, 0))
    draw.text((40, 92), "FRANÇAISE", font=bold, fill=(0, 0, 0))
    draw.text((420, 60), "Agence régionale de santé", font=regular, fill=(0, 0, 0))
    draw.text((420, 104), "Grand Est", font=regular, fill=(0, 0, 0))
    draw.text((40, 220), "Logo provisoire — à remplacer (arsdocs.yaml, clé « logo »)",
              font=small, fill=(90, 90, 90))
    return image


if __name__ == "__main__":
    target = ROOT / "templates" / "commun" / "bloc-marque-provisoire.png"
    build().save(target, optimize=True)
    print(f"écrit : {target.relative_to(ROOT)}")
