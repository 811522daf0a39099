"""A mailing's reply forms, one per establishment: what the form says (its fields, its notice,
its page) handed to the writers — the PDF engine the project chose (`FormPage`), the Word file, the
standalone page — and the last one kept for the e-mails of its letters."""

from __future__ import annotations

from collections.abc import Callable

from ars_docs.families.letters import replyform
from ars_docs.families.letters.items import FormItem
from ars_docs.families.letters.models import Mailing
from ars_docs.source.errors import InvalidInput, Problem
from ars_docs.source.project import FONTS, Project
from ars_docs.tree.templating import located
from ars_docs.writers.pdfengine import FormPage
from ars_docs.writers.publishing import Publisher


class ReplyForms:
    """The reply forms of one family, in one process."""

    def __init__(self, project: Project, publisher: Callable[[], Publisher]) -> None:
        self.project, self.publisher = project, publisher
        """The family's publisher, asked for only when a form is laid out (composing a letter
        needs the notice, not the shells)."""
        self.folder = project.templates / "letters"
        self._notices: dict[int, tuple[Mailing, tuple[str, ...]]] = {}
        self._last: tuple[str, bytes] | None = None
        """The last reply form (PDF) this process made, and its path relative to out/: the letters of
        its establishment come next, in the same worker (one group). Only one is kept: a worker
        that makes thousands of letters holds one form at a time."""

    def notice(self, letter: Mailing) -> tuple[str, ...]:
        """The personal-data notice of the letter's form (rendered once per letter and process)."""
        found = self._notices.get(id(letter))
        if found is None or found[0] is not letter:
            text = replyform.notice(self.folder, self.project.root, letter, self.project.settings.agence)
            found = self._notices[id(letter)] = (letter, text)
        return found[1]

    def page(self, form: FormItem, mentions: tuple[str, ...]) -> str:
        """The reply form's page as WeasyPrint lays it out; a failure of its template, located there."""
        with located(self.folder / replyform.FORM_TEMPLATE, self.project.root):
            return replyform.form_html(self.folder, form.letter, form.establishment, self.project.settings.agence,
                                       mentions)

    def described(self, form: FormItem, mentions: tuple[str, ...]) -> FormPage:
        """The reply form as either PDF engine lays it out: its page, and its fields."""
        return FormPage(
            name=f"formulaire {form.establishment.id}", date=form.letter.date, folder=self.folder,
            html=lambda: self.page(form, mentions),
            finish=lambda pdf: replyform.finish_form(pdf, form.letter),
            typst_shell=self.folder / replyform.FORM_SHELL,
            typst_source=lambda: replyform.form_typst_source(form.letter, form.establishment,
                                                             self.project.settings.agence, mentions),
            fields=lambda: replyform.form_fields(form.letter, form.establishment), field_size=replyform.FIELD_SIZE,
            field_label=replyform.FIELD_LABEL, fonts=self.project.root / FONTS)

    def problems(self, form: FormItem) -> list[Problem]:
        """What would keep a mailing's form from being made: its notice, its page, and its layout by
        the engine, tried once as the build will do it."""
        problems: list[Problem] = []
        mentions: tuple[str, ...] | None = None
        try:
            mentions = self.notice(form.letter)
        except InvalidInput as failure:
            problems.extend(failure.problems)
        try:
            self.page(form, mentions or ())
        except InvalidInput as failure:
            problems.extend(failure.problems)
        if mentions is not None:
            problems.extend(self.publisher().engine.form_problems(self.described(form, mentions)))
        return problems

    def make(self, form: FormItem) -> dict[str, bytes]:
        """The form in PDF (fillable), Word and as a standalone page."""
        agency = self.project.settings.agence
        mentions = self.notice(form.letter)
        pdf = self.publisher().engine.render_form(self.described(form, mentions))
        self._last = (f"{form.stem}.pdf", pdf)
        page = replyform.form_html(self.folder, form.letter, form.establishment, agency, mentions,
                                   self.publisher().alternative_fields()["style_ecran"])
        return {f"{form.stem}.pdf": pdf,
                f"{form.stem}.docx": replyform.form_docx(form.letter, form.establishment, form.letter.date, agency,
                                                         mentions),
                f"{form.stem}.html": page.encode("utf-8")}

    def made(self, name: str) -> bytes:
        """A reply form this process made, or else the one in place (unchanged, as it was not remade)."""
        if self._last is not None and self._last[0] == name:
            return self._last[1]
        return (self.project.out / name).read_bytes()
