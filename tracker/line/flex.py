"""LINE messages for tasks, as plain dicts in LINE's JSON (camelCase field names), with Thai text.

Builders: task_bubble() and task_carousel() for "your tasks" and reminders (each open task with its answers:
เสร็จแล้ว, รับทราบ/กำลังทำ, เลื่อนการเตือน, ทำไม่ได้, ส่งรูปหลักฐาน), tick_confirmation() after a "เสร็จแล้ว" press,
text() for plain text, with_quick_reply() (postback_item(), date_picker_item(), camera_item(), camera_roll_item()) for
the choices under a reply. validate() lists every
LINE limit a message breaks, and checks the field names by round-tripping the message through line-bot-sdk's models
(which silently drop fields they do not know, see _round_trip_problems); validate_request() does the same for every
message of one push or reply, with LINE's limit of five a request. The test suite runs both over every message the
app sends.

How LINE counts: text and altText in UTF-16 code units (an emoji such as 🍎 is 2); action labels and displayText in
grapheme clusters, which Python's len() never undercounts; sizes in bytes of the JSON in UTF-8 (Thai is 3 bytes a
character).

Pure: no Flask, no database. The caller supplies base_url and signs postback data (tracker.postback).
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar
from urllib.parse import urlsplit

from tracker.thai import format_date

MAX_BUBBLES = 12  # bubbles in one carousel
MAX_POSTBACK_DATA = 300
MAX_ALT_TEXT = 400
MAX_BUBBLE_BYTES = 30_000  # one bubble's JSON
MAX_CAROUSEL_BYTES = 50_000  # a carousel's JSON
MAX_MESSAGES_PER_REQUEST = 5
MAX_TEXT = 5000
MAX_LABEL = 20  # an action's label
MAX_DISPLAY_TEXT = 300  # a postback action's displayText
MAX_URI = 1000
MAX_QUICK_REPLY_ITEMS = 13
DATE_PICKER_MODES = {"date": r"[0-9]{4}-[0-9]{2}-[0-9]{2}", "time": r"[0-9]{2}:[0-9]{2}",
                     "datetime": r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}"}  # LINE's datetimepicker

STATE_KINDS = ("overdue", "soon", "later", "done", "late", "carried")  # tracker.progress.StateKind

RED = "#B3261E"  # overdue: 6.5:1 on white, and always with words
AMBER = "#8A5300"  # due soon
GREEN = "#1E6B34"  # done
GREY = "#555555"
_STATE_COLOURS = {"overdue": RED, "soon": AMBER, "later": GREY, "done": GREEN, "late": AMBER, "carried": GREY}
_OVERDUE_BACKGROUND = "#FDECEA"  # red text on it is still 5.7:1

DONE_LABEL = "เสร็จแล้ว"
ACK_LABEL = "รับทราบ/กำลังทำ"
SNOOZE_LABEL = "เลื่อนการเตือน"
CANNOT_LABEL = "ทำไม่ได้"  # tracker.labels.CANNOT_DO
EVIDENCE_LABEL = "ส่งรูปหลักฐาน"
# An open task's buttons: the postback action of each (tracker.line.webhook answers it) and its label.
ANSWERS = {"done": DONE_LABEL, "ack": ACK_LABEL, "snooze": SNOOZE_LABEL, "cannot": CANNOT_LABEL,
           "photo": EVIDENCE_LABEL}
CAMERA_LABEL = "ถ่ายรูป"  # LINE's camera, from a quick reply
CAMERA_ROLL_LABEL = "เลือกรูปในเครื่อง"  # LINE's camera roll, from a quick reply
OPEN_LABEL = "เปิดในเว็บ"
UNDO_LABEL = "ยกเลิก (undo)"
MORE_LABEL = "ดูทั้งหมดในเว็บ"
TICKED_TITLE = "✅ บันทึกว่าเสร็จแล้ว"

# Most UTF-16 units each text may take. The whole bubble then stays near 4 KB even when every character is Thai
# (3 bytes), so twelve bubbles fit the carousel's 50 KB; only the step is long enough to need maxLines to show it.
_LIMITS = {"state": 60, "step": 300, "measure": 160, "division": 80, "status": 30, "short": 40}
# If a carousel still comes out too large (very long URLs or postback data), its texts are cut further.
_CAROUSEL_SCALES = (1.0, 0.5, 0.25)
_T = TypeVar("_T")  # what a carousel is tried at: a scale of the texts, and for tasks whether with ส่งรูปหลักฐาน
_MIN_LIMIT = 8

_JSON_OPTIONS: dict[str, Any] = {"ensure_ascii": False, "separators": (",", ":")}


@dataclass(frozen=True)
class TaskCard:
    """What a LINE card shows of one task; the caller fills it from the database."""

    id: int
    measure_order: int
    measure_title: str
    step_number: int
    step_text: str
    division_name: str
    due: date
    state_kind: str  # overdue | soon | later | done | late | carried (tracker.progress.StateKind)
    state_text: str  # its words (labels.state_text), e.g. "เกินกำหนด 3 วันทำการ", "เหลือ 5 วันทำการ"
    status_label: str  # ยังไม่เริ่ม | กำลังทำ | เสร็จแล้ว
    done: bool

    def __post_init__(self) -> None:
        if self.state_kind not in STATE_KINDS:
            raise ValueError(f"state_kind must be one of {STATE_KINDS}, not {self.state_kind!r}")


# --- text that fits -------------------------------------------------------------------------------------------------

_THAI_LEADING_VOWELS = "เแโใไ"  # written before the consonant they belong to
_JOINERS = "\u0e33\u200d"  # sara am (a spacing mark that still joins), zero-width joiner


def _units(s: str) -> int:
    """Length as LINE counts text: UTF-16 code units."""
    return len(s.encode("utf-16-le")) // 2


def _joins_previous(ch: str) -> bool:
    return unicodedata.category(ch) in ("Mn", "Mc", "Me") or ch in _JOINERS or 0x1F3FB <= ord(ch) <= 0x1F3FF


def _clip(s: str, limit: int, ellipsis: str = "…") -> str:
    """Cut s to at most limit UTF-16 units, never between a Thai consonant and its vowel or tone marks."""
    if _units(s) <= limit:
        return s
    budget = limit - _units(ellipsis)
    cut = used = 0
    for ch in s:
        width = 2 if ord(ch) > 0xFFFF else 1
        if used + width > budget:
            break
        used += width
        cut += 1
    # s[cut] exists: s is longer than the budget. Back off so no mark is cut from its base and no leading vowel is
    # left without its consonant.
    while cut > 0 and (_joins_previous(s[cut]) or s[cut - 1] in _THAI_LEADING_VOWELS or s[cut - 1] == "\u200d"):
        cut -= 1
    return s[:cut].rstrip() + ellipsis


# Control characters (Unicode category Cc: U+0000-U+001F and U+007F-U+009F) that are not whitespace.
_CONTROL = re.compile("[" + "".join(re.escape(chr(c)) for c in (*range(0x20), *range(0x7F, 0xA0))
                                    if not chr(c).isspace()) + "]")


def _tidy(s: str) -> str:
    """One line: runs of whitespace (PDF line breaks) become one space; other control characters go."""
    return " ".join(_CONTROL.sub("", str(s)).split())


def _json_bytes(obj: Any) -> int:
    return len(json.dumps(obj, **_JSON_OPTIONS).encode("utf-8"))


# --- builders -------------------------------------------------------------------------------------------------------


def _text(s: str, **style: Any) -> dict:
    return {"type": "text", "text": s, **style}


def _box(contents: list[dict], **style: Any) -> dict:
    return {"type": "box", "layout": "vertical", "contents": contents, **style}


def _uri_button(label: str, uri: str, **style: Any) -> dict:
    return {"type": "button", "height": "sm", **style, "action": {"type": "uri", "label": label, "uri": uri}}


def _postback_button(label: str, data: str, display_text: str, **style: Any) -> dict:
    action = {"type": "postback", "label": label, "data": data, "displayText": display_text}
    return {"type": "button", "height": "sm", **style, "action": action}


def _limits(scale: float) -> dict[str, int]:
    return {key: max(_MIN_LIMIT, int(limit * scale)) for key, limit in _LIMITS.items()}


def _short_step(card: TaskCard, limits: dict[str, int]) -> str:
    return _clip(_tidy(card.step_text), limits["short"])


def _task_url(base_url: str, task_id: int) -> str:
    return f"{base_url.rstrip('/')}/tasks/{task_id}"


def _task_body(card: TaskCard, limits: dict[str, int]) -> dict:
    step = _clip(f"{card.step_number}. {_tidy(card.step_text)}", limits["step"])
    measure = _clip(f"มาตรการ {card.measure_order}: {_tidy(card.measure_title)}", limits["measure"])
    return _box(
        [
            _text(step, weight="bold", wrap=True, maxLines=4),
            _text(measure, size="sm", color=GREY, wrap=True, maxLines=2),
            _text(_clip(_tidy(card.division_name), limits["division"]), size="sm", wrap=True, maxLines=2),
            _text(f"ครบกำหนด {format_date(card.due)}", size="sm"),
            _text(f"สถานะ: {_clip(_tidy(card.status_label), limits['status'])}", size="sm"),
        ],
        spacing="sm",
    )


def _answer_data(card: TaskCard, postback: Callable[[str, int], str]) -> dict[str, str] | None:
    """The signed data of each of a task's answer buttons; None for a task done (it has none)."""
    return None if card.done else {action: postback(action, card.id) for action in ANSWERS}


def _answer_buttons(card: TaskCard, data: dict[str, str], limits: dict[str, int]) -> list[dict]:
    """เสร็จแล้ว first, in the primary colour; then, in grey, the other answers to a reminder. On a phone the
    carousel's bubble is about 300 px wide: รับทราบ/กำลังทำ takes a row of its own, เลื่อนการเตือน and ทำไม่ได้ share
    one (their text shrunk to fit a narrow screen rather than cut), and ส่งรูปหลักฐาน (the next photo or file sent
    in the chat goes to this task) has the last row of its own."""
    short = _short_step(card, limits)

    def button(action: str, **style: Any) -> dict:
        return _postback_button(ANSWERS[action], data[action], f"{ANSWERS[action]}: {short}", **style)

    buttons = [
        button("done", style="primary"),
        button("ack", style="secondary"),
        {"type": "box", "layout": "horizontal", "spacing": "sm", "contents": [
            button("snooze", style="secondary", adjustMode="shrink-to-fit"),
            button("cannot", style="secondary", adjustMode="shrink-to-fit"),
        ]},
    ]
    if "photo" in data:  # left out only of a carousel too large with it (task_carousel)
        buttons.append(button("photo", style="secondary"))
    return buttons


def _task_bubble(card: TaskCard, base_url: str, data: dict[str, str] | None, limits: dict[str, int]) -> dict:
    colour = _STATE_COLOURS[card.state_kind]
    state = _clip(_tidy(card.state_text), limits["state"])
    header_style: dict[str, Any] = {"backgroundColor": _OVERDUE_BACKGROUND} if card.state_kind == "overdue" else {}
    buttons = _answer_buttons(card, data, limits) if data is not None else []
    buttons.append(_uri_button(OPEN_LABEL, _task_url(base_url, card.id), style="link"))
    return {
        "type": "bubble",
        "header": _box([_text(state, weight="bold", color=colour, wrap=True)], **header_style),
        "body": _task_body(card, limits),
        "footer": _box(buttons, spacing="sm"),
    }


def task_bubble(card: TaskCard, *, base_url: str, postback: Callable[[str, int], str]) -> dict:
    """One task as a flex bubble (a container: wrap it with flex_message() to send it alone).

    postback(action, task_id) returns the signed data for each button (the actions of ANSWERS), e.g. a partial of
    postback.sign. A task done has only its web link.
    """
    return _task_bubble(card, base_url, _answer_data(card, postback), _limits(1.0))


def _more_bubble(total: int, shown: int, more_url: str) -> dict:
    return {
        "type": "bubble",
        "body": _box(
            [
                _text(f"ดูงานทั้งหมด {total} งาน", weight="bold", size="lg", wrap=True, align="center"),
                _text(f"แสดงที่นี่ {shown} งาน อีก {total - shown} งานดูได้ในเว็บ", size="sm", color=GREY,
                      wrap=True, align="center"),
            ],
            spacing="md",
            justifyContent="center",
        ),
        "footer": _box([_uri_button(MORE_LABEL, more_url, style="primary")]),
    }


def flex_message(contents: dict, alt_text: str) -> dict:
    """Wrap a bubble or carousel as a flex message; alt_text (notifications, chat list) is cut to LINE's limit."""
    alt = _clip(alt_text.strip(), MAX_ALT_TEXT)
    if not alt:
        raise ValueError("a flex message needs alt text")
    return {"type": "flex", "altText": alt, "contents": contents}


def task_carousel(
    cards: Sequence[TaskCard],
    *,
    base_url: str,
    postback: Callable[[str, int], str],
    alt_text: str,
    more_url: str | None = None,
) -> dict:
    """Tasks as one flex carousel message, in the order given (the caller sorts: overdue first).

    More than 12 cards: the first 11, then a 12th bubble "ดูงานทั้งหมด N งาน" linking to more_url (default: the task
    list, base_url + "/tasks").
    """
    if not cards:
        raise ValueError("task_carousel needs at least one card; send nothing (or a text) when there are no tasks")
    overflow = len(cards) > MAX_BUBBLES
    shown = list(cards[: MAX_BUBBLES - 1] if overflow else cards)
    data = [_answer_data(card, postback) for card in shown]

    def bubbles(attempt: tuple[float, bool]) -> list[dict]:
        scale, photo = attempt
        return [_task_bubble(card, base_url, signed if photo or signed is None else
                             {k: v for k, v in signed.items() if k != "photo"}, _limits(scale))
                for card, signed in zip(shown, data, strict=True)]

    # Texts cut further, then (absurd URLs or postback data only) without ส่งรูปหลักฐาน: a photo sent is still
    # offered the tasks.
    tries = [(scale, True) for scale in _CAROUSEL_SCALES] + [(_CAROUSEL_SCALES[-1], False)]
    more = _more_bubble(len(cards), len(shown), more_url or f"{base_url.rstrip('/')}/tasks") if overflow else None
    return _fitted_carousel(tries, bubbles, more, alt_text)


def _fitted_carousel(tries: Sequence[_T], bubbles: Callable[[_T], list[dict]], more: dict | None,
                     alt_text: str) -> dict:
    """A carousel of the first of `tries` whose bubbles (and the `more` bubble last, when given) fit LINE's size
    limit, else of the last. Still too large only with absurd URLs or postback data; validate() says so rather than
    this guessing more."""
    contents: list[dict] = []
    for attempt in tries:
        contents = bubbles(attempt) + ([more] if more is not None else [])
        if _json_bytes({"type": "carousel", "contents": contents}) <= MAX_CAROUSEL_BYTES:
            break
    return flex_message({"type": "carousel", "contents": contents}, alt_text)


ATTACH_LABEL = "แนบกับงานนี้"


def attach_carousel(
    cards: Sequence[TaskCard],
    *,
    base_url: str,
    attach_data: Callable[[int], str],
    alt_text: str,
    more_url: str | None = None,
) -> dict:
    """Tasks to attach a photo or file the person sent to, as one carousel: each bubble's first button attaches it
    (attach_data(task_id): the signed postback), the second opens the task. More than 12: the first 11 and a link to
    the rest on the web, as task_carousel."""
    if not cards:
        raise ValueError("attach_carousel needs at least one card")
    overflow = len(cards) > MAX_BUBBLES
    shown = list(cards[: MAX_BUBBLES - 1] if overflow else cards)
    data = [attach_data(card.id) for card in shown]

    def bubbles(scale: float) -> list[dict]:
        limits = _limits(scale)
        made = []
        for card, signed in zip(shown, data, strict=True):
            bubble = _task_bubble(card, base_url, None, limits)
            button = _postback_button(ATTACH_LABEL, signed, f"{ATTACH_LABEL}: {_short_step(card, limits)}",
                                      style="primary")
            bubble["footer"]["contents"].insert(0, button)
            made.append(bubble)
        return made

    more = _more_bubble(len(cards), len(shown), more_url or f"{base_url.rstrip('/')}/tasks") if overflow else None
    return _fitted_carousel(_CAROUSEL_SCALES, bubbles, more, alt_text)


ACCEPT_LABEL = "ผ่าน"
SEND_BACK_LABEL = "ส่งกลับแก้ไข"
REVIEW_TITLE = "หลักฐานรอตรวจ"
REVIEWS_LABEL = "ตรวจทั้งหมดในเว็บ"


@dataclass(frozen=True)
class ReviewCard:
    """What a LINE card shows of one piece of evidence waiting for a head's review; the caller fills it."""

    id: int  # the evidence's
    task_id: int
    what: str  # its file's name, or its link (tracker.evidence.describe)
    step_text: str  # its task's step
    division_name: str
    author: str  # who added it
    added: date  # the local day it was added


def _review_bubble(card: ReviewCard, base_url: str, data: tuple[str, str], limits: dict[str, int]) -> dict:
    what = _clip(_tidy(card.what), limits["measure"])
    short = _clip(_tidy(card.what), limits["short"])
    accept, send_back = data
    return {
        "type": "bubble",
        "header": _box([_text(REVIEW_TITLE, weight="bold", color=AMBER, wrap=True)]),
        "body": _box(
            [
                _text(what, weight="bold", wrap=True, maxLines=3),
                _text(_clip(f"งาน: {_tidy(card.step_text)}", limits["step"]), size="sm", wrap=True, maxLines=3),
                _text(_clip(_tidy(card.division_name), limits["division"]), size="sm", color=GREY, wrap=True,
                      maxLines=2),
                _text(_clip(f"ส่งโดย {_tidy(card.author)} · {format_date(card.added)}", limits["measure"]),
                      size="sm", color=GREY, wrap=True, maxLines=2),
            ],
            spacing="sm",
        ),
        "footer": _box(
            [
                {"type": "box", "layout": "horizontal", "spacing": "sm", "contents": [
                    _postback_button(ACCEPT_LABEL, accept, f"{ACCEPT_LABEL}: {short}", style="primary"),
                    _postback_button(SEND_BACK_LABEL, send_back, f"{SEND_BACK_LABEL}: {short}", style="secondary",
                                     adjustMode="shrink-to-fit"),
                ]},
                _uri_button(OPEN_LABEL, _task_url(base_url, card.task_id), style="link"),
            ],
            spacing="sm",
        ),
    }


def review_carousel(
    cards: Sequence[ReviewCard],
    *,
    base_url: str,
    postback: Callable[[str, ReviewCard], str],
    total: int,
    alt_text: str,
) -> dict:
    """Evidence waiting for a head as one flex carousel, each with ผ่าน and ส่งกลับแก้ไข (postback(action, card):
    the signed data of "accept" and "sendback") and the task's web link; when more waits than the cards
    (`total`), a last bubble links to the review queue."""
    if not cards:
        raise ValueError("review_carousel needs at least one card")
    shown = list(cards[: MAX_BUBBLES - 1])
    data = [(postback("accept", card), postback("sendback", card)) for card in shown]
    more = None
    if total > len(shown):
        more = _more_bubble(total, len(shown), f"{base_url.rstrip('/')}/reviews")
        more["body"]["contents"][0]["text"] = f"หลักฐานรอตรวจทั้งหมด {total} รายการ"
        more["body"]["contents"][1]["text"] = (f"แสดงที่นี่ {len(shown)} รายการ"
                                               f" อีก {total - len(shown)} รายการตรวจได้ในเว็บ")
        more["footer"]["contents"][0]["action"]["label"] = REVIEWS_LABEL

    def bubbles(scale: float) -> list[dict]:
        limits = _limits(scale)
        return [_review_bubble(card, base_url, signed, limits) for card, signed in zip(shown, data, strict=True)]

    return _fitted_carousel(_CAROUSEL_SCALES, bubbles, more, alt_text)


def tick_confirmation(card: TaskCard, *, base_url: str, undo_data: str) -> dict:
    """The reply after "เสร็จแล้ว": the task, marked done, with an undo button (postback undo_data) and a web link."""
    limits = _limits(1.0)
    short = _short_step(card, limits)
    bubble = {
        "type": "bubble",
        "header": _box([_text(TICKED_TITLE, weight="bold", color=GREEN, wrap=True)]),
        "body": _task_body(card, limits),
        "footer": _box(
            [
                _postback_button(UNDO_LABEL, undo_data, f"ยกเลิก: {short}", style="secondary"),
                _uri_button(OPEN_LABEL, _task_url(base_url, card.id), style="link"),
            ],
            spacing="sm",
        ),
    }
    return flex_message(bubble, f"{TICKED_TITLE}: {_tidy(card.step_text)}")


def text(message: str) -> dict:
    """A plain text message, cut to LINE's 5,000 characters (UTF-16 units, as LINE counts them)."""
    return {"type": "text", "text": _clip(message, MAX_TEXT, ellipsis="")}


def postback_item(label: str, data: str, display_text: str) -> dict:
    """A quick-reply button that sends signed postback data; display_text is what the chat shows the person said
    (LINE requires it on a quick reply)."""
    return {"type": "action", "action": {"type": "postback", "label": _clip(label, MAX_LABEL),
                                         "data": data, "displayText": _clip(display_text, MAX_DISPLAY_TEXT)}}


def camera_item(label: str = CAMERA_LABEL) -> dict:
    """A quick-reply button that opens LINE's camera; the photo taken is sent to the chat as the person's message."""
    return {"type": "action", "action": {"type": "camera", "label": _clip(label, MAX_LABEL)}}


def camera_roll_item(label: str = CAMERA_ROLL_LABEL) -> dict:
    """A quick-reply button that opens the phone's photos (LINE's cameraRoll); those picked are sent to the chat."""
    return {"type": "action", "action": {"type": "cameraRoll", "label": _clip(label, MAX_LABEL)}}


def date_picker_item(label: str, data: str, *, initial: date, earliest: date, latest: date) -> dict:
    """A quick-reply button that opens LINE's date picker between earliest and latest; the postback event carries
    data (signed, without the day) and the day picked in postback.params.date."""
    if not earliest <= initial <= latest:
        raise ValueError(f"the picker's initial day {initial} is not within {earliest} - {latest}")
    action = {"type": "datetimepicker", "label": _clip(label, MAX_LABEL), "data": data, "mode": "date",
              "initial": initial.isoformat(), "min": earliest.isoformat(), "max": latest.isoformat()}
    return {"type": "action", "action": action}


def with_quick_reply(message: dict, items: Sequence[dict]) -> dict:
    """The message with buttons under it (LINE's quick reply: at most 13, gone once one is pressed)."""
    if not 1 <= len(items) <= MAX_QUICK_REPLY_ITEMS:
        raise ValueError(f"a quick reply has 1 to {MAX_QUICK_REPLY_ITEMS} items, not {len(items)}")
    return {**message, "quickReply": {"items": list(items)}}


# --- validation -----------------------------------------------------------------------------------------------------


def _actions(node: Any, path: str = "") -> Iterator[tuple[str, dict]]:
    """Every action object in a message (under "action" or "defaultAction"), with its path."""
    if isinstance(node, dict):
        for key, value in node.items():
            child = f"{path}.{key}" if path else key
            if key in ("action", "defaultAction") and isinstance(value, dict):
                yield child, value
            yield from _actions(value, child)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _actions(value, f"{path}[{i}]")


def _uri_problem(uri: Any) -> str | None:
    if not isinstance(uri, str) or not uri:
        return "has no uri"
    if len(uri) > MAX_URI:
        return f"uri is {len(uri)} characters; LINE allows {MAX_URI}"
    parts = urlsplit(uri)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return f"uri {uri[:60]!r} is not an http(s) URL"
    return None


def _action_problems(path: str, action: dict) -> list[str]:
    problems = []
    label = action.get("label")
    if label is not None and (not isinstance(label, str) or len(label) > MAX_LABEL):
        problems.append(f"{path}.label {label!r} is longer than {MAX_LABEL} characters")
    kind = action.get("type")
    if kind in ("postback", "datetimepicker"):
        data = action.get("data")
        if not isinstance(data, str) or not data:
            problems.append(f"{path} postback has no data")
        elif len(data) > MAX_POSTBACK_DATA:
            problems.append(f"{path}.data is {len(data)} characters; LINE allows {MAX_POSTBACK_DATA}")
        display = action.get("displayText")
        if isinstance(display, str) and len(display) > MAX_DISPLAY_TEXT:
            problems.append(f"{path}.displayText is {len(display)} characters; LINE allows {MAX_DISPLAY_TEXT}")
    if kind == "datetimepicker":
        problems.extend(_picker_problems(path, action))
    elif kind == "uri":
        problem = _uri_problem(action.get("uri"))
        if problem:
            problems.append(f"{path} {problem}")
        alt_uri = action.get("altUri")
        if isinstance(alt_uri, dict) and "desktop" in alt_uri and (problem := _uri_problem(alt_uri["desktop"])):
            problems.append(f"{path}.altUri.desktop {problem}")
    return problems


def _picker_problems(path: str, action: dict) -> list[str]:
    """A datetimepicker's mode, and its initial, min and max written as that mode wants, in order."""
    mode = action.get("mode")
    if mode not in DATE_PICKER_MODES:
        return [f"{path}.mode {mode!r} is not one of {', '.join(DATE_PICKER_MODES)}"]
    problems, values = [], {}
    for field in ("initial", "min", "max"):
        value = action.get(field)
        if value is None:
            continue
        if not isinstance(value, str) or not re.fullmatch(DATE_PICKER_MODES[mode], value):
            problems.append(f"{path}.{field} {value!r} is not how LINE writes a {mode}")
        else:
            values[field] = value.upper()  # ISO text: compared as text, in order
    ordered = [values[f] for f in ("min", "initial", "max") if f in values]
    if ordered != sorted(ordered):
        problems.append(f"{path}: min <= initial <= max does not hold ({', '.join(ordered)})")
    return problems


def _quick_reply_problems(message: dict) -> list[str]:
    """A quick reply's items: at most 13, each an action with a label, a postback one with its displayText."""
    quick = message.get("quickReply")
    if not isinstance(quick, dict):
        return []  # none (or not an object: the SDK round trip reports it)
    items = quick.get("items")
    if not isinstance(items, list) or not items:
        return ["quickReply has no items"]
    problems = []
    if len(items) > MAX_QUICK_REPLY_ITEMS:
        problems.append(f"quickReply has {len(items)} items; LINE allows {MAX_QUICK_REPLY_ITEMS}")
    for i, item in enumerate(items):
        action = item.get("action") if isinstance(item, dict) else None
        if not isinstance(action, dict):
            continue  # the SDK round trip reports it
        if not action.get("label"):
            problems.append(f"quickReply.items[{i}].action has no label")
        if action.get("type") == "postback" and not action.get("displayText"):
            problems.append(f"quickReply.items[{i}].action: a quick reply's postback needs displayText")
    return problems


def _size_problem(what: str, obj: Any, limit: int) -> str | None:
    try:
        size = _json_bytes(obj)
    except (TypeError, ValueError) as exc:
        return f"{what} is not JSON: {exc}"
    return f"{what} is {size:,} bytes of JSON; LINE allows {limit:,}" if size > limit else None


def _flex_problems(message: dict) -> list[str]:
    problems: list[str | None] = []
    alt = message.get("altText")
    if not isinstance(alt, str) or not alt.strip():
        problems.append("flex message has no altText")
    elif _units(alt) > MAX_ALT_TEXT:
        problems.append(f"altText is {_units(alt)} characters; LINE allows {MAX_ALT_TEXT}")
    contents = message.get("contents")
    if not isinstance(contents, dict):
        return [p for p in problems if p]  # the SDK round trip reports it
    if contents.get("type") == "bubble":
        problems.append(_size_problem("the bubble", contents, MAX_BUBBLE_BYTES))
    elif contents.get("type") == "carousel":
        bubbles = contents.get("contents")
        if isinstance(bubbles, list):
            if not bubbles:
                problems.append("the carousel has no bubbles")
            elif len(bubbles) > MAX_BUBBLES:
                problems.append(f"the carousel has {len(bubbles)} bubbles; LINE allows {MAX_BUBBLES}")
            for i, bubble in enumerate(bubbles):
                problems.append(_size_problem(f"bubble {i + 1}", bubble, MAX_BUBBLE_BYTES))
        problems.append(_size_problem("the carousel", contents, MAX_CAROUSEL_BYTES))
    return [p for p in problems if p]


def _drop_none(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _drop_none(v) for k, v in node.items() if v is not None}
    if isinstance(node, list):
        return [_drop_none(v) for v in node]
    return node


def _differences(sent: Any, back: Any, path: str) -> Iterator[str]:
    where = path or "the message"
    if isinstance(sent, dict) and isinstance(back, dict):
        for key in sent:
            child = f"{path}.{key}" if path else key
            if key not in back:
                yield f"unknown field {child!r}: not in LINE's schema (the SDK drops it)"
            else:
                yield from _differences(sent[key], back[key], child)
        for key in back.keys() - sent.keys():
            yield f"{where}: the SDK adds field {key!r}"
    elif isinstance(sent, list) and isinstance(back, list) and len(sent) == len(back):
        for i, (a, b) in enumerate(zip(sent, back, strict=True)):
            yield from _differences(a, b, f"{path}[{i}]")
    elif type(sent) is not type(back) or sent != back:
        yield f"{where}: the SDK reads {sent!r} back as {back!r}"


def _round_trip_problems(model: type[Any], message: dict) -> list[str]:
    """Field names and types, checked against line-bot-sdk's model of the message.

    The SDK's from_dict() picks the fields it knows by their JSON names and ignores the rest, so an unknown or
    misspelt optional field disappears without an error; a misspelt required field ("alttext", "contentss") leaves
    the real one missing, which pydantic rejects; an unknown "type" is rejected by the discriminator lookup. Comparing
    to_dict() with what went in catches all three.
    """
    try:
        back = model.from_dict(message).to_dict()
    except Exception as exc:  # pydantic's ValidationError, ValueError, KeyError, TypeError... all mean "rejected"
        detail = " ".join(str(exc).split())
        return [f"the LINE SDK's {model.__name__} rejects the message: {detail[:300]}"]
    return list(_differences(_drop_none(message), back, ""))


def validate(message: dict) -> list[str]:
    """Every LINE limit this message breaks, in words; an empty list means it can be sent."""
    # Imported here, by the checks (the test suite's), not by the builders every process loads: line-bot-sdk's models
    # take about a second to import.
    from linebot.v3.messaging import FlexMessage, TextMessage

    if not isinstance(message, dict):
        return [f"a message is a JSON object, not {type(message).__name__}"]
    kind = message.get("type")
    if kind == "text":
        body = message.get("text")
        if not isinstance(body, str) or not body:
            problems = ["text message has no text"]
        elif _units(body) > MAX_TEXT:
            problems = [f"text is {_units(body)} characters; LINE allows {MAX_TEXT}"]
        else:
            problems = []
        model: type[Any] = TextMessage
    elif kind == "flex":
        problems = _flex_problems(message)
        model = FlexMessage
    else:
        return [f"message type {kind!r} is not one this app sends (text or flex)"]
    for path, action in _actions(message):
        problems.extend(_action_problems(path, action))
    problems.extend(_quick_reply_problems(message))
    problems.extend(_round_trip_problems(model, message))
    return problems


def validate_request(messages: Sequence[dict]) -> list[str]:
    """validate() for each message of one push or reply, plus LINE's limit of 5 messages a request."""
    problems = []
    if not messages:
        problems.append("a request needs at least one message")
    elif len(messages) > MAX_MESSAGES_PER_REQUEST:
        problems.append(f"{len(messages)} messages in one request; LINE allows {MAX_MESSAGES_PER_REQUEST}")
    for i, message in enumerate(messages):
        problems.extend(f"message {i + 1}: {p}" for p in validate(message))
    return problems
