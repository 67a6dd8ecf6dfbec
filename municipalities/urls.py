from django.urls import re_path

from . import views

# A kommunkod is four digits; any other address under /kommuner/ is a 404.
CODE = r"(?P<code>[0-9]{4})"

urlpatterns = [
    re_path(r"^$", views.municipality_list, name="public-municipalities"),
    re_path(rf"^{CODE}/$", views.municipality_detail, name="public-municipality"),
    re_path(rf"^{CODE}/embed/$", views.municipality_embed, name="public-municipality-embed"),
    re_path(rf"^{CODE}/feed/$", views.municipality_feed, name="public-municipality-feed"),
]
