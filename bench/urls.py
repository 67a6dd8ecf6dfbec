"""The project's URLs plus /bench/ceiling/: a fixed short response through the same middleware, the ceiling
every page is compared with. Only bench/settings.py uses this module; config/urls.py has no such address."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def ceiling(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/ceiling/", ceiling), *project_urlpatterns]
