"""The LINE rich menu: the three buttons under the chat (my tasks, summary, open the web app), set up by
`tracker line setup`.

A rich menu is an image plus tap areas. `draw` paints the image with Pillow in the app's own Sarabun (the WOFF2 files
the web pages use: Pillow's FreeType reads WOFF2 directly, so no TTF is vendored), `rich_menu_request` describes the
areas, and `setup` uploads both through line-bot-sdk and makes the menu everyone's default:

1. create the menu (api.line.me) -> its id;
2. upload the image (api-data.line.me: LINE serves content from its data host);
3. set it as the default menu of every user;
4. delete the menus this app made before (same name), so running the command again replaces, not piles up.

The old menu is deleted only after the new one is the default, so followers never see the chat without a menu; if a
step fails before that, the half-made new menu is deleted instead and the old one stays.
"""
from __future__ import annotations

import io
import json
import logging
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import urllib3
from linebot.v3.messaging import (
    ApiException,
    MessagingApi,
    MessagingApiBlob,
    RichMenuRequest,
)
from PIL import Image, ImageDraw, ImageFont

from .channel import api_client

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 2500, 843  # LINE's compact rich menu size
MAX_IMAGE_BYTES = 1024 * 1024  # LINE refuses rich menu images over 1 MB
NAME = "ita-tracker main menu"  # how setup recognises the menus it made; LINE never shows it to users
CHAT_BAR_TEXT = "เมนู"


BACKGROUND = (0x12, 0x35, 0x5B)  # brand blue #12355B
TEXT = (0xFF, 0xFF, 0xFF)
SUBTEXT = (0xD6, 0xE2, 0xEE)  # the English lines: still above 9:1 on the blue
FAINT = (0xA9, 0xC1, 0xD9)  # the web address under "open web"
DIVIDER = (0x3A, 0x62, 0x8C)
ICON_DISC = (0x1F, 0x4B, 0x7A)

FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"
THAI_FONT = FONTS / "sarabun-thai-700-normal.woff2"
LATIN_FONT = FONTS / "sarabun-latin-700-normal.woff2"

# (Thai label, English line, icon, action). The message texts are what the webhook answers: "งาน" with the sender's
# tasks, "สรุป" with the summary.
BUTTONS = (
    ("งานของฉัน", "My tasks", "tasks", {"type": "message", "label": "งานของฉัน", "text": "งาน"}),
    ("สรุป", "Summary", "chart", {"type": "message", "label": "สรุป", "text": "สรุป"}),
    ("เปิดเว็บ", "Open web", "globe", {"type": "uri", "label": "เปิดเว็บ"}),
)

LABEL_SIZE, LABEL_BASELINE = 150, 585
ENGLISH_SIZE, ENGLISH_BASELINE = 76, 690
HOST_SIZE, HOST_BASELINE = 50, 775
ICON_CENTER_Y, ICON_RADIUS = 245, 150
SIDE_MARGIN = 60


class RichMenuError(Exception):
    """Setting up the rich menu failed; the message says where and why, in Thai first."""


# ----- the image ---------------------------------------------------------------------------------------------------


def area_bounds() -> list[tuple[int, int]]:
    """(x, width) of the three areas: 833, 834, 833 pixels, covering the 2500 exactly."""
    edges = [round(i * WIDTH / 3) for i in range(4)]
    return [(edges[i], edges[i + 1] - edges[i]) for i in range(3)]


@cache
def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(str(path), size)
    except OSError as error:
        # Pillow's wheels build FreeType with brotli, which WOFF2 needs; a FreeType built without it cannot read it.
        raise RichMenuError(f"อ่านฟอนต์ {path.name} ไม่ได้ (FreeType cannot read this WOFF2 font: {error})") from error


def _is_thai(char: str) -> bool:
    return "\u0e00" <= char <= "\u0e7f"


def _runs(text: str) -> list[tuple[str, Path]]:
    """Split text into runs for the Thai subset and the Latin subset of Sarabun (each file has only its script).

    A space continues the run it is in, so a Thai phrase with spaces is shaped as one run."""
    runs: list[tuple[str, Path]] = []
    for char in text:
        path = THAI_FONT if _is_thai(char) else LATIN_FONT
        if runs and (runs[-1][1] == path or char == " "):
            runs[-1] = (runs[-1][0] + char, runs[-1][1])
        else:
            runs.append((char, path))
    return runs


def _text_width(text: str, size: int) -> float:
    return sum(_font(path, size).getlength(run) for run, path in _runs(text))


def _fit(text: str, size: int, max_width: float, min_size: int) -> tuple[str, int]:
    """The largest size from `size` down to `min_size` at which text fits; below that, text is cut with an ellipsis."""
    while size > min_size and _text_width(text, size) > max_width:
        size -= 2
    while len(text) > 1 and _text_width(text, size) > max_width:
        text = text[:-2] + "…"
    return text, size


def _draw_text(draw: ImageDraw.ImageDraw, center_x: float, baseline: int, text: str, size: int, fill) -> None:
    x = center_x - _text_width(text, size) / 2
    for run, path in _runs(text):
        font = _font(path, size)
        draw.text((x, baseline), run, font=font, fill=fill, anchor="ls")
        x += font.getlength(run)


def _icon_mask(kind: str, radius: int, scale: int = 4) -> Image.Image:
    """A white-on-black mask of an icon, drawn `scale` times larger and reduced, so its edges are smooth."""
    size = 2 * radius * scale
    mask = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(mask)
    s = size / 100  # icons are drawn on a 100x100 grid
    line = round(6 * s)

    def box(x0, y0, x1, y1):
        return [round(x0 * s), round(y0 * s), round(x1 * s), round(y1 * s)]

    if kind == "tasks":  # a clipboard with three ticked lines
        d.rounded_rectangle(box(24, 18, 76, 86), radius=round(7 * s), outline=255, width=line)
        d.rounded_rectangle(box(38, 12, 62, 24), radius=round(4 * s), fill=255)
        for row in range(3):
            y = 37 + row * 16
            d.line([(round(33 * s), round(y * s)), (round(37 * s), round((y + 4) * s)),
                    (round(44 * s), round((y - 4) * s))], fill=255, width=round(4 * s), joint="curve")
            d.line([(round(50 * s), round(y * s)), (round(67 * s), round(y * s))], fill=255, width=round(4 * s))
    elif kind == "chart":  # three rising bars on a base line
        for i, top in enumerate((58, 42, 24)):
            x = 27 + i * 17
            d.rounded_rectangle(box(x, top, x + 12, 78), radius=round(2 * s), fill=255)
        d.line([(round(20 * s), round(82 * s)), (round(80 * s), round(82 * s))], fill=255, width=line)
    elif kind == "globe":  # a globe: outline, meridians, parallels
        d.ellipse(box(20, 20, 80, 80), outline=255, width=line)
        d.ellipse(box(37, 20, 63, 80), outline=255, width=round(4 * s))
        d.line([(round(50 * s), round(22 * s)), (round(50 * s), round(78 * s))], fill=255, width=round(4 * s))
        d.line([(round(22 * s), round(50 * s)), (round(78 * s), round(50 * s))], fill=255, width=round(4 * s))
        for y, inset in ((35, 27), (65, 27)):
            d.line([(round(inset * s), round(y * s)), (round((100 - inset) * s), round(y * s))], fill=255,
                   width=round(3 * s))
    else:
        raise ValueError(kind)
    return mask.resize((2 * radius, 2 * radius), Image.Resampling.LANCZOS)


def draw(base_url: str) -> bytes:
    """The rich menu image as PNG bytes: 2500x843, three buttons, the web app's address under "open web".

    Deterministic: the same base_url gives the same bytes (PNG stores no time stamp unless asked)."""
    host = urlsplit(base_url).netloc
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    canvas = ImageDraw.Draw(image)
    for i, ((x, width), (label, english, icon, _)) in enumerate(zip(area_bounds(), BUTTONS, strict=True)):
        center = x + width / 2
        if i:  # a thin divider between buttons, not reaching the edges
            canvas.line([(x, 110), (x, HEIGHT - 110)], fill=DIVIDER, width=4)
        disc = ICON_RADIUS
        canvas.ellipse([center - disc, ICON_CENTER_Y - disc, center + disc, ICON_CENTER_Y + disc], fill=ICON_DISC)
        mask = _icon_mask(icon, 105)
        image.paste(TEXT, (round(center - mask.width / 2), ICON_CENTER_Y - mask.height // 2), mask)
        room = width - 2 * SIDE_MARGIN
        text, size = _fit(label, LABEL_SIZE, room, 90)
        _draw_text(canvas, center, LABEL_BASELINE, text, size, TEXT)
        text, size = _fit(english, ENGLISH_SIZE, room, 50)
        _draw_text(canvas, center, ENGLISH_BASELINE, text, size, SUBTEXT)
        if icon == "globe" and host:
            text, size = _fit(host, HOST_SIZE, room, 36)
            _draw_text(canvas, center, HOST_BASELINE, text, size, FAINT)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    data = out.getvalue()
    if len(data) > MAX_IMAGE_BYTES:  # cannot happen with these flat colours; LINE would refuse it
        raise RichMenuError(f"รูปเมนูใหญ่เกิน 1 MB ({len(data)} bytes)")
    return data


# ----- the menu object ---------------------------------------------------------------------------------------------


def rich_menu_request(base_url: str) -> dict:
    """LINE's rich menu object: three side-by-side areas covering the whole image, shown open by default."""
    split = urlsplit(base_url)
    if split.scheme not in ("http", "https") or not split.netloc or len(base_url) > 1000:
        raise ValueError(f"“{base_url}”: the web app's address must be an http(s) URL of at most 1000 characters")
    areas = []
    for (x, width), (_, _, _, action) in zip(area_bounds(), BUTTONS, strict=True):
        if action["type"] == "uri":
            action = {**action, "uri": base_url}
        areas.append({"bounds": {"x": x, "y": 0, "width": width, "height": HEIGHT}, "action": dict(action)})
    return {
        "size": {"width": WIDTH, "height": HEIGHT},
        "selected": True,
        "name": NAME,
        "chatBarText": CHAT_BAR_TEXT,
        "areas": areas,
    }


# ----- talking to LINE ---------------------------------------------------------------------------------------------


def _describe(error: ApiException) -> str:
    body = error.body.decode("utf-8", "replace") if isinstance(error.body, bytes) else str(error.body or "")
    try:
        parsed = json.loads(body)
    except ValueError:
        return body[:500]
    if not isinstance(parsed, dict):
        return body[:500]
    text = str(parsed.get("message") or body[:500])
    details = [f"{d.get('property', '')}: {d.get('message', '')}" for d in parsed.get("details") or []
               if isinstance(d, dict)]
    return text + (f" ({'; '.join(details)})" if details else "")


def _call(step: str, host: str, function, *args, **kwargs):
    """Run one SDK call; turn LINE's refusals and network failures into a RichMenuError naming the step."""
    try:
        return function(*args, **kwargs)
    except ApiException as error:
        status = error.status or 0
        hint = ""
        if status == 401:
            hint = " — ตรวจ LINE_CHANNEL_ACCESS_TOKEN (the access token was refused)"
        elif status == 403:
            hint = " — ช่องนี้ไม่มีสิทธิ์ทำสิ่งนี้ (the channel may not do this)"
        raise RichMenuError(f"LINE ตอบ {status} ตอน{step}{hint}: {_describe(error)}") from error
    except urllib3.exceptions.HTTPError as error:
        raise RichMenuError(f"ติดต่อ LINE ที่ {host} ไม่ได้ตอน{step} (network error: {type(error).__name__}: {error})"
                            ) from error


def setup(token: str, host: str, data_host: str, base_url: str, timeout: float) -> str:
    """Create the rich menu, upload its image, make it the default, delete this app's older menus; return its id."""
    request = RichMenuRequest.from_dict(rich_menu_request(base_url))
    image = draw(base_url)
    with api_client(host, token) as client, api_client(data_host, token) as data_client:
        api, blob = MessagingApi(client), MessagingApiBlob(data_client)
        created = _call("สร้างเมนู (creating the rich menu)", host, api.create_rich_menu, request,
                        _request_timeout=timeout)
        menu_id = created.rich_menu_id
        try:
            _call("อัปโหลดรูปเมนู (uploading the image)", data_host, blob.set_rich_menu_image, menu_id, body=image,
                  _headers={"Content-Type": "image/png"}, _request_timeout=timeout)
            _call("ตั้งเป็นเมนูหลัก (setting the default menu)", host, api.set_default_rich_menu, menu_id,
                  _request_timeout=timeout)
        except RichMenuError:
            # The old default is untouched; do not leave a half-made menu behind (best effort).
            try:
                api.delete_rich_menu(menu_id, _request_timeout=timeout)
            except (ApiException, urllib3.exceptions.HTTPError) as error:
                log.warning("could not delete the unfinished rich menu %s: %s", menu_id, error)
            raise
        try:
            menus = _call("อ่านรายการเมนู (listing rich menus)", host, api.get_rich_menu_list,
                          _request_timeout=timeout).richmenus
            for menu in menus:
                if menu.name == NAME and menu.rich_menu_id != menu_id:
                    _call(f"ลบเมนูเก่า {menu.rich_menu_id} (deleting an old menu)", host, api.delete_rich_menu,
                          menu.rich_menu_id, _request_timeout=timeout)
        except RichMenuError as error:
            raise RichMenuError(f"ตั้งเมนูใหม่ {menu_id} เป็นเมนูหลักแล้ว แต่ลบเมนูเก่าไม่ได้ — รันคำสั่งอีกครั้งเพื่อลบ "
                                f"(the new menu is the default; old ones remain): {error}") from error
    return menu_id
