"""Spaces a PDF's text layer puts inside Thai words, removed by reading the Thai as dictionary words (thai_words.py).

The words are the plans' own, from the seed report (tracker/seed/): a space put inside one goes, a space between two
whole words stays.
"""
from __future__ import annotations

import time

import pytest

from tracker.plans.thai_words import join_split_words

from .test_import_docx import seed_text

JOINED = [
    ("หน่วย งาน", "หน่วยงาน"),
    ("ประชา สัมพันธ์", "ประชาสัมพันธ์"),
    ("ผู้รับ บริการ", "ผู้รับบริการ"),
    ("ผู้ รับ บริการ", "ผู้รับบริการ"),
    ("ความ โปร่งใส", "ความโปร่งใส"),
    ("ความโปร่ง ใส", "ความโปร่งใส"),
    ("การ เปิด เผย ข้อ มูล", "การเปิดเผยข้อมูล"),
    ("การเปิดเผย ข้อมูล", "การเปิดเผยข้อมูล"),
    ("เจ้า หน้าที่", "เจ้าหน้าที่"),
    ("เจ้าหน้า ที่", "เจ้าหน้าที่"),
    ("ผู้ บริหาร", "ผู้บริหาร"),
    ("ผู้บริ หาร", "ผู้บริหาร"),
    ("ข้อ ร้อง เรียน", "ข้อร้องเรียน"),
    ("งบ ประมาณ", "งบประมาณ"),
    ("งบประ มาณ", "งบประมาณ"),
    ("สำนัก ปลัด", "สำนักปลัด"),
    ("ช่อง ทาง", "ช่องทาง"),
    ("ทุจ ริต", "ทุจริต"),
    ("ทุ จริต", "ทุจริต"),
    ("ประพฤติมิ ชอบ", "ประพฤติมิชอบ"),
    ("การทุจริตและประพฤติ มิชอบ", "การทุจริตและประพฤติมิชอบ"),
    ("สาธารณ สุข", "สาธารณสุข"),
    ("กองสาธา รณสุข", "กองสาธารณสุข"),
    ("ตัว ชี้วัด", "ตัวชี้วัด"),
    ("มาตร การ", "มาตรการ"),
    ("ขั้น ตอน", "ขั้นตอน"),
    ("ระยะ เวลา", "ระยะเวลา"),
    ("ผู้รับผิด ชอบ", "ผู้รับผิดชอบ"),
    ("ผลการ ประเมิน", "ผลการประเมิน"),
    # "การ" and "ความ" make a noun of the word after them: never a space between.
    ("การ ดำเนิน การ", "การดำเนินการ"),
    ("การดำเนิน งาน", "การดำเนินงาน"),
    ("หรือ การ ให้บริการ", "หรือ การให้บริการ"),
    ("เจ้าหน้าที่ที่มีความ เชื่อมั่น", "เจ้าหน้าที่ที่มีความเชื่อมั่น"),
    # Wrapped lines of the seed's own table cells.
    ("คู่มืออำนวยความสะดวกในการเข้าใช้ งาน", "คู่มืออำนวยความสะดวกในการเข้าใช้งาน"),
    ("ประชาสัมพันธ์ข้อมูล ข่าวสารผ่านทาง", "ประชาสัมพันธ์ข้อมูลข่าวสารผ่านทาง"),
    ("ผู้มาติดต่อ ราชการกับหน่วยงานบาง ราย", "ผู้มาติดต่อราชการกับหน่วยงานบางราย"),
    # More than one space, and the ITA's own words in a line with Latin letters and digits.
    ("หน่วย   งาน", "หน่วยงาน"),
    ("ITA ของ หน่วย งาน ๒๕๖๙", "ITA ของ หน่วยงาน ๒๕๖๙"),
    ("๑. ประชา สัมพันธ์ผ่าน เว็บ ไซต์ (E-Service)", "๑. ประชาสัมพันธ์ผ่าน เว็บไซต์ (E-Service)"),
]

KEPT = [
    "จัดทำแผน ประชาสัมพันธ์",
    "หน่วยงาน ประชาสัมพันธ์",
    "เจ้าหน้าที่ ผู้รับผิดชอบ",
    "ได้แก่ การปฏิบัติหน้าที่",
    "ประชาชน หรือ ผู้รับบริการ",
    "การเผยแพร่ และ ประชาสัมพันธ์",
    "สำนักปลัด กองคลัง กองช่าง",
    "ข้อมูลข่าวสาร ที่เผยแพร่",
    "เว็บไซต์ของ หน่วยงาน",
    "เทศบาลตำบลบางกระบือ อำเภอบางคนที จังหวัดสมุทรสงคราม",
    "ดังนั้น หน่วยงานควรเปิดโอกาสให้บุคคลภายนอก",
    "เพื่อป้องกันการทุจริต ในประเด็นสินบน",
    "มีค่าคะแนน ดังนี้",
    # A word ending in "การ" is no "การ" to join to the next word.
    "โครงการ ส่งเสริม",
    "วิธีการ ดำเนินงาน",
    # As many words either way: the dictionary cannot tell, so the space the PDF has stays.
    "เทศบาลตำบล บางกระบือ",
    "ดำเนิน การตาม",
    "แนวทางการปฏิบัติ หน้าที่ของเจ้าหน้าที่",  # "การปฏิบัติ หน้าที่" or "การ ปฏิบัติหน้าที่"
]


@pytest.mark.parametrize(("text", "joined"), JOINED, ids=[text for text, _ in JOINED])
def test_a_space_inside_a_word_is_removed(text: str, joined: str) -> None:
    assert join_split_words(text) == joined


@pytest.mark.parametrize("text", KEPT)
def test_a_space_between_whole_words_stays(text: str) -> None:
    assert join_split_words(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "ต่าง ๆ เช่น เว็บไซต์",  # MAIYAMOK after its space
        "ผลการประเมินฯ ประจำปีงบประมาณ",
        "ประจำปีงบประมาณ พ.ศ. ๒๕๖๘",  # "ณพ" reads as "มาณพ", but "พ." stands for a word
        "ต.ค. ๖๘ - ก.ย. ๖๙",
        "ต . ค . ๖ ๘",
        "ภายใน ๓๐ วัน",
        "facebook เทศบาล",
        "E-Servise ของ หน่วยงาน",
        "หน่วย\nงาน",  # a line break is a line break
        "สำนัก\tปลัด",  # a tab parts a table's cells
        "Public Relations team",
        "",
    ],
)
def test_what_is_not_a_space_between_thai_letters_stays(text: str) -> None:
    assert join_split_words(text) == text


@pytest.mark.parametrize(
    ("text", "joined"),
    [("ประเม ิน", "ประเมิน"), ("เ ปิดเผย", "เปิดเผย"), ("ผู้รับผิดชอ บ", "ผู้รับผิดชอบ"), ("ประชาสั มพันธ์", "ประชาสัมพันธ์")],
)
def test_a_space_spelling_rules_out_goes(text: str, joined: str) -> None:
    assert join_split_words(text) == joined


def test_line_breaks_and_the_other_lines_stay_as_they_are() -> None:
    text = "มาตรการ\tขั้นตอน\n๑. จัดทำแผน ประชา สัมพันธ์\n\nหน่วย งาน ผู้รับผิดชอบ\r\nสำนัก ปลัด  "
    assert join_split_words(text) == "มาตรการ\tขั้นตอน\n๑. จัดทำแผน ประชาสัมพันธ์\n\nหน่วยงาน ผู้รับผิดชอบ\r\nสำนักปลัด  "


# Words of the seed report and where a PDF might break each one.
SPLITS = {
    "หน่วยงาน": "หน่วย งาน",
    "ประชาสัมพันธ์": "ประชา สัมพันธ์",
    "ผู้รับบริการ": "ผู้รับ บริการ",
    "ความโปร่งใส": "ความ โปร่งใส",
    "เจ้าหน้าที่": "เจ้า หน้าที่",
    "ผู้บริหาร": "ผู้ บริหาร",
    "งบประมาณ": "งบ ประมาณ",
    "ทุจริต": "ทุจ ริต",
    "ประพฤติมิชอบ": "ประพฤติ มิชอบ",
    "สาธารณสุข": "สาธารณ สุข",
    "สำนักปลัด": "สำนัก ปลัด",
    "การเปิดเผยข้อมูล": "การเปิดเผย ข้อมูล",
    "ผู้มาติดต่อ": "ผู้มา ติดต่อ",
    "ตัวชี้วัด": "ตัว ชี้วัด",
    "คุณธรรม": "คุณ ธรรม",
    "ประสิทธิภาพ": "ประสิทธิ ภาพ",
    "ระยะเวลา": "ระยะ เวลา",
    "ขั้นตอน": "ขั้น ตอน",
    "เว็บไซต์": "เว็บ ไซต์",
    "ผู้บังคับบัญชา": "ผู้บังคับ บัญชา",
    "ทรัพย์สิน": "ทรัพย์ สิน",
}


def test_the_seed_with_its_words_split_reads_as_the_seed() -> None:
    seed = seed_text()
    split = seed
    for word, broken in SPLITS.items():
        split = split.replace(word, broken)
    assert split.count(" ") - seed.count(" ") > 300  # every one of the words, wherever it is
    assert join_split_words(split) == join_split_words(seed)


def test_the_seed_keeps_its_real_spaces() -> None:
    seed = seed_text()
    joined = join_split_words(seed)
    assert join_split_words(joined) == joined
    # Its own wrapped cells are mended; all else is as it was, its spaces between words with it.
    assert "ในการเข้าใช้งาน" in joined and "ในการเข้าใช้ งาน" in seed
    assert joined.count("\n") == seed.count("\n") and joined.count("\t") == seed.count("\t")
    for phrase in ["ประชาชน หรือ ผู้รับบริการ", "เทศบาลตำบลบางกระบือ อำเภอบางคนที", "ประจำปีงบประมาณ พ.ศ. ๒๕๖๘",
                   "ตัวชี้วัดที่ ๑ การปฏิบัติหน้าที่", "ต . ค . ๖ ๘ - ก.ย.๖๙", "แอปพลิเคชัน facebook เทศบาล"]:
        assert phrase in seed and phrase in joined
    assert len(seed) - len(joined) < 30  # the few wrapped cells: a space each


def test_a_long_text_is_read_in_a_bounded_time() -> None:
    join_split_words("หน่วย งาน")  # the dictionary, loaded once
    texts = [
        seed_text() * 8,  # a report of some 50 pages: about a third of a second
        "ก" * 100_000,  # one run, no space: no regular expression goes back over it
        "ก " * 50_000,  # a space after every letter
        "หน่วย งาน " * 10_000,
        " ".join(["ก" * 30] * 3_000),
    ]
    for text in texts:
        started = time.perf_counter()
        join_split_words(text)
        assert time.perf_counter() - started < 5, text[:20]  # linear: what goes back over the text takes minutes
