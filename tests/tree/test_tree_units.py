"""In-process unit tests on small document trees built in code: Markdown to tree, the redline of
paragraphs, headings and tables, column widths that hold every token, the formats registry."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ars_docs.tree.doctree import (
    Cell,
    Division,
    Heading,
    LineBreak,
    ListBlock,
    Paragraph,
    Run,
    Table,
    inline_text,
    paragraphs,
)
from ars_docs.tree.markdown import MarkupError, parse_markdown
from ars_docs.tree.redline import diff_blocks, diff_inlines, diff_tables, mark_blocks
from ars_docs.tree.tablefit import TooNarrow, fit_widths, needed_widths
from ars_docs.tree.typography import UNBREAKABLE
from ars_docs.writers.formats import FORMATS, SUFFIXES


def _text(blocks: tuple[object, ...]) -> list[str]:
    return [inline_text(p.inlines) for p in paragraphs(blocks)]  # type: ignore[arg-type]


def _changes(inlines: tuple[object, ...]) -> list[tuple[str, str | None]]:
    return [(run.text, run.change) for run in inlines if isinstance(run, Run)]


# --- Markdown ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("source", "kind"), [
    ("Un paragraphe.", Paragraph), ("# Titre", Heading), ("- un\n- deux", ListBlock),
    ("| a | b |\n|---|---|\n| 1 | 2 |", Table), ("::: signature\nSigné\n:::", Division),
])
def test_markdown_gives_the_block_of_each_construct(source: str, kind: type) -> None:
    [block] = parse_markdown(source)
    assert isinstance(block, kind)


def test_markdown_keeps_raw_html_as_text_and_marks_emphasis() -> None:
    [paragraph] = parse_markdown("**Clinique** <Sud> & *Nord*")
    assert isinstance(paragraph, Paragraph)
    assert inline_text(paragraph.inlines) == "Clinique <Sud> & Nord"
    assert [run.text for run in paragraph.inlines if isinstance(run, Run) and run.bold] == ["Clinique"]


def test_markdown_table_spans_follow_the_convention() -> None:
    [table] = parse_markdown("| a | b |\n|---|---|\n| 1 | << |")
    assert isinstance(table, Table)
    assert table.rows[1][0] is not None and table.rows[1][0].colspan == 2 and table.rows[1][1] is None


@pytest.mark.parametrize("source", ["[lien](javascript:alert(1))", "![image](file:///etc/passwd)"])
def test_markdown_refuses_what_the_tree_cannot_hold(source: str) -> None:
    with pytest.raises(MarkupError):
        parse_markdown(source)


# --- redline -------------------------------------------------------------------------------------

def test_a_changed_word_is_deleted_then_inserted() -> None:
    result = diff_inlines((Run("Le conseil se réunit deux fois par an."),),
                          (Run("Le conseil se réunit trois fois par an."),))
    assert ("deux", "del") in _changes(result) and ("trois", "ins") in _changes(result)
    assert inline_text(tuple(run for run in result if isinstance(run, Run) and run.change != "del")) == \
        "Le conseil se réunit trois fois par an."


def _accepted(inlines: tuple[object, ...]) -> str:
    return "".join(run.text for run in inlines if isinstance(run, Run) and run.change != "del")


def _rejected(inlines: tuple[object, ...]) -> str:
    return "".join(run.text for run in inlines if isinstance(run, Run) and run.change != "ins")


def test_a_rewritten_phrase_is_deleted_then_inserted_whole() -> None:
    old = "Le vote par procuration est admis, sauf pour les personnes morales de droit public."
    new = "Le vote par procuration est admis, sauf ou de la dérogation prévue à l'article 12."
    result = diff_inlines((Run(old),), (Run(new),))
    # word by word it read « pourou lesde personnesla moralesdérogation » : one phrase each way now
    assert _changes(result) == [("Le vote par procuration est admis, sauf ", None),
                                ("pour les personnes morales de droit public", "del"),
                                ("ou de la dérogation prévue à l'article 12", "ins"), (".", None)]
    assert _accepted(result) == new and _rejected(result) == old


def test_words_far_apart_stay_separate_changes() -> None:
    result = diff_inlines((Run("Le conseil se réunit deux fois par an au siège social de l'association."),),
                          (Run("Le conseil se réunit trois fois par an au siège social de la fédération."),))
    assert [change for change in _changes(result) if change[1]] == [
        ("deux", "del"), ("trois", "ins"), ("l'association", "del"), ("la fédération", "ins")]


_WORDS = st.lists(st.sampled_from(["le", "la", "conseil", "vote", "12", "de", "droit", ",", ".", " ", "  "]),
                  max_size=30).map("".join)


def _runs(text: str) -> tuple[Run | LineBreak, ...]:
    """A text with its line breaks (`|`) as the tree holds them."""
    pieces: list[Run | LineBreak] = []
    for index, part in enumerate(text.split("|")):
        pieces.extend([LineBreak()] if index else [])
        pieces.extend([Run(part)] if part else [])
    return tuple(pieces)


def _with_breaks(inlines: tuple[object, ...], change: str) -> str:
    return "".join("|" if isinstance(run, LineBreak) else run.text for run in inlines
                   if isinstance(run, LineBreak) or (isinstance(run, Run) and run.change != change))


@settings(max_examples=300, deadline=None)
@given(_WORDS, _WORDS)
def test_accepting_every_change_gives_the_new_text_and_rejecting_every_one_the_old(old: str, new: str) -> None:
    result = diff_inlines(_runs(old), _runs(new))
    assert _with_breaks(result, "del") == new and _with_breaks(result, "ins") == old


def test_a_line_break_between_two_changes_is_kept_once() -> None:
    # a line break is never a change itself (the tree marks text), so it never joins a phrase
    result = diff_inlines(_runs("Conseil|Reims"), _runs("Bureau|Metz"))
    assert _with_breaks(result, "del") == "Bureau|Metz"
    assert _with_breaks(result, "ins") == "Conseil|Reims"


@pytest.mark.parametrize(("old", "new"), [("25\u202f000\u00a0€", "30\u202f000\u00a0€"), ("85\u00a0%", "90\u00a0%"),
                                          ("31/12/2027", "30/06/2028"), ("MI2-1-1", "MI2-2-2")])
def test_a_code_a_date_or_an_amount_changes_whole(old: str, new: str) -> None:
    result = _changes(diff_inlines((Run(f"Montant : {old}."),), (Run(f"Montant : {new}."),)))
    assert (old, "del") in result and (new, "ins") in result


def test_identical_blocks_are_left_unmarked() -> None:
    blocks = (Paragraph((Run("Un."),)), Paragraph((Run("Deux."),)))
    assert diff_blocks(blocks, blocks) == blocks


def test_an_added_paragraph_is_wholly_inserted() -> None:
    old = (Paragraph((Run("Un."),)),)
    new = (Paragraph((Run("Un."),)), Paragraph((Run("Deux."),)))
    result = diff_blocks(old, new)
    assert result[0] == old[0] and _changes(result[1].inlines) == [("Deux.", "ins")]  # type: ignore[union-attr]


def test_a_deleted_heading_loses_its_anchor() -> None:
    [heading] = mark_blocks((Heading(2, (Run("Fiche"),), anchor="fiche-x"),), "del")
    assert isinstance(heading, Heading) and heading.anchor == "supprime-fiche-x"
    assert _changes(heading.inlines) == [("Fiche", "del")]


def test_headings_pair_by_their_anchor() -> None:
    old = (Heading(2, (Run("Orientation 1 – Animer"),), anchor="orientation-a"),)
    new = (Heading(2, (Run("Orientation 1 – Animer le réseau"),), anchor="orientation-a"),
           Paragraph((Run("Nouveau."),)))
    result = diff_blocks(old, new)
    assert isinstance(result[0], Heading) and result[0].anchor == "orientation-a"
    assert _changes(result[0].inlines) == [("Orientation 1 – Animer", None), (" le réseau", "ins")]


def _cell(text: str) -> Cell:
    return Cell((Paragraph((Run(text),)),))


def _table(*rows: tuple[str, ...]) -> Table:
    return Table(tuple(tuple(_cell(text) for text in row) for row in rows), header_rows=1)


def test_table_rows_pair_by_their_first_cell() -> None:
    old = _table(("Code", "2027"), ("A01", "10"), ("B01", "5"))
    new = _table(("Code", "2027"), ("A01", "12"), ("C01", "7"))
    table = diff_tables(old, new)
    assert table is not None
    assert table.row_changes == (None, None, "del", "ins")
    first = table.rows[1][1]
    assert first is not None and _changes(first.paragraphs[0].inlines) == [("10", "del"), ("12", "ins")]
    removed = table.rows[2][0]
    assert removed is not None and _changes(removed.paragraphs[0].inlines) == [("B01", "del")]


def test_tables_of_other_columns_are_not_paired() -> None:
    assert diff_tables(_table(("a", "b")), _table(("a", "b", "c"))) is None


def test_a_whole_table_inserted_marks_every_row() -> None:
    [table] = mark_blocks((_table(("Code",), ("A01",)),), "ins")
    assert isinstance(table, Table) and table.row_changes == ("ins", "ins")


# --- column widths -------------------------------------------------------------------------------

def _width(text: str) -> float:
    return 2.0 * len(text)  # 2 mm a character: easy to reckon with


def test_a_column_too_narrow_for_its_token_gets_exactly_what_it_needs() -> None:
    table = Table(((_cell("Code"), _cell("Libellé")), (_cell("ACT02a"), _cell("un libellé"))), widths=(1, 9))
    needs = needed_widths(table, _width, UNBREAKABLE)
    fitted = fit_widths(table, 100.0, _width)
    assert fitted.widths[0] == pytest.approx(needs[0]) and sum(fitted.widths) == pytest.approx(100.0)


def test_a_wide_enough_column_keeps_its_share() -> None:
    table = Table(((_cell("A1"), _cell("texte")),), widths=(1, 1))
    assert fit_widths(table, 100.0, _width).widths == (50.0, 50.0)


def test_tokens_that_cannot_fit_side_by_side_are_refused() -> None:
    table = Table(((_cell("1\u202f000\u202f000\u00a0€"), _cell("2\u202f000\u202f000\u00a0€")),))
    with pytest.raises(TooNarrow):
        fit_widths(table, 30.0, _width)


@pytest.mark.parametrize(("text", "tokens"), [
    ("ACT02a – x", ["ACT02a"]), ("MI2-1-1", ["MI2-1-1"]), ("31/12/2027", ["31/12/2027"]),
    ("255\u202f000\u00a0€", ["255\u202f000\u00a0€"]), ("0,5", ["0,5"]), ("40\u00a0% (2025)", ["40\u00a0%", "2025"]),
])
def test_what_a_cell_never_splits(text: str, tokens: list[str]) -> None:
    assert UNBREAKABLE.findall(text) == tokens


# --- formats -------------------------------------------------------------------------------------

def test_every_document_is_written_in_each_format_of_the_registry() -> None:
    """One line per format: its suffix, its label (the index page's), and the publisher's method that
    writes it, which exists."""
    from ars_docs.writers.publishing import Publisher

    assert SUFFIXES == ("html", "pdf", "docx")  # the index page's order: the accessible page first
    assert len({output.label for output in FORMATS}) == len(FORMATS)
    assert all(callable(getattr(Publisher, output.writer, None)) for output in FORMATS)
