"""The two baselines of the benchmark, on a project's letters (composed by arsdocs, so that every
way renders the same documents):

- `weasyprint`: a naive loop, per letter one docxtpl render (the Word shell read again) and one
  WeasyPrint `write_pdf` (fonts and images loaded again);
- `libreoffice`: per letter one docxtpl render, then LibreOffice headless converting all the
  `.docx` files to PDF in one call.

    python bench/naive.py weasyprint PROJECT OUTPUT
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ars_docs.base.registry import get_builder
from ars_docs.families.letters.items import LetterItem
from ars_docs.source.project import Project
from ars_docs.writers.docx import DocxWriter
from ars_docs.writers.weasyprint import _confined_fetcher, project_url


def letters(project: Project) -> list[LetterItem]:
    """The letters to compose (as arsdocs composes them: Jinja, Markdown, typography)."""
    builder = get_builder("letters")
    return [item for item in builder.plan(project) if isinstance(item, LetterItem)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["weasyprint", "libreoffice"])
    parser.add_argument("project", type=Path)
    parser.add_argument("output", type=Path)
    arguments = parser.parse_args()
    project = Project.open(arguments.project)
    builder = get_builder("letters")
    publisher = builder.publisher(project)
    shell = project.templates / "letters" / "lettre.docx"
    arguments.output.mkdir(parents=True, exist_ok=True)
    fetcher = _confined_fetcher(project.root, (project.templates, project.logo))
    for letter in letters(project):
        document = builder.composed(project, letter).document  # type: ignore[attr-defined]
        assert document is not None
        name = arguments.output / letter.stem.rsplit("/", 1)[1]
        docx = DocxWriter(shell, "lettre.docx").render(document, {"document": document}, project.logo,
                                                       project.settings.logo_hauteur_mm)
        name.with_suffix(".docx").write_bytes(docx)
        if arguments.mode == "weasyprint":
            from weasyprint import HTML

            html = publisher.html(document, {})
            pdf = HTML(string=html, base_url=project_url("templates/letters/"), url_fetcher=fetcher).write_pdf()
            name.with_suffix(".pdf").write_bytes(pdf)
    if arguments.mode == "libreoffice":
        office = shutil.which("soffice") or shutil.which("libreoffice")
        if office is None:
            sys.exit("LibreOffice est introuvable (./dev.sh test l'installe)")
        documents = sorted(arguments.output.glob("*.docx"))
        with tempfile.TemporaryDirectory() as profile:
            # by batches: LibreOffice 7.4 given a thousand files converts ~250, then stops, exit code 0
            for start in range(0, len(documents), BATCH):
                subprocess.run([office, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                                "--outdir", str(arguments.output), *map(str, documents[start:start + BATCH])],
                               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        missing = [path.name for path in documents if not path.with_suffix(".pdf").is_file()]
        if missing:
            sys.exit(f"LibreOffice n'a pas converti {len(missing)} fichier(s) sur {len(documents)}, dont {missing[0]}")


BATCH = 100
"""Files per LibreOffice call."""


if __name__ == "__main__":
    main()
