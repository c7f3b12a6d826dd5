"""The demo's staff logins, as a first seeding prints them (or, with DEBUG off, does not).

Each test seeds an empty database itself: the passwords are chosen, and shown,
only when the accounts are created. The staff do not depend on the worked tickets,
so these seed none (``--demo-tickets 0``: partners, people, the knowledge base and
the logins); the tickets' own tests are in test_seed_demo.py.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from demo import seeding

pytestmark = pytest.mark.django_db

DEMO_PASSWORDS = [staff.demo_password for staff in seeding.DEMO_STAFF]


def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", "--demo-tickets", "0", stdout=out)
    return out.getvalue()


def test_with_debug_off_no_password_is_printed_or_guessable(settings):
    settings.DEBUG = False

    output = seed_demo()

    assert "password:" not in output
    assert not any(password in output for password in DEMO_PASSWORDS)
    assert "changepassword" in output
    for staff in seeding.DEMO_STAFF:
        user = User.objects.get(username=staff.username)
        assert user.has_usable_password()
        assert not user.check_password(staff.demo_password)


def test_with_debug_on_the_demo_logins_are_printed_and_work(settings):
    settings.DEBUG = True

    output = seed_demo()

    for staff in seeding.DEMO_STAFF:
        assert f"password: {staff.demo_password}" in output
        assert User.objects.get(username=staff.username).check_password(staff.demo_password)


def test_a_changed_password_is_kept_and_not_printed_again(settings):
    settings.DEBUG = True
    seed_demo()
    amina = User.objects.get(username="amina")
    amina.set_password("something-only-amina-knows")
    amina.save()

    output = seed_demo()

    amina.refresh_from_db()
    assert amina.check_password("something-only-amina-knows")
    assert "demo-amina-2026" not in output
    assert "password: demo-joost-2026" in output
