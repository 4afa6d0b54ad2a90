"""(being written) imports pages."""
from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("imports", __name__)


@bp.get("/imports/new")
@login_required
def new():
    return "imports"
