from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("municipalities", views.MunicipalityViewSet, basename="api-municipality")
router.register("pledges", views.PledgeViewSet, basename="api-pledge")
router.register("indicators", views.IndicatorViewSet, basename="api-indicator")
router.register("dialogues", views.DialogueViewSet, basename="api-dialogue")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", views.api_docs, name="api-docs"),
    path("", include(router.urls)),
]
