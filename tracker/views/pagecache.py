"""Pages that are read all day and change a few times a day keep their rendered content between requests.

A page is rendered once and kept (Flask-Caching) under a key that names everything it depends on: the page and its
arguments, the person (what they may do shapes the page, and the menu names them), today (due dates are counted from
it) and the organization's revision, which every change to the agency's rows moves on (models._count_changes). So a
kept page is never stale: the first request after a change renders it anew, the next ones only fetch it.

Two parts belong to the request, not to the page: CSRF tokens and flashed notices. While a page is rendered for
keeping, Flask-WTF's per-request token (documented as cached in `g.csrf_token`) is a marker, and base.html writes a
marker where the notices go; each response puts its own token and notices there.

A page is kept only when it is plain: a GET answered 200, nothing typed in it, no notice that depends on the minute.
"""
from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from flask import Response, g, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from .. import clock
from ..extensions import cache

TOKEN_FRESH_SECONDS = 1800
CSRF_MARKER = "csrf-token-of-the-request"  # what a kept page holds where a form's CSRF token goes
FLASH_MARKER = "<!--flashed-messages-of-the-request-->"  # and where the request's notices go (base.html)


def _key(page: str) -> str:
    organization = current_user.organization
    named = (page, organization.id, organization.revision, clock.today().isoformat(), current_user.id,
             request.path, request.query_string.decode("latin-1"))
    return "page:" + hashlib.sha256(repr(named).encode()).hexdigest()


def _render_for_keeping(template_name: str, context: dict[str, Any]) -> str:
    had = g.pop("csrf_token", None)
    g.csrf_token = CSRF_MARKER  # every form and csrf_token() of this rendering write the marker
    g.keeping_page = True  # base.html writes FLASH_MARKER instead of the notices
    try:
        return render_template(template_name, **context)
    finally:
        g.pop("csrf_token", None)
        g.pop("keeping_page", None)
        if had is not None:
            g.csrf_token = had


def _fill(html: str) -> str:
    """Put the request's own CSRF token and notices into a kept page."""
    notices = render_template("_flashes.html") if session.get("_flashes") else ""
    return html.replace(CSRF_MARKER, generate_csrf()).replace(FLASH_MARKER, notices)


def cached_page(template_name: str, *, compute: Callable[[], dict[str, Any]], keep: bool = True) -> Response:
    """Render `template_name` with the context `compute()` returns, or send what was kept for the same key.

    `keep=False` renders without keeping (a page with a notice that depends on the minute, say).

    The response carries the key as its ETag, so a browser asking again with it gets 304 Not Modified and nothing is
    rendered or sent. The half hour is part of the tag: a page shown again from the browser's copy keeps a CSRF
    token young enough for its forms (Flask-WTF accepts a token for an hour).
    """
    key = _key(template_name)
    etag = hashlib.sha256(f"{key}:{int(time.time()) // TOKEN_FRESH_SECONDS}".encode()).hexdigest()[:32]
    conditional = keep and not session.get("_flashes")  # notices are shown once: never answered from a copy
    if conditional and request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        html = cache.get(key) if keep else None
        if html is None:
            html = _render_for_keeping(template_name, compute())
            if keep:
                cache.set(key, html)
        response = Response(_fill(html), mimetype="text/html")
    if conditional:
        response.set_etag(etag, weak=True)
        # Per person, and asked again every time: the answer is 304 while nothing changed.
        response.headers["Cache-Control"] = "private, no-cache"
    return response


def public_key(page: str, organization: Any) -> str:
    """The key of a public page (or file) of an organization: the same for everyone who asks, so it names no person;
    like a signed-in page's key it names the organization's revision and today, so it is never stale."""
    named = (page, organization.id, organization.revision, clock.today().isoformat())
    return "public:" + hashlib.sha256(repr(named).encode()).hexdigest()
