"""The staff area, mounted at /hantera/. Every pattern here needs an entry in the permission matrix test
(pledges/tests/test_staff_permissions.py), which fails when one is missing."""

from django.urls import path

from dialogues import staff_views as dialogue_views

from . import staff_views as views

app_name = "staff"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("medborgarloften/", views.pledge_list, name="pledge_list"),
    path("medborgarloften/nytt/", views.pledge_create, name="pledge_create"),
    path("medborgarloften/<int:pk>/", views.pledge_detail, name="pledge_detail"),
    path("medborgarloften/<int:pk>/redigera/", views.pledge_edit, name="pledge_edit"),
    path(
        "medborgarloften/<int:pk>/fokusomraden/<int:area_pk>/",
        views.focus_area_edit,
        name="focus_area_edit",
    ),
    path("medborgarloften/<int:pk>/steg/<slug:transition>/", views.pledge_transition, name="pledge_transition"),
    path("medborgarloften/<int:pk>/underteckna/", views.pledge_sign, name="pledge_sign"),
    path("medborgarloften/<int:pk>/historik/", views.pledge_history, name="pledge_history"),
    path("medborgarloften/<int:pk>/overenskommelse/", views.pledge_agreement, name="pledge_agreement"),
    path(
        "medborgarloften/<int:pk>/overenskommelse/<int:document_pk>.pdf",
        views.pledge_agreement_pdf,
        name="pledge_agreement_pdf",
    ),
    path("medborgarloften/<int:pk>/sparbarhet/", views.pledge_trace, name="pledge_trace"),
    path("medborgarloften/<int:pk>/nasta-period/", views.pledge_next_period, name="pledge_next_period"),
    path("medborgarloften/<int:pk>/jamforelse/", views.pledge_compare, name="pledge_compare"),
    path("dialoger/", dialogue_views.dialogue_list, name="dialogue_list"),
    path("dialoger/ny/", dialogue_views.dialogue_create, name="dialogue_create"),
    path("dialoger/<int:pk>/", dialogue_views.dialogue_detail, name="dialogue_detail"),
    path("dialoger/<int:pk>/redigera/", dialogue_views.dialogue_edit, name="dialogue_edit"),
]
