"""Signed postback data and the LINE flex messages for tasks: pure functions, no app or database."""
from __future__ import annotations

import copy
import hashlib
import hmac
import json
from dataclasses import replace
from datetime import date, datetime
from functools import partial

import pytest

from tracker.line import flex
from tracker.line.flex import TaskCard, task_bubble, task_carousel, tick_confirmation, validate
from tracker.line.postback import Signed, read, sign, verify

SECRET = "test-secret-not-for-production"
SOMCHAI = "U4af4980629e4ba2b1c4e1c1f2a0c9d11"
MALEE = "U0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e"
BASE_URL = "https://ita.bangkrabue.go.th"

# From the seed plan (tracker/seed/ita-2568-bang-krabue.txt), without the PDF's stray spaces.
STEP = (
    "จัดทำคู่มือหรือแนวทางการปฏิบัติงานของเจ้าหน้าที่โดยระบุขั้นตอนและระยะเวลาที่ใช้ในการปฏิบัติงาน"
    "หรือการให้บริการ"
)
MEASURE = "การจัดทำคู่มือหรือแนวทางการปฏิบัติหน้าที่ของเจ้าหน้าที่ให้ครบทุกกระบวนการ"


def make_card(**changes) -> TaskCard:
    card = TaskCard(
        id=12,
        measure_order=7,
        measure_title=MEASURE,
        step_number=1,
        step_text=STEP,
        division_name="สำนักปลัด",
        due=date(2026, 3, 31),
        state_kind="overdue",
        state_text="เกินกำหนด 3 วันทำการ",
        status_label="กำลังทำ",
        done=False,
    )
    return replace(card, **changes)


def postback_for(user: str = SOMCHAI):
    return partial(sign, line_user_id=user, secret=SECRET)


def as_message(bubble: dict) -> dict:
    return flex.flex_message(bubble, "งานของคุณ")


def all_nodes(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from all_nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from all_nodes(value)


def buttons(bubble: dict) -> list[dict]:
    return [n["action"] for n in all_nodes(bubble) if n.get("type") == "button"]


def texts(bubble: dict) -> list[str]:
    return [n["text"] for n in all_nodes(bubble) if n.get("type") == "text"]


def json_bytes(obj) -> int:
    return len(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


# --- postback ---------------------------------------------------------------------------------------------------------


def test_sign_and_verify_round_trip() -> None:
    data = sign("done", 12, SOMCHAI, SECRET)
    assert data.startswith("a=done&t=12&s=") and len(data.split("&s=")[1]) == 24
    assert verify(data, SOMCHAI, SECRET) == ("done", 12)
    assert verify(sign("undo", 12, SOMCHAI, SECRET), SOMCHAI, SECRET) == ("undo", 12)


def test_postback_is_bound_to_the_user_who_received_it() -> None:
    data = sign("done", 12, SOMCHAI, SECRET)
    assert verify(data, MALEE, SECRET) is None
    assert verify(data, "", SECRET) is None


def test_postback_from_another_secret_fails() -> None:
    assert verify(sign("done", 12, SOMCHAI, "another-secret"), SOMCHAI, SECRET) is None


def test_tampered_task_id_or_action_fails() -> None:
    data = sign("done", 12, SOMCHAI, SECRET)
    assert verify(data.replace("t=12", "t=13"), SOMCHAI, SECRET) is None
    assert verify(data.replace("t=12", "t=012"), SOMCHAI, SECRET) is None
    assert verify(data.replace("a=done", "a=undo"), SOMCHAI, SECRET) is None


def test_tampered_signature_fails() -> None:
    data = sign("done", 12, SOMCHAI, SECRET)
    head, signature = data.split("&s=")
    flipped = "0" if signature[-1] != "0" else "1"
    assert verify(f"{head}&s={signature[:-1]}{flipped}", SOMCHAI, SECRET) is None
    assert verify(f"{head}&s={signature.upper()}", SOMCHAI, SECRET) is None
    assert verify(f"{head}&s={signature[:-1]}", SOMCHAI, SECRET) is None
    assert verify(f"{head}&s={signature}0", SOMCHAI, SECRET) is None


@pytest.mark.parametrize(
    "data",
    [
        "",
        "done",
        "a=done&t=12",
        "a=done&t=12&s=",
        "a=done&t=x&s=" + "0" * 24,
        "a=done&t=-1&s=" + "0" * 24,
        "a=Done&t=12&s=" + "0" * 24,
        "a=abcdefghijk&t=12&s=" + "0" * 24,
        "t=12&a=done&s=" + "0" * 24,
        "a=done&t=๑๒&s=" + "0" * 24,  # Thai digits
        "a=done&t=12&s=" + "0" * 24 + "\n",
        "a=done&t=12&s=" + "0" * 24 + "&a=undo",
        "a=done&t=99999999999999999999&s=" + "0" * 24,
        "x" * 1000,
        None,
        12,
        b"a=done&t=12",
    ],
)
def test_malformed_postback_data_is_none(data) -> None:
    assert verify(data, SOMCHAI, SECRET) is None


def test_malformed_input_to_sign_is_refused() -> None:
    for action in ("", "Done", "do-ne", "abcdefghijk"):
        with pytest.raises(ValueError):
            sign(action, 12, SOMCHAI, SECRET)
    for task_id in (-1, "12", True, 1.0):
        with pytest.raises(ValueError):
            sign("done", task_id, SOMCHAI, SECRET)
    with pytest.raises(ValueError):
        sign("done", 12, "", SECRET)
    with pytest.raises(ValueError, match="secret"):
        sign("done", 12, SOMCHAI, "")
    with pytest.raises(ValueError, match="secret"):
        verify("a=done&t=12&s=" + "0" * 24, SOMCHAI, "")


def test_postback_data_fits_line() -> None:
    longest = sign("abcdefghij", 10**18 - 1, SOMCHAI * 10, SECRET, day=date(9999, 12, 31))
    assert len(longest) <= flex.MAX_POSTBACK_DATA
    assert read(longest, SOMCHAI * 10, SECRET) == Signed("abcdefghij", 10**18 - 1, date(9999, 12, 31))


def test_buttons_already_sent_keep_working() -> None:
    """The signature of data without a day is what it has always been: the buttons in people's chats still work."""
    expected = hmac.new(SECRET.encode(), f"done:12:{SOMCHAI}".encode(), hashlib.sha256).hexdigest()[:24]
    assert sign("done", 12, SOMCHAI, SECRET) == f"a=done&t=12&s={expected}"


def test_a_day_is_signed_with_the_rest() -> None:
    day = date(2026, 3, 16)
    data = sign("snoozeto", 12, SOMCHAI, SECRET, day=day)
    assert data.startswith("a=snoozeto&t=12&d=2026-03-16&s=")
    assert read(data, SOMCHAI, SECRET) == Signed("snoozeto", 12, day)
    assert read(sign("done", 12, SOMCHAI, SECRET), SOMCHAI, SECRET) == Signed("done", 12, None)
    assert verify(data, SOMCHAI, SECRET) is None  # verify() is for data without a day
    assert read(data, MALEE, SECRET) is None
    assert read(data.replace("2026-03-16", "2026-03-17"), SOMCHAI, SECRET) is None  # another day
    assert read(data.replace("&d=2026-03-16", ""), SOMCHAI, SECRET) is None  # the day dropped
    signed_plain = sign("snoozeto", 12, SOMCHAI, SECRET)
    assert read(signed_plain.replace("&s=", "&d=2026-03-16&s="), SOMCHAI, SECRET) is None  # a day added
    for spelling in ("2026-3-16", "2026-02-30", "๒๐๒๖-03-16", "2026-03-16T00:00"):
        assert read(data.replace("2026-03-16", spelling), SOMCHAI, SECRET) is None
    with pytest.raises(ValueError):
        sign("snoozeto", 12, SOMCHAI, SECRET, day=datetime(2026, 3, 16, 9, 0))
    with pytest.raises(ValueError):
        sign("snoozeto", 12, SOMCHAI, SECRET, day="2026-03-16")  # type: ignore[arg-type]


# --- one bubble -------------------------------------------------------------------------------------------------------


def test_bubble_for_a_real_task_is_valid_and_readable() -> None:
    bubble = task_bubble(make_card(), base_url=BASE_URL + "/", postback=postback_for())
    assert validate(as_message(bubble)) == []

    state = bubble["header"]["contents"][0]
    assert state["text"] == "เกินกำหนด 3 วันทำการ" and state["color"] == "#B3261E"

    step, measure, division, due, status = bubble["body"]["contents"]
    assert step["text"] == f"1. {STEP}" and step["wrap"] is True and step["maxLines"] == 4
    assert measure["text"] == f"มาตรการ 7: {MEASURE}"
    assert (measure["wrap"], measure["maxLines"], measure["size"], measure["color"]) == (True, 2, "sm", "#555555")
    assert division["text"] == "สำนักปลัด"
    assert due["text"] == "ครบกำหนด 31 มี.ค. 2569"
    assert status["text"] == "สถานะ: กำลังทำ"

    done, ack, snooze, cannot, photo, web = buttons(bubble)
    assert done["type"] == "postback" and done["label"] == "เสร็จแล้ว"
    assert verify(done["data"], SOMCHAI, SECRET) == ("done", 12)
    assert done["displayText"].startswith("เสร็จแล้ว: จัดทำคู่มือ") and len(done["displayText"]) <= 300
    for button, action, label in ((ack, "ack", "รับทราบ/กำลังทำ"), (snooze, "snooze", "เลื่อนการเตือน"),
                                  (cannot, "cannot", "ทำไม่ได้"), (photo, "photo", "ส่งรูปหลักฐาน")):
        assert button["type"] == "postback" and button["label"] == label
        assert verify(button["data"], SOMCHAI, SECRET) == (action, 12)
        assert button["displayText"].startswith(f"{label}: จัดทำคู่มือ")
    assert web == {"type": "uri", "label": "เปิดในเว็บ", "uri": f"{BASE_URL}/tasks/12"}


def test_the_answers_read_well_on_a_phone() -> None:
    """เสร็จแล้ว stands out; the other answers are grey and share rows, shrunk rather than cut on a narrow screen;
    ส่งรูปหลักฐาน has the last row of its own, above the web link."""
    footer = task_bubble(make_card(), base_url=BASE_URL, postback=postback_for())["footer"]["contents"]
    done, ack, pair, photo, web = footer
    assert (done["style"], done["height"]) == ("primary", "sm")
    assert (ack["style"], ack["height"], ack["action"]["label"]) == ("secondary", "sm", "รับทราบ/กำลังทำ")
    assert pair["layout"] == "horizontal" and [b["action"]["label"] for b in pair["contents"]] == [
        "เลื่อนการเตือน", "ทำไม่ได้"]
    assert all(b["style"] == "secondary" and b["adjustMode"] == "shrink-to-fit" for b in pair["contents"])
    assert (photo["style"], photo["height"], photo["action"]["label"]) == ("secondary", "sm", "ส่งรูปหลักฐาน")
    assert web["style"] == "link"


@pytest.mark.parametrize("kind", ["soon", "later", "done"])
def test_other_states_are_not_red(kind: str) -> None:
    bubble = task_bubble(make_card(state_kind=kind, state_text="เหลือ 5 วันทำการ"), base_url=BASE_URL,
                         postback=postback_for())
    assert bubble["header"]["contents"][0]["text"] == "เหลือ 5 วันทำการ"
    assert bubble["header"]["contents"][0]["color"] != "#B3261E"
    assert validate(as_message(bubble)) == []


def test_unknown_state_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        make_card(state_kind="overdue-ish")


def test_done_card_has_no_done_button() -> None:
    card = make_card(done=True, state_kind="done", state_text="เสร็จแล้ว", status_label="เสร็จแล้ว")
    asked = []
    bubble = task_bubble(card, base_url=BASE_URL, postback=lambda a, t: asked.append((a, t)) or "unused")
    assert [b["label"] for b in buttons(bubble)] == ["เปิดในเว็บ"]
    assert not [b for b in buttons(bubble) if b["type"] == "postback"]
    assert asked == []
    assert validate(as_message(bubble)) == []


def test_5000_character_texts_still_make_a_valid_bubble() -> None:
    card = make_card(
        step_text="ก่" * 2500,  # 5,000 characters, consonant + tone mark
        measure_title="ม" * 5000,
        division_name="ด" * 5000,
        state_text="เกินกำหนด " + "๙" * 5000,
        status_label="ส" * 5000,
    )
    bubble = task_bubble(card, base_url=BASE_URL, postback=postback_for())
    assert validate(as_message(bubble)) == []
    assert json_bytes(bubble) <= flex.MAX_BUBBLE_BYTES
    step = bubble["body"]["contents"][0]["text"]
    assert step.endswith("…") and "ก่" in step
    assert not step.removesuffix("…").endswith("ก")  # never cut between a consonant and its tone mark
    for action in buttons(bubble):
        assert len(action["label"]) <= 20
        assert len(action.get("displayText", "")) <= 300


def test_thai_text_is_counted_in_bytes_not_characters() -> None:
    # 12 bubbles of long Thai text: each alone is far under 30 KB, together they would pass 50 KB uncut.
    card = make_card(step_text="ก" * 5000, measure_title="ข" * 5000, division_name="ค" * 5000)
    message = task_carousel([card] * 12, base_url=BASE_URL, postback=postback_for(), alt_text="งาน")
    assert validate(message) == []
    assert json_bytes(message["contents"]) <= flex.MAX_CAROUSEL_BYTES


def test_whitespace_from_pdf_text_is_collapsed() -> None:
    bubble = task_bubble(make_card(division_name="  กอง\nคลัง \t"), base_url=BASE_URL, postback=postback_for())
    assert bubble["body"]["contents"][2]["text"] == "กอง คลัง"


# --- carousel ---------------------------------------------------------------------------------------------------------


def cards(n: int) -> list[TaskCard]:
    return [make_card(id=i, step_number=i, state_kind="overdue" if i <= 3 else "later") for i in range(1, n + 1)]


def test_three_cards_make_three_bubbles_in_order() -> None:
    message = task_carousel(cards(3), base_url=BASE_URL, postback=postback_for(), alt_text="คุณมีงาน 3 งาน")
    assert message["type"] == "flex" and message["altText"] == "คุณมีงาน 3 งาน"
    assert message["contents"]["type"] == "carousel"
    bubbles = message["contents"]["contents"]
    assert len(bubbles) == 3
    assert [b["body"]["contents"][0]["text"].split(".")[0] for b in bubbles] == ["1", "2", "3"]
    assert validate(message) == []


def test_fifty_cards_make_eleven_tasks_and_a_more_bubble() -> None:
    message = task_carousel(cards(50), base_url=BASE_URL, postback=postback_for(), alt_text="คุณมีงาน 50 งาน",
                            more_url=f"{BASE_URL}/tasks?mine=1")
    bubbles = message["contents"]["contents"]
    assert len(bubbles) == 12
    assert [verify(buttons(b)[0]["data"], SOMCHAI, SECRET) for b in bubbles[:11]] == [
        ("done", i) for i in range(1, 12)
    ]
    more = bubbles[-1]
    assert "ดูงานทั้งหมด 50 งาน" in texts(more)
    assert buttons(more) == [{"type": "uri", "label": "ดูทั้งหมดในเว็บ", "uri": f"{BASE_URL}/tasks?mine=1"}]
    assert validate(message) == []


def test_more_bubble_defaults_to_the_task_list() -> None:
    message = task_carousel(cards(13), base_url=BASE_URL, postback=postback_for(), alt_text="งาน")
    assert buttons(message["contents"]["contents"][-1])[0]["uri"] == f"{BASE_URL}/tasks"


def test_twelve_cards_need_no_more_bubble() -> None:
    message = task_carousel(cards(12), base_url=BASE_URL, postback=postback_for(), alt_text="งาน")
    bubbles = message["contents"]["contents"]
    assert len(bubbles) == 12 and all(len(buttons(b)) == 6 for b in bubbles)


def test_long_alt_text_is_cut() -> None:
    message = task_carousel(cards(1), base_url=BASE_URL, postback=postback_for(), alt_text="ง" * 1000)
    assert len(message["altText"]) == 400 and message["altText"].endswith("…")
    assert validate(message) == []


def test_empty_carousel_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        task_carousel([], base_url=BASE_URL, postback=postback_for(), alt_text="งาน")


def test_oversized_urls_shrink_the_texts_to_fit_the_carousel() -> None:
    long_card = make_card(step_text="ก" * 5000, measure_title="ข" * 5000, division_name="ค" * 5000,
                          state_text="ง" * 5000, status_label="จ" * 5000)
    base = "https://ita.example.go.th/" + "p" * 900
    message = task_carousel([long_card] * 20, base_url=base, postback=lambda a, t: "d" * 300, alt_text="งาน")
    assert validate(message) == []
    # So large that even the shortest texts do not fit: ส่งรูปหลักฐาน goes (a photo sent is still offered the tasks),
    # the answers stay.
    labels = [b["label"] for b in buttons(message["contents"]["contents"][0])]
    assert labels == ["เสร็จแล้ว", "รับทราบ/กำลังทำ", "เลื่อนการเตือน", "ทำไม่ได้", "เปิดในเว็บ"]
    fits = task_carousel([long_card] * 20, base_url=BASE_URL, postback=lambda a, t: "d" * 300, alt_text="งาน")
    assert validate(fits) == [] and "ส่งรูปหลักฐาน" in [b["label"] for b in buttons(fits["contents"]["contents"][0])]


# --- tick confirmation and text ---------------------------------------------------------------------------------------


def test_tick_confirmation() -> None:
    card = make_card(done=True, state_kind="done", state_text="เสร็จแล้ว", status_label="เสร็จแล้ว")
    undo = sign("undo", 12, SOMCHAI, SECRET)
    message = tick_confirmation(card, base_url=BASE_URL, undo_data=undo)
    assert validate(message) == []
    assert message["altText"].startswith("✅ บันทึกว่าเสร็จแล้ว")
    bubble = message["contents"]
    assert "✅ บันทึกว่าเสร็จแล้ว" in texts(bubble) and f"1. {STEP}" in texts(bubble)
    undo_button, web = buttons(bubble)
    assert undo_button["type"] == "postback" and undo_button["label"] == "ยกเลิก (undo)"
    assert verify(undo_button["data"], SOMCHAI, SECRET) == ("undo", 12)
    assert web == {"type": "uri", "label": "เปิดในเว็บ", "uri": f"{BASE_URL}/tasks/12"}


def test_text_message_is_cut_to_line_limit() -> None:
    assert flex.text("สวัสดี") == {"type": "text", "text": "สวัสดี"}
    assert len(flex.text("ก" * 6000)["text"]) == 5000
    # LINE counts UTF-16 units: an emoji is two of them.
    emoji = flex.text("🍎" * 3000)["text"]
    assert len(emoji) == 2500 and validate({"type": "text", "text": emoji}) == []
    assert validate(flex.text("x" * 6000)) == []


# --- quick replies ----------------------------------------------------------------------------------------------------


def a_question() -> dict:
    items = [flex.postback_item("3 วันทำการ 16 มี.ค.", sign("snoozeto", 12, SOMCHAI, SECRET, day=date(2026, 3, 16)),
                                "เลื่อนการเตือนถึง 16 มี.ค. 2569"),
             flex.date_picker_item("เลือกวันเอง", sign("snoozepick", 12, SOMCHAI, SECRET), initial=date(2026, 3, 12),
                                   earliest=date(2026, 3, 12), latest=date(2026, 3, 18))]
    return flex.with_quick_reply(flex.text("เลื่อนการเตือนถึงวันไหน?"), items)


def test_a_quick_reply_with_a_date_picker_is_valid() -> None:
    message = a_question()
    assert validate(message) == []
    day, picker = (item["action"] for item in message["quickReply"]["items"])
    assert day["type"] == "postback" and day["displayText"] == "เลื่อนการเตือนถึง 16 มี.ค. 2569"
    assert picker == {"type": "datetimepicker", "label": "เลือกวันเอง", "data": picker["data"], "mode": "date",
                      "initial": "2026-03-12", "min": "2026-03-12", "max": "2026-03-18"}
    assert read(picker["data"], SOMCHAI, SECRET) == Signed("snoozepick", 12, None)


def test_quick_reply_builders_refuse_what_line_would() -> None:
    with pytest.raises(ValueError):
        flex.date_picker_item("เลือกวันเอง", "d", initial=date(2026, 3, 20), earliest=date(2026, 3, 12),
                              latest=date(2026, 3, 18))
    with pytest.raises(ValueError):
        flex.with_quick_reply(flex.text("x"), [flex.postback_item("x", "d", "x")] * 14)
    with pytest.raises(ValueError):
        flex.with_quick_reply(flex.text("x"), [])
    assert len(flex.postback_item("ก" * 30, "d", "x")["action"]["label"]) == 20


def test_validate_catches_quick_reply_mistakes() -> None:
    too_many = a_question()
    too_many["quickReply"]["items"] *= 7
    assert_reported(too_many, "14 items")
    no_display = a_question()
    del no_display["quickReply"]["items"][0]["action"]["displayText"]
    assert_reported(no_display, "displayText")
    for field, value, words in (("mode", "day", ("mode",)), ("initial", "12/03/2026", ("initial", "date")),
                                ("min", "2026-03-13", ("min <= initial <= max",)),
                                ("max", "2026-03-11", ("min <= initial <= max",)),
                                ("data", "a" * 301, (".data", "301"))):
        picker = a_question()
        picker["quickReply"]["items"][1]["action"][field] = value
        assert_reported(picker, *words)


# --- validate() catches every limit -----------------------------------------------------------------------------------


@pytest.fixture
def good() -> dict:
    return task_carousel(cards(3), base_url=BASE_URL, postback=postback_for(), alt_text="งาน")


def first_action(message: dict, kind: str) -> dict:
    return next(n["action"] for n in all_nodes(message) if n.get("type") == "button" and n["action"]["type"] == kind)


def assert_reported(message: dict, *words: str) -> None:
    problems = validate(message)
    assert any(all(w in p for w in words) for p in problems), problems


def test_validate_catches_thirteen_bubbles(good: dict) -> None:
    good["contents"]["contents"] = good["contents"]["contents"][:1] * 13
    assert_reported(good, "13 bubbles")


def test_validate_catches_long_alt_text(good: dict) -> None:
    good["altText"] = "ง" * 401
    assert_reported(good, "altText", "401")


def test_validate_catches_missing_alt_text(good: dict) -> None:
    good["altText"] = ""
    assert_reported(good, "altText")


def test_validate_catches_long_postback_data(good: dict) -> None:
    first_action(good, "postback")["data"] = "a" * 301
    assert_reported(good, ".data", "301")


def test_validate_catches_long_display_text(good: dict) -> None:
    first_action(good, "postback")["displayText"] = "ง" * 301
    assert_reported(good, "displayText", "301")


def test_validate_catches_a_21_character_label(good: dict) -> None:
    first_action(good, "uri")["label"] = "x" * 21
    assert_reported(good, ".label")


@pytest.mark.parametrize(
    "uri",
    ["javascript:alert(1)", "JavaScript:alert(1)", "line://nv/chat", "ftp://example.com/x", "/tasks/12", "https://"],
)
def test_validate_catches_uris_that_are_not_http(good: dict, uri: str) -> None:
    first_action(good, "uri")["uri"] = uri
    assert_reported(good, "not an http(s) URL")


def test_validate_catches_a_long_uri(good: dict) -> None:
    first_action(good, "uri")["uri"] = "https://example.com/" + "x" * 1000
    assert_reported(good, "uri is 1020 characters")


def test_validate_catches_a_big_bubble(good: dict) -> None:
    bubble = good["contents"]["contents"][0]
    bubble["body"]["contents"][0]["text"] = "ก" * 11_000  # 33 KB of UTF-8 in 11,000 characters
    assert_reported(good, "bubble 1", "bytes", "30,000")
    assert_reported(as_message(copy.deepcopy(bubble)), "the bubble", "bytes", "30,000")


def test_validate_catches_a_big_carousel(good: dict) -> None:
    for bubble in good["contents"]["contents"][:2]:
        bubble["body"]["contents"][0]["text"] = "ก" * 8_900  # 27 KB each: every bubble fits, the two together do not
    problems = validate(good)
    assert not any("bubble 1" in p or "bubble 2" in p for p in problems), problems
    assert_reported(good, "the carousel", "bytes", "50,000")


def test_validate_catches_long_text_messages() -> None:
    assert_reported({"type": "text", "text": "x" * 5001}, "5001")
    assert_reported({"type": "text", "text": "🍎" * 2501}, "5002")  # 2,501 emoji are 5,002 UTF-16 units
    assert_reported({"type": "text", "text": ""}, "no text")


def test_validate_catches_unknown_message_types() -> None:
    assert_reported({"type": "sticker", "packageId": "446", "stickerId": "1988"}, "sticker")
    assert_reported({"text": "สวัสดี"}, "None")
    assert validate("สวัสดี") != []  # type: ignore[arg-type]


def test_validate_catches_misspelt_field_names(good: dict) -> None:
    # Misspelt optional fields: the SDK silently drops them, so the round trip shows them missing.
    dropped = copy.deepcopy(good)
    dropped["contents"]["contents"][0]["body"]["contents"][0]["maxline"] = 4
    assert_reported(dropped, "unknown field", "contents.contents[0].body.contents[0].maxline")

    dropped = copy.deepcopy(good)
    first_action(dropped, "postback")["displaytext"] = "เสร็จแล้ว"
    assert_reported(dropped, "unknown field", "displaytext")

    assert_reported({"type": "text", "text": "สวัสดี", "quotetoken": "x"}, "unknown field", "quotetoken")

    # Misspelt required fields: the real field is then missing, and the SDK refuses the message.
    missing_alt = copy.deepcopy(good)
    missing_alt["alttext"] = missing_alt.pop("altText")
    assert_reported(missing_alt, "SDK", "altText")

    missing_contents = copy.deepcopy(good)
    body = missing_contents["contents"]["contents"][0]["body"]
    body["contentss"] = body.pop("contents")
    assert_reported(missing_contents, "SDK", "contents")

    # A misspelt type is refused by the SDK's discriminator lookup.
    bad_type = copy.deepcopy(good)
    bad_type["contents"]["contents"][0]["body"]["contents"][0]["type"] = "txt"
    assert_reported(bad_type, "SDK")


def test_validate_catches_wrong_value_types(good: dict) -> None:
    good["contents"]["contents"][0]["body"]["contents"][0]["maxLines"] = "4"
    assert_reported(good, "SDK", "maxLines")


def test_validate_ignores_none_values(good: dict) -> None:
    good["quickReply"] = None
    good["contents"]["contents"][0]["body"]["contents"][0]["color"] = None
    assert validate(good) == []


def test_validate_request_counts_messages(good: dict) -> None:
    assert flex.validate_request([good, flex.text("สวัสดี")]) == []
    assert any("6 messages" in p for p in flex.validate_request([flex.text("x")] * 6))
    assert flex.validate_request([{"type": "text", "text": ""}]) == ["message 1: text message has no text"]
