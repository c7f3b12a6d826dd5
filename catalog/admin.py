"""The back office for the taxonomy: hubs (with their closures), partners, products,
categories, impacts and issue tags (their text in each language: catalog.translation_admin)."""

from django.contrib import admin

from catalog.models import Category, Hub, HubClosure, Impact, IssueTag, Partner, Product
from catalog.translation_admin import TranslatedAdmin


class HubClosureInline(admin.TabularInline):
    model = HubClosure
    extra = 1
    fields = ["date", "reason"]


@admin.register(Hub)
class HubAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "work_starts", "work_ends", "holiday_country", "is_active"]
    list_filter = ["is_active", "holiday_country"]
    search_fields = ["name", "time_zone"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [HubClosureInline]


@admin.register(HubClosure)
class HubClosureAdmin(admin.ModelAdmin):
    list_display = ["date", "hub", "reason"]
    list_filter = ["hub"]
    date_hierarchy = "date"


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "hub", "is_active", "created_at"]
    list_filter = ["hub", "is_active"]
    search_fields = ["name"]
    list_select_related = ["hub"]


@admin.register(Product)
class ProductAdmin(TranslatedAdmin):
    list_display = ["name", "github_repository", "position", "is_active"]
    list_editable = ["position"]
    list_filter = ["is_active"]
    search_fields = ["name", "github_repository"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Category)
class CategoryAdmin(TranslatedAdmin):
    list_display = ["name", "slug", "position", "is_active"]
    list_filter = ["is_active"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Impact)
class ImpactAdmin(TranslatedAdmin):
    list_display = ["name", "level", "definition", "is_active"]
    list_filter = ["is_active"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(IssueTag)
class IssueTagAdmin(TranslatedAdmin):
    list_display = ["name", "slug", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
