"""Small template helpers for the desk's filter bar."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist

from tickets.models import Ticket

register = template.Library()


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    """``mapping|get:key``, empty when missing (filters hold lists of values)."""
    return mapping.get(key, []) if isinstance(mapping, dict) else []


@register.simple_tag
def option_value(option: Any, kind: str) -> str:
    """A filter option's value in the URL: a choice's value, a row's slug or id."""
    if kind == "choices":
        return str(option[0])
    if kind == "slug":
        return str(option.slug)
    return str(option.id)


@register.simple_tag
def option_label(option: Any, kind: str) -> str:
    if kind == "choices":
        return str(option[1])
    label = str(option.label)
    return label if getattr(option, "active", True) else f"{label} (inactive)"


@register.filter
def field_label(name: str) -> str:
    """A history event's field as people read it: "issue_tags" → "Issue tags"."""
    try:
        label = str(getattr(Ticket._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:
        label = name.replace("_", " ")
    return label[:1].upper() + label[1:]
