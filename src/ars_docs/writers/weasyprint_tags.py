"""What WeasyPrint's tagging of a PDF is given for PDF/UA-1: page furniture drawn as artefacts and
left out of the structure tree, a table's header cells scoped and every data cell given its headers
(across the pages a table runs over), one link annotation per link. Installed once per process
by the PDF writer (`writers/weasyprint.py`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def page_furniture_as_artefacts() -> None:
    """WeasyPrint tags the content of page margin boxes (the page numbers, a running header) as real
    content, then leaves it out of the structure tree: marked content that belongs nowhere; and it
    tags what the HTML hides from screen readers (`aria-hidden`: a watermark, line numbers) as the
    text of the document. PDF/UA wants page furniture marked as artefacts, which screen readers
    skip: draw both as such, and build no structure for them. So is the header row that WeasyPrint
    repeats at the top of each page a table continues on: a screen reader reads it once, and the
    rows of the later pages join the table begun on the first, under its header cells."""
    from weasyprint import document as weasy_document
    from weasyprint.formatting_structure import boxes
    from weasyprint.pdf import tags
    from weasyprint.pdf.stream import Stream

    if getattr(Stream, "_arsdocs_furniture", False):
        return
    draw_page, marked, build_box_tree = weasy_document.draw_page, Stream.marked, tags._build_box_tree

    def draw_page_marking_furniture(page: Any, stream: Any) -> None:
        for box in page.descendants():
            if isinstance(box, boxes.TableBox) and _continues(box):
                box.children[0]._arsdocs_repeated = True
        stream.furniture = {id(box) for furniture in page.descendants() if is_furniture(furniture)
                            for box in furniture.descendants()}
        draw_page(page, stream)

    def marked_unless_furniture(self: Any, box: Any, tag: str) -> Any:
        if id(box) in getattr(self, "furniture", ()):
            return self.artifact()
        return marked(self, box, tag)

    def is_furniture(box: Any) -> bool:
        return isinstance(box, boxes.MarginBox) or getattr(box, "_arsdocs_repeated", False) or (
            box.element is not None and box.element.get("aria-hidden") == "true" and box.element_tag != "html")

    def build_box_tree_without_furniture(box: Any, *arguments: Any) -> Any:
        if is_furniture(box):
            return iter(())
        table = box.get_wrapped_table() if box.is_table_wrapper else None
        if table is not None and table.children and table.children[0].is_header:
            return _table_tree(build_box_tree, box, table, *arguments)
        if table is not None:
            elements = list(build_box_tree(box, *arguments))
            _determinable_headers(table, {})
            return iter(elements)
        return build_box_tree(box, *arguments)

    weasy_document.draw_page = draw_page_marking_furniture
    Stream.marked = marked_unless_furniture
    tags._build_box_tree = build_box_tree_without_furniture
    Stream._arsdocs_furniture = True


def _continues(table: Any) -> bool:
    """A table box that continues, under a repeated header, a table begun on an earlier page: its
    first body row is not the first row of its row group."""
    if not table.children or not table.children[0].is_header:
        return False
    groups = [child for child in table.children[1:] if not child.is_footer and child.children]
    if not groups or groups[0].element is None or not len(groups[0].element):
        return False
    return groups[0].children[0].element is not groups[0].element[0]


def _table_tree(build_box_tree: Any, box: Any, table: Any, parent: Any, pdf: Any, *arguments: Any) -> Iterator[Any]:
    """The structure of a table box with a header row. On the page it begins, as WeasyPrint builds
    it, its header cells noted by column (`_determinable_headers`); on a later page, without the
    repeated header, its rows moved into the table begun earlier, each body cell pointing to that
    table's header cells."""
    begun = pdf.__dict__.setdefault("_arsdocs_tables", {})
    if not _continues(table):
        elements = list(build_box_tree(box, parent, pdf, *arguments))
        columns = _determinable_headers(table, {})
        if elements:
            begun[id(table.element)] = (elements[-1], columns)
        yield from elements
        return
    header, table.children = table.children[0], table.children[1:]
    try:
        elements = list(build_box_tree(box, parent, pdf, *arguments))
    finally:
        table.children = [header, *table.children]
    if id(table.element) not in begun or not elements:
        yield from elements
        return
    first, columns = begun[id(table.element)]
    continued = elements[-1]
    for reference in continued["K"]:
        kid = pdf.objects[int(bytes(reference).split()[0])]  # pydyf: "n 0 R", the n-th object
        kid["P"] = first.reference
        first["K"].append(reference)
    continued["K"] = type(continued["K"])()
    _determinable_headers(table, columns, skip=1)


def _determinable_headers(table: Any, columns: dict[int, list[Any]], skip: int = 0) -> dict[int, list[Any]]:
    """PDF/UA 7.5 (veraPDF PDFUA-1 rule 7.5-1): every header cell has a `Scope` (`Row` for
    `scope="row"`, `Column` otherwise) and every data cell the `Headers` of all the header cells
    of its rows and of every column it spans (WeasyPrint notes a header spanning two columns under
    its first only: the cells of the second had none). `columns`: the column headers of the part
    of the table begun on an earlier page; `skip`: row groups left out (the repeated header).
    Returns the column headers, by column."""
    import pydyf

    rows = [row for group in table.children[skip:] for row in group.children]
    occupied: set[tuple[int, int]] = set()
    placed: list[tuple[Any, range, range]] = []
    for index, row in enumerate(rows):
        column = 0
        for cell in row.children:
            while (index, column) in occupied:
                column += 1
            cell_rows, cell_columns = range(index, index + cell.rowspan), range(column, column + cell.colspan)
            occupied.update((r, c) for r in cell_rows for c in cell_columns)
            placed.append((cell, cell_rows, cell_columns))
            column += cell.colspan
    columns = {column: list(keys) for column, keys in columns.items()}
    row_headers: dict[int, list[Any]] = {}
    for cell, cell_rows, cell_columns in placed:
        mark = getattr(cell, "mark", None)
        if mark is None or cell.element_tag != "th":
            continue
        if "ID" not in mark:
            mark["ID"] = pydyf.String(f"{mark.number}-th")
        by_row = cell.element is not None and cell.element.get("scope") == "row"
        mark["A"]["Scope"] = "/Row" if by_row else "/Column"
        for position in cell_rows if by_row else cell_columns:
            (row_headers if by_row else columns).setdefault(position, []).append(mark["ID"])
    for cell, cell_rows, cell_columns in placed:
        mark = getattr(cell, "mark", None)
        if mark is not None and cell.element_tag == "td":
            mark["A"]["Headers"] = pydyf.Array(
                [key for row in cell_rows for key in row_headers.get(row, [])]
                + [key for column in cell_columns for key in columns.get(column, [])])
    return columns


def one_link_per_link() -> None:
    """PDF/UA 7.18.5 (veraPDF PDFUA-1 rule 7.18.5-1): a link annotation's structure parent is its
    Link element. WeasyPrint gave every box inside a link an annotation of its own: the « er » of
    « Article 1<sup>er</sup> » a link of no height under a NonStruct, and a link's `::after` (the
    contents' leader and page number) a Link nested in the Link, heard three times. Only the box
    that carries the link gets its annotation; what is inside it is the link's content, and a
    link's pseudo-element is no other link."""
    from weasyprint import anchors, document
    from weasyprint.pdf import tags

    if getattr(anchors, "_arsdocs_one_link", False):
        return
    gather, pdf_tag = anchors.gather_anchors, tags._get_pdf_tag

    def gather_anchors(box: Any, found: Any, links: Any, bookmarks: Any, forms: Any, parent_matrix: Any = None,
                       parent_form: Any = None, parent_link: Any = None) -> Any:
        return gather(box, found, links, bookmarks, forms, parent_matrix, parent_form, None)

    def get_pdf_tag(tag: Any) -> str:
        return "NonStruct" if isinstance(tag, str) and tag.startswith("a::") else str(pdf_tag(tag))

    anchors.gather_anchors = document.gather_anchors = gather_anchors
    tags._get_pdf_tag = get_pdf_tag
    anchors._arsdocs_one_link = True
