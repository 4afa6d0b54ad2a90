"""Every test builds its own app (`create_app`), and 90 % of that was Werkzeug compiling, for each of the app's URL
rules, the two small Python functions `url_for` calls to build its URLs (an AST made, then `compile`d): about 25 ms an
app, idle, on this machine, for the same rules every time. Within the test session each function is compiled once and
reused by every later app's rule of the same shape, which makes `create_app` about ten times cheaper.

Only the compiled builder is shared, nothing else: a new app still gets its own Map, its own Rule objects, converters
and view functions; the builder is a plain function of the rule it is bound to (`rule._build = builder.__get__(rule)`)
that reads the rule's own converters through that argument and keeps no state. The key is everything the compiled code
depends on: the rule's text, its parsed parts (`_trace`, static and dynamic), its converters' classes, its defaults
(resolved into constants) and whether unknown arguments become a query string. tests/test_fixtures.py checks that
every builder of the app is the very code Werkzeug compiles for it.

Tests only: the app itself (one process, one app) compiles its rules once anyway.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing.rules import Rule

_compile_builder: Callable[..., Any] | None = getattr(Rule, "_compile_builder", None)
_builders: dict[tuple, Callable[..., Any]] = {}


def builder_key(rule: Rule, append_unknown: bool) -> tuple:
    return (
        type(rule), rule.rule, tuple(rule._trace), append_unknown,
        tuple(sorted((name, type(converter)) for name, converter in rule._converters.items())),
        tuple(sorted((name, type(value), repr(value)) for name, value in (rule.defaults or {}).items())),
    )


def _reused_builder(self: Rule, append_unknown: bool = True) -> Callable[..., Any]:
    key = builder_key(self, append_unknown)
    builder = _builders.get(key)
    if builder is None:
        assert _compile_builder is not None
        builder = _builders[key] = _compile_builder(self, append_unknown)
    return builder


def reuse_url_builders() -> None:
    """Compile each URL builder once per test session (a Werkzeug without `Rule._compile_builder` is left alone)."""
    if _compile_builder is not None:
        Rule._compile_builder = _reused_builder  # type: ignore[method-assign]


def compiled_anew(rule: Rule, append_unknown: bool) -> Callable[..., Any]:
    """The builder Werkzeug itself compiles for `rule`, bypassing the reuse."""
    assert _compile_builder is not None
    return _compile_builder(rule, append_unknown)
