"""The help widget's addresses, mounted at /widget/ outside the language prefixes: the
host page chooses the language (``?lang=``), and a frame never follows the site's
language redirect."""

from django.urls import path

from portal import widget, widget_demo

app_name = "widget"

urlpatterns = [
    # A fake product page embedding the widget (404 unless WIDGET_DEMO_PAGE is on).
    path("demo/<slug:product>/", widget_demo.host_page, name="demo"),
    path("<slug:product>/", widget.widget_home, name="home"),
    path("<slug:product>/suggestions", widget.widget_suggestions, name="suggestions"),
    path("<slug:product>/contact/", widget.widget_contact, name="contact"),
]
