"""The shared fixtures keep their promises: `seeded` is a copy of exactly what importing the seed makes, and `app`
alone is an empty migrated database."""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tracker import create_app
from tracker.extensions import db
from tracker.models import Organization, User

from .compile_once import TEMPLATES, compiled_anew
from .conftest import ON_POSTGRESQL, app_settings
from .factories import (
    PASSWORD,
    SEED_PEOPLE,
    TEST_HASH_METHOD,
    count,
    find_seeded,
    login,
    post_form,
    seed_organization,
    user_named,
)

# A moment as the database or an audit snapshot writes it: the one thing two imports of the same file differ in.
MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?(\+00:00)?")


def dump(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, with the moments it was written at blanked out, sorted (the order a link table's
    rows are inserted in is not the same from one import to the next; every other table's rows carry their id)."""
    connection = sqlite3.connect(path)
    try:
        tables = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {
            table: sorted((tuple(MOMENT.sub("<moment>", v) if isinstance(v, str) else v for v in row)
                           for row in connection.execute(f'SELECT * FROM "{table}"')), key=repr)
            for table in tables
        }
    finally:
        connection.close()


def test_app_alone_is_an_empty_migrated_database(app):
    assert count(Organization) == 0 and count(User) == 0


@pytest.mark.skipif(ON_POSTGRESQL, reason="reads the SQLite files of the seeded template and of the test's copy with "
                    "sqlite3; the import it compares with is the same on both databases")
def test_the_seeded_copy_is_what_an_import_makes(app, seeded_template, seed_path):
    made = seed_organization(seed_path)  # into this test's empty database, as the fixture did once per session
    found = find_seeded(made.org.name)
    assert found == made  # the same rows, so the same ids
    assert list(found.users) == [username for username, *_ in SEED_PEOPLE]
    assert [t.id for t in found.tasks_of(found.clerk)] == [t.id for t in made.tasks_of(made.clerk)]
    assert seeded_template.organization == made.org.name
    db.session.remove()
    here = Path(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)
    template = dump(seeded_template.path)
    assert len(template["task"]) == 16 and len(template["user"]) == len(SEED_PEOPLE) and template["audit_event"]
    assert dump(here) == template


def test_seeded_finds_the_rows_of_its_own_copy(seeded, seeded_template):
    assert seeded.org.name == seeded_template.organization
    assert (seeded.clerk.name, seeded.finance.name) == ("สำนักปลัดเทศบาล", "กองคลัง")
    assert len(seeded.tasks_of(seeded.clerk)) == 8 and len(seeded.tasks_of(seeded.finance)) == 2
    assert seeded.plan.organization is seeded.org
    assert count(Organization) == 1 and count(User) == len(SEED_PEOPLE)


def test_only_the_test_people_have_a_cheap_hash_and_the_app_hashes_with_scrypt(app, client, seeded):
    """The seeded people's hash is the suite's cheap one (tests/factories.py); every hash the app makes itself, for a
    person an admin adds or a password changed, is scrypt, and signs in."""
    assert all(user.password_hash.startswith(f"{TEST_HASH_METHOD}$") for user in seeded.users.values())

    assert login(client, "admin").status_code == 302
    added = post_form(client, "/admin/users", {"username": "somchai.k", "display_name": "สมชาย", "role": "staff",
                                               "division": str(seeded.finance.id), "password": "another-horse-77",
                                               "confirm": "another-horse-77"})
    assert added.status_code == 302
    assert user_named("somchai.k").password_hash.startswith("scrypt:")
    assert login(app.test_client(), "somchai.k", "another-horse-77").status_code == 302

    assert login(client, "clerk-staff").status_code == 302
    changed = post_form(client, "/password", {"current": PASSWORD, "new": "a-long-new-pass",
                                              "confirm": "a-long-new-pass"}, token_from="/password")
    assert changed.status_code == 302
    db.session.expire_all()
    assert user_named("clerk-staff").password_hash.startswith("scrypt:")
    assert login(app.test_client(), "clerk-staff", "a-long-new-pass").status_code == 302


def test_every_apps_url_builders_are_the_code_werkzeug_compiles_for_its_rules(app):
    """The suite compiles each URL rule's builder once a session (tests/compile_once.py): a later app's rules get the
    very code Werkzeug would compile for them, bound to their own rule, and build the same URLs."""
    another = create_app(app_settings(DATABASE_URL="sqlite://"))
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 50
    for rule, again in zip(rules, another.url_map.iter_rules(), strict=True):
        assert again is not rule and again.rule == rule.rule
        for append_unknown, built in ((False, again._build), (True, again._build_unknown)):
            assert built.__self__ is again  # bound to its own rule
            assert built.__func__.__code__ == compiled_anew(again, append_unknown).__code__, rule.rule
    with another.test_request_context():
        assert another.url_for("tasks.show", task_id=7, tab="notes") == "/tasks/7?tab=notes"
        assert another.url_for("imports.template", kind="xlsx") == "/imports/template.xlsx"


def test_every_apps_templates_are_the_code_jinja_compiles_for_them(client, seeded):
    """The suite compiles each template once a session (tests/compile_once.py): another app renders from the very code
    its own Jinja environment compiles from the template's source."""
    assert login(client, "mayor").status_code == 302
    assert client.get("/dashboard").status_code == 200  # renders dashboard/index.html, compiled for this test's app
    another = create_app(app_settings(DATABASE_URL="sqlite://"))
    env = another.jinja_env
    assert env.bytecode_cache is TEMPLATES and env is not client.application.jinja_env
    for name in ("dashboard/index.html", "base.html"):
        source, filename, _ = env.loader.get_source(env, name)
        bucket = TEMPLATES.get_bucket(env, name, filename, source)
        assert bucket.code is not None, name  # there: compiled once, for another app
        assert bucket.code == env.compile(source, name, filename), name
        assert env.get_template(name).root_render_func.__code__ in bucket.code.co_consts, name  # rendered from it
