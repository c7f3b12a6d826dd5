"""Text kept as data in several languages (helpdesk.translated): what a reader sees."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from helpdesk.translated import translated, validate_translations


def impact(**translations: dict[str, str]) -> SimpleNamespace:
    return SimpleNamespace(name="Critical", translations=translations)


def test_a_french_reader_sees_the_french_name_of_an_impact():
    with translation.override("fr"):
        assert translated(impact(fr={"name": "Critique"}), "name") == "Critique"


def test_a_missing_or_blank_translation_falls_back_to_english():
    with translation.override("es"):
        assert translated(impact(fr={"name": "Critique"}), "name") == "Critical"
        assert translated(impact(es={"name": "  "}), "name") == "Critical"


def test_the_language_can_be_named_instead_of_taken_from_the_request():
    assert translated(impact(**{"pt-br": {"name": "Crítico"}}), "name", "pt-br") == "Crítico"


@pytest.mark.parametrize(
    "value",
    [["fr"], {"de": {"name": "Kritisch"}}, {"en": {"name": "Critical"}}, {"fr": {"name": 3}}],
)
def test_translations_that_are_not_text_in_an_other_site_language_are_refused(value):
    with pytest.raises(ValidationError):
        validate_translations(value)


def test_translations_in_the_site_languages_are_accepted():
    validate_translations({"fr": {"name": "Critique"}, "pt-br": {"name": "Crítico"}})
