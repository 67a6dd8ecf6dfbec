from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("medborgarloften/<int:pk>/", views.pledge_detail, name="public-pledge"),
    path("medborgarloften/<int:pk>/overenskommelse.pdf", views.agreement_pdf, name="public-agreement-pdf"),
    path("medborgarloften/<int:pk>/utvardering/<int:year>.pdf", views.evaluation_pdf, name="public-evaluation-pdf"),
    path("tillganglighet/", views.accessibility, name="accessibility"),
    path("feed/", views.country_feed, name="country-feed"),
]
