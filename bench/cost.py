"""What one letter costs, step by step, in one process: the profile behind BENCHMARKS.md.

Composes and renders letters of a project (the example by default) and prints the CPU time per
letter of each step, then the ten functions where WeasyPrint spends most.

    .venv/bin/python bench/cost.py [PROJECT]
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ars_docs.builders import get_builder
from ars_docs.letters import mailing
from ars_docs.letters.builder import FormPayload, LetterPayload
from ars_docs.project import Project

REPOSITORY = Path(__file__).resolve().parents[1]
COUNT = 20


def per_item(label: str, step: Callable[[int], object], count: int = COUNT) -> None:
    step(0)  # warm: imports, fonts, caches
    start = time.process_time()
    for index in range(1, count + 1):
        step(index)
    print(f"{label:<52} {(time.process_time() - start) / count * 1000:7.1f} ms CPU")


def main() -> None:
    project = Project.open(Path(sys.argv[1]) if len(sys.argv) > 1 else REPOSITORY)
    builder = get_builder("letters")
    items = builder.plan(project)
    letters = [item.payload for item in items if isinstance(item.payload, LetterPayload)]
    forms = [item for item in items if isinstance(item.payload, FormPayload)]
    composer = builder.composer(project)
    publisher = builder.publisher(project)
    documents = [composer.letter(letters[i % len(letters)]) for i in range(COUNT + 1)]
    html = [publisher.html(document, {}) for document in documents]
    pdfs = [publisher.pdf.render(page, "templates/letters", f"x{i}", 0) for i, page in enumerate(html)]
    print(f"{len(letters)} lettres, {len(forms)} formulaires ; coût d'une lettre, étape par étape :")
    per_item("composition (Jinja, Markdown, typographie)",
             lambda i: composer.letter(letters[i % len(letters)]))
    per_item("texte du courriel", lambda i: composer.mail_body(composer.context(letters[i % len(letters)])))
    per_item("DOCX (coquille lue une fois, docxtpl)",
             lambda i: publisher.docx.render(documents[i], {"document": documents[i]}, project.logo, 22))
    per_item("HTML (coquille Jinja)", lambda i: publisher.html(documents[i], {}))
    per_item("PDF (WeasyPrint, polices et images réutilisées)",
             lambda i: publisher.pdf.render(html[i], "templates/letters", f"x{i}", 0))
    envelope = mailing.Envelope("A B", "a@b.fr", "Bonjour", "x.pdf", "<x@y>", ("r.pdf", pdfs[0]))
    invitation = mailing.invitation(letters[0].webinar, letters[0].letter)
    per_item("courriel .eml (lettre et formulaire en pièces jointes)",
             lambda i: mailing.email(letters[0].letter, envelope, pdfs[i], invitation))
    per_item("formulaire de réponse (PDF et DOCX), par établissement",
             lambda i: builder.make(project, forms[i % len(forms)]), count=min(10, len(forms) - 1))
    profile = cProfile.Profile()
    profile.enable()
    for index in range(1, COUNT + 1):
        publisher.pdf.render(html[index], "templates/letters", f"x{index}", 0)
    profile.disable()
    report = io.StringIO()
    stats = pstats.Stats(profile, stream=report)
    print("\nPDF, par phase de WeasyPrint (temps cumulé, par lettre ; sous profileur, donc plus lent) :")
    phases = (("lecture du HTML", "tinyhtml5/parser.py", "parse"),
              ("styles (cascade CSS)", "weasyprint/css/__init__.py", "get_all_computed_styles"),
              ("mise en page", "weasyprint/layout/__init__.py", "layout_document"),
              ("dessin des pages", "weasyprint/draw/__init__.py", "draw_page"),
              ("écriture du PDF", "weasyprint/pdf/__init__.py", "generate_pdf"))
    timings = stats.stats  # type: ignore[attr-defined]
    for label, module, function in phases:
        total = max((cumulative for (path, _, name), (_, _, _, cumulative, _) in timings.items()
                     if name == function and path.endswith(module)), default=0.0)
        print(f"  {label:<28} {total / COUNT * 1000:7.1f} ms")
    stats.sort_stats("tottime").print_stats(10)
    print("\nPDF : les dix fonctions les plus coûteuses (temps propre, profil de 20 lettres)")
    print("\n".join(line for line in report.getvalue().splitlines() if "(" in line or "ncalls" in line))


if __name__ == "__main__":
    main()
