"""Seed the default hubs, products, categories, impacts, issue tags and support roles."""

from django.db import migrations


def seed_defaults(apps, schema_editor):
    from tickets import defaults, roles

    Hub = apps.get_model("tickets", "Hub")
    Product = apps.get_model("tickets", "Product")
    Category = apps.get_model("tickets", "Category")
    Impact = apps.get_model("tickets", "Impact")
    IssueTag = apps.get_model("tickets", "IssueTag")

    starts, ends = defaults.WORKING_HOURS
    for name, slug, time_zone, country in defaults.HUBS:
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
    for name, slug, repository, position, fields, description in defaults.PRODUCTS:
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
    for name, slug, position, description in defaults.CATEGORIES:
        Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": position, "description": description}
        )
    for name, slug, level, definition in defaults.IMPACTS:
        Impact.objects.get_or_create(
            slug=slug, defaults={"name": name, "level": level, "definition": definition}
        )
    for name, slug in defaults.ISSUE_TAGS:
        IssueTag.objects.get_or_create(slug=slug, defaults={"name": name})

    roles.sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(seed_defaults, migrations.RunPython.noop)]
