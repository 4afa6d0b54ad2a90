"""The public disclosure page and the results report files: no sign-in, no personal data, stable anchors, current."""
from __future__ import annotations

import io
import re
from datetime import date
from html import unescape

import openpyxl
import pytest

from tracker import evidence, tasks
from tracker.extensions import db
from tracker.models import Evidence, EvidenceFile, Source
from tracker.publish import documents
from tracker.publish.results import ROUND_NAMES

from .factories import login

TODAY = date(2026, 4, 20)  # after the 6-month round (31 March 2569), before the year's end


def _names(seeded) -> None:
    """Give everyone a name that cannot occur in the plan's own words, so finding one on the page means a leak."""
    for i, user in enumerate(seeded.users.values()):
        user.display_name = f"สมมติ{i} นามสกุลทดสอบ{i}"
    db.session.commit()


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _evidence(task, author, **fields) -> Evidence:
    stored = {name: fields.pop(name) for name in ("file_path", "file_name", "content_type") if name in fields}
    if stored:  # a piece's file is a row of its own (EvidenceFile)
        fields["files"] = [EvidenceFile(position=1, size=1, **stored)]
    item = Evidence(task=task, created_by=author, **fields)
    db.session.add(item)
    evidence.start_review(item, author)
    db.session.commit()
    return item


def test_the_public_page_shows_the_plan_and_where_it_stands_to_anyone(app, client, linked, on_day):
    _names(linked)
    head = linked.users["clerk-head"]
    first = linked.tasks_of(linked.clerk)[0]
    tasks.tick_off(first, head, source=Source.WEB)
    db.session.commit()

    response = client.get(f"/o/{linked.org.id}/2569")  # nobody signed in
    assert response.status_code == 200
    page = _text(response)
    assert linked.org.name in page
    for measure in linked.plan.measures:
        assert measure.title in page
        assert f'id="m{measure.order}"' in page
    # One anchor per OIT item of 2569 (plan O25, results O26), and by purpose whatever next year's numbering.
    for anchor in ("O25", "O26", "plan", "results", "ita"):
        assert f'id="{anchor}"' in page
    assert "เสร็จแล้ว" in page and "ยังไม่เริ่ม" in page
    assert f"เสร็จ {TODAY.day} เม.ย. 2569" in page  # the day it was done, in the Buddhist Era


def test_no_person_is_named_on_the_public_page(app, client, linked, on_day):
    _names(linked)
    staff, head = linked.users["clerk-staff"], linked.users["clerk-head"]
    task = linked.tasks_of(linked.clerk)[0]
    tasks.comment(task, staff, "โทรหาคุณสมศรี 081-234-5678 แล้ว", source=Source.WEB)  # a private note
    item = _evidence(task, staff, url="https://www.example.go.th/ita/manual.pdf", note="คู่มือการปฏิบัติงาน")
    evidence.review(item, head, True, None, source=Source.WEB)
    evidence.publish(item, head, True, source=Source.WEB)
    db.session.commit()

    page = _text(client.get(f"/o/{linked.org.id}/2569"))
    for user in linked.users.values():
        assert user.display_name not in page
        assert not re.search(rf"\b{re.escape(user.username)}\b", page)
        assert user.line_user_id and user.line_user_id not in page
    assert "081-234-5678" not in page and "สมศรี" not in page
    assert "https://www.example.go.th/ita/manual.pdf" in page  # the published evidence is there


def test_only_accepted_public_evidence_is_shown_and_served(app, client, linked, on_day):
    staff, head = linked.users["clerk-staff"], linked.users["clerk-head"]
    task = linked.tasks_of(linked.clerk)[0]
    folder = evidence.upload_folder() / str(linked.org.id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.pdf").write_bytes(b"%PDF-1.4 public")
    (folder / "b.pdf").write_bytes(b"%PDF-1.4 private")
    public = _evidence(task, head, file_path=f"{linked.org.id}/a.pdf", file_name="รายงาน.pdf",
                       content_type="application/pdf")
    evidence.publish(public, head, True, source=Source.WEB)
    private = _evidence(task, staff, file_path=f"{linked.org.id}/b.pdf", file_name="บัญชีรายชื่อ.pdf",
                        content_type="application/pdf")
    pending_link = _evidence(task, staff, url="https://drive.example.com/pending")
    db.session.commit()

    page = _text(client.get(f"/o/{linked.org.id}/2569"))
    assert f"/o/{linked.org.id}/evidence/{public.id}" in page
    assert f"/evidence/{private.id}" not in page and "บัญชีรายชื่อ" not in page
    assert pending_link.url not in page

    served = client.get(f"/o/{linked.org.id}/evidence/{public.id}")
    assert served.status_code == 200 and served.data == b"%PDF-1.4 public"
    assert "attachment" in served.headers["Content-Disposition"]
    served.close()  # send_file streams the file: the response holds it open until closed
    assert client.get(f"/o/{linked.org.id}/evidence/{private.id}").status_code == 404
    assert client.get(f"/o/{linked.org.id + 1}/evidence/{public.id}").status_code == 404  # another agency's address

    # Sent back as needing work, it leaves the public page and its file is no longer served.
    evidence.review(public, head, False, "ไฟล์ไม่ครบ", source=Source.WEB)
    db.session.commit()
    assert f"/evidence/{public.id}" not in _text(client.get(f"/o/{linked.org.id}/2569"))
    assert client.get(f"/o/{linked.org.id}/evidence/{public.id}").status_code == 404


def test_the_page_follows_every_change_though_it_is_kept(app, client, linked, on_day):
    url = f"/o/{linked.org.id}/2569"
    measure = linked.plan.measures[0]
    before = _text(client.get(url))
    assert "ผลการดำเนินการ:</strong> -" in before
    measure.result = "จัดทำคู่มือครบ 5 กระบวนงานและเผยแพร่บนเว็บไซต์แล้ว"
    db.session.commit()
    after = _text(client.get(url))
    assert measure.result in after


def test_addresses_that_do_not_exist_are_not_found(app, client, linked, on_day):
    assert client.get(f"/o/{linked.org.id}/2590").status_code == 404  # a year without a plan
    assert client.get("/o/99999/2569").status_code == 404
    assert client.get(f"/o/{linked.org.id}").headers["Location"].endswith(f"/o/{linked.org.id}/2569")


HUGE = "9" * 30  # past any database integer


@pytest.mark.parametrize("year", ["0", "-1", "99999", HUGE, "9" * 5000])
def test_a_year_no_plan_can_be_of_is_not_found_at_every_public_and_report_address(app, client, linked, on_day, year):
    org = linked.org.id
    addresses = [f"/o/{org}/{year}", *(f"/o/{org}/{year}/report-{rnd}.{fmt}" for rnd in ROUND_NAMES
                                       for fmt in documents.FORMATS)]
    login(client, "mayor")
    addresses += [f"/reports/results?year={year}&format={fmt}{extra}" for fmt in documents.FORMATS
                  for extra in ("", "&round=6m", "&round=12m", "&as_of=31/3/2569")]
    for address in addresses:  # a 500 would raise here (the test app lets errors through)
        assert client.get(address).status_code == 404, address
    assert client.get(f"/o/{org}/2569").status_code == 200  # a year a plan can be of, as before


@pytest.mark.parametrize("number", [HUGE, str(2**63), str(2**31)])
def test_an_agency_number_past_any_database_integer_is_not_found(app, client, linked, on_day, number):
    for address in (f"/o/{number}", f"/o/{number}/2569", f"/o/{number}/2569/report-6m.xlsx",
                    f"/o/{number}/evidence/1", f"/o/{linked.org.id}/evidence/{number}"):
        assert client.get(address).status_code == 404, address
    assert client.get(f"/o/{2**31 - 1}/2569").status_code == 404  # the largest an id column holds: none such


def test_the_6_month_report_is_downloadable_and_the_12_month_one_is_not_yet(app, client, linked, on_day):
    xlsx = client.get(f"/o/{linked.org.id}/2569/report-6m.xlsx")
    assert xlsx.status_code == 200
    cells = [str(c.value) for row in openpyxl.load_workbook(io.BytesIO(xlsx.data)).active.iter_rows() for c in row
             if c.value is not None]
    text = " ".join(cells)
    assert linked.plan.measures[0].title in text and "31 มี.ค. 2569" in text
    assert client.get(f"/o/{linked.org.id}/2569/report-12m.xlsx").status_code == 404  # 30 Sep 2569 is to come
    assert client.get(f"/o/{linked.org.id}/2569/report-6m.exe").status_code == 404


def test_the_dashboard_links_to_the_public_page(app, client, linked, on_day):
    login(client, "mayor")
    page = _text(client.get("/dashboard"))
    assert f"/o/{linked.org.id}/2569" in page


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_tracker_report_writes_the_round_asked_for(app, runner, linked, on_day, tmp_path, fmt):
    head = linked.users["clerk-head"]
    for task in linked.tasks_of(linked.clerk)[:2]:
        tasks.tick_off(task, head, source=Source.WEB)
    db.session.commit()
    out = tmp_path / f"report.{fmt}"
    result = runner.invoke(args=["report", "--fiscal-year", "2569", "--as-of", "31 มี.ค. 2569", "--format", fmt,
                                 "-o", str(out), "--signer", "นายทดสอบ ลงนาม"])
    assert result.exit_code == 0, result.output
    assert "รอบ 6 เดือน" in result.output
    # Done on 20 April: after the 6-month round's day, so the round still shows them under way.
    if fmt == "xlsx":
        book = openpyxl.load_workbook(out)
        text = " ".join(str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None)
    else:
        import docx
        document = docx.Document(str(out))
        text = " ".join([p.text for p in document.paragraphs]
                        + [c.text for t in document.tables for r in t.rows for c in r.cells])
    assert linked.plan.measures[0].title.split()[0] in text
    assert "นายทดสอบ ลงนาม" in text and "31 มี.ค. 2569" in text
    assert "กำลังทำ" in text


def test_tracker_report_says_what_is_wrong(app, runner, linked, on_day, tmp_path):
    out = tmp_path / "r.pdf"
    no_plan = runner.invoke(args=["report", "--fiscal-year", "2590", "-o", str(out)])
    assert no_plan.exit_code != 0 and "ไม่มีแผนของปีงบประมาณ 2590" in no_plan.output
    bad_day = runner.invoke(args=["report", "--fiscal-year", "2569", "--as-of", "31 ฟ.ค. 2569", "-o", str(out)])
    assert bad_day.exit_code != 0 and "--as-of" in bad_day.output
    for year in ("0", "-1", "99999"):  # a year no plan can be of: a usage error naming the option, no traceback
        no_year = runner.invoke(args=["report", "--fiscal-year", year, "-o", str(out)])
        assert no_year.exit_code == 2 and "--fiscal-year" in no_year.output and "2400" in no_year.output
        assert no_year.exception is None or isinstance(no_year.exception, SystemExit)
    assert not out.exists()


def test_the_seed_plans_report_reads_back_from_every_format(app, linked, on_day):
    """The must-show of issue 12: the seed plan's report built from the database, in PDF, DOCX and XLSX, read back."""
    from tracker.publish import documents
    from tracker.publish.results import build, public_evidence_url, rounds

    from .test_documents import docx_text, normal, pdf_text, xlsx_text

    head = linked.users["clerk-head"]
    tasks.tick_off(linked.tasks_of(linked.clerk)[0], head, source=Source.WEB)  # done on 20 April 2569
    db.session.commit()
    twelve = rounds(2569)[1]
    report = build(linked.org, 2569, twelve, evidence_url=public_evidence_url, today=TODAY)
    read = {"pdf": pdf_text, "docx": docx_text, "xlsx": xlsx_text}
    for fmt in documents.FORMATS:
        text = normal(read[fmt](documents.render(report, fmt)))
        for measure in linked.plan.measures:
            assert normal(measure.title) in text, (fmt, measure.title)
        for expected in ("รอบ 12 เดือน", "30 ก.ย. 2569", "1 ต.ค. 2568", "เสร็จแล้ว", "ยังไม่เริ่ม",
                         f"เสร็จแล้ว {TODAY.day} เม.ย. 2569"):
            assert normal(expected) in text, (fmt, expected)


def test_a_task_carried_to_the_next_year_reads_so_in_the_years_report(app, linked, on_day):
    from tracker.models import TaskStatus
    from tracker.publish.results import build, public_evidence_url, rounds

    task = linked.tasks_of(linked.clerk)[0]
    task.status = TaskStatus.CARRIED  # as tracker.plans.next_year leaves the old year's task
    db.session.commit()
    report = build(linked.org, 2569, rounds(2569)[1], evidence_url=public_evidence_url, today=TODAY)
    (step,) = [s for m in report.measures for s in m.steps
               if s.text == task.step_text and s.division == task.division.name]
    assert step.status == "ยกไปปีถัดไป" and not step.done


def test_the_dashboards_download_gives_the_round_or_the_day_asked_for(app, client, linked, on_day):
    assert client.get("/reports/results?year=2569&format=xlsx").status_code == 302  # signed in only
    login(client, "mayor")

    def cells(response) -> str:
        book = openpyxl.load_workbook(io.BytesIO(response.data))
        return " ".join(str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None)

    six = client.get("/reports/results?year=2569&format=xlsx&round=6m&signer=นายทดสอบ+ลงนาม")
    assert six.status_code == 200 and "attachment" in six.headers["Content-Disposition"]
    assert "รอบ 6 เดือน" in cells(six) and "นายทดสอบ ลงนาม" in cells(six)
    typed = client.get("/reports/results?year=2569&format=docx&as_of=15/1/2569")
    assert typed.status_code == 200 and typed.mimetype.endswith("wordprocessingml.document")
    bad = client.get("/reports/results?year=2569&format=xlsx&as_of=15/1/2026")  # a Western year
    assert bad.status_code == 400 and "วันที่ของรายงาน" in _text(bad)
    assert client.get("/reports/results?year=2590&format=xlsx").status_code == 404
