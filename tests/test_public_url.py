"""The address links start with has one home, `organization.public_url`: the PUBLIC_URL setting when it is set, else
the address the organization recorded (`tracker demo --port N`). Every surface that writes a link reads it there: the
reminders, the LINE replies (tasks, summary; the link invitation and the tick-off confirmation through the webhook in
tests/test_line_webhook.py) and the public evidence links of the O26 results. Before, the LINE replies and the
evidence links read PUBLIC_URL directly and pointed at its default port while the demo ran on another."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.line import replies
from tracker.models import Evidence, EvidenceFile, Notification
from tracker.organization import DEFAULT_PUBLIC_URL
from tracker.publish.results import public_evidence_url
from tracker.reminders import outbox

RECORDED = "http://127.0.0.1:8765"
SET_ON_PURPOSE = "https://ita.example.go.th"


def _links(app, seeded) -> dict[str, str]:
    """Every surface's text that carries a link, by surface."""
    head = seeded.users["clerk-head"]
    task = seeded.tasks_of(seeded.clerk)[0]
    evidence = Evidence(organization_id=task.organization_id, task=task, files=[
        EvidenceFile(position=1, file_path="x.pdf", file_name="x.pdf", content_type="application/pdf", size=1)])
    db.session.add(evidence)
    db.session.flush()
    outbox.sweep(seeded.org, clock.today())
    db.session.flush()
    reminders = [text for text, _ in outbox.render_rows(db.session.scalars(select(Notification))).values()]
    assert reminders, "the seed plan has reminders due today"
    return {
        "reminders": "\n".join(reminders),
        "LINE tasks": json.dumps(replies.tasks_reply(head), ensure_ascii=False),
        "LINE summary": replies.summary_text(head),
        "O26 evidence": public_evidence_url(evidence) or "",
    }


@pytest.mark.parametrize("configured, expected", [(DEFAULT_PUBLIC_URL, RECORDED), (SET_ON_PURPOSE, SET_ON_PURPOSE)],
                         ids=["recorded address", "PUBLIC_URL set"])
def test_every_surface_links_to_the_organizations_address(app, linked, on_day, configured, expected):
    on_day(linked.tasks_of(linked.clerk)[0].due_date)
    linked.org.public_url = RECORDED
    app.config["PUBLIC_URL"] = configured
    for surface, text in _links(app, linked).items():
        assert f"{expected}/" in text, surface
        others = {DEFAULT_PUBLIC_URL, RECORDED, SET_ON_PURPOSE} - {expected}
        assert not any(f"{other}/" in text for other in others), surface

