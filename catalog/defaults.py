"""The default taxonomy, taken from the support workflow.

A fresh database gets it from the tickets app's data migration (0002, which keeps
its own copy so it does what it did when it was written); ``seed_demo`` and the
tests that empty the database put it back with :func:`seed_default_taxonomy`.
Admins may change all of it afterwards; seeding only creates what is missing.
Its French, Spanish and Brazilian Portuguese are in :mod:`catalog.default_translations`
(a database installed before them got them from catalog migration 0003).
"""

from copy import deepcopy
from datetime import time

from catalog import default_translations as translations
from catalog.models import Category, Hub, Impact, IssueTag, Product

HUBS = [
    # name, slug, time zone, holiday country
    ("East Africa", "east-africa", "Africa/Nairobi", "KE"),
    ("West Africa", "west-africa", "Africa/Accra", "GH"),
    ("Europe", "europe", "Europe/Amsterdam", "NL"),
    ("Asia", "asia", "Asia/Jakarta", "ID"),
    ("Americas", "americas", "America/Bogota", "CO"),
]
WORKING_HOURS = (time(9, 0), time(17, 0))

FLOW_FIELDS = [
    {"name": "dashboard", "label": "Dashboard", "help": "The Flow dashboard (instance) you use"},
    {"name": "folder", "label": "Folder"},
    {"name": "survey", "label": "Survey"},
    {"name": "assignment", "label": "Assignment"},
    {"name": "device_id", "label": "Device ID"},
    {"name": "imei", "label": "IMEI", "help": "Dial *#06# on the phone to see it"},
]
RSR_FIELDS = [
    {"name": "user_role", "label": "User role / account"},
    {"name": "project", "label": "Project", "help": "Title or link of the project"},
    {"name": "organisation", "label": "Organisation"},
    {"name": "rsr_page", "label": "RSR page", "help": "Address of the page where it happens"},
]
LUMEN_FIELDS = [
    {"name": "instance", "label": "Instance"},
    {"name": "user", "label": "User"},
    {"name": "dataset", "label": "Dataset"},
    {"name": "visualisation", "label": "Visualisation"},
    {"name": "dashboard", "label": "Dashboard"},
]

PRODUCTS = [
    # name, slug, repository, position, report fields, description
    (
        "Akvo Flow",
        "akvo-flow",
        "akvo/akvo-flow",
        1,
        FLOW_FIELDS,
        "Collect data in the field with mobile surveys, even offline.",
    ),
    (
        "Akvo RSR",
        "akvo-rsr",
        "akvo/akvo-rsr",
        2,
        RSR_FIELDS,
        "Report on projects and results, and share them online.",
    ),
    (
        "Akvo Lumen",
        "akvo-lumen",
        "akvo/akvo-lumen",
        3,
        LUMEN_FIELDS,
        "Clean, analyse and visualise data, and build dashboards.",
    ),
    ("Other", "other", "", 9, [], "Anything else, or if you are not sure which product."),
]

CATEGORIES = [
    ("Bug", "bug", 1, "Something does not work as it should."),
    ("Question", "question", 2, "How to do something, or what something means."),
    ("Feature request", "feature-request", 3, "Something the product does not do yet."),
]

IMPACTS = [
    (
        "Critical",
        "critical",
        1,
        "The production application is down or so broken that it cannot be used at all.",
    ),
    (
        "Significant",
        "significant",
        2,
        "A large part of the application fails and many users cannot do their normal work; "
        "there is no workaround, or only an awkward one.",
    ),
    (
        "Minor",
        "minor",
        3,
        "Some functionality or speed is lost and several users are hindered in their work, "
        "but an easy workaround exists or the slowdown is small.",
    ),
    (
        "Low",
        "low",
        4,
        "A small loss of functionality or a cosmetic problem; work goes on as normal.",
    ),
]

ISSUE_TAGS = [
    ("Data export", "data-export"),
    ("Data import", "data-import"),
    ("User management", "user-management"),
    ("Login and access", "login-and-access"),
    ("Forms and surveys", "forms-and-surveys"),
    ("Device and app sync", "device-and-app-sync"),
    ("Dashboards and visualisation", "dashboards-and-visualisation"),
    ("Reports and results", "reports-and-results"),
    ("Performance", "performance"),
    ("Notifications and email", "notifications-and-email"),
    ("API and integrations", "api-and-integrations"),
    ("Documentation", "documentation"),
]


def seed_default_taxonomy() -> None:
    """Create the default hubs, products, categories, impacts and issue tags that are missing."""
    starts, ends = WORKING_HOURS
    for name, slug, time_zone, country in HUBS:
        Hub.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "time_zone": time_zone,
                "holiday_country": country,
                "work_starts": starts,
                "work_ends": ends,
            },
        )
    for name, slug, repository, position, fields, description in PRODUCTS:
        Product.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "github_repository": repository,
                "position": position,
                "report_fields": deepcopy(translations.with_translations(slug, fields)),
                "description": description,
                "translations": deepcopy(translations.PRODUCTS.get(slug, {})),
            },
        )
    for name, slug, position, description in CATEGORIES:
        Category.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "position": position,
                "description": description,
                "translations": deepcopy(translations.CATEGORIES.get(slug, {})),
            },
        )
    for name, slug, level, definition in IMPACTS:
        Impact.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "level": level,
                "definition": definition,
                "translations": deepcopy(translations.IMPACTS.get(slug, {})),
            },
        )
    for name, slug in ISSUE_TAGS:
        IssueTag.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "translations": deepcopy(translations.ISSUE_TAGS.get(slug, {})),
            },
        )
