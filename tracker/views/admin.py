"""(being written) admin pages."""
from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("admin", __name__)


@bp.get("/admin/users")
@login_required
def users():
    return "admin"
