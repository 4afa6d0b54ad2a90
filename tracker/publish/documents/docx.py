"""The results report as a Word document, for the agency to edit before it is signed: one real table on an A4
landscape page, the header row repeated on each page, the evidence as hyperlinks.

Word draws Thai with the complex-script font and size of a run (`w:cs` in rFonts, `w:szCs`, bold as `w:bCs`), not
the ones python-docx sets (ascii/hAnsi, `w:sz`, `w:b`): without them Thai shows in another font at another size, so
every run here sets both. The document names Sarabun; Word uses it where Sarabun is installed and substitutes
another Thai font where it is not.
"""
from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from ..model import MeasureRow, ResultsReport
from . import COLUMNS, NOTES, Words

FONT = "Sarabun"
BODY_PT = 10
SMALL_PT = 8.5
HEADING_PT = 12
TITLE_PT = 14
LINK = RGBColor(0x0B, 0x3D, 0x91)
DONE = RGBColor(0x0B, 0x5D, 0x1E)
MUTED = RGBColor(0x44, 0x44, 0x44)
MARGIN = Mm(12)
# The nine columns' widths (mm) across A4 landscape less the margins: 297 - 2 x 12 = 273.
WIDTHS_MM = (34, 36, 58, 24, 27, 30, 19, 26, 19)


def render_docx(report: ResultsReport) -> bytes:
    """Render the report as a DOCX document."""
    words = Words(report)
    document = Document()
    _thai_defaults(document)
    _landscape(document, words)

    for index, line in enumerate(words.heading()):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(0)
        _run(paragraph, line, size=TITLE_PT if index == 0 else HEADING_PT, bold=True)
    document.add_paragraph()

    _table(document, words)

    overall = document.add_paragraph()
    overall.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(overall, words.overall(), size=HEADING_PT, bold=True)

    notes = words.notes()
    if notes:
        _run(document.add_paragraph(), NOTES, bold=True)
        for note in notes:
            _run(document.add_paragraph(), note)

    document.add_paragraph()
    for line in words.signature():
        paragraph = document.add_paragraph()
        # The block stands on the right, as under an agency's letter, centred in itself.
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.left_indent = Mm(160)
        paragraph.paragraph_format.space_after = Pt(2)
        _run(paragraph, line, size=HEADING_PT)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _table(document, words: Words) -> None:
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    header = table.rows[0]
    # Word repeats a row marked as a header at the top of each page the table runs onto.
    header._tr.get_or_add_trPr().append(_element("w:tblHeader"))
    for cell, label in zip(header.cells, COLUMNS, strict=True):
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(paragraph, label, bold=True)
        _shade(cell, "E8E8E8")

    for measure in words.report.measures:
        cells = table.add_row().cells
        _lines(cells[0], (words.text(measure.title),))
        _lines(cells[1], words.analysis(measure))
        _steps(cells[2], measure, words)
        _lines(cells[3], (words.period(measure),), center=True)
        _lines(cells[4], words.divisions(measure))
        _lines(cells[5], (words.text(measure.result),))
        _percent(cells[6], measure, words)
        _evidence(cells[7], measure, words)
        _lines(cells[8], (words.text(measure.problems),))
    if not words.report.measures:
        for cell in table.add_row().cells:
            _lines(cell, ("-",))

    # Word reads the cells' widths, LibreOffice the grid's: both are set.
    for column, width in zip(table.columns, WIDTHS_MM, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, WIDTHS_MM, strict=True):
            cell.width = Mm(width)


def _lines(cell: _Cell, lines: tuple[str, ...], *, center: bool = False) -> None:
    """Write one paragraph a line into a cell (a new cell already holds one empty paragraph)."""
    for index, line in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        # A line break inside the text (a result of several lines) stays a line break in Word.
        for number, part in enumerate(line.split("\n")):
            if number:
                paragraph.add_run().add_break()
            _run(paragraph, part)


def _steps(cell: _Cell, measure: MeasureRow, words: Words) -> None:
    if not measure.steps and not measure.draft_steps:
        _lines(cell, ("-",))
        return
    for index, (heading, parts) in enumerate(words.step_groups(measure)):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(3)
        _run(paragraph, heading)
        for line, part in parts:
            paragraph.add_run().add_break()
            _run(paragraph, line, size=SMALL_PT, bold=part.done, color=DONE if part.done else MUTED)


def _percent(cell: _Cell, measure: MeasureRow, words: Words) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, words.measure_percent(measure), size=HEADING_PT, bold=True)
    note = words.percent_note(measure)
    if note:
        _run(cell.add_paragraph(), f"({note})", size=SMALL_PT)


def _evidence(cell: _Cell, measure: MeasureRow, words: Words) -> None:
    if not measure.evidence:
        _lines(cell, ("-",))
        return
    for index, link in enumerate(measure.evidence):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        _hyperlink(paragraph, link.url, words.text(link.label), size=BODY_PT)
        paragraph.add_run().add_break()
        # The address printed too: on paper nobody can click the label.
        _hyperlink(paragraph, link.url, link.url, size=SMALL_PT)


def _hyperlink(paragraph: Paragraph, url: str, text: str, *, size: float) -> None:
    """Append a clickable link to an external address (python-docx has no call for writing one)."""
    relation = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    hyperlink = _element("w:hyperlink")
    hyperlink.set(qn("r:id"), relation)
    run = Run(_element("w:r"), paragraph)
    run.text = text
    _format(run, size=size, color=LINK)
    run.font.underline = True
    hyperlink.append(run._r)
    paragraph._p.append(hyperlink)


def _run(paragraph: Paragraph, text: str, *, size: float = BODY_PT, bold: bool = False,
         color: RGBColor | None = None) -> Run:
    run = paragraph.add_run(text)
    _format(run, size=size, bold=bold, color=color)
    return run


def _format(run: Run, *, size: float, bold: bool = False, color: RGBColor | None = None) -> None:
    """Set a run's size and weight for Latin and for Thai (the complex script) alike."""
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    properties = run._r.get_or_add_rPr()
    _set(properties, "w:szCs", str(round(size * 2)), _AFTER_SZ_CS)  # half-points, as w:sz
    if bold:
        properties.get_or_add_bCs()


def _thai_defaults(document) -> None:
    """Make Sarabun the font of every script in the Normal style, and Thai the language of complex-script text."""
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    properties = normal.element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    for script in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(script), FONT)
    _set(properties, "w:szCs", str(BODY_PT * 2), _AFTER_SZ_CS)
    # w:bidi is the language of complex-script text: Word then breaks Thai lines between words.
    language = _set(properties, "w:lang", "th-TH", _AFTER_LANG)
    language.set(qn("w:bidi"), "th-TH")
    paragraph = normal.paragraph_format
    paragraph.space_after = Pt(0)
    paragraph.line_spacing = 1.0


def _landscape(document, words: Words) -> None:
    """Make the one section A4 landscape, with "หน้า x / y" in the footer."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = MARGIN
    section.top_margin = section.bottom_margin = MARGIN
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # Word's \* ThaiArabic switch prints the number in Thai digits, as the rest of such a report.
    digits = r" \* ThaiArabic" if words.report.thai_digits else ""
    _run(footer, "หน้า ", size=SMALL_PT)
    _field(footer, f"PAGE{digits}", words.text(1))
    _run(footer, " / ", size=SMALL_PT)
    _field(footer, f"NUMPAGES{digits}", words.text(1))


def _field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """Append a field (Word computes it when it lays the page out); `shown` is what shows until it does."""
    field = _element("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = Run(_element("w:r"), paragraph)
    run.text = shown
    _format(run, size=SMALL_PT)
    field.append(run._r)
    paragraph._p.append(field)


def _shade(cell: _Cell, fill: str) -> None:
    shading = _element("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


# What follows w:szCs and w:lang in run properties: Word refuses a document whose elements are out of this order.
_AFTER_SZ_CS = ("w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs",
                "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath")
_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")


def _set(properties, tag: str, value: str, successors: tuple[str, ...]):
    """Set a run property python-docx has no call for (w:szCs, w:lang) in its place, replacing one already there."""
    element = properties.find(qn(tag))
    if element is None:
        element = properties.insert_element_before(_element(tag), *successors)
    element.set(qn("w:val"), value)
    return element


def _element(tag: str):
    return OxmlElement(tag)
