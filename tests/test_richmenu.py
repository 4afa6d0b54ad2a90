"""The LINE rich menu: its image, its menu object, and `tracker line setup` against fake LINE API and data hosts."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from linebot.v3.messaging import RichMenuRequest
from PIL import Image, ImageChops

from tracker.line import richmenu

from .fake_line import FakeLine

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
BASE_URL = "https://ita.bangkrabue.go.th"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BLUE = (0x12, 0x35, 0x5B)
MENU_ID = r"richmenu-[0-9a-f]{32}"


# ----- the image ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def png() -> bytes:
    return richmenu.draw(BASE_URL)


def test_the_image_is_a_2500x843_png_under_1mb_and_saved_for_a_person_to_see(png):
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "richmenu.png").write_bytes(png)
    assert png.startswith(PNG_SIGNATURE)
    assert 10_000 < len(png) < 1024 * 1024
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.size == (2500, 843)


def test_the_image_is_deterministic(png):
    assert richmenu.draw(BASE_URL) == png


def test_each_area_has_white_text_on_brand_blue_and_the_three_differ(png):
    image = Image.open(io.BytesIO(png)).convert("RGB")
    crops = [image.crop((x, 0, x + width, 843)) for x, width in richmenu.area_bounds()]
    for crop in crops:
        colours = crop.getcolors(maxcolors=1 << 20)
        by_colour = {colour: count for count, colour in colours}
        assert max(by_colour, key=by_colour.get) == BLUE  # the background
        white = by_colour.get((255, 255, 255), 0)
        assert white > 10_000  # icon and Thai label: solid white pixels, not a blank area
        # The label band (where the Thai word sits) has text in it, not just the icon.
        band = crop.crop((0, 440, crop.width, 620)).convert("L")
        assert sum(band.histogram()[241:]) > 5_000
    same_size = [c.crop((0, 0, 833, 843)) for c in crops]
    for a, b in ((0, 1), (1, 2), (0, 2)):
        assert ImageChops.difference(same_size[a], same_size[b]).getbbox() is not None


def test_the_fonts_are_the_apps_own_sarabun_read_from_woff2():
    for path in (richmenu.THAI_FONT, richmenu.LATIN_FONT):
        assert path.suffix == ".woff2"
        assert richmenu._font(path, 40).getname() == ("Sarabun", "Bold")
    # Thai goes to the Thai subset, Latin to the Latin one (each file has only its script's glyphs).
    assert richmenu._runs("เปิดเว็บ ita.go.th") == [("เปิดเว็บ ", richmenu.THAI_FONT), ("ita.go.th", richmenu.LATIN_FONT)]


def test_a_long_web_address_is_shrunk_or_cut_to_fit_its_area():
    address = "https://" + "very-long-subdomain." * 8 + "go.th"
    text, size = richmenu._fit(address.removeprefix("https://"), 50, 713, 36)
    assert size == 36 and text.endswith("…") and richmenu._text_width(text, size) <= 713
    assert richmenu.draw(address).startswith(PNG_SIGNATURE)


# ----- the menu object ---------------------------------------------------------------------------------------------


def test_the_menu_object_is_valid_and_its_areas_tile_the_image():
    request = richmenu.rich_menu_request(BASE_URL)
    assert RichMenuRequest.from_dict(request).to_dict() == request  # the SDK's model takes it whole
    assert request["size"] == {"width": 2500, "height": 843} and request["selected"] is True
    assert request["chatBarText"] == "เมนู" and request["name"] == richmenu.NAME
    assert [a["action"] for a in request["areas"]] == [
        {"type": "message", "label": "งานของฉัน", "text": "งาน"},
        {"type": "message", "label": "สรุป", "text": "สรุป"},
        {"type": "uri", "label": "เปิดเว็บ", "uri": BASE_URL},
    ]
    covered = [[0] * 2500 for _ in range(843)]
    for area in request["areas"]:
        b = area["bounds"]
        assert b["x"] >= 0 and b["y"] >= 0 and b["x"] + b["width"] <= 2500 and b["y"] + b["height"] <= 843
        for y in range(b["y"], b["y"] + b["height"]):
            row = covered[y]
            for x in range(b["x"], b["x"] + b["width"]):
                row[x] += 1
    assert all(count == 1 for row in covered for count in row)  # every pixel in exactly one area
    widths = [a["bounds"]["width"] for a in request["areas"]]
    assert max(widths) - min(widths) <= 1  # equal thirds


@pytest.mark.parametrize("url", ["ftp://example.go.th", "example.go.th", "https://", "https://x.go.th/" + "a" * 1000])
def test_a_web_address_line_would_refuse_is_refused_here(url):
    with pytest.raises(ValueError):
        richmenu.rich_menu_request(url)


# ----- tracker line setup ------------------------------------------------------------------------------------------


class RichMenus:
    """LINE's rich menu endpoints on two FakeLine servers: the API host and the data host (image upload only)."""

    def __init__(self, api: FakeLine, data: FakeLine):
        self.api, self.data = api, data
        self.menus: dict[str, dict] = {}
        self.images: dict[str, tuple[str, bytes]] = {}
        self.default: str | None = None
        self.counter = 0
        # A (status, body) to answer instead of doing the work, as LINE does when it refuses.
        self.create_answer: tuple[int, dict] | None = None
        self.upload_answer: tuple[int, dict] | None = None
        api.add_route("POST", r"/v2/bot/richmenu", self.create)
        api.add_route("GET", r"/v2/bot/richmenu/list", self.list)
        api.add_route("DELETE", rf"/v2/bot/richmenu/({MENU_ID})", self.delete)
        api.add_route("POST", rf"/v2/bot/user/all/richmenu/({MENU_ID})", self.set_default)
        data.add_route("POST", rf"/v2/bot/richmenu/({MENU_ID})/content", self.upload)

    def add(self, menu: dict) -> str:
        self.counter += 1
        menu_id = f"richmenu-{self.counter:032x}"
        self.menus[menu_id] = menu
        return menu_id

    def create(self, request):
        if self.create_answer:
            return self.create_answer[0], {}, self.create_answer[1]
        menu = request["json"]
        if not isinstance(menu, dict) or len(menu.get("areas") or []) < 1:
            return 400, {}, {"message": "The request body has 1 error(s)",
                             "details": [{"message": "must not be empty", "property": "areas"}]}
        return 200, {}, {"richMenuId": self.add(menu)}

    def list(self, request):
        return 200, {}, {"richmenus": [{"richMenuId": i, **m} for i, m in self.menus.items()]}

    def delete(self, request):
        menu_id = request["match"].group(1)
        if self.menus.pop(menu_id, None) is None:
            return 404, {}, {"message": "Not found"}
        self.images.pop(menu_id, None)
        if self.default == menu_id:
            self.default = None
        return 200, {}, {}

    def upload(self, request):
        if self.upload_answer:
            return self.upload_answer[0], {}, self.upload_answer[1]
        menu_id = request["match"].group(1)
        if menu_id not in self.menus:
            return 404, {}, {"message": "Not found"}
        if menu_id in self.images:
            return 400, {}, {"message": "An image has already been uploaded to the rich menu"}
        self.images[menu_id] = (request["headers"].get("content-type"), request["body"])
        return 200, {}, {}

    def set_default(self, request):
        menu_id = request["match"].group(1)
        if menu_id not in self.images:  # LINE refuses a menu without an image
            return 400, {}, {"message": "must upload richmenu image before applying it to user"}
        self.default = menu_id
        return 200, {}, {}


@pytest.fixture
def line(app):
    with FakeLine() as api, FakeLine() as data:
        app.config.update(LINE_CHANNEL_ACCESS_TOKEN=api.token, LINE_API_HOST=api.url, LINE_DATA_HOST=data.url,
                          PUBLIC_URL=BASE_URL, LINE_TIMEOUT_SECONDS="5")
        fake = RichMenus(api, data)
        yield fake
        assert api.errors == [] and data.errors == []


def test_setup_creates_uploads_and_sets_the_default_menu(runner, line, png):
    result = runner.invoke(args=["line", "setup"])
    assert result.exit_code == 0, result.output
    (menu_id,) = line.menus
    assert menu_id in result.output and "คำเตือน" not in result.output
    assert line.menus[menu_id] == richmenu.rich_menu_request(BASE_URL)
    assert line.images[menu_id] == ("image/png", png)  # the same bytes as draw(), as a PNG
    assert line.default == menu_id
    # The image went to the data host, everything else to the API host.
    assert [r["path"] for r in line.data.requests] == [f"/v2/bot/richmenu/{menu_id}/content"]
    assert not any(r["path"].endswith("/content") for r in line.api.requests)
    assert all(r["headers"]["authorization"] == f"Bearer {line.api.token}"
               for r in line.api.requests + line.data.requests)


def test_running_setup_again_replaces_our_menu_and_leaves_others(runner, line):
    other = line.add({**richmenu.rich_menu_request("https://other.example"), "name": "made by someone else"})
    first = runner.invoke(args=["line", "setup"])
    assert first.exit_code == 0, first.output
    (old,) = set(line.menus) - {other}
    second = runner.invoke(args=["line", "setup"])
    assert second.exit_code == 0, second.output
    (new,) = set(line.menus) - {other}
    assert new != old and new in second.output and line.default == new
    assert other in line.menus  # not ours: kept
    assert [r["path"] for r in line.api.requests if r["method"] == "DELETE"] == [f"/v2/bot/richmenu/{old}"]
    # The old menu was deleted only after the new one was the default: users always have a menu.
    paths = [(r["method"], r["path"]) for r in line.api.requests]
    made_default = paths.index(("POST", f"/v2/bot/user/all/richmenu/{new}"))
    assert made_default < paths.index(("DELETE", f"/v2/bot/richmenu/{old}"))


def test_without_a_token_it_refuses_and_sends_nothing(app, runner, line):
    app.config["LINE_CHANNEL_ACCESS_TOKEN"] = None
    result = runner.invoke(args=["line", "setup"])
    assert result.exit_code == 1
    assert "LINE_CHANNEL_ACCESS_TOKEN" in result.output and "ยังไม่ได้ตั้ง" in result.output
    assert line.api.requests == [] and line.data.requests == []


def test_a_refused_token_says_which_setting_to_check(app, runner, line):
    app.config["LINE_CHANNEL_ACCESS_TOKEN"] = "revoked"
    result = runner.invoke(args=["line", "setup"])
    assert result.exit_code == 1
    assert "LINE ตอบ 401 ตอนสร้างเมนู" in result.output and "LINE_CHANNEL_ACCESS_TOKEN" in result.output
    assert "Authentication failed" in result.output and "Traceback" not in result.output


def test_lines_validation_details_are_shown(runner, line):
    line.create_answer = (400, {"message": "The request body has 1 error(s)",
                                "details": [{"message": "Size must be between 1 and 14", "property": "chatBarText"}]})
    result = runner.invoke(args=["line", "setup"])
    assert result.exit_code == 1
    assert "LINE ตอบ 400" in result.output and "chatBarText: Size must be between 1 and 14" in result.output
    assert line.menus == {}


def test_a_failed_upload_removes_the_half_made_menu_and_keeps_the_old_default(runner, line):
    assert runner.invoke(args=["line", "setup"]).exit_code == 0
    (old,) = line.menus
    line.upload_answer = (500, {"message": "Internal server error"})
    result = runner.invoke(args=["line", "setup"])
    assert result.exit_code == 1
    assert "LINE ตอบ 500 ตอนอัปโหลดรูปเมนู" in result.output
    assert set(line.menus) == {old} and line.default == old


def test_an_unreachable_data_host_is_a_clear_network_error(app, runner, line):
    line.data.stop()  # its port now refuses connections
    result = runner.invoke(args=["line", "setup"])
    assert result.exit_code == 1
    assert f"ติดต่อ LINE ที่ {line.data.url} ไม่ได้ตอนอัปโหลดรูปเมนู" in result.output
    assert "Traceback" not in result.output
    assert line.menus == {} and line.default is None  # the menu created on the API host was deleted again


def test_a_local_public_url_gets_a_warning(app, runner, line):
    app.config["PUBLIC_URL"] = "http://127.0.0.1:5000"
    result = runner.invoke(args=["line", "setup"])
    assert result.exit_code == 0, result.output
    assert "คำเตือน" in result.output and "127.0.0.1:5000" in result.output
    (menu,) = line.menus.values()
    assert menu["areas"][2]["action"]["uri"] == "http://127.0.0.1:5000"
