"""What one letter costs, step by step, in one process: the profile behind BENCHMARKS.md.

Renders letters of a project (the example by default) and prints the CPU time per letter of each
step, with each PDF engine, then where the time of the whole letter goes with `moteur_pdf: typst`
(the functions where it spends most).

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

from ars_docs.base.registry import get_builder
from ars_docs.families.letters import replyform
from ars_docs.families.letters.builder import LettersBuilder
from ars_docs.families.letters.items import FormItem, LetterItem
from ars_docs.source.project import Project

REPOSITORY = Path(__file__).resolve().parents[1]
COUNT = 20


def per_item(label: str, step: Callable[[int], object], count: int = COUNT) -> float:
    step(0)  # warm: imports, fonts, caches
    start = time.process_time()
    for index in range(1, count + 1):
        step(index)
    cost = (time.process_time() - start) / count * 1000
    print(f"{label:<58} {cost:7.1f} ms CPU")
    return cost


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else REPOSITORY
    engines = {}
    for engine in ("weasyprint", "typst"):
        project = Project.open(root).with_settings(moteur_pdf=engine)
        builder = get_builder("letters")
        assert isinstance(builder, LettersBuilder)
        engines[engine] = (project, builder, builder.plan(project))
    project, builder, items = engines["weasyprint"]
    planned = [item for item in items if isinstance(item, LetterItem)]
    letters = [builder.composed(project, item) for item in planned]
    forms = [item for item in items if isinstance(item, FormItem)]
    publisher = builder.publisher(project)
    documents = [letters[i % len(letters)].document for i in range(COUNT + 1)]
    assert all(documents)
    print(f"{len(letters)} lettres, {len(forms)} formulaires ; coût d'une lettre, étape par étape :")
    per_item("composition (Jinja, Markdown, typographie)", lambda i: builder.composed(project, planned[i]))
    per_item("Word (.docx : corps écrit en WordprocessingML, coquille préparée)",
             lambda i: publisher.render_docx(documents[i], f"x{i}", {}))
    per_item("HTML (page autonome)", lambda i: publisher.html(documents[i], {}, alternative=True))
    per_item("PDF, WeasyPrint (polices et images réutilisées)",
             lambda i: publisher.render_pdf(documents[i], f"x{i}", {}))
    typst_project, typst_builder, _ = engines["typst"]
    typst_publisher = typst_builder.publisher(typst_project)
    per_item("PDF, Typst (source, composition, ancre de signature)",
             lambda i: typst_publisher.render_pdf(documents[i], f"x{i}", {}))
    pdf = publisher.render_pdf(documents[0], "x", {})
    form = next(item for item in forms if f"{item.stem}.pdf" == letters[0].form)
    builder.make(project, form)  # the e-mail attaches the form this process made last
    per_item("courriel .eml (lettre, formulaire et invitation)", lambda i: builder.email(project, letters[0], pdf))
    count = min(10, len(forms) - 1)
    per_item("formulaire, PDF par WeasyPrint (par établissement)",
             lambda i: builder._form_pdf(project, forms[i % len(forms)]), count=count)
    per_item("formulaire, PDF par Typst et champs pikepdf (par établissement)",
             lambda i: typst_builder._form_pdf(typst_project, forms[i % len(forms)]), count=count)
    per_item("formulaire, Word (par établissement)",
             lambda i: replyform.form_docx(forms[i % len(forms)].letter, forms[i % len(forms)].establishment,
                                           forms[i % len(forms)].letter.date, project.settings.agence), count=count)
    per_item("formulaire entier, moteur_pdf: typst (.pdf .docx .html)",
             lambda i: typst_builder.make(typst_project, forms[i % len(forms)]), count=count)
    per_item("lettre entière, moteur_pdf: weasyprint (.docx .pdf .html .eml)",
             lambda i: builder.make(project, letters[i % len(letters)]))
    per_item("lettre entière, moteur_pdf: typst (.docx .pdf .html .eml)",
             lambda i: typst_builder.make(typst_project, letters[i % len(letters)]))
    profile = cProfile.Profile()
    profile.enable()
    for index in range(1, COUNT + 1):
        typst_builder.make(typst_project, letters[index % len(letters)])
    profile.disable()
    report = io.StringIO()
    stats = pstats.Stats(profile, stream=report)
    stats.sort_stats("tottime").print_stats(12)
    print("\nLettre entière avec Typst : les douze fonctions les plus coûteuses (temps propre, 20 lettres)")
    print("\n".join(line for line in report.getvalue().splitlines()
                    if line.strip()[:1].isdigit() or "ncalls" in line))


if __name__ == "__main__":
    main()
