from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("konto/", include("accounts.urls")),
    path("hantera/uppfoljning/", include("followup.urls")),
    path("hantera/", include("pledges.staff_urls")),
    path("kommuner/", include("municipalities.urls")),
    path("api/v1/", include("pledges.api.urls")),
    path("", include("pledges.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
