"""Seed the default hubs, products, categories, impacts and issue tags from the workflow.

The data is copied here, not imported, so this migration does what it did when it
was written whatever catalog/defaults.py says later. The support roles are kept
in step by a post_migrate handler (tickets/roles.py), not here.
"""

from datetime import time

from django.db import migrations

HUBS = [
    ("East Africa", "east-africa", "Africa/Nairobi", "KE"),
    ("West Africa", "west-africa", "Africa/Accra", "GH"),
    ("Europe", "europe", "Europe/Amsterdam", "NL"),
    ("Asia", "asia", "Asia/Jakarta", "ID"),
    ("Americas", "americas", "America/Bogota", "CO"),
]

WORKING_HOURS = (time(9, 0), time(17, 0))

PRODUCTS = [
    (
        "Akvo Flow",
        "akvo-flow",
        "akvo/akvo-flow",
        1,
        [
            {
                "name": "dashboard",
                "label": "Dashboard",
                "help": "The Flow dashboard (instance) you use",
            },
            {"name": "folder", "label": "Folder"},
            {"name": "survey", "label": "Survey"},
            {"name": "assignment", "label": "Assignment"},
            {"name": "device_id", "label": "Device ID"},
            {"name": "imei", "label": "IMEI", "help": "Dial *#06# on the phone to see it"},
        ],
        "Collect data in the field with mobile surveys, even offline.",
    ),
    (
        "Akvo RSR",
        "akvo-rsr",
        "akvo/akvo-rsr",
        2,
        [
            {"name": "user_role", "label": "User role / account"},
            {"name": "project", "label": "Project", "help": "Title or link of the project"},
            {"name": "organisation", "label": "Organisation"},
            {
                "name": "rsr_page",
                "label": "RSR page",
                "help": "Address of the page where it happens",
            },
        ],
        "Report on projects and results, and share them online.",
    ),
    (
        "Akvo Lumen",
        "akvo-lumen",
        "akvo/akvo-lumen",
        3,
        [
            {"name": "instance", "label": "Instance"},
            {"name": "user", "label": "User"},
            {"name": "dataset", "label": "Dataset"},
            {"name": "visualisation", "label": "Visualisation"},
            {"name": "dashboard", "label": "Dashboard"},
        ],
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
        "A large part of the application fails and many users cannot do their normal work; there is "
        "no workaround, or only an awkward one.",
    ),
    (
        "Minor",
        "minor",
        3,
        "Some functionality or speed is lost and several users are hindered in their work, but an "
        "easy workaround exists or the slowdown is small.",
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


def seed_defaults(apps, schema_editor):
    Hub = apps.get_model("tickets", "Hub")
    Product = apps.get_model("tickets", "Product")
    Category = apps.get_model("tickets", "Category")
    Impact = apps.get_model("tickets", "Impact")
    IssueTag = apps.get_model("tickets", "IssueTag")

    starts, ends = WORKING_HOURS
    for name, slug, time_zone, country in HUBS:
        Hub.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "time_zone": time_zone,
                "holiday_country": country,
                "working_days": [0, 1, 2, 3, 4],
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
                "report_fields": fields,
                "description": description,
            },
        )
    for name, slug, position, description in CATEGORIES:
        Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": position, "description": description}
        )
    for name, slug, level, definition in IMPACTS:
        Impact.objects.get_or_create(
            slug=slug, defaults={"name": name, "level": level, "definition": definition}
        )
    for name, slug in ISSUE_TAGS:
        IssueTag.objects.get_or_create(slug=slug, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunPython(seed_defaults, migrations.RunPython.noop)]
