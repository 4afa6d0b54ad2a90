"""What people type, checked the same way everywhere: one-line names and free text within a length, refused with a
Thai message that names the field."""
from __future__ import annotations

from typing import Any, Literal, overload

from .errors import DomainError

MAX_TEXT = 2000  # a note, a comment, a reason


# Overloads: a required field is never None, which the callers' types can then rely on.
@overload
def one_line(value: str | None, what: str, max_length: int, *, required: Literal[True]) -> str: ...
@overload
def one_line(value: str | None, what: str, max_length: int, *, required: bool = False) -> str | None: ...
def one_line(value: str | None, what: str, max_length: int, *, required: bool = False) -> str | None:
    """Return a name on one line with single spaces (it is shown in lists and menus), or None when empty."""
    value = " ".join((value or "").split())
    return _checked(value, what, max_length, required)


@overload
def free_text(value: str | None, what: str, max_length: int = MAX_TEXT, *, required: Literal[True]) -> str: ...
@overload
def free_text(value: str | None, what: str, max_length: int = MAX_TEXT, *, required: bool = False) -> str | None: ...
def free_text(value: str | None, what: str, max_length: int = MAX_TEXT, *, required: bool = False) -> str | None:
    """Return a note as typed, trimmed (line breaks kept), or None when empty."""
    return _checked((value or "").strip(), what, max_length, required)


def _checked(value: str, what: str, max_length: int, required: bool) -> str | None:
    if required and not value:
        raise DomainError(f"ต้องระบุ{what}")
    if len(value) > max_length:
        raise DomainError(f"{what}ยาวเกิน {max_length} ตัวอักษร")
    return value or None


def changed(before: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Tell whether any wanted value differs from the row's snapshot before the change."""
    return any(before.get(key) != value for key, value in wanted.items())
