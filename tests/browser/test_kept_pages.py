"""Kept pages never carry another request's form token (issue 18, item 1), in a real Chromium.

The same person on a phone and a desktop is two browser contexts (two sessions) sharing one kept page; a page kept
for longer than a form token lives still saves; a head saves bulk assign and the measure report from a second
device; and every form of every kept page, the pages listed from the code, is posted from a second session. A form
refused for its token all the same comes back with what was typed.
"""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
from itsdangerous.timed import TimestampSigner

from tracker.views import pagecache

from ..conftest import ROOT
from .conftest import screenshot

REFUSED_FOR_TOKEN = "แบบฟอร์มหมดอายุ"


def kept_endpoints() -> list[str]:
    """The endpoints whose page goes through `cached_page`, read from the views' source: a page kept later is
    checked without anyone adding it here."""
    found = []
    for path in sorted((ROOT / "tracker" / "views").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in tree.body:
            if not isinstance(function, ast.FunctionDef):
                continue
            calls = {node.func.id for node in ast.walk(function)
                     if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
            if pagecache.cached_page.__name__ in calls:
                module = importlib.import_module(f"tracker.views.{Path(path).stem}")
                found.append(f"{module.bp.name}.{function.name}")
    return found


KEPT = kept_endpoints()


def test_the_kept_pages_are_found_in_the_code():
    assert {"tasks.show", "tasks.mine", "divisions.board", "measures.show", "dashboard.index"} <= set(KEPT), KEPT


def url_of(live_app, endpoint: str) -> str:
    ids = live_app.config["TEST_IDS"]
    values = {"task_id": ids["clerk_tasks"][0], "division_id": ids["clerk_division"],
              "measure_id": ids["clerk_measure"]}
    with live_app.test_request_context():
        from flask import url_for

        rule = next(live_app.url_map.iter_rules(endpoint))
        return url_for(endpoint, **{name: values[name] for name in rule.arguments})


def two_devices(new_page, username: str, width_first: int = 1280, width_second: int = 360):
    """The same person signed in on a desktop and a phone: two sessions."""
    return new_page(width_first, 900, signed_in_as=username), new_page(width_second, 800, signed_in_as=username)


def save_note(page, note: str) -> None:
    page.get_by_label("บันทึกความคืบหน้า").fill(note)
    page.get_by_role("button", name="บันทึกความคืบหน้า").click()
    page.wait_for_load_state()


def test_the_same_person_saves_a_note_on_the_same_task_from_two_devices(live_app, new_page):
    base = live_app.config["BASE_URL"]
    task = f"{base}/tasks/{live_app.config['TEST_IDS']['clerk_tasks'][0]}"
    desktop, phone = two_devices(new_page, "clerk-staff")
    desktop.goto(task)  # kept now, for this person
    phone.goto(task)  # the kept page, filled with the phone's own token
    save_note(phone, "ถ่ายรูปป้ายประกาศแล้ว (มือถือ)")
    assert "บันทึกความคืบหน้าแล้ว" in phone.locator(".flash").inner_text()
    save_note(desktop, "แนบรายงานการประชุมแล้ว (คอมพิวเตอร์)")
    assert "บันทึกความคืบหน้าแล้ว" in desktop.locator(".flash").inner_text()
    for page in (desktop, phone):
        page.goto(task)
        history = page.locator("main").inner_text()
        assert "ถ่ายรูปป้ายประกาศแล้ว (มือถือ)" in history and "แนบรายงานการประชุมแล้ว (คอมพิวเตอร์)" in history


@pytest.fixture
def clock_hours_later(monkeypatch):
    """Move the clock form tokens are signed and checked by (itsdangerous) on by some hours; the app's own day and
    the sign-in stay as they are."""
    real = TimestampSigner.get_timestamp

    def move(hours: float) -> None:
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) + int(hours * 3600))

    return move


def test_a_page_kept_for_longer_than_a_token_lives_still_saves(live_app, new_page, clock_hours_later):
    base = live_app.config["BASE_URL"]
    task = f"{base}/tasks/{live_app.config['TEST_IDS']['clerk_tasks'][0]}"
    desktop = new_page(1280, 900, signed_in_as="clerk-staff")
    desktop.goto(task)  # kept now, with nothing changing in the agency afterwards
    clock_hours_later(live_app.config["WTF_CSRF_TIME_LIMIT"] / 3600 + 1)
    # Later, the page kept over a token's lifetime ago, opened from a reminder on the phone.
    phone = new_page(360, 800, signed_in_as="clerk-staff")
    phone.goto(task)
    save_note(phone, "ยังดำเนินการอยู่ ช่วงบ่าย")
    assert "บันทึกความคืบหน้าแล้ว" in phone.locator(".flash").inner_text()


def test_a_form_refused_for_its_token_keeps_what_was_typed_and_sends_it_again(live_app, new_page, clock_hours_later):
    base = live_app.config["BASE_URL"]
    task = f"{base}/tasks/{live_app.config['TEST_IDS']['clerk_tasks'][0]}"
    page = new_page(360, 800, signed_in_as="clerk-staff")
    page.goto(task)
    # The page is left open past its token's lifetime, then the note is typed and sent.
    clock_hours_later(live_app.config["WTF_CSRF_TIME_LIMIT"] / 3600 + 1)
    save_note(page, "ส่งเอกสารให้กองคลังตรวจแล้ว")
    assert REFUSED_FOR_TOKEN in page.locator("main").inner_text()
    typed = page.get_by_label("บันทึกความคืบหน้า")
    assert typed.input_value() == "ส่งเอกสารให้กองคลังตรวจแล้ว"
    screenshot(page, "form-expired-360")
    typed.fill("ส่งเอกสารให้กองคลังตรวจแล้ว (แก้ก่อนส่งอีกครั้ง)")
    page.get_by_role("button", name="ส่งอีกครั้ง").click()
    page.wait_for_load_state()
    assert "บันทึกความคืบหน้าแล้ว" in page.locator(".flash").inner_text()
    assert "ส่งเอกสารให้กองคลังตรวจแล้ว (แก้ก่อนส่งอีกครั้ง)" in page.locator("main").inner_text()


def test_a_head_saves_bulk_assign_and_the_measure_report_from_a_second_device(live_app, new_page):
    base = live_app.config["BASE_URL"]
    ids = live_app.config["TEST_IDS"]
    board, measure = f"{base}/divisions/{ids['clerk_division']}", f"{base}/measures/{ids['clerk_measure']}"
    desktop, phone = two_devices(new_page, "clerk-head")
    desktop.goto(board)
    desktop.goto(measure)  # both kept by the desktop's visit

    phone.goto(board)
    phone.locator("input[name=task_ids]").first.check()
    phone.locator("#assignee").select_option(index=1)
    phone.get_by_role("button", name="มอบหมาย", exact=True).click()
    phone.wait_for_load_state()
    assert "แล้ว" in phone.locator(".flash.success").inner_text()

    phone.goto(measure)
    phone.get_by_role("textbox", name="ผลการดำเนินการ").fill("ประชุมชี้แจงเจ้าหน้าที่ครบทุกกองแล้ว")
    phone.get_by_role("button", name="บันทึกผลการดำเนินการ").click()
    phone.wait_for_load_state()
    assert "บันทึกผลการดำเนินการแล้ว" in phone.locator(".flash").inner_text()

    desktop.goto(measure)  # and the desktop, on the page kept anew after the change, saves too
    desktop.get_by_role("textbox", name="ปัญหาอุปสรรค").fill("งบประมาณมาช้า")
    desktop.get_by_role("button", name="บันทึกผลการดำเนินการ").click()
    desktop.wait_for_load_state()
    assert "บันทึกผลการดำเนินการแล้ว" in desktop.locator(".flash").inner_text()


# Posts every form of a page as the browser would send it (FormData, with its first named button as the one
# pressed), sign-out last, and says for each the address and whether it was refused for its token.
POST_EVERY_FORM = """async (REFUSED) => {
  const forms = [...document.querySelectorAll('form')].filter(f => f.method === 'post');
  forms.sort((a, b) => (a.action.endsWith('/logout') ? 1 : 0) - (b.action.endsWith('/logout') ? 1 : 0));
  const answers = [];
  for (const form of forms) {
    const button = form.querySelector('button[name], input[type=submit][name]');
    const body = button ? new FormData(form, button) : new FormData(form);
    const response = await fetch(form.action, {method: 'POST', body, redirect: 'manual'});
    const text = response.type === 'opaqueredirect' ? '' : await response.text();
    answers.push({action: form.action, status: response.status, refused: text.includes(REFUSED)});
  }
  return answers;
}"""


@pytest.mark.parametrize("endpoint", KEPT)
def test_every_form_of_a_kept_page_is_accepted_from_a_second_session(live_app, new_page, endpoint):
    base = live_app.config["BASE_URL"]
    url = base + url_of(live_app, endpoint)
    username = "mayor" if endpoint.startswith("dashboard.") else "clerk-head"
    first, second = two_devices(new_page, username)
    first.goto(url)  # kept by the first session
    second.goto(url)
    assert second.url.startswith(url), second.url  # the page itself, not a redirect
    answers = second.evaluate(POST_EVERY_FORM, REFUSED_FOR_TOKEN)
    assert answers, f"{endpoint}: no form at all (sign-out is on every page)"
    refused = [answer for answer in answers if answer["refused"]]
    assert not refused, f"{endpoint}: refused for the token: {refused}"
