"""Read an improvement plan from a PDF: its text layer, handed to read_report, unless that text is damaged Thai.

A PDF keeps its text as glyphs of embedded fonts and, beside them, a map from glyphs back to characters. Thai often
comes back wrong through that map: vowels and tone marks before their consonant or on their own, spaces inside words,
characters a font never mapped (private-use or replacement characters), or nothing at all for a scanned page. Such a
text would import as a plan with wrong names and steps, so it is refused, with advice to upload the Word file or the
template instead. One loss is repaired, because the file itself says what the character was: a glyph the text map
leaves out but the embedded font's own character map names (HarfBuzz draws SARA AM "ำ" as NIKHAHIT and SARA AA and
WeasyPrint maps only the second, WeasyPrint issue #2841); NIKHAHIT followed by SARA AA is then read back as SARA AM.
Another is mended because a dictionary tells: a few spaces inside words ("หน่วย งาน"), where a table cell's line
wrapped or runs of glyphs were placed apart, are removed where the joined letters read as fewer dictionary words
(thai_words.py), so the preview shows the words whole; a text whose words are mostly split letter by letter is still
refused, as no dictionary can tell its words apart.

Pure: files in, PlanDraft out; no Flask, no database. pypdf (and fontTools, for the repair) and PyThaiNLP's word list
(for the spaces) are imported when a PDF is read.
"""
from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from .draft import PlanDraft, PlanFileError
from .report import read_report
from .thai_words import join_split_words

MAX_PAGES = 100  # a report is a few dozen pages at most
MIN_LETTERS = 50  # fewer letters than this in the whole text layer: a scan, or pictures of text

ADVICE = "ให้อัปโหลดไฟล์ Word (.docx) หรือแม่แบบ .xlsx แทน"
ADVICE_EN = "upload the Word (.docx) file or the .xlsx template instead"

_CONSONANTS = "\u0e01-\u0e2e"
_MARKS = "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"  # vowels above and below, tone marks: drawn on the consonant before
# A mark with neither a consonant nor another mark before it: at a line's start, after a space, after a vowel that
# is written before its consonant ("เ่ก").
_MISPLACED = re.compile(f"(?:^|(?<=[^{_CONSONANTS}{_MARKS}]))[{_MARKS}]", re.MULTILINE)
_UNMAPPED = re.compile("[\ue000-\uf8ff\ufffd]")
_THAI_WORD = re.compile(f"[{_CONSONANTS}\u0e2f-\u0e4e]+")
_LETTER = re.compile(f"[A-Za-z{_CONSONANTS}]")


def read_pdf(path: Path, source: str) -> PlanDraft:
    """Read a PDF's text layer as a report, or raise PlanFileError: not a PDF, no text, or text that reads wrong."""
    text = pdf_text(path, source)
    if len(_LETTER.findall(text)) < MIN_LETTERS:
        raise PlanFileError(
            [
                f"{source}: PDF นี้ไม่มีข้อความให้อ่าน (น่าจะเป็นภาพสแกน) ระบบอ่านตัวอักษรจากภาพไม่ได้ — {ADVICE} "
                f"(the PDF has no text layer, as a scan has none: {ADVICE_EN})"
            ]
        )
    reason = damaged_thai(text)
    if reason is not None:
        thai, english = reason
        raise PlanFileError(
            [
                f"{source}: ข้อความใน PDF นี้อ่านได้ไม่ถูกต้อง ({thai}) — โปรแกรมที่สร้าง PDF เก็บตัวอักษรไทยไว้ผิดรูป "
                f"นำเข้าแล้วชื่อมาตรการ ขั้นตอน และกองจะผิด {ADVICE} "
                f"(the PDF's text reads wrong: {english}; {ADVICE_EN})"
            ]
        )
    return read_report(join_split_words(text), source)


def pdf_text(path: Path, source: str) -> str:
    """The text layer of every page, a page after another, with SARA AM put back where the font says it was drawn."""
    from pypdf import PdfReader

    unreadable = PlanFileError(
        [f"{source}: เปิดเป็นไฟล์ PDF ไม่ได้ — ไฟล์เสียหรือไม่ใช่ PDF {ADVICE} (not a readable PDF file)"]
    )
    try:
        reader = PdfReader(io.BytesIO(path.read_bytes()))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PlanFileError(
                [f"{source}: PDF นี้ตั้งรหัสผ่านไว้ จึงอ่านข้อความไม่ได้ — {ADVICE} (the PDF is password-protected)"]
            )
        pages = list(reader.pages)
    except PlanFileError:
        raise
    except Exception:  # pypdf raises what its parsers raise on a broken file: any of them means the same here
        raise unreadable from None
    if len(pages) > MAX_PAGES:
        raise PlanFileError(
            [f"{source}: PDF มี {len(pages):,} หน้า เกินที่รับได้ {MAX_PAGES} หน้า (at most {MAX_PAGES} pages)"]
        )
    texts = []
    for page in pages:
        _map_unmapped_glyphs(page)
        try:
            texts.append(page.extract_text())
        except Exception:  # a page whose content pypdf cannot read
            raise unreadable from None
    return "\n".join(texts).replace("\u0e4d\u0e32", "\u0e33")


def damaged_thai(text: str) -> tuple[str, str] | None:
    """Why a text layer's Thai reads wrong (Thai, English), or None when it reads as Thai is written."""
    unmapped = len(_UNMAPPED.findall(text))
    letters = len(_LETTER.findall(text))
    if unmapped >= 5 and unmapped * 100 >= letters:  # a stray symbol-font bullet or two is not damage
        return (
            f"มีตัวอักษรที่แปลงกลับเป็นข้อความไม่ได้ {unmapped:,} ตัว จากฟอนต์ที่ไม่มีตารางรหัสตัวอักษร",
            f"{unmapped:,} characters from a font without a Unicode map",
        )
    marks = len(re.findall(f"[{_MARKS}]", text))
    misplaced = len(_MISPLACED.findall(text))
    if misplaced >= 3 and misplaced * 50 >= marks:
        return (
            f"สระหรือวรรณยุกต์ {misplaced:,} ตัวอยู่หน้าพยัญชนะหรืออยู่ลอยโดยไม่มีพยัญชนะ",
            f"{misplaced:,} vowels or tone marks before their consonant or on their own",
        )
    words = _THAI_WORD.findall(text)
    short = sum(1 for word in words if len(word) <= 2)
    if len(words) >= 20 and short * 100 >= len(words) * 40:
        return (
            "มีช่องว่างแทรกกลางคำ ตัวอักษรไทยแยกเป็นตัว ๆ",
            "spaces inside words: Thai letters stand apart",
        )
    return None


def _map_unmapped_glyphs(page: Any) -> None:
    """Add to each font's text map the glyphs it leaves out that the embedded font's own character map names; never
    fails (a font it cannot read keeps its map as it is)."""
    try:
        fonts = page["/Resources"]["/Font"]
    except Exception:
        return
    for font in list(fonts.values()):
        try:
            _map_font(font.get_object())
        except Exception:  # a font that is not a simple TrueType one, or is broken: its text is read as pypdf reads it
            continue


_BFCHAR = re.compile(r"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]+)>")


def _map_font(font: Any) -> None:
    from fontTools.ttLib import TTFont

    if font.get("/Subtype") != "/Type0" or "/ToUnicode" not in font:
        return
    descendant = font["/DescendantFonts"][0].get_object()
    if descendant.get("/CIDToGIDMap") != "/Identity":
        return  # only where a character code is the glyph's number
    program = descendant["/FontDescriptor"].get_object().get("/FontFile2")
    if program is None:
        return
    data = program.get_object().get_data()
    if len(data) > 5 * 1024 * 1024:
        return
    embedded = TTFont(io.BytesIO(data), lazy=True)
    names = embedded.getBestCmap() or {}
    stream = font["/ToUnicode"].get_object()
    cmap = stream.get_data().decode("latin-1")
    if "bfrange" in cmap:  # ranges: keep to maps of single glyphs, as WeasyPrint and most writers make them
        return
    mapped = {int(m.group(1), 16) for m in _BFCHAR.finditer(cmap)}
    missing = {}
    for character, name in names.items():
        glyph = embedded.getGlyphID(name)
        if glyph not in mapped and glyph not in missing and glyph <= 0xFFFF and character <= 0xFFFF:
            missing[glyph] = character
    if not missing or "endcmap" not in cmap:
        return
    entries = "".join(f"<{glyph:04X}> <{character:04X}>\n" for glyph, character in sorted(missing.items())[:100])
    added = f"{min(len(missing), 100)} beginbfchar\n{entries}endbfchar\n"
    stream.set_data(cmap.replace("endcmap", added + "endcmap", 1).encode("latin-1"))
