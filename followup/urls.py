"""Follow-up in the staff area, mounted at /hantera/uppfoljning/."""

from django.urls import path

from . import views

app_name = "followup"

urlpatterns = [
    path("medborgarloften/<int:pk>/", views.pledge_followup, name="pledge"),
    path("medborgarloften/<int:pk>/aktivitet/ny/", views.activity_create, name="activity_create"),
    path("medborgarloften/<int:pk>/aktiviteter/csv/", views.activities_upload, name="activities_upload"),
    path("aktiviteter/<int:pk>/redigera/", views.activity_edit, name="activity_edit"),
    path("aktiviteter/<int:pk>/ta-bort/", views.activity_delete, name="activity_delete"),
    path("atagenden/<int:pk>/missad-period/<str:start>/", views.missed_period_edit, name="missed_period"),
    path("medborgarloften/<int:pk>/utvardering/<int:year>/", views.evaluation_page, name="evaluation"),
    path("medborgarloften/<int:pk>/utvardering/<int:year>/bygg/", views.evaluation_build, name="evaluation_build"),
    path("medborgarloften/<int:pk>/utvardering/<int:year>/status/", views.evaluation_status, name="evaluation_status"),
    path("medborgarloften/<int:pk>/utvardering/<int:year>.pdf", views.evaluation_pdf, name="evaluation_pdf"),
]
