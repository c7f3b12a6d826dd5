"""The knowledge base's public addresses, mounted at /kb/."""

from django.urls import path

from kb import views

app_name = "kb"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("suggest", views.suggest, name="suggest"),
    path("go/<str:token>/", views.go, name="go"),
    path("images/<str:name>", views.image, name="image"),
    path("<slug:product_slug>/", views.product, name="product"),
    path("<slug:product_slug>/sections/<slug:section_slug>/", views.section, name="section"),
    path("<slug:product_slug>/articles/<slug:article_slug>/", views.article, name="article"),
    path(
        "<slug:product_slug>/articles/<slug:article_slug>/feedback/",
        views.feedback,
        name="feedback",
    ),
]
