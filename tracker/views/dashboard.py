"""The dashboard: where the organization's plan stands, for the mayor first and everyone who may see it."""
from __future__ import annotations

from flask import Blueprint, abort, request
from flask_login import current_user, login_required

from .. import clock
from .. import dashboard as figures
from ..access import Action, require
from . import calendar
from .pagecache import cached_page

bp = Blueprint("dashboard", __name__)


@bp.get("/dashboard")
@login_required
def index():
    require(current_user, Action.VIEW_ORGANIZATION)

    def compute() -> dict:
        year = request.args.get("year", type=int)
        try:
            # clock.today() through the module: one monkeypatch of tracker.clock.today fixes the day for the page.
            return {"board": figures.build(current_user.organization_id, clock.today(), calendar(), year=year)}
        except figures.NoSuchPlan:
            abort(404)

    return cached_page("dashboard/index.html", compute=compute)
