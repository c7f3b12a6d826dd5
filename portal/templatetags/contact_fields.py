"""Contact Us fields rendered by crispy-forms, the blank ones once per process.

Rendering a field through crispy-forms' Bootstrap templates takes about 1.3 ms,
and the form has about twenty: most of the cost of the Contact Us page. A field
of a form that is not bound and has no initial value renders the same for
everyone (its label, help text, choices, ids), so that HTML is kept per process,
under the catalog's shared version (:data:`catalog.memo.catalog_memo`: a change
to a hub, product or category renders them again; its product's own fields and
its kind of request, which words the description, are part of the key) and the
active language. A one-line text field given an initial value (the browser's
name, "Chrome 156 on Linux", read from its User-Agent) is the blank HTML with
that value, escaped, where Django's input template puts it. Any other field with
a value, and every field of a bound form (its errors), is rendered for each
request, as before.
"""

from __future__ import annotations

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.forms import BaseForm, BoundField
from django.template.context import Context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from catalog.memo import catalog_memo

register = template.Library()


def blank_fields(form: BaseForm) -> dict[str, SafeString]:
    """Each field of a blank form like ``form`` (same class, prefix, chosen product and
    kind of request) as crispy-forms renders it, except those the blank form sets itself
    (its start time, and the product and kind it was given)."""
    chosen = {name: getattr(form, f"chosen_{name}", None) for name in ("product", "category")}
    given = {name: row.pk for name, row in chosen.items() if row is not None}
    # The kind of request words the description: a blank form of each kind has its own.
    slot = (
        "contact-blank-fields",
        type(form).__qualname__,
        form.prefix,
        given.get("product"),
        given.get("category"),
    )

    def render() -> dict[str, SafeString]:
        blank = type(form)(prefix=form.prefix, initial=given)
        return {f.name: as_crispy_field(f) for f in blank if f.name not in blank.initial}

    return catalog_memo.get((*slot, get_language()), render)


def _with_value(piece: SafeString, field: BoundField) -> SafeString | None:
    """The blank ``piece`` of a text input with the field's initial value; None when the
    field is not a plain text input or the piece is not shaped as expected."""
    widget = field.field.widget
    if type(widget) not in (forms.TextInput, forms.EmailInput):
        return None
    value = widget.format_value(field.value())
    name = f'name="{field.html_name}"'
    if piece.count(name) != 1 or " value=" in piece:
        return None
    if value is None:
        return piece
    # As Django's input template writes it: value="{{ widget.value|stringformat:'s' }}".
    with_value = piece.replace(name, f'{name} value="{conditional_escape(value)}"')
    return mark_safe(with_value)  # noqa: S308 - crispy-forms' safe HTML and an escaped value


@register.simple_tag(takes_context=True)
def contact_field(context: Context, field: BoundField) -> SafeString:
    """``field|as_crispy_field``; the HTML kept per process when the field is blank."""
    form = field.form
    if form.is_bound:
        return as_crispy_field(field)
    key = f"contact-blank-fields-{id(form)}"  # looked up once per page, not per field
    pieces = context.render_context.get(key)
    if pieces is None:
        pieces = context.render_context[key] = blank_fields(form)
    piece = pieces.get(field.name)
    if piece is not None and field.name in form.initial:
        piece = _with_value(piece, field)
    return piece if piece is not None else as_crispy_field(field)
