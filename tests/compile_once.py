"""Code the suite's apps compile alike, compiled once per test session instead of once per app.

Every test builds its own app (`create_app`) on its own database. Two things each new app compiled again, from the
same source, to the same Python code:

* Werkzeug's URL builders: for each of the app's URL rules, the two small functions `url_for` calls (an AST made,
  then `compile`d), about 25 ms an app (idle, on the 2-core machine), 90 % of `create_app`;
* the Jinja templates a test renders: Flask's template cache belongs to the app's Jinja environment, so each page was
  compiled again in every test that opened it, about a tenth of a test's time where it renders pages.

Only the compiled code is shared, never an app's objects. A new app still has its own URL map, rules, converters and
views, its own Jinja environment, globals and template cache: a builder is a plain function of the rule it is bound to
(`rule._build = builder.__get__(rule)`) that reads the rule's own converters through that argument and keeps no state;
a template's module code is run anew in each environment, as Jinja's own bytecode caches do. Each key is everything
the code depends on: for a builder the rule's text, its parsed parts (static and dynamic), its converters' classes,
its defaults (made constants) and whether unknown arguments become a query string; for a template its name, file and
source's checksum (Jinja's bucket) and the environment's options that change what is compiled. tests/test_fixtures.py
checks that each shared piece of code is what Werkzeug or Jinja compiles for it.

Tests only: the app itself (one process, one app) compiles each rule once and keeps its templates anyway.
"""
from __future__ import annotations

from collections.abc import Callable
from types import CodeType
from typing import Any

from flask import Flask
from jinja2 import BytecodeCache, Environment
from jinja2.bccache import Bucket
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


def compiled_anew(rule: Rule, append_unknown: bool) -> Callable[..., Any]:
    """The builder Werkzeug itself compiles for `rule`, bypassing the reuse."""
    assert _compile_builder is not None
    return _compile_builder(rule, append_unknown)


class SessionTemplates(BytecodeCache):
    """Jinja's bytecode cache, in memory, for every app of the test session: the code of each template compiled."""

    def __init__(self) -> None:
        self.codes: dict[tuple, CodeType] = {}

    @staticmethod
    def key(bucket: Bucket) -> tuple:
        env: Environment = bucket.environment
        autoescape = getattr(env.autoescape, "__func__", env.autoescape)  # Flask's: a method of each app, the same
        return (bucket.key, bucket.checksum, autoescape, env.optimized, env.is_async, tuple(sorted(env.extensions)),
                env.block_start_string, env.block_end_string, env.variable_start_string, env.variable_end_string,
                env.comment_start_string, env.comment_end_string, env.line_statement_prefix,
                env.line_comment_prefix, env.trim_blocks, env.lstrip_blocks, env.newline_sequence,
                env.keep_trailing_newline, type(env))

    def load_bytecode(self, bucket: Bucket) -> None:
        bucket.code = self.codes.get(self.key(bucket))

    def dump_bytecode(self, bucket: Bucket) -> None:
        assert bucket.code is not None
        self.codes[self.key(bucket)] = bucket.code


TEMPLATES = SessionTemplates()


def compile_once() -> None:
    """From now on in this process: URL builders and templates compiled once (a Werkzeug without
    `Rule._compile_builder` compiles its builders as before)."""
    if _compile_builder is not None:
        Rule._compile_builder = _reused_builder  # type: ignore[method-assign]
    # Flask passes jinja_options to each app's new Jinja environment (Flask.create_jinja_environment).
    Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": TEMPLATES}
