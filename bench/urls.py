"""The help desk's URLs plus one trivial view, the yardstick for request overhead."""

from django.urls import path

from bench.stacks import trivial
from helpdesk.urls import urlpatterns as helpdesk_urlpatterns

urlpatterns = [path("bench/trivial", trivial), *helpdesk_urlpatterns]
