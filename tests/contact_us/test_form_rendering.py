"""Contact Us renders its blank fields once per process, and they stay what crispy-forms renders."""

from __future__ import annotations

import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django.template import Context, Template

from portal.forms import ContactForm
from tests import factories

pytestmark = pytest.mark.django_db

TAG = Template(
    "{% load contact_fields %}{% for field in form %}{% contact_field field %}|{% endfor %}"
)
AWKWARD = 'Mozilla/5.0 <b>"quoted" & \'single\'</b> name="env_computer"'
CHROME_ON_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Safari/537.36"
)


def rendered_by_the_tag(form: ContactForm) -> list[str]:
    return TAG.render(Context({"form": form})).split("|")[:-1]


def rendered_by_crispy(form: ContactForm) -> list[str]:
    return [str(as_crispy_field(field)) for field in form]


@pytest.mark.parametrize(
    "initial",
    [
        {},
        {"env_computer": AWKWARD},
        {"env_computer": ""},
        {"product": factories.product, "category": factories.category, "subject": "Export <b>"},
        {"product": "999999", "hub": "not a number"},
        {"category": lambda: factories.category("question"), "env_computer": "Chrome 156 on Linux"},
        {"category": lambda: factories.category("feature-request"), "product": factories.product},
    ],
    ids=[
        "blank",
        "user-agent",
        "empty-user-agent",
        "from-a-link",
        "unknown-choices",
        "a-question",
        "a-feature-request",
    ],
)
def test_every_field_is_what_crispy_forms_renders_for_a_form_not_sent_yet(initial):
    values = {name: value().pk if callable(value) else value for name, value in initial.items()}
    values["started"] = "the same start for both forms"  # else a token of the current second

    assert rendered_by_the_tag(ContactForm(initial=values)) == rendered_by_crispy(
        ContactForm(initial=values)
    )


def test_every_field_of_a_form_with_errors_is_what_crispy_forms_renders():
    data = {"email": "not an address", "product": factories.product().pk, "subject": "a\nb"}

    by_tag, by_crispy = ContactForm(data=data), ContactForm(data=data)
    by_tag.is_valid(), by_crispy.is_valid()

    assert rendered_by_the_tag(by_tag) == rendered_by_crispy(by_crispy)
    assert "is-invalid" in "".join(rendered_by_the_tag(by_tag))


def test_each_kind_of_request_gets_its_own_blank_fields(client):
    """The memo keeps a blank form per kind: the description is worded for each."""
    for kind, label in (
        ("bug", "Anything else we should know"),
        ("question", "Your question"),
        ("feature-request", "Describe your idea"),
        ("bug", "Anything else we should know"),
    ):
        page = client.get(f"/contact/?category={kind}").content.decode()
        found = re.search(r'<label\s+for="id_description"[^>]*>\s*([^<]*?)\s*<', page)
        assert found is not None
        assert found.group(1) == label


def test_a_catalog_change_shows_on_the_next_page(client):
    flow = factories.product("akvo-flow")
    assert "Akvo Flow" in client.get("/contact/").content.decode()

    flow.name = "Akvo Flow Next"
    flow.report_fields = [{"name": "imei", "label": "Phone serial", "help": ""}]
    flow.save()

    page = client.get("/contact/").content.decode()
    assert "Akvo Flow Next" in page
    fragment = client.get(f"/contact/product-fields?product={flow.pk}").content.decode()
    assert "Phone serial" in fragment


def test_the_page_asks_the_database_nothing_once_the_catalog_is_read(
    client, django_assert_num_queries
):
    client.get("/contact/")

    with django_assert_num_queries(0):
        page = client.get("/contact/", headers={"user-agent": CHROME_ON_LINUX}).content.decode()

    assert 'name="env_computer" value="Chrome 156 on Linux"' in page
    assert "AppleWebKit" not in page
