"""Pages that are read all day and change a few times a day keep their rendered content between requests.

A page is rendered once and kept (Flask-Caching) under a key that names everything it depends on: the page and its
arguments, the person (what they may do shapes the page, and the menu names them), today (due dates are counted from
it) and the organization's revision, which every change to the agency's rows moves on (models._count_changes). So a
kept page is never stale: the first request after a change renders it anew, the next ones only fetch it.

A kept page holds nothing of the request that rendered it, by construction rather than by care: the whole of the
page's `compute()` (where its forms are built) and its rendering run inside one scope in which the request's values
are markers. Flask-WTF's per-request token (documented as cached in `g.csrf_token`) is CSRF_MARKER there, so every form
and `csrf_token()` built anywhere in that scope writes the marker, and base.html writes FLASH_MARKER where the notices
go; each response puts its own session's token and notices in their place. A page that still carries the request's
token (a form built before `cached_page` was called) is not kept (and is an error in tests). We chose this over not
keeping pages with forms: the task page, the board and the measure page are the pages people open most, all of them
have forms, and keeping them is what makes them cheap (benchmarks/README.md).

The same person on a phone and a desktop has two sessions and shares the kept page; each gets its own token. Tokens
live as long as the sign-in they belong to (WTF_CSRF_TIME_LIMIT, tracker/__init__.py), so a page filled at any time of
a sign-in saves. The browser's own copy (ETag, 304) is per session: after signing in again, the page is sent anew.

A page is kept only when it is plain: a GET answered 200, nothing typed in it, no notice that depends on the minute.
"""
from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Response, current_app, g, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from .. import clock
from ..extensions import cache

log = logging.getLogger(__name__)

CSRF_MARKER = "csrf-token-of-the-request"  # what a kept page holds where a form's CSRF token goes
FLASH_MARKER = "<!--flashed-messages-of-the-request-->"  # and where the request's notices go (base.html)


def _key(page: str) -> str:
    organization = current_user.organization
    named = (page, organization.id, organization.revision, clock.today().isoformat(), current_user.id,
             request.path, request.query_string.decode("latin-1"))
    return "page:" + hashlib.sha256(repr(named).encode()).hexdigest()


class KeptRequestValue(AssertionError):
    """A page about to be kept holds a value of the request that rendered it (its CSRF token)."""


@contextmanager
def _keeping() -> Iterator[None]:
    """The scope in which a page to keep is computed and rendered: the request's token and notices are markers."""
    had = g.pop("csrf_token", None)
    g.csrf_token = CSRF_MARKER  # every form and csrf_token() built in the scope write the marker
    g.keeping_page = True  # base.html writes FLASH_MARKER instead of the notices
    try:
        yield
    finally:
        g.pop("csrf_token", None)
        g.pop("keeping_page", None)
        if had is not None:
            g.csrf_token = had


def _render_for_keeping(template_name: str, compute: Callable[[], dict[str, Any]]) -> tuple[str, bool]:
    """Compute and render a page in the keeping scope; say whether it is clean of the request's token."""
    had = g.get("csrf_token")
    with _keeping():
        html = render_template(template_name, **compute())
    return html, had is None or had not in html


def _fill(html: str) -> str:
    """Put the request's own CSRF token and notices into a kept page."""
    notices = render_template("_flashes.html") if session.get("_flashes") else ""
    return html.replace(CSRF_MARKER, generate_csrf()).replace(FLASH_MARKER, notices)


def cached_page(template_name: str, *, compute: Callable[[], dict[str, Any]], keep: bool = True) -> Response:
    """Render `template_name` with the context `compute()` returns, or send what was kept for the same key.

    `keep=False` renders without keeping (a page with a notice that depends on the minute, say).

    The response carries the key as its ETag, so a browser asking again with it gets 304 Not Modified and nothing is
    rendered or sent. The session and the half of a token's lifetime are part of the tag: the browser's copy holds
    this session's CSRF token, young enough for its forms.
    """
    key = _key(template_name)
    # The browser's copy is this session's (the tag names the session's CSRF secret besides the key) and is sent anew
    # every half of a token's lifetime, so a form shown from it always has a token with time left.
    fresh_for = max(1, (current_app.config["WTF_CSRF_TIME_LIMIT"] or 86400) // 2)
    named = f"{key}:{session.get('csrf_token', '')}:{int(time.time()) // fresh_for}"
    etag = hashlib.sha256(named.encode()).hexdigest()[:32]
    conditional = keep and not session.get("_flashes")  # notices are shown once: never answered from a copy
    if conditional and request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        html = cache.get(key) if keep else None
        if html is None:
            html, clean = _render_for_keeping(template_name, compute)
            if not clean:  # a form built before cached_page(): this page is the request's alone, never kept
                if current_app.testing:
                    raise KeptRequestValue(f"{template_name} holds the request's CSRF token: build its forms in "
                                           "compute()")
                log.error("page %s not kept: it holds the request's CSRF token", template_name)
                keep = conditional = False
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
