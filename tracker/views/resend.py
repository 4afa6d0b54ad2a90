"""A form refused for its CSRF token comes back with what was typed, like any other refused form.

A token is refused when the page was left open past the sign-in it belongs to, or the person signed in again
elsewhere in the same browser. The page that comes back (400) says so in Thai, shows what was typed in editable
fields, and offers "ส่งอีกครั้ง": the same fields posted again to the same address with this session's token. A
password is never written back (an empty field asks for it again) and a file has to be chosen again (browsers do
not let a page fill a file field).

The offer is made only to a form sent from this site (the Origin, else the Referer, is ours) by someone signed in:
a forged cross-site post gets the plain refusal, never a button that would send it on the visitor's behalf. Someone
whose sign-in has ended sees what they typed, to copy, and the way to sign in again.
"""
from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.fields.core import UnboundField

from .. import forms

REFUSED = "แบบฟอร์มหมดอายุหรือไม่ถูกต้อง โปรดโหลดหน้าใหม่แล้วลองอีกครั้ง"


@dataclass(frozen=True)
class Field:
    name: str
    value: str
    label: str | None  # shown as a field to check and edit; None: sent again as it was (ids, choices, buttons)


@functools.cache
def _labels() -> tuple[dict[str, str], frozenset[str]]:
    """The labels of the text fields people type into, by field name, and the names of password fields, read from
    the app's form classes (so a new form is covered without a list kept by hand)."""
    labels: dict[str, str] = {}
    passwords: set[str] = set()
    for _, form in inspect.getmembers(forms, inspect.isclass):
        if not issubclass(form, FlaskForm):
            continue
        for name, unbound in inspect.getmembers(form, lambda member: isinstance(member, UnboundField)):
            if issubclass(unbound.field_class, PasswordField):
                passwords.add(name)
            elif issubclass(unbound.field_class, StringField):  # text, text areas, dates typed in BE
                label = unbound.args[0] if unbound.args else unbound.kwargs.get("label")
                labels.setdefault(name, str(label or name))
    return labels, frozenset(passwords)


def _bare(name: str) -> str:
    return name.rsplit("-", 1)[-1]  # a prefixed form's field ("review-12-reason", "y2569-plan_name")


def typed_fields() -> tuple[list[Field], list[Field], list[str]]:
    """What the refused request carried: fields to send again, password fields to fill again, files to choose
    again."""
    labels, passwords = _labels()
    fields: list[Field] = []
    secrets: list[Field] = []
    for name, values in request.form.lists():
        if name == "csrf_token":
            continue
        if _bare(name) in passwords:
            secrets.append(Field(name, "", "รหัสผ่าน"))
            continue
        label = labels.get(_bare(name))
        fields.extend(Field(name, value, label if value else None) for value in values)
    files = [name for name, upload in request.files.items(multi=True) if upload and upload.filename]
    return fields, secrets, files


def _from_this_site() -> bool:
    origin = request.headers.get("Origin") or request.referrer
    if not origin or origin == "null":
        return False
    sent, here = urlsplit(origin), urlsplit(request.host_url)
    return (sent.scheme, sent.netloc) == (here.scheme, here.netloc)


def refused_form(error: Exception) -> tuple[str, int]:
    """The answer to a form refused for its CSRF token (Flask-WTF's CSRFError)."""
    if request.method != "POST" or not _from_this_site():
        return render_template("errors/400.html", message=REFUSED), 400
    fields, secrets, files = typed_fields()
    signed_in = current_user.is_authenticated
    back = request.referrer if request.referrer and _from_this_site() else url_for("tasks.home")
    return render_template("errors/form_expired.html", fields=fields, secrets=secrets, files=files,
                           signed_in=signed_in, action=request.path, back=back,
                           sign_in=url_for("auth.login", next=urlsplit(back).path)), 400
