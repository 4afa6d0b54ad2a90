"""Adding the agency's LINE Official Account as a friend from the phone the page is read on: a link to tap beside the
QR code (a phone cannot scan its own screen), the same address the QR code holds."""
from __future__ import annotations

import re

import pytest

from tracker.extensions import db
from tracker.line.account import add_friend_url

from .factories import login


@pytest.mark.parametrize("basic_id, expected", [
    ("@123abcde", "https://line.me/R/ti/p/@123abcde"),
    ("123abcde", "https://line.me/R/ti/p/@123abcde"),  # one @, whether or not it was typed
    (" @itabkb ", "https://line.me/R/ti/p/@itabkb"),
    ("@a.b_c-d", "https://line.me/R/ti/p/@a.b_c-d"),
    ("@ab/c?d=1#e", "https://line.me/R/ti/p/@ab%2Fc%3Fd%3D1%23e"),  # encoded: nothing of it leaves the path
])
def test_the_add_friend_address(basic_id, expected):
    assert add_friend_url(basic_id) == expected


def _add_friend_links(page: str) -> list[str]:
    return re.findall(r'<a class="button" href="([^"]+)"[^>]*>เพิ่มเพื่อน LINE</a>', page)


def test_the_linking_steps_offer_a_link_to_tap_beside_the_qr_code(client, seeded):
    seeded.org.line_basic_id = "@itabkb"
    db.session.commit()
    login(client, "clerk-staff")
    page = client.get("/profile").get_data(as_text=True)
    assert _add_friend_links(page) == ["https://line.me/R/ti/p/@itabkb"]
    assert "@@" not in page
    step = page[page.index('<ol class="steps">'):page.index("</li>")]  # the first step holds both
    assert "เพิ่มเพื่อน LINE</a>" in step and "/line/qr.svg" in step


def test_no_link_before_the_account_is_set_nor_once_linked(client, seeded):
    login(client, "clerk-staff")
    page = client.get("/profile").get_data(as_text=True)
    assert _add_friend_links(page) == [] and "line.me/R/ti/p" not in page
    seeded.org.line_basic_id = "@itabkb"
    seeded.users["clerk-staff"].line_user_id = "U" + "a" * 32
    db.session.commit()
    assert "line.me/R/ti/p" not in client.get("/profile").get_data(as_text=True)  # linked: no steps to follow
