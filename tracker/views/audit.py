"""(being written) audit pages."""
from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("audit", __name__)


@bp.get("/audit")
@login_required
def index():
    return "audit"
