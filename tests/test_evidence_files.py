"""A piece of evidence holds several files (EvidenceFile, in order): a set of photos sent in the LINE chat is one piece.
Every surface lists a piece's files, each served by its own id with the piece's permission checks; the same file as
another task's evidence is told file by file; uploads never attached are removed by the daily job after a week."""
from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from jobs import work
from tracker import clock, evidence
from tracker.extensions import db
from tracker.labels import SAME_FILE_ELSEWHERE
from tracker.line import uploads
from tracker.models import Evidence, LineUpload, Role, Source, UploadStatus
from tracker.publish.results import build, public_evidence_url, rounds
from tracker.tasks import add_evidence

from .factories import count, events, login, make_user, other_organization
from .test_query_plans import captured, full_scans


def _stored(organization_id: int, name: str, data: bytes, width: int | None = None,
            height: int | None = None) -> evidence.StoredFile:
    relative = f"{organization_id}/{uuid.uuid4().hex}.png"
    target = evidence.upload_folder() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return evidence.StoredFile(relative, name, "image/png", len(data), sha256=hashlib.sha256(data).hexdigest(),
                               width=width, height=height)


def _photo_set(task, author, count: int = 3, prefix: str = "รูป") -> Evidence:
    files = [_stored(task.organization_id, f"{prefix}{n}.png", f"PNG-{prefix}-{n}".encode(), 10 * n, 5 * n)
             for n in range(1, count + 1)]
    return add_evidence(task, author, source=Source.LINE, files=files)


@pytest.fixture
def photos(seeded):
    """Three photos on the clerk's office's first task, sent by its staff member: one piece, pending review."""
    item = _photo_set(seeded.tasks_of(seeded.clerk)[0], seeded.users["clerk-staff"])
    db.session.commit()
    return item


def test_several_files_are_one_piece_in_order_audited_once(seeded, photos):
    assert [f.file_name for f in photos.files] == ["รูป1.png", "รูป2.png", "รูป3.png"]
    assert [f.position for f in photos.files] == [1, 2, 3]
    assert {f.organization_id for f in photos.files} == {seeded.org.id}
    (audit,) = events("task.evidence")
    assert [f["file_name"] for f in audit.after["files"]] == ["รูป1.png", "รูป2.png", "รูป3.png"]
    assert evidence.describe(photos) == "รูป1.png และอีก 2 ไฟล์"


def test_the_task_page_and_the_review_queue_list_every_file(client, seeded, photos):
    login(client, "clerk-head")
    for url in (f"/tasks/{photos.task_id}", "/reviews"):
        page = unescape(client.get(url).get_data(as_text=True))
        links = [f"/evidence/{photos.id}/files/{f.id}" for f in photos.files]
        assert all(link in page for link in links), url
        assert page.index(links[0]) < page.index(links[1]) < page.index(links[2]), url
        assert "10×5 px" in page and "30×15 px" in page and "3 ไฟล์" in page, url


def test_each_file_is_served_by_its_own_id_to_whoever_sees_the_task(client, seeded, photos):
    login(client, "clerk-staff")
    for file in photos.files:
        with client.get(f"/evidence/{photos.id}/files/{file.id}") as served:
            assert served.status_code == 200 and served.data == evidence.path_of(file.file_path).read_bytes()
            assert "attachment" in served.headers["Content-Disposition"]
    with client.get(f"/evidence/{photos.id}") as first:  # an address made before: the piece's first file
        assert first.data == evidence.path_of(photos.files[0].file_path).read_bytes()
    other = _photo_set(seeded.tasks_of(seeded.clerk)[1], seeded.users["clerk-staff"], 1, "อื่น")
    db.session.commit()
    # Another piece's file under this piece's address is not found.
    assert client.get(f"/evidence/{photos.id}/files/{other.files[0].id}").status_code == 404
    login(client, "finance-staff")
    assert client.get(f"/evidence/{photos.id}/files/{photos.files[1].id}").status_code == 403
    other_organization()
    login(client, "other-head")
    assert client.get(f"/evidence/{photos.id}/files/{photos.files[1].id}").status_code == 404


def test_a_public_piece_lists_each_file_on_the_public_page(app, client, seeded, photos):
    head = seeded.users["clerk-head"]
    org = seeded.org.id
    file = photos.files[2]
    assert client.get(f"/o/{org}/evidence/{photos.id}/files/{file.id}").status_code == 404  # not public yet
    evidence.review(photos, head, True, None, source=Source.WEB)
    evidence.publish(photos, head, True, source=Source.WEB)
    db.session.commit()
    with client.get(f"/o/{org}/evidence/{photos.id}/files/{file.id}") as served:
        assert served.status_code == 200 and served.data == evidence.path_of(file.file_path).read_bytes()
    assert client.get(f"/o/{org + 1}/evidence/{photos.id}/files/{file.id}").status_code == 404
    report = build(seeded.org, 2569, rounds(2569)[1], evidence_url=public_evidence_url, today=clock.today())
    links = [link for measure in report.measures for link in measure.evidence]
    assert [link.url for link in links] == [public_evidence_url(photos, f) for f in photos.files]
    assert [link.label for link in links] == ["รูป1.png (1/3)", "รูป2.png (2/3)", "รูป3.png (3/3)"]


def test_the_same_file_elsewhere_is_told_file_by_file(client, seeded, photos):
    staff = seeded.users["clerk-staff"]
    task = seeded.tasks_of(seeded.clerk)[1]
    again = add_evidence(task, staff, source=Source.LINE, files=[
        _stored(task.organization_id, "ใหม่.png", b"PNG-new"),
        _stored(task.organization_id, "ซ้ำ.png", "PNG-รูป-2".encode()),  # รูป2.png's bytes
    ])
    db.session.commit()
    assert again.files[1].sha256 == photos.files[1].sha256
    assert evidence.same_file_elsewhere([again]) == {again.files[1].id}
    assert evidence.same_file_elsewhere([photos, again]) == {photos.files[1].id, again.files[1].id}
    login(client, "clerk-head")
    page = client.get("/reviews").get_data(as_text=True)
    assert page.count(SAME_FILE_ELSEWHERE) == 2 and f'id="same-file-{again.files[1].id}"' in page
    assert f'id="same-file-{again.files[0].id}"' not in page


def test_the_queue_with_files_costs_a_fixed_number_of_indexed_queries(client, seeded, photos):
    def cost() -> tuple[int, list[str]]:
        client.get("/reviews")
        with captured() as statements:
            assert client.get("/reviews").status_code == 200
        return len(statements), full_scans(statements)

    login(client, "clerk-head")
    small, scans = cost()
    assert scans == []
    authors = [make_user(seeded.org, f"photo-staff-{n}", Role.STAFF, seeded.clerk) for n in range(3)]
    db.session.flush()
    for n, task in enumerate(seeded.tasks_of(seeded.clerk)[2:6]):
        _photo_set(task, authors[n % len(authors)], 2 + n, f"ชุด{n}-")
    db.session.commit()
    large, scans = cost()
    assert large == small and scans == []


# --- uploads never attached: the daily cleanup ---------------------------------------------------------------------


def _upload(user, message_id: str, status: UploadStatus, days_ago: int, *, with_file: bool = True) -> LineUpload:
    stored = _stored(user.organization_id, f"{message_id}.png", message_id.encode()) if with_file else None
    upload = LineUpload(organization_id=user.organization_id, user_id=user.id, message_id=message_id, kind="image",
                        status=status, created_at=clock.now() - timedelta(days=days_ago),
                        file_path=stored.path if stored else None, file_name=stored.name if stored else None)
    db.session.add(upload)
    return upload


def test_uploads_never_attached_for_over_a_week_are_removed_with_their_files(seeded, caplog):
    staff = seeded.users["clerk-staff"]
    _, _, their_head, _ = other_organization()
    old_stored = _upload(staff, "m1", UploadStatus.STORED, 8)
    _upload(staff, "m2", UploadStatus.WAITING, 9, with_file=False)
    theirs = _upload(their_head, "m3", UploadStatus.STORED, 30)  # every agency's, by the daily job
    recent = _upload(staff, "m4", UploadStatus.STORED, 6)
    attached = _upload(staff, "m5", UploadStatus.ATTACHED, 60)
    refused = _upload(staff, "m6", UploadStatus.REFUSED, 60, with_file=False)
    db.session.commit()
    gone = [evidence.path_of(u.file_path) for u in (old_stored, theirs)]
    kept = [evidence.path_of(u.file_path) for u in (recent, attached)]

    with caplog.at_level(logging.INFO, logger="tracker.line.uploads"):
        assert uploads.remove_unattached() == (3, 2)
    assert "removed 3 LINE uploads never attached for over 7 days, with 2 files" in caplog.text
    assert not any(path.exists() for path in gone) and all(path.exists() for path in kept)
    left = set(db.session.scalars(sa.select(LineUpload.message_id)))
    assert left == {recent.message_id, attached.message_id, refused.message_id}
    assert uploads.remove_unattached() == (0, 0)  # nothing more to do


def test_the_daily_job_removes_them_after_the_reminders(app, seeded, monkeypatch):
    staff = seeded.users["clerk-staff"]
    _upload(staff, "m7", UploadStatus.STORED, 8)
    db.session.commit()
    order: list[str] = []
    monkeypatch.setattr(work, "send_todays_reminders", lambda: order.append("reminders"))
    removing = uploads.remove_unattached
    monkeypatch.setattr(uploads, "remove_unattached", lambda: order.append("cleanup") or removing())
    assert work.daily_reminders() is True
    assert order == ["reminders", "cleanup"] and count(LineUpload) == 0


def test_a_failing_cleanup_never_stops_the_daily_reminders(app, monkeypatch, caplog):
    monkeypatch.setattr(work, "send_todays_reminders", lambda: None)

    def broken():
        raise RuntimeError("disk")

    monkeypatch.setattr(uploads, "remove_unattached", broken)
    assert work.daily_reminders() is True and work.sweep_owed() is None
    assert "unattached LINE uploads could not be removed" in caplog.text
