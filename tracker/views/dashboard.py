"""(being written) dashboard pages."""
from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("dashboard", __name__)


@bp.get("/dashboard")
@login_required
def index():
    return "dashboard"
