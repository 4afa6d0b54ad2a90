"""One figure per measure, everywhere (issue 18): a head's override of a measure's percent, with its reason, is the
figure the dashboard (the measure's row, the indicator table, the overall), LINE `สรุป`, the executive's weekly
digest, the public page and the three report files show, marked as one; without an override, the tasks done. An
indicator's and the plan's percent combine their measures' shown percents weighted by the plan's weights when every
measure has one, else by their tasks (tracker.progress).
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from html import unescape

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from tracker import tasks
from tracker.extensions import db
from tracker.labels import OVERRIDDEN_PERCENT, WITH_OVERRIDDEN_PERCENT
from tracker.models import Notification, Organization, Source
from tracker.progress import combined_percent, measure_percent
from tracker.publish.documents import OVERALL, PERCENT, PERCENT_REASON
from tracker.reminders import outbox
from tracker.reminders.inputs import load_inputs
from tracker.reminders.policy import week_of

from .factories import post_form, signed_in
from .test_dashboard import fresh_request_state
from .test_documents import normal, pdf_text
from .test_line_webhook import event, last_reply, line, post  # noqa: F401  (line: the fixture of the fake LINE server)

TODAY = date(2026, 3, 30)  # a Monday, the week's first working day: the executive's weekly summary goes out
REASON = "ขั้นตอนที่ 2 ทำไปเกินครึ่งแล้ว"
NOTE = f"{OVERRIDDEN_PERCENT}: {REASON}"


# --- the rule --------------------------------------------------------------------------------------------------


def test_a_measures_percent_is_the_override_with_its_reason_else_its_tasks_done():
    counted = measure_percent(1, 2)
    assert (counted.value, counted.derived, counted.overridden, counted.reason) == (50, 50, False, None)
    overridden = measure_percent(1, 2, 80, REASON)
    assert (overridden.value, overridden.derived, overridden.overridden, overridden.reason) == (80, 50, True, REASON)


@pytest.mark.parametrize("measures, expected, marked", [
    ([], 0, False),
    ([(0, 10, None), (1, 2, None), (0, 4, None)], 6, False),  # no override: the tasks done, 1 of 16 (6.25 %)
    ([(1, 8, None)], 13, False),  # halves round up, as a measure's own percent
    ([(0, 10, None), (1, 2, 80), (0, 4, None)], 10, True),  # 2 tasks at 80 % of 16 tasks: 10 %
    ([(5, 10, None), (0, 2, 100)], 58, True),  # (5 tasks + 2 x 100 %) of 12 tasks: 58.3 %
])
def test_an_indicators_or_the_plans_percent_weighs_each_measures_shown_percent_by_its_tasks(measures, expected,
                                                                                           marked):
    combined = combined_percent(measure_percent(done, total, override, "เหตุผล" if override is not None else None)
                                for done, total, override in measures)
    assert (combined.value, combined.overridden) == (expected, marked)


def test_a_measure_without_tasks_weighs_nothing_unless_none_has_any():
    weightless = combined_percent([measure_percent(0, 0, 90, "x"), measure_percent(1, 4)])
    assert (weightless.value, weightless.overridden) == (25, False)  # an override of nothing changes nothing
    assert combined_percent([measure_percent(0, 0, 90, "x"), measure_percent(0, 0, 40, "y")]).value == 65


# --- the rule with the plan's weights (issue: "a weight makes the measure's percent weighted") -------------------


def _weighed(done: int, total: int, weight: float | None, override: int | None = None,
             draft: tuple[str, ...] | None = None):
    return measure_percent(done, total, override, "เหตุผล" if override is not None else None, weight, draft)


@pytest.mark.parametrize("measures, expected", [
    # 0 % x 50, 50 % x 30, 25 % x 20: 25 %, where by tasks (3 of 16) it would be 19 %
    ([(1, 10, 50), (1, 2, 30), (1, 4, 20)], 25),
    ([(1, 2, 12.5), (0, 2, 12.5)], 25),  # float weights, exactly
    ([(1, 8, 1), (1, 8, 1)], 13),  # 12.5 %: halves round up, as everywhere
    ([(1, 3, 33.3), (2, 3, 33.3), (0, 3, 33.4)], 33),  # 33 % and 67 % and 0 %: 33.3 % (exact, not float's 33.29)
    ([(1, 2, 0.1), (0, 2, 0.2)], 17),  # 50 x 0.1 / 0.3 = 16.67: decimals read as written, not as binary floats
])
def test_when_every_measure_has_a_weight_the_percents_combine_by_weight(measures, expected):
    combined = combined_percent(_weighed(*m) for m in measures)
    assert (combined.value, combined.overridden) == (expected, False)
    # The figure of the tasks is still the tasks': what "เสร็จแล้ว x จาก y งาน" says beside it.
    done, total = sum(m[0] for m in measures), sum(m[1] for m in measures)
    assert (combined.done, combined.total) == (done, total)


def test_a_set_where_some_measure_has_no_weight_combines_by_tasks():
    some = [_weighed(1, 10, 50), _weighed(1, 2, None), _weighed(1, 4, 20)]
    assert combined_percent(some).value == 19  # 3 of 16 tasks, as without any weight
    assert combined_percent(some).value == combined_percent(_weighed(m.done, m.total, None) for m in some).value


def test_an_override_counts_with_its_measures_weight_and_marks_the_whole():
    combined = combined_percent([_weighed(0, 10, 50), _weighed(1, 2, 30, override=80), _weighed(1, 4, 20)])
    assert (combined.value, combined.overridden) == (29, True)  # (0 x 50 + 80 x 30 + 25 x 20) / 100
    # An override of a measure without tasks counts too: a weight is what the measure is worth, not its tasks.
    assert combined_percent([_weighed(0, 0, 50, override=60), _weighed(0, 4, 50)]).value == 30


def test_a_draft_with_a_weight_counts_as_nothing_done_and_is_shown_as_a_draft():
    draft = _weighed(0, 0, 40, draft=("period",))
    assert (draft.value, draft.is_draft) == (0, True)
    combined = combined_percent([_weighed(2, 2, 60), draft])
    assert (combined.value, combined.total) == (60, 2)  # 100 % x 60 + 0 % x 40: the plan promised it, not done
    # Without weights it weighs nothing, as every measure without tasks.
    assert combined_percent([_weighed(2, 2, None), _weighed(0, 0, None, draft=("period",))]).value == 100
    # A head's figure of a draft is a figure: shown as it, counted with the weight.
    overridden = _weighed(0, 0, 40, override=50, draft=("divisions",))
    assert (overridden.value, overridden.is_draft) == (50, False)
    assert combined_percent([_weighed(2, 2, 60), overridden]).value == 80


# --- every surface ---------------------------------------------------------------------------------------------


def _match(pattern: str, text: str) -> str:
    found = re.search(pattern, text, re.S)
    assert found, f"nothing matches {pattern!r}"
    return found.group(0)


def _plain(html: str) -> str:
    """An HTML fragment's text as a person reads it: no tags, one space between words."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _page(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


@dataclass(frozen=True)
class Seen:
    """The measure as the surfaces are searched for it (plain values: each request starts a new session)."""

    id: int
    order: int
    title: str
    indicator: int
    organization_id: int
    mayor_id: int
    mayor_line_id: str


def _surfaces(app, client, mayor, bot, measure: Seen) -> dict[str, tuple[str, str]]:
    """What each surface says of the measure, and of the whole it is counted into (the plan; for the indicator table,
    the indicator): (the measure's part, the whole's part), as text."""
    found: dict[str, tuple[str, str]] = {}
    fresh_request_state()
    page = _page(mayor.get("/dashboard"))
    found["dashboard"] = (_plain(_match(rf'<tr>\s*<th scope="row"><a href="/measures/{measure.id}">.*?</tr>', page)),
                          _plain(_match(r'<div class="stat" id="overall">.*?<progress', page)))
    cell = _match(rf'<th scope="row">{measure.indicator}\. .*?</tr>', page)
    found["indicator table"] = (_plain(_match(r"<a href=\"/measures/.*", cell)),
                                _plain(_match(r"ความก้าวหน้ารวม.*?</strong>(\s*<span.*?</span>)?", cell)))

    fresh_request_state()
    post(client, event("message", user=measure.mayor_line_id,
                       message={"type": "text", "id": "1", "text": "สรุป"}))
    (reply,) = last_reply(bot)
    found["LINE สรุป"] = (_match(rf"(?m)^{measure.order}\. .*$", reply["text"]),
                          _match(r"(?m)^ความก้าวหน้าโดยรวม.*$", reply["text"]))

    mayors = db.session.scalar(select(Notification).where(Notification.recipient_id == measure.mayor_id))
    digest, _ = outbox.render_rows([mayors])[mayors.id]  # the words as the deliverer would send them now
    weekly = digest.split("สรุปประจำสัปดาห์ของหน่วยงาน")[1]
    found["weekly digest"] = (_match(rf"(?m)^{measure.order}\. .*$", weekly),
                              _match(r"(?m)^ความก้าวหน้าโดยรวม.*$", weekly))

    fresh_request_state()
    public = _page(app.test_client().get(f"/o/{measure.organization_id}/2569"))  # nobody signed in
    # (2569's page: its O26 is 2568's results; this 2569 plan's own progress is the #progress section, #p1, ...)
    found["public page"] = (_plain(_match(rf'<article class="card" id="p{measure.order}">.*?</p>', public)),
                            _plain(_match(r"<p>ความคืบหน้ารวม.*?</p>", public)))

    files = {}
    for fmt in ("pdf", "docx", "xlsx"):
        fresh_request_state()
        response = mayor.get(f"/reports/results?year=2569&round=latest&format={fmt}")
        assert response.status_code == 200, fmt
        files[fmt] = response.data
    text = normal(pdf_text(files["pdf"]))
    found["PDF"] = (text, text)  # a table's text comes out line by line across its cells: read whole, spaces out

    document = Document(io.BytesIO(files["docx"]))
    table = max(document.tables, key=lambda t: len(t.columns))
    cells = next(r.cells for r in table.rows if r.cells[0].text.strip().startswith(measure.title[:20]))
    overall = next(p.text for p in document.paragraphs if p.text.startswith(OVERALL))
    found["DOCX"] = (" ".join(cells[6].text.split()), overall)

    rows = list(load_workbook(io.BytesIO(files["xlsx"])).active.iter_rows())
    column = {c.value: c.column - 1 for c in next(r for r in rows if any(c.value == PERCENT for c in r))}
    first = next(r for r in rows if str(r[0].value or "").startswith(measure.title[:20]))
    last = next(r for r in rows if str(r[0].value or "").startswith(OVERALL))
    found["XLSX"] = (f"{round(first[column[PERCENT]].value * 100)}% ({first[column[PERCENT_REASON]].value})",
                     f"{last[0].value} {round(last[column[PERCENT]].value * 100)}%")
    return found


def _shows(text: str, percent: int) -> bool:
    """Tell whether a text shows this percent (not as the end of another number: 6 % is not 16 %, nor 6.2 %)."""
    return re.search(rf"(?<![\d.]){percent}%", text) is not None


def test_a_heads_override_is_the_one_figure_every_surface_shows(app, client, linked, line, on_day):  # noqa: F811
    measure = linked.plan.measures[1]  # two tasks, both สำนักปลัด's; the only measure of indicator 7
    (indicator,) = measure.indicators
    mayor_user = linked.users["mayor"]
    seen = Seen(measure.id, measure.order, measure.title, indicator.number, linked.org.id, mayor_user.id,
                mayor_user.line_user_id)
    measure_id, organization_id = measure.id, linked.org.id
    tasks.tick_off(measure.tasks[0], linked.users["clerk-head"], source=Source.WEB)  # 1 of its 2 tasks: 50 %
    db.session.commit()
    outbox.sweep(linked.org, TODAY)  # the day's digests; their words are rendered from the state when read
    db.session.commit()
    mayor = signed_in(app, "mayor")

    # Counted: 50 % for the measure, its indicator's alone; the plan's 1 task done of 16 is 6 %. Nothing is marked.
    before = _surfaces(app, client, mayor, line, seen)
    assert set(before) == {"dashboard", "indicator table", "LINE สรุป", "weekly digest", "public page", "PDF", "DOCX",
                           "XLSX"}
    for surface, (shown, whole) in before.items():
        if surface == "PDF":
            assert "50%" in shown and "80%" not in shown and normal(f"{OVERALL} 6%") in shown
            assert normal(OVERRIDDEN_PERCENT) not in shown
            continue
        assert _shows(shown, 50) and not _shows(shown, 80), (surface, shown)
        assert OVERRIDDEN_PERCENT not in shown and WITH_OVERRIDDEN_PERCENT not in whole, (surface, shown, whole)
        assert _shows(whole, 50 if surface == "indicator table" else 6), (surface, whole)
    assert before["XLSX"][0] == "50% (-)"
    revision = db.session.get(Organization, organization_id).revision
    mayor.get("/dashboard")  # kept, as it stands

    fresh_request_state()
    head_client = signed_in(app, "clerk-head")
    saved = post_form(head_client, f"/measures/{measure_id}/report",
                      {"progress_override": "80", "progress_reason": REASON}, token_from=f"/measures/{measure_id}")
    assert saved.status_code == 302
    db.session.expire_all()
    # The override moves the organization's revision, which every kept page is keyed on: the dashboard at once.
    assert db.session.get(Organization, organization_id).revision > revision

    # The head's 80 %, marked with the reason everywhere; the plan: 2 tasks at 80 % of 16 tasks is 10 %.
    after = _surfaces(app, client, mayor, line, seen)
    for surface, (shown, whole) in after.items():
        if surface == "PDF":
            assert "80%" in shown and "50%" not in shown
            assert normal(f"({NOTE})") in shown and normal(f"{OVERALL} 10% ({WITH_OVERRIDDEN_PERCENT})") in shown
            continue
        assert _shows(shown, 80) and not _shows(shown, 50), (surface, shown)
        # A spreadsheet gives the reason a column of its own, which says what it is (เหตุผลที่ปรับร้อยละ).
        assert (f"80% ({REASON})" if surface == "XLSX" else f"80% ({NOTE})") in shown, (surface, shown)
        expected = 80 if surface == "indicator table" else 10
        assert _shows(whole, expected) and not _shows(whole, 6), (surface, whole)
        assert WITH_OVERRIDDEN_PERCENT in whole, (surface, whole)


def test_a_plan_with_weights_shows_the_same_weighted_overall_everywhere(app, client, linked, line, on_day):  # noqa: F811
    """Three measures weighted 50/30/20, with 1 of 10, 1 of 2 and 1 of 4 tasks done: 10 %, 50 % and 25 %, so the plan
    is (10 x 50 + 50 x 30 + 25 x 20) / 100 = 25 % on every surface, where by its tasks (3 of 16) it would be 19 %."""
    plan = linked.plan
    for measure, weight in zip(plan.measures, (50, 30, 20), strict=True):
        measure.weight = weight
    clerk_head = linked.users["clerk-head"]
    for measure in plan.measures:
        first = next(t for t in measure.tasks if t.division_id == linked.clerk.id)
        tasks.tick_off(first, clerk_head, source=Source.WEB)
    measure = plan.measures[1]  # indicator 7's only measure
    (indicator,) = measure.indicators
    mayor_user = linked.users["mayor"]
    seen = Seen(measure.id, measure.order, measure.title, indicator.number, linked.org.id, mayor_user.id,
                mayor_user.line_user_id)
    db.session.commit()
    outbox.sweep(linked.org, TODAY)
    db.session.commit()
    mayor = signed_in(app, "mayor")

    found = _surfaces(app, client, mayor, line, seen)
    assert len(found) == 8
    for surface, (shown, whole) in found.items():
        if surface == "PDF":
            assert "50%" in shown and normal(f"{OVERALL} 25%") in shown and normal(f"{OVERALL} 19%") not in shown
            continue
        assert _shows(shown, 50), (surface, shown)
        # The indicator's percent is its one measure's; the plan's is weighted.
        expected = 50 if surface == "indicator table" else 25
        assert _shows(whole, expected) and not _shows(whole, 19), (surface, whole)
        assert WITH_OVERRIDDEN_PERCENT not in whole, (surface, whole)
    # The dashboard's measure row says the weight the figure is counted by.
    assert "น้ำหนัก 30" in found["dashboard"][0]
    # A forecast or a dry run counts the weekly figures from the tasks themselves (policy.week_of): the same 25 %.
    fresh_request_state()
    inputs = load_inputs(db.session.get(Organization, seen.organization_id), TODAY)
    week = week_of([t for t in inputs.tasks if t.plan_id == inputs.summary_plan_id], TODAY, inputs.calendar)
    assert combined_percent(m.percent for m in week.measures).value == 25
