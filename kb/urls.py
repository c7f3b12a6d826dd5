"""The knowledge base's public addresses, mounted at /kb/."""

from django.urls import path

from kb import pages, views

app_name = "kb"

urlpatterns = [
    path("", pages.home, name="home"),
    path("search/", views.search, name="search"),
    path("suggest", views.suggest, name="suggest"),
    path("go/<str:token>/", views.go, name="go"),
    path("images/<str:name>", views.image, name="image"),
    path("<slug:product_slug>/", pages.product, name="product"),
    path("<slug:product_slug>/sections/<slug:section_slug>/", pages.section, name="section"),
    path("<slug:product_slug>/articles/<slug:article_slug>/", pages.article, name="article"),
    path(
        "<slug:product_slug>/articles/<slug:article_slug>/feedback/",
        pages.feedback,
        name="feedback",
    ),
]
