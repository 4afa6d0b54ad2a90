"""Every link and button is big enough for a thumb on a 360 px phone: at least 44 x 44 CSS px (WCAG 2.5.5, Apple's
Human Interface Guidelines), on every page each role opens, and inside the Thai month grid of a date field.

What is measured: each visible `a`, `button`, `input` (but a hidden one), `select`, `summary` and `[role=button]`, by
its `getBoundingClientRect()`. A checkbox or radio button is measured as its label when the label holds it or names
it (`label[for]`): the label is what a thumb presses, and it toggles the box. Text set apart for screen readers
(`.sr-only`) is not a target anyone taps.

What is exempt (WCAG 2.5.8's inline exception): a link inside running text, whose height the line of the sentence
sets. A link is inline when its nearest block (the nearest ancestor not displayed inline) is a paragraph, a list
item or a description (`p`, `li`, `dd`) holding at least INLINE_WORDS characters of text of its own, outside every
link, button and form control: a sentence around the link. A lone link, a menu, a list or a line of links, a link in
a table cell or a heading is never inline: each must be a full target.
"""
from __future__ import annotations

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Organization, User

from .conftest import SCREENSHOTS, give_session, screenshot

WIDTH, HEIGHT = 360, 780  # a phone
MIN = 44  # CSS px, both ways
INLINE_WORDS = 12  # characters of a block's own text that make a link in it part of a sentence

# Each role the app has, by the seeded person who holds it (tests/factories.py SEED_PEOPLE).
ROLES = ["admin", "mayor", "clerk-head", "clerk-staff"]
SIGNED_OUT = "(signed out)"
# Pages written to test-artifacts/screenshots for a person to look at: the menus, the grid, the board, the task. The
# screen a phone shows as the page opens (menus first); the whole page only for the division's admin page, the one
# no other test writes whole at 360 px (dashboard-phone, board-phone-clerk-head, measure-phone-admin, public-phone,
# day-off-added-phone and due-date-saved-phone are the others, whole).
SHOWN = {("admin", "/admin/settings"): "admin-settings", ("admin", "measure"): "measure-grid",
         ("mayor", "/dashboard"): "dashboard", ("clerk-head", "board"): "board", ("clerk-head", "task"): "task",
         ("admin", "division"): "admin-division", (SIGNED_OUT, "public"): "public"}
WHOLE_PAGE = {("admin", "division")}

# The targets under MIN px within an element (a CSS selector), each named with its size; and whether the page has a
# date field's month-grid button showing (visible as Playwright's `:visible` has it: a box, not visibility:hidden).
SMALL_TARGETS = r"""
({within, min, inlineWords}) => {
  const TARGETS = "a[href], button, input:not([type=hidden]), select, summary, [role=button]";
  const CONTROLS = "a, button, input, select, textarea, summary, [role=button]";
  const isBlock = (node) => !["inline", "inline-block", "inline-flex", "inline-grid", "contents"]
    .includes(getComputedStyle(node).display);
  function ownText(block) {  // the words of a block outside its links and controls
    const copy = block.cloneNode(true);
    copy.querySelectorAll(CONTROLS).forEach((node) => node.remove());
    return copy.textContent.replace(/\s+/g, "");
  }
  function inline(node) {
    if (node.tagName !== "A") return false;
    let block = node.parentElement;
    while (block && !isBlock(block)) block = block.parentElement;
    return Boolean(block) && ["P", "LI", "DD"].includes(block.tagName) && ownText(block).length >= inlineWords;
  }
  function target(node) {  // a checkbox or radio button is pressed through its label
    if (node.matches("input[type=checkbox], input[type=radio]")) {
      const label = node.closest("label") || (node.id && document.querySelector(`label[for="${node.id}"]`));
      if (label) return label;
    }
    return node;
  }
  function named(node) {
    const text = (node.getAttribute("aria-label") || node.innerText || node.value || node.name || "").trim();
    const classes = String(node.className).trim().split(/\s+/).filter(Boolean).map((c) => "." + c).join("");
    const words = text.replace(/\s+/g, " ").slice(0, 40);
    return `<${node.tagName.toLowerCase()}${node.id ? "#" + node.id : classes}> "${words}"`;
  }
  const small = [];
  for (const node of document.querySelector(within).querySelectorAll(TARGETS)) {
    if (!node.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}) || node.closest(".sr-only")) continue;
    if (inline(node)) continue;
    const box = target(node).getBoundingClientRect();
    if (box.width + 0.5 < min || box.height + 0.5 < min) {
      small.push(`${named(node)} ${box.width.toFixed(0)}x${box.height.toFixed(0)}`);
    }
  }
  const datePicker = [...document.querySelectorAll(".be-date-open")].some((node) => {
    const box = node.getBoundingClientRect();
    return node.checkVisibility({visibilityProperty: true}) && box.width > 0 && box.height > 0;
  });
  return {small, datePicker};
}
"""


def small_targets(page, within: str = "body") -> tuple[list[str], bool]:
    """The targets under MIN px within `within`, and whether the page shows a date field's month-grid button: one
    round trip to the browser for the whole page."""
    found = page.evaluate(SMALL_TARGETS, {"within": within, "min": MIN, "inlineWords": INLINE_WORDS})
    return found["small"], found["datePicker"]


def pages_of(app, person_id: int) -> dict[str, str]:
    """The pages a person opens, by name: every GET address without a part to fill in, then a task, a measure, a
    board, a person's and a division's admin page (each one page of its kind)."""
    ids = app.config["TEST_IDS"]
    listed = sorted(rule.rule for rule in app.url_map.iter_rules()
                    if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static")
    return {**{address: address for address in listed}, "task": f"/tasks/{ids['clerk_tasks'][0]}",
            "measure": f"/measures/{ids['clerk_measure']}", "board": f"/divisions/{ids['clerk_division']}",
            "person": f"/admin/users/{person_id}", "division": f"/admin/divisions/{ids['clerk_division']}"}


def date_picker_targets(page, shot: bool) -> list[str]:
    """Open the first date field's Thai month grid, measure what is in it (and with `shot`, write what the screen
    shows), and close it."""
    page.locator(".be-date-open:visible").first.click()
    picker = page.locator(".be-picker:not([hidden])")
    assert picker.is_visible()
    assert picker.locator(".be-picker-prev").is_visible() and picker.locator(".be-picker-next").is_visible()
    small = [f"(month grid) {found}" for found in small_targets(page, ".be-picker:not([hidden])")[0]]
    if shot:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "tap-targets-date-picker-phone.png"))  # the screen, the grid open
    page.keyboard.press("Escape")
    return small


def test_every_link_and_button_is_a_44_px_target_on_a_phone(live_app, new_page, user_agent):
    base = live_app.config["BASE_URL"]
    small: dict[str, list[str]] = {}
    with_picker: set[tuple[str, str]] = set()

    def measure(page, who: str, address: str, name: str) -> None:
        response = page.goto(base + address)
        if not response.headers.get("content-type", "").startswith("text/html"):
            return  # an image (the LINE QR code), a file
        found, date_field = small_targets(page)
        if date_field:
            with_picker.add((who, name))
            found += date_picker_targets(page, shot=(who, name) == ("clerk-head", "task"))
        if found:
            small[f"{who} {address}"] = found
        if (who, name) in SHOWN:
            screenshot(page, f"tap-targets-{SHOWN[who, name]}-phone", full_page=(who, name) in WHOLE_PAGE)

    with live_app.app_context():
        organization_id = db.session.scalar(select(Organization.id))
        person_id = db.session.scalar(select(User.id).where(User.username == "clerk-staff"))
        db.session.remove()
    # One phone, handed from a visitor to each role in turn (a session of each, nothing else kept in between): one
    # browser to start, the CSS and fonts fetched once.
    page = new_page(WIDTH, HEIGHT)
    measure(page, SIGNED_OUT, "/login", "/login")
    measure(page, SIGNED_OUT, f"/o/{organization_id}/2569", "public")
    for role in ROLES:
        give_session(page, live_app, user_agent, role)
        for name, address in pages_of(live_app, person_id).items():
            measure(page, role, address, name)
    # The month grid was opened and measured: a task's due date (a head) and a day off (the admin), at least.
    assert {("clerk-head", "task"), ("admin", "/admin/settings")} <= with_picker
    assert not small, "under 44 x 44 px at 360 px:\n" + "\n".join(
        f"{where}:\n  " + "\n  ".join(found) for where, found in small.items())
