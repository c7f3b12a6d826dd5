"""The portal's home page: self-help first, then a clear way to contact support."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from catalog.models import Category, Impact, Product
from tickets.sla.promises import promised_targets


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/home.html",
        {
            "products": Product.objects.active(),
            "categories": Category.objects.active(),
            # Each impact with its response targets (its policy, else the default), one query.
            "impacts": Impact.objects.active().annotate(**promised_targets()),
        },
    )
