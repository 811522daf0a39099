"""Document tree to PDF with Typst (`moteur_pdf: typst`): the second PDF engine, for large mailings.

The tree becomes a Typst source that calls the functions of the family's Typst shell
(`<family>/<shell>.typ`, which imports `commun/arsdocs.typ`); every text of the data is written
as a Typst string literal (`typst_string`), never as markup: `#`, `$`, `*`, `<`, `//` in a name are
text. Typst writes PDF/A-2a and PDF/UA-1 itself, tagged, with the project's fonts only, subset;
the bytes depend on the inputs only (the document's date is the timestamp). Typst makes named
destinations only of headings a link points to: the signatory block's, which `arsdocs sign` looks
for, is added afterwards, where the shell's `ancre-signature` is (Typst reports its place).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ars_docs.source.project import FONTS
from ars_docs.tree.doctree import (
    Block,
    BlockVisitor,
    Cell,
    Contents,
    Division,
    Document,
    Heading,
    Inline,
    Landscape,
    Letterhead,
    LineBreak,
    ListBlock,
    PageBreak,
    Paragraph,
    Run,
    Table,
)
from ars_docs.tree.typography import REFERENCE, UNBREAKABLE, kept_whole
from ars_docs.writers.html import SIGNATURE_ANCHOR
from ars_docs.writers.weasyprint import PdfError

ENTRY = "templates/commun/principal.typ"
"""The file every document is compiled from: it imports the shell and evaluates the document."""
PDF_STANDARDS: list[Any] = ["a-2a", "ua-1"]
_SIGNATURE_LABEL = "arsdocs-bloc-signature"

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_CONTROL = re.compile(r'[\\"\x00-\x1f\x7f]')


def typst_string(text: str) -> str:
    """`text` as a Typst string literal: whatever it holds, Typst reads it as text."""
    return '"' + _CONTROL.sub(lambda match: _ESCAPES.get(match.group(), f"\\u{{{ord(match.group()):x}}}"),
                              text) + '"'


class Millimetres(float):
    """A length, written `12mm` in Typst."""


def typst_value(value: Any) -> str:
    """A value of the shell's fields (`champs`) as a Typst expression."""
    if value is None:
        return "none"
    if isinstance(value, Millimetres):
        return f"{float(value):g}mm"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return typst_string(value)
    if isinstance(value, (list, tuple)):
        return "(" + "".join(f"{typst_value(item)}, " for item in value) + ")"
    if isinstance(value, Mapping):
        if not value:
            return "(:)"
        return "(" + ", ".join(f"{typst_string(str(key))}: {typst_value(item)}" for key, item in value.items()) + ")"
    if isinstance(value, datetime.date):
        return typst_value((value.year, value.month, value.day))
    raise TypeError(f"no Typst form for {type(value).__name__}")


def _text(text: str, tokens: re.Pattern[str] | None) -> str:
    """Text, each code, date or amount in it kept on one line (`insecable`), as the HTML writer does."""
    if tokens is None:
        return f"#{typst_string(text)}" if text else ""
    return "".join(f"#gabarit.insecable({typst_string(piece)})" if whole else f"#{typst_string(piece)}"
                   for piece, whole in kept_whole(text, tokens))


_CHANGES = {"ins": "insere", "moveTo": "insere", "del": "supprime", "moveFrom": "supprime"}


def typst_inlines(inlines: tuple[Inline, ...], cell: bool = False) -> str:
    """Inline content, as Typst markup made only of calls and string literals."""
    tokens = UNBREAKABLE if cell else REFERENCE
    return "".join(_inline(inline, tokens) for inline in inlines)


def _inline(inline: Inline, tokens: re.Pattern[str]) -> str:
    if isinstance(inline, LineBreak):
        return "#linebreak()"
    assert isinstance(inline, Run)
    markup = _text(inline.text, None if inline.link else tokens)
    if inline.superscript:
        markup = f"#super[{markup}]"
    if inline.italic:
        markup = f"#emph[{markup}]"
    if inline.bold:
        markup = f"#strong[{markup}]"
    if inline.link:
        markup = f"#link({typst_string(inline.link)})[{markup}]"
    if inline.change:
        markup = f"#gabarit.{_CHANGES[inline.change]}[{markup}]"
    return markup


class _Source(BlockVisitor[None, str]):
    """The body of the Typst source: one call of the shell per block."""

    def blocks(self, blocks: tuple[Block, ...]) -> str:
        return "\n\n".join(self.visit(block, None) for block in blocks)

    def paragraph(self, block: Paragraph, context: None) -> str:
        return typst_inlines(block.inlines) or "#[]"

    def heading(self, block: Heading, context: None) -> str:
        note = f" #gabarit.note-modification[#{typst_string('(' + block.note + ')')}]" if block.note else ""
        label = f"#label({typst_string(block.anchor)})" if block.anchor else ""
        return f"#heading(level: {block.level})[{typst_inlines(block.inlines)}{note}]{label}"

    def list_block(self, block: ListBlock, context: None) -> str:
        function = "enum" if block.ordered else "list"
        items = "".join(f"[{typst_inlines(item.inlines)}], " for item in block.items)
        return f"#{function}({items})"

    def table(self, block: Table, context: None) -> str:
        rows = []
        for index, row in enumerate(block.rows):
            change = block.row_change(index)
            cells = "".join(_cell(cell, index < block.header_rows, change) for cell in row if cell is not None)
            rows.append(f"({cells})")
        widths = ", ".join(f"{share:.4f}" for share in block.shares())
        return (f"#gabarit.tableau(colonnes: ({widths},), entetes: {block.header_rows}, "
                f"cellules: ({', '.join(rows)},))")

    def division(self, block: Division, context: None) -> str:
        return f"#gabarit.division({typst_string(block.role)})[\n{self.blocks(block.blocks)}\n]"

    def letterhead(self, block: Letterhead, context: None) -> str:
        window = block.window
        geometry = {"a-gauche": window.on_left, "gauche": Millimetres(window.left), "haut": Millimetres(window.top),
                    "largeur": Millimetres(window.width), "hauteur": Millimetres(window.height),
                    "degagement": Millimetres(window.clearance)}
        return (f"#gabarit.entete({typst_value(geometry)},"
                f" [\n{self.blocks(block.sender)}\n], [\n{self.blocks(block.address)}\n])")

    def contents(self, block: Contents, context: None) -> str:
        return f"#gabarit.sommaire({typst_string(block.title)}, {block.depth})"

    def page_break(self, block: PageBreak, context: None) -> str:
        return "#pagebreak()"

    def landscape(self, block: Landscape, context: None) -> str:
        return f"#gabarit.paysage[\n{self.blocks(block.blocks)}\n]"


def _cell(cell: Cell, header: bool, change: str | None) -> str:
    content = "#parbreak()".join(typst_inlines(paragraph.inlines, cell=True) for paragraph in cell.paragraphs)
    options = "".join([f", colspan: {cell.colspan}" if cell.colspan > 1 else "",
                       f", rowspan: {cell.rowspan}" if cell.rowspan > 1 else "",
                       ", droite: true" if cell.align == "right" else "",
                       f", retrait: {cell.indent}" if cell.indent else "",
                       ", entete: true" if header else "",
                       f", changement: {typst_string(change)}" if change else ""])
    return f"gabarit.cellule([{content}]{options}), "


def typst_source(document: Document, fields: Mapping[str, Any], logo: str, logo_text: str,
                 logo_height_mm: float) -> str:
    """The Typst source of a document (evaluated by `ENTRY`, with the shell as `gabarit`): the
    metadata, the shell's fields, the body."""
    meta = {"titre": document.title, "auteur": document.author, "sujet": document.subject,
            "mots-cles": list(document.keywords), "date": document.date, "logo": "/" + logo,
            "logo-texte": logo_text, "langue": document.language.split("-")[0].lower(),
            "region": (document.language.split("-")[1:] or ["FR"])[0].upper(),
            "logo-hauteur": Millimetres(logo_height_mm)}
    champs = {key: value for key, value in fields.items() if isinstance(value, (str, bool, int, float))}
    return (f"#show: gabarit.document.with(meta: {typst_value(meta)}, champs: {typst_value(champs)})\n\n"
            f"{_Source().blocks(document.blocks)}\n")


class TypstWriter:
    """Compiles documents of one project to PDF with one compiler, kept warm: the project's folder
    is Typst's root (nothing outside it is read), its fonts the only fonts."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._compiler: Any = None

    @property
    def compiler(self) -> Any:
        """Made at the first document (it reads the fonts, and needs `ENTRY`, which `check` looks for)."""
        if self._compiler is None:
            import typst

            self._compiler = typst.Compiler(str(self.root / ENTRY), str(self.root), [str(self.root / FONTS)], True)
        return self._compiler

    def render(self, source: str, shell: str, name: str, epoch: int, signature: bool = False) -> bytes:
        """`shell`: the family's Typst shell, from the project's folder."""
        pdf, places = self.compile(source, shell, name, epoch, _SIGNATURE_LABEL if signature else None)
        if signature:
            if len(places) != 1:
                raise PdfError(f"le PDF « {name} » n'a pas pu être composé par Typst : le rôle « signature » de la "
                               f"coquille Typst doit placer une fois ancre-signature (templates/commun/arsdocs.typ), "
                               f"où arsdocs sign met la signature ; placée {len(places)} fois")
            pdf = _with_destination(pdf, SIGNATURE_ANCHOR, places[0])
        return pdf

    def compile(self, source: str, shell: str, name: str, epoch: int,
                label: str | None = None) -> tuple[bytes, list[Any]]:
        """The PDF of `source` laid out by `shell`, and the values of the metadata labelled `label`
        in it (asked of the document just compiled: nothing is laid out again)."""
        import typst

        inputs = {"gabarit": "/" + shell, "document": source}
        try:
            pdf, warnings = self.compiler.compile_with_warnings(sys_inputs=inputs, pdf_standards=PDF_STANDARDS,
                                                                timestamp=epoch)
            places = json.loads(self.compiler.query(f"<{label}>", field="value")) if label else []
        except (typst.TypstError, RuntimeError) as error:
            raise PdfError(f"le PDF « {name} » n'a pas pu être composé par Typst : {typst_reason(error)}") from None
        if warnings:
            details = "\n  ".join(dict.fromkeys(typst_reason(warning) for warning in warnings))
            raise PdfError(f"le PDF « {name} » n'a pas pu être composé proprement par Typst :\n  {details}")
        assert isinstance(pdf, bytes)
        return pdf, places


_PLACE = re.compile(r"┌─ (\S+?):(\d+):(\d+)")


def typst_reason(error: Any) -> str:
    """Typst's message (in English: Typst has no other), quoted, with its place in a shell when it
    gives one (« templates/letters/lettre.typ, ligne 12, colonne 5 »)."""
    message = str(getattr(error, "message", None) or error).strip().splitlines()[0]
    hints = [str(hint) for hint in getattr(error, "hints", None) or []]
    place = _PLACE.search(str(getattr(error, "diagnostic", "") or ""))
    where = f" ({place.group(1)}, ligne {place.group(2)}, colonne {place.group(3)})" if place else ""
    return f"« {message} »{where}" + (f" (indication de Typst : « {hints[0]} »)" if hints else "")


def _with_destination(pdf: bytes, name: str, place: Mapping[str, Any]) -> bytes:
    """The PDF with the named destination `name` at `place` (Typst's page, x and y from the top),
    added as an incremental update: a new catalog that names it, appended after Typst's bytes,
    which stay as they are (rewriting the file cost a quarter of a letter's PDF). A PDF whose
    catalog already names destinations, or that is not one classic cross-reference table, is
    rewritten by qpdf instead."""
    import pikepdf

    end = _CLASSIC_END.search(pdf[-64:])
    with pikepdf.open(io.BytesIO(pdf)) as document:
        root, trailer = document.Root, document.trailer
        page = document.pages[int(place["page"]) - 1]
        left, top = points(place["x"]), float(page.mediabox[3]) - points(place["y"])
        info = trailer.get("/Info")
        if (end is None or "/Names" in root or "/Prev" in trailer or "/XRefStm" in trailer
                or (info is not None and not info.is_indirect)):
            destinations = pikepdf.NameTree.new(document)
            destinations[name] = pikepdf.Array([page.obj, pikepdf.Name.XYZ, left, top, 0])
            names = root.get("/Names")
            if names is None:
                root.Names = names = document.make_indirect(pikepdf.Dictionary())
            names.Dests = destinations.obj
            output = io.BytesIO()
            document.save(output, deterministic_id=True)
            return output.getvalue()
        number, generation = root.objgen
        page_number, page_generation = page.objgen
        catalog = root.unparse(resolved=True).decode("latin-1").strip()
        assert catalog.startswith("<<") and catalog.endswith(">>")
        size = int(trailer.Size)
        references = f"/Info {info.objgen[0]} {info.objgen[1]} R " if info is not None else ""
        first_id = bytes(trailer.ID[0])
    destination = (f"/Names << /Dests << /Names [ {_pdf_string(name)} [ {page_number} {page_generation} R /XYZ "
                   f"{left:.4f} {top:.4f} 0 ] ] >> >>")
    body = f"{number} {generation} obj\n{catalog[:-2]} {destination} >>\nendobj\n".encode("latin-1")
    start = len(pdf) + 1
    second_id = hashlib.md5(pdf + body, usedforsecurity=False).hexdigest()
    update = (f"xref\n{number} 1\n{start:010d} {generation:05d} n \ntrailer\n<< /Size {size} /Root {number} "
              f"{generation} R {references}/ID [ <{first_id.hex()}> <{second_id}> ] /Prev {end.group(1).decode()} >>\n"
              f"startxref\n{start + len(body)}\n%%EOF\n").encode("latin-1")
    return pdf + b"\n" + body + update


_CLASSIC_END = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


def _pdf_string(text: str) -> str:
    """A PDF literal string of plain ASCII letters, digits and hyphens (the anchor's name)."""
    assert re.fullmatch(r"[A-Za-z0-9_-]+", text)
    return f"({text})"


def points(length: Any) -> float:
    """A length Typst reports (`12.5pt`), in points."""
    return float(str(length).removesuffix("pt"))
