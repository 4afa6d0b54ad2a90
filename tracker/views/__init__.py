"""Thin blueprints: each reads through the domain modules and renders a template."""
from __future__ import annotations

from datetime import date

from flask import Flask, render_template

from ..extensions import db
from ..thai import format_date


def register(app: Flask) -> None:
    """Register blueprints, error pages and the template filters every page uses."""
    from .plans import bp as plans_bp

    app.register_blueprint(plans_bp)

    @app.template_filter("be_date")
    def be_date(value: date | None, long: bool = False) -> str:
        return format_date(value, long=long) if value else ""

    @app.errorhandler(404)
    def not_found(error: Exception):
        return render_template("errors/404.html"), 404

    @app.errorhandler(500)
    def server_error(error: Exception):
        db.session.rollback()
        return render_template("errors/500.html"), 500
